"""Writes about orders: take one down, register and review it, override, release, cancel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.calls.models import CallRecord
from salesdesk.catalog.models import Carrier, CarrierStatus, Product
from salesdesk.catalog.selectors import agreed_prices
from salesdesk.core import events
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed, field_errors_from_validation
from salesdesk.core.money import line_amount, to_unit_price, too_large
from salesdesk.core.numbering import next_value
from salesdesk.core.workflow import transition
from salesdesk.customers.models import Customer, CustomerStatus
from salesdesk.customers.selectors import read_completeness
from salesdesk.orders import review
from salesdesk.orders.models import (
    CheckResult,
    OrderLine,
    OrderStatus,
    ReviewCheck,
    SalesOrder,
    ShipMethod,
    ShipSlot,
)
from salesdesk.orders.slots import ship_slot_for

name_events(
    {
        "order.registered": gettext_lazy("Order registered"),
        "order.held": gettext_lazy("Order held by the review"),
        "order.check_overridden": gettext_lazy("Review check overridden"),
        "order.released": gettext_lazy("Order released to the warehouse"),
        "order.cancelled": gettext_lazy("Order cancelled"),
        "order.ship_in_parts": gettext_lazy("Order to ship in parts"),
        "order.ship_complete": gettext_lazy("Order to wait and ship complete"),
    }
)

HEADER_FIELDS = [
    "ship_in_parts",
    "salesperson",
    "channel",
    "ship_method",
    "carrier",
    "collection_method",
    "warehouse_instructions",
]
MAX_LINES = 200


@dataclass
class LineInput:
    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None  # None: the agreed price in force, else the standard price
    requested_date: dt.date | None = None
    notes: str = ""


def _clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise field_errors_from_validation(exc) from exc


def _check_customer(customer: Customer) -> None:
    # The seed's rule: an order may name a customer only once its record exists with a code.
    if customer.pk is None or not customer.code:
        raise DomainError(_("Save the customer first: an order needs a customer code."), field="customer")
    if customer.status == CustomerStatus.CLOSED:
        raise DomainError(
            _("Customer %(c)s is closed and takes no orders.") % {"c": customer.code}, field="customer"
        )


def _check_carrier(carrier: Carrier | None, ship_method: str, *, releasing: bool = False) -> None:
    if carrier is not None and carrier.status != CarrierStatus.ACTIVE:
        raise DomainError(
            _("Carrier %(n)s is suspended and cannot be chosen.") % {"n": carrier.name},
            field="carrier",
            code="carrier_suspended",
        )
    # A draft may not know its courier yet; the warehouse must, once it is released.
    if releasing and ship_method in {ShipMethod.EXPRESS, ShipMethod.FREIGHT} and carrier is None:
        raise DomainError(
            _("Choose the carrier before releasing an express or freight order."), field="carrier"
        )


def _build_lines(order: SalesOrder, lines: list[LineInput]) -> list[OrderLine]:
    if not lines:
        raise DomainError(_("An order needs at least one line."), field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError(_("At most %(n)s lines per order.") % {"n": MAX_LINES}, field="lines")
    today = timezone.localdate()
    # Each line keeps the agreed price known now: the page shows it beside the price entered, and
    # the review at registration rewrites only the lines whose agreed price changed meanwhile.
    agreed = agreed_prices(customer=order.customer, products=[data.product for data in lines], on=today)
    built, errors = [], {}
    for i, data in enumerate(lines):
        price = data.unit_price
        if price is None:
            price = agreed.get(data.product.pk)
            if price is None:
                price = data.product.standard_price
        try:
            quantity = Decimal(data.quantity)
            price = to_unit_price(price)
            amount = line_amount(quantity, price)
        except (InvalidOperation, TypeError, ValueError):
            errors[f"lines[{i}].quantity"] = [_("Enter a number.")]
            continue
        line = OrderLine(
            order=order,
            position=i + 1,
            product=data.product,
            quantity=quantity,
            unit_price=price,
            amount=amount,
            agreed_price=agreed.get(data.product.pk),
            requested_date=data.requested_date,
            notes=(data.notes or "")[:200],
        )
        if quantity <= 0:
            errors[f"lines[{i}].quantity"] = [_("The quantity must be more than 0.")]
        elif price < 0:
            errors[f"lines[{i}].unit_price"] = [_("The price cannot be negative.")]
        else:
            try:
                # The product is the object given (its row exists); quantity and price were checked above.
                line.full_clean(exclude=["order", "product"], validate_constraints=False)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors[f"lines[{i}].{field}"] = messages
        if not data.product.active:
            errors[f"lines[{i}].product"] = [
                _("Product %(p)s is no longer sold.") % {"p": data.product.model_code}
            ]
        built.append(line)
    if not errors and too_large(sum(line.amount for line in built)):
        errors["lines"] = [_("The order total is too large; split it into several orders.")]
    if errors:
        raise FieldErrors(errors)
    return built


@transaction.atomic
def order_create(
    *, by, customer: Customer, lines: list[LineInput], call: CallRecord | None = None, **header: Any
) -> SalesOrder:
    """Take an order down as a draft; `order_register` gives it its number."""
    unknown = sorted(set(header) - set(HEADER_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field: %(f)s") % {"f": ", ".join(unknown)}, field=unknown[0])
    _check_customer(customer)
    order = SalesOrder(
        customer=customer, assistant_id=customer.assistant_id, created_by=by, call=call, **header
    )
    if header.get("salesperson") is None:
        order.salesperson_id = customer.salesperson_id
    _check_carrier(order.carrier, order.ship_method)
    # The people, customer and call are objects in hand: no need to look each one up again. The
    # table's constraints are about registered and released orders; a new draft is neither.
    _clean(
        order,
        exclude=["number", "customer", "assistant", "created_by", "call", "salesperson"],
        validate_constraints=False,
    )
    order.save()
    OrderLine.objects.bulk_create(_build_lines(order, lines))
    return order


@transaction.atomic
def order_update(*, order: SalesOrder, by, lines: list[LineInput] | None = None, **header: Any) -> SalesOrder:
    """Change a draft, or an order on hold (which is then reviewed again)."""
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
    if order.status not in {OrderStatus.DRAFT, OrderStatus.ON_HOLD}:
        raise Conflict(_("Only a draft or an order on hold can be changed; cancel it and take a new one."))
    unknown = sorted(set(header) - set(HEADER_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field: %(f)s") % {"f": ", ".join(unknown)}, field=unknown[0])
    for name, value in header.items():
        setattr(order, name, value)
    _check_carrier(order.carrier, order.ship_method)
    _clean(order, exclude=["number"])
    order.save()
    if lines is not None:
        order.lines.all().delete()
        OrderLine.objects.bulk_create(_build_lines(order, lines))
        events.emit(events.ORDER_CHANGED, order=order, by=by)
    if order.status == OrderStatus.ON_HOLD:
        _review(order, by)
        _settle_hold(order, by)
    return order


def _read_lines(order: SalesOrder) -> None:
    """The order's lines with their products, read once into `order.lines.all()` (a second call
    reads nothing)."""
    prefetch_related_objects([order], Prefetch("lines", OrderLine.objects.select_related("product")))


def _review(order: SalesOrder, by, *, first: bool = False) -> list[ReviewCheck]:
    """Run every check; keep overrides that still apply (an overridden check stays accepted).

    `first`: the order has never been reviewed, so there are no rows to read or update.
    """
    existing = {} if first else {c.code: c for c in order.checks.all()}
    # Checks 1 and 2 both need to know whether the customer has a phone and approved credit
    # terms (one read), checks 3 and 6 the order's lines with their products (read once).
    read_completeness(order.customer)
    _read_lines(order)
    results, new = [], []
    for check in review.CHECKS:
        outcome = check.run(order, by)
        row = existing.get(check.code)
        if row is None:
            row = ReviewCheck(order=order, code=check.code)
            new.append(row)
        elif row.result == CheckResult.OVERRIDDEN and not outcome.passed:
            results.append(row)
            continue
        row.result = CheckResult.PASSED if outcome.passed else CheckResult.FAILED
        row.reason = str(outcome.reason)[:500]
        row.overridden_by, row.override_reason = None, ""
        if row not in new:
            row.save()
        results.append(row)
    ReviewCheck.objects.bulk_create(new)
    return results


def _settle_hold(order: SalesOrder, by) -> None:
    """Hold the order while any check fails; register it once none does."""
    failing = order.checks.filter(result=CheckResult.FAILED).exists()
    if failing and order.status != OrderStatus.ON_HOLD:
        transition(order, to=OrderStatus.ON_HOLD, by=by, note=_("Review check failed"), changed=())
        record_event("order.held", by=by, obj=order, summary=order.number or "")
    elif not failing and order.status == OrderStatus.ON_HOLD:
        transition(order, to=OrderStatus.REGISTERED, by=by, note=_("All checks pass"), changed=())


@transaction.atomic
def order_register(*, order: SalesOrder, by) -> SalesOrder:
    """Enter the order in the sales register (its number, gapless per year) and review it."""
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
    if order.status != OrderStatus.DRAFT:
        raise Conflict(
            _("Order %(n)s is already registered.") % {"n": order.reference}, code="already_registered"
        )
    _read_lines(order)
    if not order.lines.all():
        raise DomainError(_("An order needs at least one line."), field="lines")
    order.registered_at = timezone.now()
    checks = _review(order, by, first=True)
    # The number last: its series stays locked until this transaction commits, and every order
    # registered meanwhile waits for it (19 ms a registration on PostgreSQL under load, when the
    # number was taken before the review). The transition below saves it with the status.
    year = timezone.localtime(order.registered_at).year
    order.number = f"XS{year}-{next_value(f'order:{year}'):05d}"
    failing = [c for c in checks if c.result == CheckResult.FAILED]
    transition(
        order,
        to=OrderStatus.ON_HOLD if failing else OrderStatus.REGISTERED,
        by=by,
        changed=("number", "registered_at"),
    )
    record_event("order.held" if failing else "order.registered", by=by, obj=order, summary=order.number)
    return order


@transaction.atomic
def order_review_again(*, order: SalesOrder, by) -> SalesOrder:
    """After master data or prices were fixed, run the review of a held order once more."""
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
    if order.status != OrderStatus.ON_HOLD:
        raise Conflict(_("Only an order on hold is reviewed again."))
    _review(order, by)
    _settle_hold(order, by)
    return order


@transaction.atomic
def order_override(*, order: SalesOrder, by, code: str, reason: str) -> SalesOrder:
    """Accept a failed check, by a person allowed to, with a reason (recorded by name)."""
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
    if order.status != OrderStatus.ON_HOLD:
        raise Conflict(_("Only a check of an order on hold can be overridden."), code="invalid_transition")
    check = review.check_by_code(code)
    if check is None:
        raise DomainError(_("Unknown check: %(c)s") % {"c": code}, field="code")
    if not reason.strip():
        raise DomainError(_("Give the reason for overriding the check."), field="reason")
    row = order.checks.filter(code=code).first()
    if row is None or row.result != CheckResult.FAILED:
        raise Conflict(_("This check has not failed; there is nothing to override."))
    if not check.may_override(by, order):
        raise NotAllowed(_("You may not override the check “%(c)s”.") % {"c": check.label})
    row.result = CheckResult.OVERRIDDEN
    row.overridden_by = by
    row.override_reason = reason.strip()[:500]
    row.save()
    record_event("order.check_overridden", by=by, obj=order, summary=f"{check.label}: {row.override_reason}")
    _settle_hold(order, by)
    return order


@transaction.atomic
def order_release(
    *, order: SalesOrder, by, ship_date: dt.date | None = None, ship_slot: str = "", note: str = ""
) -> SalesOrder:
    """Send the order to the warehouse's queue with its ship slot.

    The slot follows from the registration time; another slot may be set, with a note.
    """
    # Lock the order row only: PostgreSQL cannot lock the nullable side (no carrier) of a join.
    order = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "carrier")
        .get(pk=order.pk)
    )
    if order.status != OrderStatus.REGISTERED:
        if order.status == OrderStatus.ON_HOLD:
            raise Conflict(
                _("The order is on hold: resolve or override the failing checks first."), code="on_hold"
            )
        raise Conflict(_("Only a registered order can be released."), code="invalid_transition")
    _check_carrier(order.carrier, order.ship_method, releasing=True)
    default_date, default_slot = ship_slot_for(order.registered_at)
    if default_date < timezone.localdate():  # registered days ago: the next slot from now
        default_date, default_slot = ship_slot_for(timezone.now())
    chosen_date, chosen_slot = ship_date or default_date, ship_slot or default_slot
    if (chosen_date, chosen_slot) != (default_date, default_slot):
        if not note.strip():
            raise DomainError(_("Say why the order ships in another slot."), field="ship_slot_note")
        if chosen_date < timezone.localdate():
            raise DomainError(_("The ship date cannot be in the past."), field="ship_date")
    if chosen_slot not in ShipSlot.values:
        raise DomainError(_("Choose morning or afternoon."), field="ship_slot")
    order.ship_date, order.ship_slot, order.ship_slot_note = chosen_date, chosen_slot, note.strip()[:200]
    transition(
        order,
        to=OrderStatus.RELEASED,
        by=by,
        note=order.ship_slot_note,
        changed=("ship_date", "ship_slot", "ship_slot_note"),
    )
    record_event(
        "order.released",
        by=by,
        obj=order,
        summary=f"{order.number} {chosen_date} {order.get_ship_slot_display()}",
    )
    return order


@transaction.atomic
def order_cancel(*, order: SalesOrder, by, reason: str) -> SalesOrder:
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if not reason.strip():
        raise DomainError(_("Give the reason for cancelling."), field="reason")
    if order.status not in {
        OrderStatus.DRAFT,
        OrderStatus.REGISTERED,
        OrderStatus.ON_HOLD,
        OrderStatus.RELEASED,
    }:
        raise Conflict(
            _("Goods have already left: an order cannot be cancelled after shipping."),
            code="invalid_transition",
        )
    transition(order, to=OrderStatus.CANCELLED, by=by, note=reason.strip()[:500])
    events.emit(events.ORDER_CHANGED, order=order, by=by)
    record_event("order.cancelled", by=by, obj=order, summary=reason.strip()[:200])
    return order


@transaction.atomic
def order_repeat_last(*, customer: Customer, by) -> SalesOrder:
    """A new draft with the lines of the customer's last order, at today's agreed prices."""
    last = (
        SalesOrder.objects.filter(customer=customer)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("-created_at", "-id")
        .prefetch_related("lines__product")
        .first()
    )
    if last is None:
        raise DomainError(_("This customer has no earlier order to repeat."), field="customer")
    lines = [
        LineInput(product=line.product, quantity=line.quantity, notes=line.notes)
        for line in last.lines.all()
        if line.product.active
    ]
    return order_create(
        by=by,
        customer=customer,
        lines=lines,
        channel=last.channel,
        ship_method=last.ship_method,
        carrier=last.carrier if last.carrier and last.carrier.status == CarrierStatus.ACTIVE else None,
        collection_method=last.collection_method,
        warehouse_instructions=last.warehouse_instructions,
    )


@transaction.atomic
def order_set_ship_in_parts(*, order: SalesOrder, by, ship_in_parts: bool) -> SalesOrder:
    """The assistant's choice with the customer when stock is short: ship in parts, or wait."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status in {OrderStatus.SHIPPED, OrderStatus.CLOSED, OrderStatus.CANCELLED}:
        raise Conflict(_("Everything has shipped or the order is closed; nothing left to split."))
    order.ship_in_parts = ship_in_parts
    order.save(update_fields=["ship_in_parts"])
    record_event(
        "order.ship_in_parts" if ship_in_parts else "order.ship_complete",
        by=by,
        obj=order,
        summary=order.reference,
    )
    return order
