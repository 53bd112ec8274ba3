"""Writes of commissions: accrual on posting, the month's statements, approval and payment.

Paying is guarded three times: the statement row is locked and its status checked, a payout
is one-to-one with its statement, and each accrual can be a payout item only once — so a
double click, a second tab or a retried API call pays once and is told so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.selectors import rebate_per_product
from salesdesk.commissions import selectors
from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    PayoutItem,
    StatementLine,
    StatementStatus,
)
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, NotAllowed
from salesdesk.core.money import line_amount, too_large, total
from salesdesk.core.numbering import next_value
from salesdesk.core.roles import Role, owner_filter, role_of
from salesdesk.core.workflow import transition
from salesdesk.customers.models import Customer
from salesdesk.warehouse.models import Outbound, OutboundKind

name_events(
    {
        "commission.statements_built": gettext_lazy("Commission statements drawn up"),
        "commission.approved": gettext_lazy("Commission statement approved"),
        "commission.returned": gettext_lazy("Commission statement sent back"),
        "commission.paid": gettext_lazy("Commission paid"),
        "commission.confirmed": gettext_lazy("Commission confirmed with the customer"),
    }
)


def sale_accrual(outbound: Outbound, line, rebate) -> CommissionAccrual | None:
    """What one sale line accrues with the rebate price in force (unsaved), or None when nothing."""
    if rebate is None or rebate.rebate_unit_price <= 0:
        return None
    amount = line_amount(line.quantity, rebate.rebate_unit_price)
    if amount <= 0:
        return None
    customer = outbound.customer
    return CommissionAccrual(
        outbound_line=line,
        outbound=outbound,
        customer=customer,
        salesperson_id=customer.salesperson_id,
        rebate_price=rebate,
        posting_date=outbound.posting_date,
        quantity=line.quantity,
        rebate_unit_price=rebate.rebate_unit_price,
        amount=amount,
        payee_name=rebate.payee_name,
        payee_id_number=rebate.payee_id_number,
        payee_bank=rebate.payee_bank,
        payee_account=rebate.payee_account,
    )


def accrue(*, outbound: Outbound, by, lines=None) -> list[CommissionAccrual]:
    """On posting: each line of a rebate customer's sale accrues quantity × rebate price in force;
    each returned line takes back what its original line accrued. In the posting's transaction.

    `lines`: the outbound's lines when the poster has them, so they are not read again.
    """
    customer = outbound.customer
    made = []
    if lines is None:
        lines = list(outbound.lines.select_related("product", "original_line"))
    if outbound.kind == OutboundKind.SALE and customer.rebate:
        rebates = rebate_per_product(
            customer=customer, product_ids=[line.product_id for line in lines], on=outbound.posting_date
        )
        for line in lines:
            accrual = sale_accrual(outbound, line, rebates.get(line.product_id))
            if accrual is not None:
                made.append(accrual)
    elif outbound.kind == OutboundKind.RETURN:
        originals = {
            a.outbound_line_id: a
            for a in CommissionAccrual.objects.filter(outbound_line__in=[ln.original_line_id for ln in lines])
        }
        for line in lines:
            original = originals.get(line.original_line_id)
            if original is None:
                continue
            amount = -line_amount(line.quantity, original.rebate_unit_price)
            if amount == 0:
                continue
            made.append(
                CommissionAccrual(
                    outbound_line=line,
                    outbound=outbound,
                    original=original,
                    customer=customer,
                    salesperson=original.salesperson,
                    rebate_price=original.rebate_price,
                    posting_date=outbound.posting_date,
                    quantity=-line.quantity,
                    rebate_unit_price=original.rebate_unit_price,
                    amount=amount,
                    payee_name=original.payee_name,
                    payee_id_number=original.payee_id_number,
                    payee_bank=original.payee_bank,
                    payee_account=original.payee_account,
                )
            )
    for accrual in made:
        if too_large(accrual.amount):
            raise DomainError(
                _("The commission on %(p)s is more than salesdesk can keep: check its rebate price.")
                % {"p": accrual.outbound_line.product.model_code},
                field="lines",
            )
    return CommissionAccrual.objects.bulk_create(made)


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


@transaction.atomic
def statements_build(*, month: dt.date, by) -> list[CommissionStatement]:
    """月底整理付佣明细: the payable accruals up to the month's end, one statement per payee,
    submitted to finance. Deductions larger than what is payable wait for the next month."""
    if not by.has_perm("commissions.add_commissionstatement"):
        raise NotAllowed(_("Only assistants and the manager draw up commission statements."))
    first, last = _month_bounds(month)
    if first > timezone.localdate():
        raise DomainError(_("That month has not begun."), field="month")
    customers = Customer.objects.filter(owner_filter(by))
    groups: dict[tuple, list[CommissionAccrual]] = defaultdict(list)
    for accrual in selectors.payable_until(last, customers):
        groups[(accrual.customer_id, accrual.payee_name, accrual.payee_account)].append(accrual)
    made = []
    try:
        with transaction.atomic():
            for (_customer_id, _name, _account), accruals in sorted(groups.items(), key=lambda kv: kv[0]):
                amount = total(a.amount for a in accruals)
                if amount <= 0:
                    continue
                head = accruals[0]
                statement = CommissionStatement.objects.create(
                    number=f"YJ{first.year}-{next_value(f'commission:{first.year}'):05d}",
                    month=first,
                    customer=head.customer,
                    payee_name=head.payee_name,
                    payee_id_number=head.payee_id_number,
                    payee_bank=head.payee_bank,
                    payee_account=head.payee_account,
                    total=amount,
                    created_by=by,
                )
                StatementLine.objects.bulk_create(
                    StatementLine(statement=statement, accrual=a) for a in accruals
                )
                made.append(statement)
    except IntegrityError:
        raise Conflict(
            _("A colleague drew up these statements a moment ago; reload to see them."),
            code="changed_meanwhile",
        ) from None
    if not made:
        raise DomainError(
            _("Nothing is payable for %(m)s: no commission whose outbound has been paid.")
            % {"m": f"{first:%Y-%m}"},
            field="month",
        )
    record_event(
        "commission.statements_built",
        by=by,
        summary=f"{first:%Y-%m}: " + ", ".join(f"{s.number} {s.total}" for s in made),
    )
    return made


def _locked(statement: CommissionStatement) -> CommissionStatement:
    return CommissionStatement.objects.select_for_update().select_related("customer").get(pk=statement.pk)


def _decide(by) -> None:
    if not by.has_perm("core.approve_commission"):
        raise NotAllowed(_("Approving commission statements needs the commission approval permission."))


@transaction.atomic
def statement_approve(*, statement: CommissionStatement, by) -> CommissionStatement:
    """Finance checks the statement against the payments and approves it."""
    _decide(by)
    statement = _locked(statement)
    if statement.status != StatementStatus.SUBMITTED:
        raise Conflict(
            _("Statement %(n)s is %(s)s; only a submitted one is approved.")
            % {"n": statement.number, "s": statement.get_status_display()},
            code="not_submitted",
        )
    if statement.created_by_id == by.pk:
        raise NotAllowed(_("Whoever drew up a statement cannot approve it."))
    statement.decided_by, statement.decided_at = by, timezone.now()
    transition(statement, to=StatementStatus.APPROVED, by=by)
    record_event("commission.approved", by=by, obj=statement.customer, summary=statement.number)
    return statement


@transaction.atomic
def statement_send_back(*, statement: CommissionStatement, by, reason: str) -> CommissionStatement:
    """Finance sends a statement back: its accruals are free for the next one."""
    _decide(by)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the statement goes back."), field="reason")
    statement = _locked(statement)
    if statement.status not in {StatementStatus.SUBMITTED, StatementStatus.APPROVED}:
        raise Conflict(
            _("Statement %(n)s is %(s)s and cannot be sent back.")
            % {"n": statement.number, "s": statement.get_status_display()},
            code="not_open",
        )
    statement.lines.update(active=False)
    statement.return_reason, statement.decided_by, statement.decided_at = reason[:300], by, timezone.now()
    transition(statement, to=StatementStatus.RETURNED, by=by, note=reason[:300])
    record_event(
        "commission.returned", by=by, obj=statement.customer, summary=f"{statement.number}: {reason}"
    )
    return statement


@transaction.atomic
def statement_pay(
    *, statement: CommissionStatement, by, paid_on: dt.date, reference: str
) -> CommissionPayout:
    """财务安排支付佣金: record the payment of an approved statement, exactly once."""
    if not by.has_perm("commissions.pay_commission"):
        raise NotAllowed(_("Only finance records commission payments."))
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Enter the payment reference (bank slip or voucher number)."), field="reference")
    if paid_on > timezone.localdate():
        raise DomainError(_("A payment cannot be dated in the future."), field="paid_on")
    statement = _locked(statement)
    if statement.status == StatementStatus.PAID:
        raise Conflict(_("Statement %(n)s is already paid.") % {"n": statement.number}, code="already_paid")
    if statement.status != StatementStatus.APPROVED:
        raise Conflict(_("Only an approved statement is paid."), code="not_approved")
    lines = list(statement.lines.filter(active=True).select_related("accrual"))
    amount = total(line.accrual.amount for line in lines)
    if amount != statement.total:
        raise Conflict(_("The statement's lines no longer add up to its total."), code="changed_meanwhile")
    try:
        with transaction.atomic():
            payout = CommissionPayout.objects.create(
                statement=statement, paid_on=paid_on, reference=reference[:60], amount=amount, paid_by=by
            )
            PayoutItem.objects.bulk_create(
                PayoutItem(payout=payout, accrual=line.accrual, amount=line.accrual.amount) for line in lines
            )
    except IntegrityError:
        raise Conflict(_("These commissions are already paid."), code="already_paid") from None
    transition(statement, to=StatementStatus.PAID, by=by, note=reference[:60])
    record_event("commission.paid", by=by, obj=statement.customer, summary=f"{statement.number} {amount}")
    return payout


@transaction.atomic
def statement_confirm(*, statement: CommissionStatement, by) -> CommissionStatement:
    """The salesperson (or the assistant) confirmed with the customer that the commission arrived."""
    statement = _locked(statement)
    role = role_of(by)
    allowed = role == Role.MANAGER or by.pk in {
        statement.customer.salesperson_id,
        statement.customer.assistant_id,
    }
    if not allowed:
        raise NotAllowed(_("The customer's salesperson or assistant confirms the payment."))
    if statement.status != StatementStatus.PAID:
        raise Conflict(_("Only a paid statement is confirmed."), code="not_paid")
    if statement.confirmed_at is not None:
        raise Conflict(_("Already confirmed with the customer."), code="already_confirmed")
    CommissionStatement.objects.filter(pk=statement.pk).update(confirmed_by=by, confirmed_at=timezone.now())
    record_event("commission.confirmed", by=by, obj=statement.customer, summary=statement.number)
    statement.refresh_from_db()
    return statement
