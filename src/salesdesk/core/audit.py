"""Writing the append-only audit trail of document events, approvals and logins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from salesdesk.core.models import AuditEvent

# Human names of event codes; each app adds its own with `name_events` when it loads.
EVENT_NAMES: dict[str, Any] = {}


def name_events(names: dict[str, Any]) -> None:
    EVENT_NAMES.update(names)


def event_name(action: str) -> str:
    return str(EVENT_NAMES.get(action, action))


def record_event(
    action: str, *, by=None, obj: models.Model | None = None, summary: str = "", **data: Any
) -> AuditEvent:
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    return AuditEvent.objects.create(
        action=action,
        by=by if (by is not None and by.is_authenticated) else None,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:500],
        data=data,
    )


def events_for(obj: models.Model) -> QuerySet[AuditEvent]:
    """The events about `obj`; pages read them through `trail`, which names the columns it shows."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


@dataclass(frozen=True)
class TrailEvent:
    """One line of a page's audit trail (`_history.html`)."""

    at: dt.datetime
    who: str
    name: str
    summary: str

    @property
    def when(self) -> str:
        # What `|date:"Y-m-d H:i"` writes, at a tenth of its cost: 50 lines a page.
        return timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M")


def trail(events: QuerySet[AuditEvent], limit: int = 50) -> list[TrailEvent]:
    """The newest `limit` of `events` as a page's audit trail shows them.

    Read as plain values: built as events each with its whole user, the 50 of a customer's
    page took 1.1 ms to read and 1.7 ms to draw.
    """
    rows = events.order_by("-at", "-id").values_list(
        "at", "by__first_name", "by__username", "action", "summary"
    )
    return [
        TrailEvent(at, first_name or username or "—", event_name(action), summary)
        for at, first_name, username, action, summary in rows[:limit]
    ]
