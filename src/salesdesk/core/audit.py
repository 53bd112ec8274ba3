"""Writing the append-only audit trail of document events, approvals and logins."""

from __future__ import annotations

from typing import Any

from django.db import models

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


def events_for(obj: models.Model):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "by"
    )
