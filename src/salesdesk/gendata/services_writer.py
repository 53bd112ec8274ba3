"""Writes the plan through the service layer, one call per action, as the people would.

Slow, and the reference: the bulk writer must leave exactly the same rows behind (a test
compares the two at a small scale).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from salesdesk.calls import services as calls
from salesdesk.core.money import total
from salesdesk.gendata.clock import at_moment
from salesdesk.gendata.company import Company, in_force
from salesdesk.gendata.plan import (
    CallPlan,
    CodBack,
    InvoiceIssue,
    InvoiceMailed,
    InvoiceReceived,
    NoteBack,
    OrderPlan,
    Payment,
    Plan,
    Post,
    StockIn,
    invoice_number,
)
from salesdesk.orders import services as orders
from salesdesk.orders.models import OrderStatus
from salesdesk.receivables import selectors
from salesdesk.receivables import services as receivables
from salesdesk.receivables import services_documents as documents
from salesdesk.warehouse import services as warehouse
from salesdesk.warehouse.models import Outbound

OVERRIDE_REASON = "客户承诺月底前结清，业务员担保"


class ServiceWriter:
    def __init__(self, plan: Plan, company: Company):
        self.plan, self.company = plan, company
        self.orders: dict[int, tuple] = {}
        self.sales: dict[int, Outbound] = {}
        self.shipments: dict[int, object] = {}
        self.calls: dict[int, object] = {}
        self.invoices: dict[int, object] = {}  # by the plan's key, until the customer has it
        self.invoices_issued = 0

    # --- what the month's end needs ------------------------------------------------------

    def sale(self, key: int) -> Outbound:
        return self.sales[key]

    def call_record(self, call: CallPlan):
        return self.calls[id(call)]

    def flush(self) -> None:
        """Everything is written as it happens."""

    def reconcile(self, ticks, *, by, at: dt.datetime) -> None:
        with at_moment(at):
            for tick in ticks:
                if tick.check:
                    receivables.receipt_mark_checked(receipt=tick.receipt, by=by)
                receivables.receipt_reached_finance(receipt=tick.receipt, by=by, on=tick.reached_finance_on)

    def refresh(self, sale_keys: list[int], *, returns=()) -> None:
        """Nothing is kept that the month's end could make stale."""

    # --- the day's events -----------------------------------------------------------------

    def handle(self, at: dt.datetime, event) -> None:
        with at_moment(at):
            if isinstance(event, OrderPlan):
                self.order(at, event)
            elif isinstance(event, Post):
                self.post(at, event)
            elif isinstance(event, Payment):
                self.payment(at, event)
            elif isinstance(event, CodBack):
                self.cod_back(at, event)
            elif isinstance(event, NoteBack):
                shipment = self.shipments.pop(event.sale)
                warehouse.shipment_note_returned(shipment=shipment, by=self.company.clerks[0], on=at.date())
            elif isinstance(event, StockIn):
                warehouse.stock_inbound(
                    product=self.company.products[event.product],
                    quantity=event.quantity,
                    by=self.company.clerks[0],
                )
            elif isinstance(event, CallPlan):
                self.call(event)
            elif isinstance(event, InvoiceIssue):
                self.invoice_issue(event)
            elif isinstance(event, InvoiceMailed):
                self.invoice_mailed(at, event)
            elif isinstance(event, InvoiceReceived):
                self.invoice_received(event)

    def call(self, plan: CallPlan):
        company = self.company
        customer = company.customers[plan.customer] if plan.customer is not None else None
        by = (
            company.assistants[self.plan.customers[plan.customer].assistant]
            if customer
            else company.assistants[0]
        )
        record = calls.call_log(
            by=by,
            at=plan.at,
            company=plan.company,
            contact_name=plan.contact,
            phone=plan.phone,
            need=plan.need,
            customer=customer,
            duration_minutes=plan.minutes,
        )
        if plan.follow_up:
            self.calls[id(plan)] = record
        return record

    def order(self, at: dt.datetime, plan: OrderPlan) -> None:
        company, spec = self.company, self.plan.customers[plan.customer]
        customer = company.customers[plan.customer]
        assistant = company.assistants[spec.assistant]
        call = None
        if plan.call is not None:
            with at_moment(plan.call.at):
                call = self.call(plan.call)
        lines = [
            orders.LineInput(
                product=company.products[product],
                quantity=quantity,
                unit_price=in_force(company.prices[(plan.customer, product)], at.date()),
            )
            for product, quantity in plan.lines
        ]
        order = orders.order_create(
            by=assistant,
            customer=customer,
            lines=lines,
            call=call,
            channel=plan.channel,
            ship_method=plan.ship_method,
            carrier=company.carriers[plan.carrier] if plan.carrier is not None else None,
            collection_method=plan.collection,
            ship_in_parts=plan.ship_in_parts,
        )
        order = orders.order_register(order=order, by=assistant)
        if order.status == OrderStatus.ON_HOLD:
            order = orders.order_override(
                order=order,
                by=company.salespeople[spec.salesperson],
                code="receivables",
                reason=OVERRIDE_REASON,
            )
        order = orders.order_release(order=order, by=assistant)
        self.orders[plan.n] = (order, {line.position: line for line in order.lines.all()})

    def post(self, at: dt.datetime, plan: Post) -> None:
        order, lines = self.orders[plan.order]
        clerk = self.company.clerks[plan.order % 2]
        outbound = warehouse.outbound_create(
            order=order,
            by=clerk,
            quantities=[
                warehouse.ShipQuantity(lines[position], quantity) for position, quantity in plan.lines
            ],
        )
        sale = warehouse.outbound_post(outbound=outbound, by=clerk)
        self.sales[plan.sale] = sale
        if plan.part == 2 or not order.ship_in_parts:
            del self.orders[plan.order]
        ship = plan.ship
        if ship is None:
            return
        shipment = warehouse.shipment_record(
            outbound=sale,
            by=clerk,
            shipped_on=at.date(),
            carrier=self.company.carriers[ship.carrier] if ship.carrier is not None else None,
            tracking_number=ship.tracking,
            driver=ship.driver,
            cod_amount=sale.amount if ship.cod else Decimal("0"),
            note_required=ship.note_required,
        )
        if ship.cod or ship.note_required:
            self.shipments[plan.sale] = shipment

    def cod_back(self, at: dt.datetime, plan: CodBack) -> None:
        shipment = self.shipments.pop(plan.sale)
        by = self.company.assistant_of(self.sales[plan.sale].customer_id)
        receivables.receipt_from_cod(shipment=shipment, by=by, received_on=at.date())

    def payment(self, at: dt.datetime, plan: Payment) -> None:
        spec = self.plan.customers[plan.customer]
        paid = plan.settle([(key, selectors.open_amount(self.sales[key])) for key in plan.sales])
        if paid is None:
            return
        amount, settle, note = paid
        allocations = [receivables.AllocationInput(self.sales[key], take) for key, take, _left in settle]
        receivables.receipt_create(
            customer=self.company.customers[plan.customer],
            by=self.company.assistants[spec.assistant],
            amount=amount,
            received_on=plan.received_on,
            method=plan.method,
            allocations=allocations,
            note=note,
        )

    def invoice_issue(self, plan: InvoiceIssue) -> None:
        """One invoice for everything posted and not yet invoiced, if it adds up to something
        (a return alone waits for the next sales)."""
        customer = self.company.customers[plan.customer]
        outbounds = list(selectors.uninvoiced_outbounds(customer).order_by("posting_date", "id"))
        if not outbounds or total(o.amount for o in outbounds) <= 0:
            return
        self.invoices_issued += 1
        self.invoices[plan.key] = documents.invoice_issue(
            customer=customer,
            by=self.company.assistants[self.plan.customers[plan.customer].assistant],
            number=invoice_number(plan.issued_on, self.invoices_issued),
            issued_on=plan.issued_on,
            outbounds=outbounds,
        )

    def invoice_mailed(self, at: dt.datetime, plan: InvoiceMailed) -> None:
        invoice = self.invoices.get(plan.key)
        if invoice is None:  # nothing was invoiced
            return
        self.invoices[plan.key] = documents.invoice_mail(
            invoice=invoice,
            by=self.company.assistant_of(invoice.customer_id),
            tracking_number=plan.tracking,
            carrier=self.company.carriers[plan.carrier],
            mailed_on=at.date(),
        )

    def invoice_received(self, plan: InvoiceReceived) -> None:
        invoice = self.invoices.pop(plan.key, None)
        if invoice is None:
            return
        documents.invoice_received(
            invoice=invoice, by=self.company.assistant_of(invoice.customer_id), on=plan.received_on
        )
