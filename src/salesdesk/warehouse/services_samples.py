"""Writes of the sample dispatch record (样品发放记录): a sample is requested for a customer,
faxed to the factory, dispatched by courier and followed until the customer has it.

Anyone who sees the customer may ask for a sample; the warehouse, the assistants and the
manager move it through its steps. Each step keeps its date, and the dates follow the steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.models import Carrier, CarrierStatus, Product
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed
from salesdesk.core.roles import Role, role_of, scope_to_user
from salesdesk.core.workflow import InvalidTransition, transition
from salesdesk.customers.models import Customer
from salesdesk.warehouse.models import SampleDispatch, SampleLine, SampleStatus

name_events(
    {
        "sample.requested": gettext_lazy("Sample requested"),
        "sample.sent_to_factory": gettext_lazy("Sample sent to the factory"),
        "sample.dispatched": gettext_lazy("Sample dispatched"),
        "sample.delivered": gettext_lazy("Sample delivered"),
        "sample.cancelled": gettext_lazy("Sample cancelled"),
    }
)

MAX_SAMPLE_LINES = 50
# The people the seed says fill in the record: a salesperson or an assistant (业务员或业务助理).
REQUESTER_ROLES = {Role.SALESPERSON, Role.ASSISTANT}
STEP_ROLES = {Role.WAREHOUSE, Role.ASSISTANT, Role.MANAGER}


@dataclass
class SampleLineInput:
    product: Product
    quantity: Decimal


def may_move_samples(user) -> bool:
    """The warehouse, the assistants and the manager follow samples through their steps."""
    return role_of(user) in STEP_ROLES


def may_cancel_sample(user, sample: SampleDispatch) -> bool:
    # Whoever asked for a sample may also withdraw it while it has not left.
    return may_move_samples(user) or sample.requested_by_id == getattr(user, "pk", None)


def _require_step_role(by) -> None:
    if not may_move_samples(by):
        raise NotAllowed(_("Only the warehouse, an assistant or a manager moves a sample to its next step."))


def _requester(customer: Customer, by, requested_by: User | None) -> User:
    if requested_by is not None:
        if not requested_by.is_active or role_of(requested_by) not in REQUESTER_ROLES:
            raise DomainError(
                _("A sample is requested by a salesperson or a sales assistant."), field="requested_by"
            )
        return requested_by
    if role_of(by) in REQUESTER_ROLES:
        return by
    fallback = customer.salesperson or customer.assistant
    if fallback is None:
        raise DomainError(
            _("Name the salesperson or assistant who asks for the sample."), field="requested_by"
        )
    return fallback


def _check_lines(lines: list[SampleLineInput]) -> None:
    if not lines:
        raise DomainError(_("Add at least one product and quantity."), field="lines")
    if len(lines) > MAX_SAMPLE_LINES:
        raise DomainError(
            _("At most %(n)s products per sample request.") % {"n": MAX_SAMPLE_LINES}, field="lines"
        )
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for i, line in enumerate(lines):
        if not line.product.active:
            errors[f"lines[{i}].product"] = [
                _("%(code)s is no longer sold.") % {"code": line.product.model_code}
            ]
        elif line.product.pk in seen:
            errors[f"lines[{i}].product"] = [
                _("%(code)s is listed twice: enter it once with the whole quantity.")
                % {"code": line.product.model_code}
            ]
        seen.add(line.product.pk)
        if not line.quantity.is_finite() or line.quantity <= 0:
            errors[f"lines[{i}].quantity"] = [_("The quantity must be more than 0.")]
    if errors:
        raise FieldErrors(errors)


def _full_clean(obj, prefix: str = "", exclude: tuple[str, ...] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise FieldErrors({f"{prefix}{k}": list(v) for k, v in exc.message_dict.items()}) from None


@transaction.atomic
def sample_request(
    *,
    customer: Customer,
    by,
    lines: list[SampleLineInput],
    requested_by: User | None = None,
    note: str = "",
) -> SampleDispatch:
    """Fill in the sample record for a customer (《样品发放记录》)."""
    if not scope_to_user(Customer.objects.filter(pk=customer.pk), by).exists():
        raise DomainError(_("No customer with this code: save the customer first."), field="customer")
    if customer.status == "closed":
        raise DomainError(
            _("Customer %(code)s is closed: no samples.") % {"code": customer.code}, field="customer"
        )
    _check_lines(lines)
    sample = SampleDispatch(
        customer=customer,
        requested_by=_requester(customer, by, requested_by),
        requested_on=timezone.localdate(),
        note=note.strip(),
        created_by=by,
    )
    _full_clean(sample)
    sample.save()
    for i, item in enumerate(lines):
        line = SampleLine(sample=sample, product=item.product, quantity=item.quantity)
        _full_clean(line, prefix=f"lines[{i}].", exclude=("sample",))
        line.save()
    what = ", ".join(f"{item.product.model_code} × {item.quantity.normalize()}" for item in lines)
    record_event("sample.requested", by=by, obj=sample, summary=f"{customer.code}: {what}")
    return sample


def _locked(sample: SampleDispatch, to: str) -> SampleDispatch:
    """The sample's row, locked, refused with 409 if it cannot go to `to` from where it is."""
    sample = SampleDispatch.objects.select_for_update().get(pk=sample.pk)
    if to not in SampleDispatch.TRANSITIONS.get(sample.status, set()):
        raise InvalidTransition(
            _("Sample %(ref)s is “%(status)s” and cannot move to “%(step)s”.")
            % {
                "ref": sample.reference,
                "status": sample.get_status_display(),
                "step": SampleStatus(to).label,
            },
            code="invalid_transition",
        )
    return sample


def _step_date(day: dt.date | None, *, after: dt.date | None, field: str) -> dt.date:
    """The day a step happened: today by default, never in the future, never before the last step."""
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field=field)
    if after is not None and day < after:
        raise DomainError(
            _("The date cannot be before the previous step (%(day)s).") % {"day": f"{after:%Y-%m-%d}"},
            field=field,
        )
    return day


@transaction.atomic
def sample_send_to_factory(
    *, sample: SampleDispatch, by, sent_to_factory_on: dt.date | None = None
) -> SampleDispatch:
    """The record was faxed to the factory, which packs the sample and hands it to a courier."""
    _require_step_role(by)
    sample = _locked(sample, SampleStatus.SENT_TO_FACTORY)
    sample.sent_to_factory_on = _step_date(
        sent_to_factory_on, after=sample.requested_on, field="sent_to_factory_on"
    )
    transition(sample, to=SampleStatus.SENT_TO_FACTORY, by=by, note=f"{sample.sent_to_factory_on}")
    record_event("sample.sent_to_factory", by=by, obj=sample, summary=f"{sample.sent_to_factory_on}")
    return sample


@transaction.atomic
def sample_dispatch(
    *,
    sample: SampleDispatch,
    by,
    carrier: Carrier | None,
    tracking_number: str,
    dispatched_on: dt.date | None = None,
) -> SampleDispatch:
    """The sample left with a courier: which one, its tracking number and the day."""
    _require_step_role(by)
    sample = _locked(sample, SampleStatus.DISPATCHED)
    errors: dict[str, list[str]] = {}
    if carrier is None:
        errors["carrier"] = [_("Choose the courier that carries the sample.")]
    elif carrier.status != CarrierStatus.ACTIVE:
        errors["carrier"] = [_("Carrier %(n)s is suspended and cannot be chosen.") % {"n": carrier.name}]
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        errors["tracking_number"] = [_("Enter the tracking number, so the sample can be followed.")]
    elif len(tracking_number) > 40:
        errors["tracking_number"] = [_("A tracking number has at most 40 characters.")]
    if errors:
        raise FieldErrors(errors)
    sample.dispatched_on = _step_date(dispatched_on, after=sample.sent_to_factory_on, field="dispatched_on")
    sample.carrier, sample.tracking_number = carrier, tracking_number
    transition(sample, to=SampleStatus.DISPATCHED, by=by, note=f"{carrier.name} {tracking_number}")
    record_event("sample.dispatched", by=by, obj=sample, summary=f"{carrier.name} {tracking_number}")
    return sample


@transaction.atomic
def sample_delivered(*, sample: SampleDispatch, by, delivered_on: dt.date | None = None) -> SampleDispatch:
    """The customer has the sample: the record is closed."""
    _require_step_role(by)
    sample = _locked(sample, SampleStatus.DELIVERED)
    sample.delivered_on = _step_date(delivered_on, after=sample.dispatched_on, field="delivered_on")
    transition(sample, to=SampleStatus.DELIVERED, by=by, note=f"{sample.delivered_on}")
    record_event("sample.delivered", by=by, obj=sample, summary=f"{sample.delivered_on}")
    return sample


@transaction.atomic
def sample_cancel(*, sample: SampleDispatch, by, reason: str) -> SampleDispatch:
    """Withdraw a sample that has not left yet; once with the courier it can only be delivered."""
    if not may_cancel_sample(by, sample):
        raise NotAllowed(
            _("Only who asked for the sample, the warehouse, an assistant or a manager cancels it.")
        )
    sample = _locked(sample, SampleStatus.CANCELLED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the sample is cancelled."), field="reason")
    if len(reason) > 200:
        raise DomainError(_("The reason has at most 200 characters."), field="reason")
    sample.cancel_reason = reason
    transition(sample, to=SampleStatus.CANCELLED, by=by, note=reason)
    record_event("sample.cancelled", by=by, obj=sample, summary=reason)
    return sample
