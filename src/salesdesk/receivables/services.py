"""Writes of the receivables: receipts and their allocation, COD money, credits applied on posting.

Every write that touches what a customer owes locks that customer's row first. Two clerks
settling the same sale therefore queue, and the second one sees what the first one left
open: allocations can never exceed either side (RELIABILITY bug 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.models import Carrier
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.core.money import to_amount
from salesdesk.core.numbering import next_value
from salesdesk.core.roles import owner_filter
from salesdesk.customers.models import Customer
from salesdesk.orders.models import OrderStatus, SalesOrder
from salesdesk.receivables import selectors
from salesdesk.receivables.models import Allocation, PaymentMethod, Receipt
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus, Shipment
from salesdesk.warehouse.services import shipment_cod_returned

name_events(
    {
        "receipt.created": gettext_lazy("Receipt entered"),
        "receipt.checked": gettext_lazy("Receipt checked by finance"),
        "receipt.reached_finance": gettext_lazy("Money reached finance"),
        "credit.applied": gettext_lazy("Credit applied to a sale"),
    }
)

MAX_AMOUNT = Decimal("999999999999.99")


def lock_customer(customer: Customer, *, by=None) -> Customer:
    """Serialise every change to what one customer owes (see the module docstring).

    With `by`, the row is found only when it is theirs to handle (`require_scope` in the same read).
    """
    if by is None:
        return Customer.objects.select_for_update().get(pk=customer.pk)
    locked = _theirs(by, customer).select_for_update().first()
    if locked is None:
        raise _not_theirs()
    return locked


def require_scope(by, customer: Customer) -> None:
    """A user acts only on customers they may see; pages answer 404 before this is reached."""
    if not _theirs(by, customer).exists():
        raise _not_theirs()


def _theirs(by, customer: Customer):
    """The customer's row, when it is one `by` may handle (else nothing)."""
    return Customer.objects.filter(owner_filter(by), pk=customer.pk)


def _not_theirs() -> NotAllowed:
    return NotAllowed(_("This customer is not yours to handle."))


def next_number(prefix: str, series: str, day: dt.date | None = None) -> str:
    year = (day or timezone.localdate()).year
    return f"{prefix}{year}-{next_value(f'{series}:{year}'):05d}"


def _allocate(*, sale: Outbound, amount: Decimal, by, receipt=None, credit=None) -> Allocation:
    day = max(sale.posting_date, receipt.received_on if receipt else credit.posting_date)
    return Allocation.objects.create(
        sale=sale, receipt=receipt, credit=credit, amount=amount, date=day, created_by=by
    )


@dataclass
class AllocationInput:
    sale: Outbound
    amount: Decimal | None = None  # None: as much as is open


def _clean_amount(amount, field: str) -> Decimal:
    try:
        value = to_amount(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise DomainError(_("Enter an amount such as 1280.50."), field=field) from None
    if value <= 0:
        raise DomainError(_("The amount must be more than 0."), field=field)
    if value > MAX_AMOUNT:
        raise DomainError(_("The amount is too large."), field=field)
    return value


def _check_received_on(received_on: dt.date) -> None:
    today = timezone.localdate()
    if received_on > today:
        raise DomainError(_("Money cannot be received in the future."), field="received_on")
    if received_on < today - dt.timedelta(days=366):
        raise DomainError(_("The date lies more than a year back; check it."), field="received_on")


def _explicit_plan(customer: Customer, allocations: list[AllocationInput], amount: Decimal):
    """Check each chosen sale and how much of it is settled; return (plan, open total)."""
    open_now = selectors.open_amounts(customer, [item.sale.pk for item in allocations])
    errors: dict[str, list[str]] = {}
    plan: list[tuple[Outbound, Decimal]] = []
    seen: set[int] = set()
    for i, item in enumerate(allocations):
        where = f"allocations[{i}]"
        sale = item.sale
        if sale.customer_id != customer.pk:
            errors[f"{where}.sale"] = [_("Outbound %(n)s is another customer's.") % {"n": sale.reference}]
            continue
        if sale.status != OutboundStatus.POSTED:
            errors[f"{where}.sale"] = [
                _("Outbound %(n)s is not posted yet: only posted outbounds can be settled.")
                % {"n": sale.reference}
            ]
            continue
        if sale.kind != OutboundKind.SALE:
            errors[f"{where}.sale"] = [
                _("%(n)s is a return or write-off; a receipt settles sales.") % {"n": sale.reference}
            ]
            continue
        if sale.pk in seen:
            errors[f"{where}.sale"] = [_("Outbound %(n)s is listed twice.") % {"n": sale.reference}]
            continue
        seen.add(sale.pk)
        left = open_now.get(sale.pk, Decimal("0.00"))
        if left <= 0:
            errors[f"{where}.sale"] = [_("Outbound %(n)s is already settled.") % {"n": sale.reference}]
            continue
        try:
            # To the cent, as the column keeps it: 0.004 would settle nothing yet pass "> 0".
            take = left if item.amount is None else to_amount(item.amount)
        except (ArithmeticError, TypeError, ValueError):
            errors[f"{where}.amount"] = [_("Enter an amount such as 1280.50.")]
            continue
        if take <= 0:
            errors[f"{where}.amount"] = [_("The amount must be more than 0.")]
            continue
        if take > left:
            errors[f"{where}.amount"] = [
                _("Only %(left)s of %(n)s is still open.") % {"left": left, "n": sale.reference}
            ]
            continue
        plan.append((sale, take, left))
    if errors:
        raise FieldErrors(errors)
    allocated = sum((take for _sale, take, _left in plan), Decimal("0.00"))
    if allocated > amount and any(item.amount is not None for item in allocations):
        raise DomainError(
            _("The amounts settled (%(a)s) are more than the money received (%(m)s).")
            % {"a": allocated, "m": amount},
            field="amount",
        )
    if allocated > amount:
        # Settle in the order chosen until the money runs out.
        remaining, trimmed = amount, []
        for sale, take, left in plan:
            if remaining <= 0:
                break
            trimmed.append((sale, min(take, remaining), left))
            remaining -= min(take, remaining)
        plan = trimmed
    return plan


def _oldest_first_plan(customer: Customer, amount: Decimal, order: SalesOrder | None):
    sales = selectors.open_sales(customer)
    if order is not None:
        # A prepayment settles its own order's outbounds first.
        sales.sort(key=lambda s: (s.order_id != order.pk,))
    plan, remaining = [], amount
    for sale in sales:
        if remaining <= 0:
            break
        take = min(sale.open_amount, remaining)
        plan.append((sale, take, sale.open_amount))
        remaining -= take
    return plan


def order_total(order: SalesOrder) -> Decimal:
    return sum((line.amount for line in order.lines.all()), Decimal("0.00"))


@transaction.atomic
def receipt_create(
    *,
    customer: Customer,
    by,
    amount,
    received_on: dt.date,
    method: str,
    allocations: list[AllocationInput] | None = None,
    carrier: Carrier | None = None,
    order: SalesOrder | None = None,
    reference: str = "",
    note: str = "",
    shipment: Shipment | None = None,
) -> Receipt:
    """销售收款: record money received and settle posted sales with it.

    Without `allocations` the money settles the oldest open sales first (a prepayment's own
    order first). What it does not settle stays as credit on the customer's account. When
    the money differs from what the settled documents were open for, `note` must say why,
    and the receipt is put on finance's list.
    """
    if not by.has_perm("receivables.add_receipt"):
        raise NotAllowed(_("Only assistants, finance and the manager enter receipts."))
    customer = lock_customer(customer, by=by)
    amount = _clean_amount(amount, "amount")
    _check_received_on(received_on)
    if method not in PaymentMethod.values:
        raise DomainError(_("Choose how the money was paid."), field="method")
    if method == PaymentMethod.COD and carrier is None:
        raise DomainError(_("Name the carrier that collected the money."), field="carrier")
    if order is not None and order.customer_id != customer.pk:
        raise DomainError(_("That order is another customer's."), field="order")
    if order is not None and order.status in {OrderStatus.DRAFT, OrderStatus.CANCELLED}:
        raise DomainError(_("A prepayment is for a registered order."), field="order")
    if allocations:
        plan = _explicit_plan(customer, allocations, amount)
    else:
        plan = _oldest_first_plan(customer, amount, order)
    settled_open = sum((left for _sale, _take, left in plan), Decimal("0.00"))
    if not plan and order is not None:
        # Nothing posted yet: a prepayment matches when it covers the order.
        settled_open = order_total(order)
    difference = amount - settled_open
    note = note.strip()[:500]
    if difference and not note:
        if difference > 0:
            message = _(
                "The receipt is %(d)s more than the documents it settles; say why in the note "
                "(e.g. paid in advance). Finance is told."
            ) % {"d": difference}
        else:
            message = _(
                "The receipt is %(d)s less than the documents it settles; say why in the note "
                "(e.g. part payment, discount). Finance is told."
            ) % {"d": -difference}
        raise DomainError(message, field="note")
    today = timezone.localdate()
    receipt = Receipt.objects.create(
        number=next_number("SK", "receipt"),
        customer=customer,
        received_on=received_on,
        amount=amount,
        method=method,
        carrier=carrier,
        shipment=shipment,
        order=order,
        reference=reference.strip()[:60],
        note=note,
        difference=difference,
        entered_late=received_on < today,
        created_by=by,
    )
    for sale, take, _left in plan:
        _allocate(sale=sale, amount=take, by=by, receipt=receipt)
    record_event(
        "receipt.created",
        by=by,
        obj=customer,
        summary=f"{receipt.number} {amount}" + (f" ({note[:80]})" if note else ""),
    )
    _review_held_orders(customer, by)
    return receipt


def _review_held_orders(customer: Customer, by) -> None:
    """Money that arrives may lift a hold for receivables or prepayment: review those orders again."""
    from salesdesk.orders.models import CheckResult
    from salesdesk.orders.services import order_review_again

    held = SalesOrder.objects.filter(
        customer=customer,
        status=OrderStatus.ON_HOLD,
        checks__code__in=["receivables", "prepayment"],
        checks__result=CheckResult.FAILED,
    ).distinct()
    for order in held:
        order_review_again(order=order, by=by)


@transaction.atomic
def receipt_from_cod(
    *, shipment: Shipment, by, received_on: dt.date | None = None, note: str = ""
) -> Receipt:
    """The money a carrier collected came back: tick it off and enter it as a receipt in one step."""
    # Lock the shipment row only: PostgreSQL cannot lock the nullable side (no carrier) of a join.
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("outbound", "carrier")
        .get(pk=shipment.pk)
    )
    if Receipt.objects.filter(shipment=shipment).exists():
        raise Conflict(_("This COD money is already entered as a receipt."), code="already_received")
    day = received_on or timezone.localdate()
    if shipment.cod_returned_on is None:
        shipment_cod_returned(shipment=shipment, by=by, on=day)
    sale = shipment.outbound
    left = selectors.open_amount(sale)
    allocations = [AllocationInput(sale, min(left, shipment.cod_amount))] if left > 0 else None
    return receipt_create(
        customer=sale.customer,
        by=by,
        amount=shipment.cod_amount,
        received_on=day,
        # Our own driver who collected the money hands over cash; only a carrier makes it COD.
        method=PaymentMethod.COD if shipment.carrier else PaymentMethod.CASH,
        carrier=shipment.carrier,
        allocations=allocations,
        reference=shipment.tracking_number,
        note=note,
        shipment=shipment,
    )


@transaction.atomic
def receipt_mark_checked(*, receipt: Receipt, by) -> Receipt:
    """Finance has seen a receipt that differs from what it settles, or was entered late."""
    if not by.has_perm("receivables.check_receipt"):
        raise NotAllowed(_("Only finance ticks off receipts."))
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.finance_checked_at is not None:
        raise Conflict(_("Finance has already checked this receipt."), code="already_checked")
    Receipt.objects.filter(pk=receipt.pk).update(finance_checked_by=by, finance_checked_at=timezone.now())
    record_event("receipt.checked", by=by, obj=receipt.customer, summary=receipt.number)
    receipt.refresh_from_db()
    return receipt


@transaction.atomic
def receipt_reached_finance(*, receipt: Receipt, by, on: dt.date | None = None) -> Receipt:
    """消账: the money is with finance."""
    if not by.has_perm("receivables.check_receipt"):
        raise NotAllowed(_("Only finance records that the money arrived."))
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.reached_finance_on is not None:
        raise Conflict(_("The money of this receipt is already with finance."), code="already_reconciled")
    day = on or timezone.localdate()
    if day > timezone.localdate() or day < receipt.received_on:
        raise DomainError(_("The date lies between receiving the money and today."), field="on")
    Receipt.objects.filter(pk=receipt.pk).update(reached_finance_on=day)
    record_event("receipt.reached_finance", by=by, obj=receipt.customer, summary=f"{receipt.number} {day}")
    receipt.refresh_from_db()
    return receipt


def apply_credit(*, customer: Customer, by, sales: list[Outbound] | None = None) -> list[Allocation]:
    """Apply money and credits not yet used to open sales, oldest first, in the caller's transaction.

    Called when a sale is posted (so a prepayment or a return's credit settles it) and when a
    return leaves credit beyond its original. A prepayment settles its own order before others.
    """
    customer = lock_customer(customer)
    made: list[Allocation] = []
    if not selectors.has_unapplied(customer):  # the usual case: nothing to apply
        return made
    receipts = selectors.receipts_with_unapplied(customer)
    credits = selectors.credits_with_unapplied(customer)
    open_now = selectors.open_sales(customer)
    if sales is not None:
        wanted = {sale.pk for sale in sales}
        open_now = [sale for sale in open_now if sale.pk in wanted]
    open_left = {sale.pk: (sale, sale.open_amount) for sale in open_now}
    if not open_left:
        return made
    for sale, left in open_left.values():
        # Money paid for this sale's order first, then other money, then credits, oldest first.
        sources = sorted(receipts, key=lambda r: (r.order_id != sale.order_id or r.order_id is None,))
        for source in [*sources, *credits]:
            if left <= 0:
                break
            if source.unapplied <= 0:
                continue
            take = min(left, source.unapplied)
            if isinstance(source, Receipt):
                made.append(_allocate(sale=sale, amount=take, by=by, receipt=source))
            else:
                made.append(_allocate(sale=sale, amount=take, by=by, credit=source))
            source.unapplied -= take
            left -= take
    if made:
        record_event(
            "credit.applied",
            by=by,
            obj=customer,
            summary=", ".join(f"{a.sale.number} {a.amount}" for a in made)[:500],
        )
    return made
