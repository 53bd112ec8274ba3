"""Document state machines: every change goes through `transition`, which refuses a move
the document's TRANSITIONS do not allow and records who made it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from salesdesk.core.errors import Conflict
from salesdesk.core.models import StatusChange


class InvalidTransition(Conflict):
    pass


def transition(
    obj: models.Model,
    *,
    to: str,
    by,
    note: str = "",
    field: str = "status",
    changed: tuple[str, ...] | None = None,
) -> None:
    """Move `obj` to status `to`, save it, and write the StatusChange row.

    The model declares `TRANSITIONS: dict[str, set[str]]`; a move not listed raises
    InvalidTransition (never a silent no-op). `changed` names the other fields the caller set
    with the status: only those and the status are written. Without it the whole row is.
    """
    current = getattr(obj, field)
    allowed = type(obj).TRANSITIONS.get(current, set())
    if to not in allowed:
        choices = dict(type(obj)._meta.get_field(field).flatchoices)
        raise InvalidTransition(
            _("Cannot go from %(a)s to %(b)s.")
            % {"a": choices.get(current, current), "b": choices.get(to, to)},
            code="invalid_transition",
        )
    setattr(obj, field, to)
    # Writing only what changed spares the order's dozen indexes a rewrite on every move.
    obj.save(update_fields=None if changed is None else [field, *changed])
    StatusChange.objects.create(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        from_status=current,
        to_status=to,
        by=by,
        note=note[:500],
    )


def status_history(obj: models.Model):
    return StatusChange.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("by")
