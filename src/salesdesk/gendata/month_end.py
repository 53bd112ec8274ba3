"""The month's end, through the services whichever writer wrote the month: returns,
write-offs, the previous month's commission statements (approved, paid, confirmed) and
the questions callers left for a salesperson; then finance's tick-offs of the month's
receipts, by each writer in its own way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesdesk.calls import services as calls
from salesdesk.commissions import services as commissions
from salesdesk.core.errors import DomainError
from salesdesk.core.money import line_amount
from salesdesk.gendata.clock import at_moment
from salesdesk.gendata.company import Company
from salesdesk.gendata.plan import MonthEnd, Plan
from salesdesk.receivables import selectors
from salesdesk.receivables import services_credits as credits
from salesdesk.receivables.models import Receipt
from salesdesk.warehouse.models import Outbound


def month_end(plan: Plan, company: Company, writer, event: MonthEnd, at: dt.datetime) -> None:
    writer.flush()
    changed, returns = [], []
    with at_moment(at):
        for sale_key, position, quantity in event.returns:
            returned = _return(plan, company, writer.sale(sale_key), position, quantity)
            if returned is not None:
                changed.append(sale_key)
                returns.append(returned)
        for customer_n, sale_key in event.write_offs:
            sale = writer.sale(sale_key)
            if sale is None or selectors.open_amount(sale) <= 0:
                continue
            spec = plan.customers[customer_n]
            write_off = credits.write_off_request(
                customer=company.customers[customer_n],
                by=company.assistants[spec.assistant],
                items=[credits.WriteOffInput(sale)],
                reason="客户失联，催收三个月无果",
            )
            credits.write_off_approve(write_off=write_off, by=company.manager)
            changed.append(sale_key)
        previous = (event.month - dt.timedelta(days=1)).replace(day=1)
        for statement in _statements(plan, company, previous):
            statement = commissions.statement_approve(statement=statement, by=company.finance[0])
            commissions.statement_pay(
                statement=statement,
                by=company.finance[1],
                paid_on=at.date(),
                reference=f"网银 {statement.number}",
            )
            salesperson = next(u for u in company.salespeople if u.pk == statement.customer.salesperson_id)
            commissions.statement_confirm(statement=statement, by=salesperson)
    for call in event.calls:
        record = writer.call_record(call)
        spec = plan.customers[call.customer] if call.customer is not None else None
        asked = company.salespeople[spec.salesperson] if spec else company.salespeople[0]
        with at_moment(call.at + dt.timedelta(minutes=10)):
            follow_up = calls.follow_up_raise(
                call=record, by=record.answered_by, question=call.follow_up, assigned_to=asked
            )
        with at_moment(call.at + dt.timedelta(hours=20)):
            calls.follow_up_resolve(follow_up=follow_up, by=asked, resolution="已电话答复客户")
    writer.reconcile(finance_ticks(at), by=company.finance[0], at=at)
    writer.refresh(changed, returns=returns)


@dataclass(frozen=True)
class Tick:
    receipt: Receipt
    reached_finance_on: dt.date
    check: bool  # it differs from what it settles, or came in late: finance is told (知会财务)


def finance_ticks(at: dt.datetime) -> list[Tick]:
    """消账 for every receipt not yet with finance: the money reached it the day after it came
    (the month's last day at the latest), as in a company that reconciles daily; receipts that
    differ or were entered late are checked at the same time."""
    waiting = Receipt.objects.filter(reached_finance_on__isnull=True).select_related("customer")
    return [
        Tick(
            receipt,
            min(receipt.received_on + dt.timedelta(days=1), at.date()),
            receipt.finance_checked_at is None and (receipt.difference != 0 or receipt.entered_late),
        )
        for receipt in waiting.order_by("id")
    ]


def _statements(plan: Plan, company: Company, month: dt.date) -> list:
    if month < plan.start:
        return []
    try:
        return commissions.statements_build(month=month, by=company.manager)
    except DomainError:  # nothing payable this month
        return []


def _return(plan: Plan, company: Company, sale, position: int, quantity) -> Outbound | None:
    """Goods back against a sale still open for at least their value, so the credit settles it:
    the return outbound, or None."""
    if sale is None:
        return None
    line = sale.lines.select_related("order_line").filter(order_line__position=position).first()
    if line is None or line_amount(quantity, line.unit_price) > selectors.open_amount(sale):
        return None
    customer_n = next(i for i, c in enumerate(company.customers) if c.pk == sale.customer_id)
    spec = plan.customers[customer_n]
    return credits.return_post(
        original=sale,
        by=company.assistants[spec.assistant],
        lines=[credits.ReturnLineInput(line, quantity)],
        reason="色差，客户退回",
        agreed_by=company.salespeople[spec.salesperson],
    )
