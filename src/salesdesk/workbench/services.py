"""Writes of the workbench: the morning's reminders, and ticking one off."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from salesdesk.core.roles import role_of
from salesdesk.workbench.items import TASKS, Item, Section
from salesdesk.workbench.models import Reminder
from salesdesk.workbench.selectors import workbench_items

KEEP_DAYS = 92  # reminders older than about a quarter are deleted by the daily run


def reminder_key(section: Section, item: Item) -> str:
    """Stable across runs: the same item on the same day is the same reminder."""
    return hashlib.sha256(f"{section.key}\n{item.url}\n{item.title}".encode()).hexdigest()


def _field(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


@transaction.atomic
def reminders_write_for(*, user, day: dt.date, now: dt.datetime | None = None) -> int:
    """Write `user`'s workbench items of `day` as reminders; items already written are skipped."""
    written = set(Reminder.objects.filter(user=user, day=day).values_list("key", flat=True))
    new = {}
    for section in workbench_items(user=user, now=now):
        if section.kind != TASKS:
            continue  # figures to look at, not things to do
        for item in section.items:
            key = reminder_key(section, item)
            if key in written or key in new:
                continue
            new[key] = Reminder(
                user=user,
                day=day,
                section=section.key,
                title=_field(item.title, 300),
                detail=_field(item.detail, 1000),
                url=item.url[:500],
                key=key,
            )
    # A run racing this one may have written some meanwhile: the unique key keeps one of each,
    # and the count says what this run added.
    Reminder.objects.bulk_create(new.values(), ignore_conflicts=True)
    return Reminder.objects.filter(user=user, day=day).count() - len(written)


def reminders_write(*, now: dt.datetime | None = None) -> int:
    """`salesdesk daily`: today's reminders for every active user with a role; returns how many
    were new. Running it again the same day writes nothing more."""
    now = timezone.localtime(now)
    day = now.date()
    count = 0
    for user in User.objects.filter(is_active=True).order_by("pk"):
        if role_of(user) is not None:
            count += reminders_write_for(user=user, day=day, now=now)
    Reminder.objects.filter(day__lt=day - dt.timedelta(days=KEEP_DAYS)).delete()
    return count


@transaction.atomic
def reminder_mark_seen(*, reminder: Reminder, by) -> Reminder:
    """The user ticks a reminder off; ticking it again changes nothing."""
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk, user=by)
    if reminder.seen_at is None:
        reminder.seen_at = timezone.now()
        reminder.save(update_fields=["seen_at"])
    return reminder
