"""Writes about calls: log a call, raise and resolve follow-ups, turn a caller into a customer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.calls.models import CallRecord, FollowUp, FollowUpStatus
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, NotAllowed, field_errors_from_validation
from salesdesk.core.people import name_of
from salesdesk.core.roles import Role, role_of
from salesdesk.core.workflow import transition
from salesdesk.customers.models import Customer
from salesdesk.customers.services import customer_create

name_events(
    {
        "follow_up.raised": gettext_lazy("Follow-up raised"),
        "follow_up.resolved": gettext_lazy("Follow-up resolved"),
        "call.became_customer": gettext_lazy("Caller saved as customer"),
    }
)

CALL_FIELDS = [
    "at",
    "company",
    "contact_name",
    "phone",
    "address",
    "need",
    "customer",
    "duration_minutes",
    "notes",
]


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise field_errors_from_validation(exc) from exc


@transaction.atomic
def call_log(*, by, **fields: Any) -> CallRecord:
    unknown = sorted(set(fields) - set(CALL_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field: %(f)s") % {"f": ", ".join(unknown)}, field=unknown[0])
    call = CallRecord(answered_by=by, **{k: v for k, v in fields.items() if v is not None or k == "customer"})
    if call.customer_id and not call.company:
        call.company = call.customer.name
    _clean(call)
    call.save()
    return call


@transaction.atomic
def follow_up_raise(
    *, call: CallRecord, by, question: str, assigned_to, due_on: dt.date | None = None
) -> FollowUp:
    if not question.strip():
        raise DomainError(_("Write down the question that needs an answer."), field="question")
    if assigned_to is None or not assigned_to.is_active:
        raise DomainError(_("Choose who will answer it."), field="assigned_to")
    follow_up = FollowUp(
        call=call, question=question.strip(), assigned_to=assigned_to, due_on=due_on, created_by=by
    )
    _clean(follow_up)
    follow_up.save()
    record_event(
        "follow_up.raised",
        by=by,
        obj=call,
        summary=f"→ {name_of(assigned_to)}: {question[:200]}",
    )
    return follow_up


@transaction.atomic
def follow_up_resolve(*, follow_up: FollowUp, by, resolution: str) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != FollowUpStatus.OPEN:
        raise Conflict(_("This follow-up was already resolved."))
    if by.pk not in {follow_up.assigned_to_id, follow_up.created_by_id} and role_of(by) != Role.MANAGER:
        raise NotAllowed(_("Only the person it is assigned to, its author or a manager can resolve it."))
    if not resolution.strip():
        raise DomainError(_("Say how it was resolved."), field="resolution")
    follow_up.resolution = resolution.strip()
    follow_up.resolved_by = by
    follow_up.resolved_at = timezone.now()
    transition(follow_up, to=FollowUpStatus.RESOLVED, by=by, note=resolution[:500])
    record_event("follow_up.resolved", by=by, obj=follow_up.call, summary=resolution[:200])
    return follow_up


@transaction.atomic
def call_to_customer(*, call: CallRecord, by, series: str, **fields: Any) -> Customer:
    """Save the caller as a new customer, carrying over what the call recorded."""
    # No select_related here: a row locked after waiting is re-read, its joined rows are not.
    call = CallRecord.objects.select_for_update().get(pk=call.pk)
    if call.customer_id:
        raise Conflict(_("This call is already linked to customer %(c)s.") % {"c": call.customer.code})
    fields.setdefault("name", call.company)
    fields.setdefault("address", call.address)
    contacts = fields.pop("contacts", None)
    if contacts is None and call.phone:  # a contact without a phone is no contact
        contacts = [{"name": call.contact_name or call.company, "phone": call.phone, "role": ""}]
    customer = customer_create(by=by, series=series, contacts=contacts or [], **fields)
    CallRecord.objects.filter(pk=call.pk).update(customer=customer)
    call.customer = customer
    record_event("call.became_customer", by=by, obj=call, summary=customer.code)
    return customer
