"""Ship slots: an express order registered before the cut-off ships that morning, after it
that afternoon, on working days; on a weekend or holiday, the next working morning."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from salesdesk.core.calendar import next_workday
from salesdesk.orders.models import ShipSlot


def cutoff() -> dt.time:
    hours, minutes = settings.SALESDESK["EXPRESS_CUTOFF"].split(":")
    return dt.time(int(hours), int(minutes))


def ship_slot_for(registered_at: dt.datetime) -> tuple[dt.date, str]:
    local = timezone.localtime(registered_at)
    day = local.date()
    first = next_workday(day)
    if first != day:  # a weekend or holiday: the next working day's morning
        return first, ShipSlot.MORNING
    if local.time() < cutoff():
        return day, ShipSlot.MORNING
    return day, ShipSlot.AFTERNOON
