"""Entering history: documents take their dates and times from the clock, so the clock is set."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone


def at_moment(moment: dt.datetime):
    """Run what follows as if it were `moment` (an aware datetime)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))
