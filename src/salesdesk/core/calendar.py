"""Working days: Monday to Friday, less public holidays, plus weekends worked in their place."""

from __future__ import annotations

import datetime as dt

from salesdesk.core.models import CalendarDay

# The days salesdesk takes: far-off ones overflow when a day's span is worked out (9999-12-31 and
# the day after) or moved between time zones (0001-01-01 at midnight in Shanghai), and no order,
# call or payment is dated that far off.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def within_reach(day: dt.date) -> bool:
    """Whether salesdesk takes `day`: every date field of a form and of the API asks."""
    return FIRST_DAY <= day <= LAST_DAY


def is_workday(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = dict(CalendarDay.objects.filter(date=day).values_list("date", "is_workday"))
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def next_workday(day: dt.date, *, include_today: bool = True) -> dt.date:
    """The first working day on or after `day` (after it when include_today is False)."""
    horizon = day + dt.timedelta(days=40)  # the longest Chinese holiday is ~8 days
    exceptions = dict(
        CalendarDay.objects.filter(date__gte=day, date__lte=horizon).values_list("date", "is_workday")
    )
    candidate = day if include_today else day + dt.timedelta(days=1)
    while not is_workday(candidate, exceptions):
        candidate += dt.timedelta(days=1)
    return candidate


def day_span(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The company-time day as [start, end) instants: a range an index can serve, unlike `__date`,
    which converts every row's time zone before comparing."""
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)
