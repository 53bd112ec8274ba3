"""Returns, exchanges and bad-debt write-offs: the negative outbounds that lower what is owed.

A return (销售退货) refers to the sale it undoes, brings the goods back into stock and
settles that sale's open amount first. An exchange (换货) is a return and a new sale posted
together. A write-off (坏账) is proposed with the sales it writes off, approved by the
manager — or by finance when it is small (SALESDESK_WRITE_OFF_LIMIT) — never by whoever
proposed it, and moves no stock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.models import Product
from salesdesk.core import events
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.core.money import line_amount, quantity_text, to_unit_price, too_large, total
from salesdesk.core.roles import Role, role_of
from salesdesk.receivables import selectors
from salesdesk.receivables.models import Allocation, WriteOffItem
from salesdesk.receivables.services import (
    _allocate,
    _clean_amount,
    apply_credit,
    lock_customer,
    next_number,
)
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundLine, OutboundStatus
from salesdesk.warehouse.services import move_stock_for

name_events(
    {
        "return.posted": gettext_lazy("Return posted"),
        "exchange.posted": gettext_lazy("Exchange posted"),
        "write_off.requested": gettext_lazy("Write-off proposed"),
        "write_off.approved": gettext_lazy("Write-off approved"),
        "write_off.rejected": gettext_lazy("Write-off rejected"),
    }
)


@dataclass
class ReturnLineInput:
    original_line: OutboundLine
    quantity: Decimal


@dataclass
class NewLineInput:
    product: Product
    quantity: Decimal
    unit_price: Decimal


def _may_agree(user, customer) -> bool:
    """Who may agree to take goods back: the customer's salesperson or a manager (谁同意换或退)."""
    role = role_of(user)
    return role == Role.MANAGER or (role == Role.SALESPERSON and user.pk == customer.salesperson_id)


def _finer_than_kept(quantity: Decimal) -> bool:
    """More decimals than a quantity column keeps: 0.0004 would move stock by nothing."""
    return Decimal(quantity).normalize().as_tuple().exponent < -3


def _check_agreement(agreed_by, reason: str, customer) -> str:
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the goods come back.")]
    if agreed_by is None:
        errors["agreed_by"] = [_("Name who agreed to the return.")]
    elif not _may_agree(agreed_by, customer):
        errors["agreed_by"] = [_("A return is agreed by the customer's salesperson or a manager.")]
    if errors:
        raise FieldErrors(errors)
    return reason[:500]


def _post(outbound: Outbound, *, prefix: str, series: str, by, due_days: int = 0) -> Outbound:
    today = timezone.localdate()
    outbound.number = next_number(prefix, series, today)
    outbound.status = OutboundStatus.POSTED
    outbound.posting_date, outbound.posted_at, outbound.posted_by = today, timezone.now(), by
    outbound.amount = total(line.amount for line in outbound.lines.all())
    if outbound.kind != OutboundKind.SALE:
        outbound.amount = -outbound.amount
    outbound.due_date = today + dt.timedelta(days=due_days)
    outbound.save()
    return outbound


def _return(*, original: Outbound, by, lines: list[ReturnLineInput], reason: str, agreed_by, notes: str):
    if not by.has_perm("receivables.record_return"):
        raise NotAllowed(_("Only assistants and the manager record returns."))
    original = Outbound.objects.select_related("customer").get(pk=original.pk)
    customer = lock_customer(original.customer, by=by)
    if original.kind != OutboundKind.SALE or original.status != OutboundStatus.POSTED:
        raise DomainError(_("Only a posted sales outbound can be returned."), field="original")
    reason = _check_agreement(agreed_by, reason, customer)
    returnable = {line.pk: line for line in selectors.returnable_lines(original)}
    wanted = [(i, item) for i, item in enumerate(lines) if item.quantity]
    if not wanted:
        raise DomainError(_("Enter the quantity that comes back for at least one line."), field="lines")
    errors: dict[str, list[str]] = {}
    outbound = Outbound.objects.create(
        kind=OutboundKind.RETURN,
        original=original,
        order=original.order,
        customer=customer,
        reason=reason,
        agreed_by=agreed_by,
        notes=(notes or "").strip()[:500],
        created_by=by,
    )
    for i, item in wanted:
        line = returnable.get(item.original_line.pk)
        if line is None:
            errors[f"lines[{i}].original_line"] = [_("That line is not on outbound %(n)s.") % {"n": original}]
            continue
        if item.quantity < 0:
            errors[f"lines[{i}].quantity"] = [_("The quantity cannot be negative.")]
            continue
        if _finer_than_kept(item.quantity):
            errors[f"lines[{i}].quantity"] = [_("Enter the quantity with at most three decimals.")]
            continue
        if item.quantity > line.returnable:
            errors[f"lines[{i}].quantity"] = [
                _("Only %(n)s of %(code)s was shipped and not yet returned.")
                % {"n": quantity_text(line.returnable), "code": line.product.model_code}
            ]
            continue
        line.returnable -= item.quantity
        OutboundLine.objects.create(
            outbound=outbound,
            original_line=line,
            product=line.product,
            quantity=item.quantity,
            unit_price=line.unit_price,
            amount=line_amount(item.quantity, line.unit_price),
        )
    if errors:
        raise FieldErrors(errors)
    move_stock_for(outbound, by)
    _post(outbound, prefix="TH", series="return", by=by)
    # The credit settles what is open on the sale it undoes, then other open sales.
    take = min(selectors.open_amount(original), -outbound.amount)
    if take > 0:
        _allocate(sale=original, amount=take, by=by, credit=outbound)
    events.emit(events.OUTBOUND_POSTED, outbound=outbound, by=by)
    return outbound


@transaction.atomic
def return_post(
    *, original: Outbound, by, lines: list[ReturnLineInput], reason: str, agreed_by, notes: str = ""
) -> Outbound:
    """销售退货: goods of a posted sale come back; stock in, receivable down, in one transaction."""
    outbound = _return(original=original, by=by, lines=lines, reason=reason, agreed_by=agreed_by, notes=notes)
    apply_credit(customer=outbound.customer, by=by)
    record_event(
        "return.posted",
        by=by,
        obj=outbound.customer,
        summary=f"{outbound.number} ← {original.number}: {reason}",
    )
    return outbound


@transaction.atomic
def exchange_post(
    *,
    original: Outbound,
    by,
    lines: list[ReturnLineInput],
    new_lines: list[NewLineInput],
    reason: str,
    agreed_by,
    notes: str = "",
) -> tuple[Outbound, Outbound]:
    """换货: a return and the goods sent instead, posted together or not at all."""
    if not new_lines:
        raise DomainError(
            _("An exchange sends something back: add the goods that go out."), field="new_lines"
        )
    returned = _return(original=original, by=by, lines=lines, reason=reason, agreed_by=agreed_by, notes=notes)
    customer = returned.customer
    sale = Outbound.objects.create(
        kind=OutboundKind.SALE,
        original=returned.original,
        order=returned.original.order,
        customer=customer,
        reason=returned.reason,
        notes=_("Exchange for %(n)s") % {"n": returned.number},
        created_by=by,
    )
    errors: dict[str, list[str]] = {}
    sale_total = Decimal("0")
    for i, item in enumerate(new_lines):
        if item.quantity is None or item.quantity <= 0:
            errors[f"new_lines[{i}].quantity"] = [_("The quantity must be more than 0.")]
            continue
        if _finer_than_kept(item.quantity):
            errors[f"new_lines[{i}].quantity"] = [_("Enter the quantity with at most three decimals.")]
            continue
        if item.unit_price is None or item.unit_price < 0:
            errors[f"new_lines[{i}].unit_price"] = [_("The unit price cannot be negative.")]
            continue
        price = to_unit_price(item.unit_price)
        amount = line_amount(item.quantity, price)
        if too_large(sale_total + amount):  # amounts are never negative here
            errors[f"new_lines[{i}].quantity"] = [_("The line's amount is too large.")]
            continue
        sale_total += amount
        OutboundLine.objects.create(
            outbound=sale, product=item.product, quantity=item.quantity, unit_price=price, amount=amount
        )
    if errors:
        raise FieldErrors(errors)
    try:
        move_stock_for(sale, by)
    except DomainError as short:
        short.field = (short.field or "").replace("lines[", "new_lines[", 1) or "new_lines"
        raise
    _post(sale, prefix="CK", series="outbound", by=by, due_days=customer.credit_days)
    # Like any posting, the new sale takes the return's credit and any money waiting (hooks.py);
    # credit beyond it goes to other open sales, as after a plain return.
    events.emit(events.OUTBOUND_POSTED, outbound=sale, by=by)
    apply_credit(customer=customer, by=by)
    record_event(
        "exchange.posted",
        by=by,
        obj=customer,
        summary=f"{returned.number} → {sale.number}: {returned.reason}",
    )
    return returned, sale


@dataclass
class WriteOffInput:
    sale: Outbound
    amount: Decimal | None = None  # None: everything still open


@transaction.atomic
def write_off_request(*, customer, by, items: list[WriteOffInput], reason: str) -> Outbound:
    """坏账: propose writing off what cannot be collected; nothing changes until the manager approves."""
    if not by.has_perm("receivables.add_writeoffitem"):
        raise NotAllowed(_("Only assistants, finance and the manager propose write-offs."))
    customer = lock_customer(customer, by=by)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the money cannot be collected."), field="reason")
    if not items:
        raise DomainError(_("Choose the outbounds to write off."), field="items")
    open_now = {sale.pk: sale.open_amount for sale in selectors.open_sales(customer)}
    write_off = Outbound.objects.create(
        kind=OutboundKind.BAD_DEBT, customer=customer, reason=reason[:500], created_by=by
    )
    errors: dict[str, list[str]] = {}
    seen = set()
    for i, item in enumerate(items):
        left = open_now.get(item.sale.pk)
        if item.sale.customer_id != customer.pk or item.sale.kind != OutboundKind.SALE:
            errors[f"items[{i}].sale"] = [_("Choose a posted sale of this customer.")]
            continue
        if item.sale.status != OutboundStatus.POSTED:
            errors[f"items[{i}].sale"] = [
                _("Outbound %(n)s is not posted yet: only posted outbounds can be settled.")
                % {"n": item.sale.reference}
            ]
            continue
        if not left or item.sale.pk in seen:
            errors[f"items[{i}].sale"] = [_("Nothing of %(n)s is open.") % {"n": item.sale.reference}]
            continue
        seen.add(item.sale.pk)
        amount = left if item.amount is None else _clean_amount(item.amount, f"items[{i}].amount")
        if amount > left:
            errors[f"items[{i}].amount"] = [
                _("Only %(left)s of %(n)s is still open.") % {"left": left, "n": item.sale.reference}
            ]
            continue
        WriteOffItem.objects.create(write_off=write_off, sale=item.sale, amount=amount)
    if errors:
        raise FieldErrors(errors)
    record_event("write_off.requested", by=by, obj=customer, summary=f"D{write_off.pk} {reason[:100]}")
    return write_off


def _pending(write_off: Outbound) -> Outbound:
    write_off = Outbound.objects.select_for_update().get(pk=write_off.pk)
    if write_off.kind != OutboundKind.BAD_DEBT or write_off.status != OutboundStatus.DRAFT:
        raise Conflict(_("This write-off is no longer waiting for approval."), code="not_pending")
    return write_off


def write_off_limit() -> Decimal:
    return settings.SALESDESK["WRITE_OFF_LIMIT"]


def may_decide_write_offs(user) -> bool:
    """Whether `user` approves or rejects write-offs at all: the manager any, finance small ones."""
    return user.has_perm("receivables.approve_write_off") or user.has_perm(
        "receivables.approve_small_write_off"
    )


def counted_against_limit(write_off: Outbound) -> Decimal:
    """The proposal plus what earlier write-offs took off the same sales: writing a sale off in
    small pieces needs the manager just as writing it off at once would."""
    return counted_against_limits([write_off])[write_off.pk]


def counted_against_limits(write_offs: list[Outbound]) -> dict[int, Decimal]:
    """`counted_against_limit` of several proposals: their items as `write_off_items` gives them
    (a list prefetches them), and what earlier write-offs took off their sales in one query."""
    items = {write_off.pk: list(write_off.write_off_items.all()) for write_off in write_offs}
    earlier = dict(
        Allocation.objects.filter(
            sale_id__in={item.sale_id for its in items.values() for item in its},
            credit__kind=OutboundKind.BAD_DEBT,
        )
        .values("sale_id")
        .annotate(amount=Sum("amount"))
        .values_list("sale_id", "amount")
    )
    counted = {}
    for pk, its in items.items():
        before = [earlier.get(sale, Decimal("0")) for sale in {item.sale_id for item in its}]
        counted[pk] = total([*(item.amount for item in its), *before])
    return counted


def write_off_refusal(
    *, write_off: Outbound, by, approving: bool = True, counted: Decimal | None = None
) -> str | None:
    """Why `by` may not approve (or reject) `write_off`, said to them; None when they may.
    `counted` is its `counted_against_limit`, when a list has read it for many at once.

    The service, the page and the API all ask this, so they never disagree."""
    limit = write_off_limit()
    if not may_decide_write_offs(by):
        return _("Only the manager, or finance up to %(limit)s, approves write-offs.") % {"limit": limit}
    if approving and write_off.created_by_id == by.pk:
        return _("Whoever proposed a write-off cannot approve it; ask another manager.")
    if not by.has_perm("receivables.approve_write_off"):
        if counted is None:
            counted = counted_against_limit(write_off)
        if counted > limit:
            return _(
                "Write-offs above %(limit)s need the manager: this one comes to %(amount)s "
                "with what was written off of the same outbounds before."
            ) % {"limit": limit, "amount": counted}
    return None


def _refuse_unless_allowed(write_off: Outbound, by, *, approving: bool) -> None:
    refusal = write_off_refusal(write_off=write_off, by=by, approving=approving)
    if refusal:
        raise NotAllowed(refusal)


@transaction.atomic
def write_off_approve(*, write_off: Outbound, by) -> Outbound:
    """The manager, or finance for a small one, approves: it is posted and settles the sales it names."""
    if not may_decide_write_offs(by):
        _refuse_unless_allowed(write_off, by, approving=True)
    customer = lock_customer(write_off.customer)
    write_off = _pending(write_off)
    # Checked under the customer's lock, so no write-off of the same sales is approved meanwhile.
    _refuse_unless_allowed(write_off, by, approving=True)
    open_now = {sale.pk: sale.open_amount for sale in selectors.open_sales(customer)}
    items = list(selectors.write_off_items(write_off))
    for item in items:
        if item.amount > open_now.get(item.sale_id, Decimal("0")):
            raise Conflict(
                _("%(n)s has been paid meanwhile; propose the write-off again.") % {"n": item.sale.number},
                code="changed_meanwhile",
            )
    today = timezone.localdate()
    write_off.number = next_number("HZ", "write_off", today)
    write_off.status = OutboundStatus.POSTED
    write_off.posting_date, write_off.posted_at, write_off.posted_by = today, timezone.now(), by
    write_off.amount = -total(item.amount for item in items)
    write_off.due_date = today
    write_off.agreed_by = by
    write_off.save()
    for item in items:
        _allocate(sale=item.sale, amount=item.amount, by=by, credit=write_off)
    events.emit(events.OUTBOUND_POSTED, outbound=write_off, by=by)
    record_event("write_off.approved", by=by, obj=customer, summary=f"{write_off.number} {write_off.amount}")
    return write_off


@transaction.atomic
def write_off_reject(*, write_off: Outbound, by, reason: str) -> None:
    """Turned down by whoever could approve it; an approver who proposed it may withdraw it so."""
    if not may_decide_write_offs(by):
        _refuse_unless_allowed(write_off, by, approving=False)
    write_off = _pending(write_off)
    _refuse_unless_allowed(write_off, by, approving=False)
    if not (reason or "").strip():
        raise DomainError(_("Say why the write-off is rejected."), field="reason")
    record_event(
        "write_off.rejected",
        by=by,
        obj=write_off.customer,
        summary=f"D{write_off.pk}: {reason.strip()[:200]}",
    )
    write_off.delete()


def agreeing_users(customer):
    """Who may be named as having agreed to a return: the customer's salesperson and managers."""
    users = get_user_model().objects.filter(is_active=True)
    candidates = users.filter(groups__name__in=["salesperson", "manager"]).distinct().order_by("username")
    return [u for u in candidates if _may_agree(u, customer)]
