"""Receivables over the JSON API (v1): a customer's balance and aging, receipts and their
allocation, invoices, receipt slips, statements (also as PDF), returns, exchanges and write-offs.

Reading needs the receivables view permission of each document, so the warehouse, which sees
no money, answers 403 everywhere. Writes are one service call each and enforce their own
permissions. Scope comes from the selectors: a customer or document outside the user's scope
answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from salesdesk.catalog.models import Carrier
from salesdesk.catalog.selectors import active_products_for_codes
from salesdesk.core.api import RowId, fields_as_sent, file_answer, links, require
from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.roles import scope_to_user
from salesdesk.core.schemas import ERRORS, page_of, username_of
from salesdesk.customers.models import Customer
from salesdesk.orders.models import SalesOrder
from salesdesk.orders.selectors import order_get_for_user
from salesdesk.receivables import selectors, services, services_credits, services_documents
from salesdesk.receivables.models import InvoiceItem, Receipt, Statement
from salesdesk.receivables.schemas import (
    RECEIPT_NUMBER,
    ARQuery,
    CustomerAROut,
    DayIn,
    InvoiceIn,
    InvoiceMailIn,
    InvoiceOut,
    InvoicePage,
    InvoiceQuery,
    ReceiptIn,
    ReceiptOut,
    ReceiptPage,
    ReceiptQuery,
    RejectIn,
    ReturnIn,
    ReturnOut,
    SlipIn,
    SlipOut,
    SlipPage,
    SlipQuery,
    StatementDetailOut,
    StatementIn,
    StatementPage,
    StatementQuery,
    WriteOffIn,
    WriteOffOut,
    WriteOffPage,
    WriteOffQuery,
)
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundLine, OutboundStatus
from salesdesk.warehouse.selectors import outbound_get_for_user

router = Router(tags=["receivables"])

CustomerCode = Path(..., pattern=r"^[A-Z]{2}[0-9]{5,14}$", max_length=16)
ReceiptNumber = Path(..., pattern=RECEIPT_NUMBER, max_length=20)

# The services call an outbound a request names `sale` and a returned line `original_line`,
# with indexes in brackets; the API answers with the names it was sent, dotted as 422s are.
_SENT_PATTERNS = [
    (re.compile(r"^(allocations|items)\.(\d+)\.sale$"), r"\1.\2.outbound"),
    (re.compile(r"^lines\.(\d+)\.original_line$"), r"lines.\1.line"),
]


class NotFound(DomainError):
    """What a request names is not there, or not the user's: 404, on the field that named it."""

    status_code = 404


def _renamed(field: str) -> str:
    for pattern, replacement in _SENT_PATTERNS:
        field = pattern.sub(replacement, field)
    return field


@contextmanager
def _as_sent(renames: dict[str, str] | None = None) -> Iterator[None]:
    try:
        with fields_as_sent(renames):
            yield
    except FieldErrors as exc:
        exc.errors = {_renamed(field): messages for field, messages in exc.errors.items()}
        raise
    except DomainError as exc:
        exc.field = _renamed(exc.field) if exc.field else exc.field
        raise


# --- Looking up what a request names ------------------------------------------------------


def _customer(request: HttpRequest, code: str) -> Customer:
    customer = selectors.customers_in_scope(request.user).filter(code=code.upper()).first()
    if customer is None:
        raise NotFound(_("No customer %(code)s among yours.") % {"code": code}, field="customer")
    return customer


def _outbounds(request: HttpRequest, references: list[str], field: str) -> list[Outbound]:
    """Each outbound a list names, by number or D<id>; every unknown one is named at once."""
    found, errors = [], {}
    for i, reference in enumerate(references):
        try:
            found.append(outbound_get_for_user(user=request.user, reference=reference))
        except Http404:
            errors[field.format(i=i)] = [_("No outbound %(ref)s among yours.") % {"ref": reference}]
    if errors:
        raise FieldErrors(errors)
    return found


def _carrier(carrier_id: int | None) -> Carrier | None:
    carrier = Carrier.objects.filter(pk=carrier_id).first() if carrier_id else None
    if carrier_id and carrier is None:
        raise DomainError(_("No carrier with the id %(id)s.") % {"id": carrier_id}, field="carrier")
    return carrier


def _order(request: HttpRequest, reference: str | None) -> SalesOrder | None:
    if reference is None:
        return None
    try:
        return order_get_for_user(user=request.user, reference=reference)
    except Http404:
        raise DomainError(_("No order %(ref)s among yours.") % {"ref": reference}, field="order") from None


def _found(qs: QuerySet, **lookup: Any) -> Any:
    row = qs.filter(**lookup).first()
    if row is None:
        raise Http404(_("Not found."))
    return row


# --- A customer's receivables ---------------------------------------------------------------


@router.get("/customers/{code}/ar", response={200: CustomerAROut, **ERRORS})
def customer_ar(request: HttpRequest, query: Query[ARQuery], code: str = CustomerCode):
    """Balance, overdue, money not yet applied, aging buckets and the open sales (未核销)."""
    require(request, "receivables.view_receipt")
    customer = _customer(request, code)
    ar = selectors.customer_ar(customer, query.as_of)
    return {
        "customer": customer.code,
        "customer_name": customer.name,
        "as_of": ar.as_of,
        "balance": ar.balance,
        "overdue": ar.overdue,
        "unapplied": ar.unapplied,
        "open_total": ar.open_total,
        "buckets": [
            {"key": key, "label": str(label), "amount": amount} for key, label, amount in ar.bucket_rows
        ],
        "open_items": [
            {
                "number": sale.number,
                "posting_date": sale.posting_date,
                "due_date": sale.due_date,
                "amount": sale.amount,
                "settled": sale.settled,
                "open": sale.open_amount,
                "days_overdue": sale.days_overdue,
                "bucket": sale.bucket,
            }
            for sale in ar.open_items
        ],
    }


# --- Receipts -------------------------------------------------------------------------------


def _receipt_out(receipt: Receipt, *, allocations: bool = False) -> dict[str, Any]:
    data = {
        "number": receipt.number,
        "customer": receipt.customer.code,
        "customer_name": receipt.customer.name,
        "received_on": receipt.received_on,
        "amount": receipt.amount,
        "method": receipt.method,
        "method_label": receipt.get_method_display(),
        "carrier": receipt.carrier_id,
        "carrier_name": receipt.carrier.name if receipt.carrier_id else None,
        "order": receipt.order.reference if receipt.order_id else None,
        "reference": receipt.reference,
        "note": receipt.note,
        "applied": receipt.applied,
        "unapplied": receipt.amount - receipt.applied,
        "difference": receipt.difference,
        "entered_late": receipt.entered_late,
        "finance_checked_at": receipt.finance_checked_at,
        "reached_finance_on": receipt.reached_finance_on,
        "created_by": username_of(receipt.created_by),
        "created_at": receipt.created_at,
    }
    if allocations:
        data["allocations"] = [
            {
                "outbound": row.sale.number,
                "posting_date": row.sale.posting_date,
                "due_date": row.sale.due_date,
                "amount": row.amount,
                "date": row.date,
            }
            for row in selectors.allocations_of_receipt(receipt)
        ]
    return data


def _receipts(request: HttpRequest, q: str = "") -> QuerySet[Receipt]:
    return selectors.receipt_list(request.user, q=q).select_related("order")


@router.get("/receipts", response={200: ReceiptPage, **ERRORS})
def receipt_list(request: HttpRequest, query: Query[ReceiptQuery]):
    """Money received from the user's customers, newest first."""
    require(request, "receivables.view_receipt")
    receipts = _receipts(request, query.q)
    if query.customer:
        receipts = receipts.filter(customer__code=query.customer.upper())
    if query.date_from:
        receipts = receipts.filter(received_on__gte=query.date_from)
    if query.date_to:
        receipts = receipts.filter(received_on__lte=query.date_to)
    return page_of(receipts, query, _receipt_out, shown=_receipt_rows)


def _receipt_rows(receipts: QuerySet[Receipt]) -> QuerySet[Receipt]:
    return selectors.receipt_rows(receipts).select_related("order")


@router.post(
    "/receipts",
    response={201: ReceiptOut, **ERRORS},
    openapi_extra=links(
        201,
        receivables_api_receipt_detail={"number": "number"},
        receivables_api_customer_ar={"code": "customer"},
    ),
)
def receipt_create(request: HttpRequest, payload: ReceiptIn):
    """销售收款: money received, settling the sales named, or the oldest open ones first.

    What it does not settle stays as credit on the account. When the money differs from
    what it settles, `note` must say why; finance is told.
    """
    require(request, "receivables.add_receipt")
    customer = _customer(request, payload.customer)
    allocations = None
    if payload.allocations:
        sales = _outbounds(
            request, [item.outbound for item in payload.allocations], "allocations.{i}.outbound"
        )
        allocations = [
            services.AllocationInput(sale=sale, amount=item.amount)
            for sale, item in zip(sales, payload.allocations, strict=True)
        ]
    with _as_sent():
        receipt = services.receipt_create(
            customer=customer,
            by=request.user,
            amount=payload.amount,
            received_on=payload.received_on,
            method=payload.method,
            allocations=allocations,
            carrier=_carrier(payload.carrier),
            order=_order(request, payload.order),
            reference=payload.reference,
            note=payload.note,
        )
    return Status(201, _receipt_out(_found(_receipts(request), pk=receipt.pk), allocations=True))


@router.get("/receipts/{number}", response={200: ReceiptOut, **ERRORS})
def receipt_detail(request: HttpRequest, number: str = ReceiptNumber):
    require(request, "receivables.view_receipt")
    return _receipt_out(_found(_receipts(request), number=number), allocations=True)


# --- Invoices -------------------------------------------------------------------------------


def _invoices(request: HttpRequest) -> QuerySet:
    items = InvoiceItem.objects.select_related("outbound").order_by("id")
    return (
        selectors.invoice_list(request.user)
        .select_related("created_by")
        .prefetch_related(Prefetch("items", queryset=items))
    )


def _invoice_out(invoice) -> dict[str, Any]:
    return {
        **{
            name: getattr(invoice, name)
            for name in (
                "id",
                "number",
                "issued_on",
                "must_reach_by",
                "amount",
                "tracking_number",
                "mailed_on",
                "received_on",
                "note",
                "created_at",
            )
        },
        "customer": invoice.customer.code,
        "customer_name": invoice.customer.name,
        "carrier": invoice.carrier_id,
        "carrier_name": invoice.carrier.name if invoice.carrier_id else None,
        "created_by": username_of(invoice.created_by),
        "outbounds": [
            {
                "outbound": item.outbound.number,
                "kind": item.outbound.kind,
                "posting_date": item.outbound.posting_date,
                "amount": item.amount,
            }
            for item in invoice.items.all()
        ],
    }


@router.get("/invoices", response={200: InvoicePage, **ERRORS})
def invoice_list(request: HttpRequest, query: Query[InvoiceQuery]):
    """Invoices issued to the user's customers, newest first, with the outbounds they cover."""
    require(request, "receivables.view_invoice")
    invoices = _invoices(request)
    if query.customer:
        invoices = invoices.filter(customer__code=query.customer.upper())
    if query.date_from:
        invoices = invoices.filter(issued_on__gte=query.date_from)
    if query.date_to:
        invoices = invoices.filter(issued_on__lte=query.date_to)
    return page_of(invoices, query, _invoice_out)


@router.post("/invoices", response={201: InvoiceOut, **ERRORS})
def invoice_create(request: HttpRequest, payload: InvoiceIn):
    """开票: an invoice for posted outbounds of one customer; each outbound is invoiced once."""
    require(request, "receivables.add_invoice")
    customer = _customer(request, payload.customer)
    outbounds = _outbounds(request, payload.outbounds, "outbounds.{i}")
    with _as_sent():
        invoice = services_documents.invoice_issue(
            customer=customer,
            by=request.user,
            number=payload.number,
            issued_on=payload.issued_on,
            outbounds=outbounds,
            must_reach_by=payload.must_reach_by,
            note=payload.note,
        )
    return Status(201, _invoice_out(_found(_invoices(request), pk=invoice.pk)))


@router.post("/invoices/{invoice_id}/mail", response={200: InvoiceOut, **ERRORS})
def invoice_mail(request: HttpRequest, payload: InvoiceMailIn, invoice_id: int = RowId):
    """The invoice went into the post: the carrier and tracking number."""
    require(request, "receivables.change_invoice")
    invoice = _found(_invoices(request), pk=invoice_id)
    with _as_sent():
        services_documents.invoice_mail(
            invoice=invoice,
            by=request.user,
            tracking_number=payload.tracking_number,
            carrier=_carrier(payload.carrier),
            mailed_on=payload.mailed_on,
        )
    return _invoice_out(_found(_invoices(request), pk=invoice_id))


@router.post("/invoices/{invoice_id}/received", response={200: InvoiceOut, **ERRORS})
def invoice_received(request: HttpRequest, payload: DayIn = None, invoice_id: int = RowId):
    """跟踪至客户手上: the customer has the invoice."""
    require(request, "receivables.change_invoice")
    invoice = _found(_invoices(request), pk=invoice_id)
    with _as_sent({"received_on": "on"}):
        services_documents.invoice_received(invoice=invoice, by=request.user, on=(payload or DayIn()).on)
    return _invoice_out(_found(_invoices(request), pk=invoice_id))


# --- Receipt slips --------------------------------------------------------------------------


def _slip_out(slip) -> dict[str, Any]:
    receipt = slip.receipt
    return {
        "id": slip.pk,
        "number": slip.number,
        "receipt": receipt.number,
        "customer": receipt.customer.code,
        "customer_name": receipt.customer.name,
        "amount": receipt.amount,
        "received_on": receipt.received_on,
        "seal": slip.seal,
        "seal_label": slip.get_seal_display(),
        "issued_on": slip.issued_on,
        "created_by": username_of(slip.created_by),
        "created_at": slip.created_at,
    }


@router.get("/receipt-slips", response={200: SlipPage, **ERRORS})
def slip_list(request: HttpRequest, query: Query[SlipQuery]):
    """收据 given for money from the user's customers, newest first."""
    require(request, "receivables.view_receiptslip")
    slips = selectors.slip_list(request.user).select_related("created_by")
    if query.customer:
        slips = slips.filter(receipt__customer__code=query.customer.upper())
    return page_of(slips, query, _slip_out)


@router.post("/receipt-slips", response={201: SlipOut, **ERRORS})
def slip_create(request: HttpRequest, payload: SlipIn):
    """开收据: a numbered slip for a receipt, stamped with the customer's usual seal by default."""
    require(request, "receivables.add_receiptslip")
    receipt = _receipts(request).filter(number=payload.receipt).first()
    if receipt is None:
        raise NotFound(_("No receipt %(n)s among yours.") % {"n": payload.receipt}, field="receipt")
    with _as_sent():
        slip = services_documents.slip_issue(
            receipt=receipt, by=request.user, seal=payload.seal or None, issued_on=payload.issued_on
        )
    return Status(201, _slip_out(_found(selectors.slip_list(request.user), pk=slip.pk)))


# --- Statements -----------------------------------------------------------------------------


def _statements(request: HttpRequest) -> QuerySet[Statement]:
    return selectors.statement_list(request.user).select_related("created_by")


def _statement_out(statement: Statement) -> dict[str, Any]:
    return {
        **{
            name: getattr(statement, name)
            for name in (
                "id",
                "number",
                "period_from",
                "period_to",
                "opening",
                "closing",
                "status",
                "sent_on",
                "signed_on",
                "created_at",
            )
        },
        "customer": statement.customer.code,
        "customer_name": statement.customer.name,
        "status_label": statement.get_status_display(),
        "created_by": username_of(statement.created_by),
    }


def _statement_detail(statement: Statement) -> dict[str, Any]:
    view = selectors.statement_view(statement.customer, statement.period_from, statement.period_to)
    lines = [
        {
            "date": line.date,
            "kind": line.kind,
            "number": line.number,
            "text": line.text,
            "debit": line.debit,
            "credit": line.credit,
            "balance": line.balance,
        }
        for line in view.lines
    ]
    closing_now: Decimal = view.closing
    return {
        **_statement_out(statement),
        "lines": lines,
        "closing_now": closing_now,
        "difference": closing_now - statement.closing,
    }


def _to_statement(status: int, field: str) -> dict[str, Any]:
    by_id = {"statement_id": field}
    return links(
        status,
        receivables_api_statement_detail=by_id,
        receivables_api_statement_sent=by_id,
        receivables_api_statement_signed=by_id,
        receivables_api_statement_pdf=by_id,
    )


@router.get(
    "/statements",
    response={200: StatementPage, **ERRORS},
    openapi_extra=_to_statement(200, "items/0/id"),
)
def statement_list(request: HttpRequest, query: Query[StatementQuery]):
    """对账单 of the user's customers, the latest period first."""
    require(request, "receivables.view_statement")
    statements = _statements(request)
    if query.customer:
        statements = statements.filter(customer__code=query.customer.upper())
    if query.status:
        statements = statements.filter(status=query.status)
    return page_of(statements, query, _statement_out)


@router.post(
    "/statements",
    response={201: StatementDetailOut, **ERRORS},
    openapi_extra=_to_statement(201, "id"),
)
def statement_create(request: HttpRequest, payload: StatementIn):
    """Draw up a statement: opening, each document of the period, closing, kept as drawn up."""
    require(request, "receivables.add_statement")
    customer = _customer(request, payload.customer)
    with _as_sent():
        statement = services_documents.statement_create(
            customer=customer, by=request.user, period_from=payload.period_from, period_to=payload.period_to
        )
    return Status(201, _statement_detail(_found(_statements(request), pk=statement.pk)))


# Before the plain detail: "/statements/7.pdf" would match it too.
@router.get(
    "/statements/{statement_id}.pdf",
    response=ERRORS,
    openapi_extra=file_answer("application/pdf", "The statement as a PDF."),
)
def statement_pdf(request: HttpRequest, statement_id: int = RowId):
    """The statement as a PDF to print, send and have signed back."""
    from salesdesk.receivables.documents import statement_pdf as render_pdf

    require(request, "receivables.view_statement")
    statement = _found(_statements(request), pk=statement_id)
    response = HttpResponse(render_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{statement.number}.pdf"'
    return response


@router.get("/statements/{statement_id}", response={200: StatementDetailOut, **ERRORS})
def statement_detail(request: HttpRequest, statement_id: int = RowId):
    require(request, "receivables.view_statement")
    return _statement_detail(_found(_statements(request), pk=statement_id))


@router.post("/statements/{statement_id}/sent", response={200: StatementDetailOut, **ERRORS})
def statement_sent(request: HttpRequest, payload: DayIn = None, statement_id: int = RowId):
    """The statement went out to the customer (已寄出)."""
    require(request, "receivables.change_statement")
    statement = _found(_statements(request), pk=statement_id)
    with _as_sent({"sent_on": "on"}):
        services_documents.statement_mark_sent(
            statement=statement, by=request.user, on=(payload or DayIn()).on
        )
    return _statement_detail(_found(_statements(request), pk=statement_id))


@router.post("/statements/{statement_id}/signed", response={200: StatementDetailOut, **ERRORS})
def statement_signed(request: HttpRequest, payload: DayIn = None, statement_id: int = RowId):
    """The customer signed the statement and sent it back (已签回)."""
    require(request, "receivables.change_statement")
    statement = _found(_statements(request), pk=statement_id)
    with _as_sent({"signed_on": "on"}):
        services_documents.statement_mark_signed(
            statement=statement, by=request.user, on=(payload or DayIn()).on
        )
    return _statement_detail(_found(_statements(request), pk=statement_id))


# --- Returns and exchanges ------------------------------------------------------------------


def _posted_out(outbound: Outbound) -> dict[str, Any]:
    return {
        "number": outbound.number,
        "kind": outbound.kind,
        "posting_date": outbound.posting_date,
        "due_date": outbound.due_date,
        "amount": outbound.amount,
        "lines": [
            {
                "line": line.original_line_id,
                "product": line.product.model_code,
                "product_name": line.product.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for line in outbound.lines.select_related("product").order_by("id")
        ],
    }


def _return_lines(original: Outbound, payload: ReturnIn) -> list[services_credits.ReturnLineInput]:
    lines = {line.pk: line for line in OutboundLine.objects.filter(outbound=original)}
    inputs, errors = [], {}
    for i, item in enumerate(payload.lines):
        line = lines.get(item.line)
        if line is None:
            errors[f"lines.{i}.line"] = [_("That line is not on outbound %(n)s.") % {"n": original}]
            continue
        inputs.append(services_credits.ReturnLineInput(original_line=line, quantity=item.quantity))
    if errors:
        raise FieldErrors(errors)
    return inputs


def _new_lines(payload: ReturnIn) -> list[services_credits.NewLineInput]:
    items = payload.new_lines or []
    inputs, errors = [], {}
    for i, (item, product) in enumerate(
        zip(items, active_products_for_codes([x.product for x in items]), strict=True)
    ):
        if product is None:
            errors[f"new_lines.{i}.product"] = [
                _("No active product with the model code %(code)s.") % {"code": item.product}
            ]
            continue
        inputs.append(services_credits.NewLineInput(product, item.quantity, item.unit_price))
    if errors:
        raise FieldErrors(errors)
    return inputs


@router.post("/returns", response={201: ReturnOut, **ERRORS})
def return_create(request: HttpRequest, payload: ReturnIn):
    """销售退货: goods of a posted sale come back into stock and what is owed goes down.

    With `new_lines` it is an exchange (换货): the goods sent instead are posted as a new sale
    in the same step, or nothing is.
    """
    require(request, "receivables.record_return")
    try:
        original = outbound_get_for_user(user=request.user, reference=payload.original)
    except Http404:
        raise NotFound(
            _("No outbound %(ref)s among yours.") % {"ref": payload.original}, field="original"
        ) from None
    agreed_by = get_user_model().objects.filter(username=payload.agreed_by, is_active=True).first()
    if agreed_by is None:
        raise DomainError(_("No active user %(u)s.") % {"u": payload.agreed_by}, field="agreed_by")
    fields = {
        "original": original,
        "by": request.user,
        "lines": _return_lines(original, payload),
        "reason": payload.reason,
        "agreed_by": agreed_by,
        "notes": payload.notes,
    }
    exchange = None
    with _as_sent():
        if payload.new_lines:
            returned, exchange = services_credits.exchange_post(new_lines=_new_lines(payload), **fields)
        else:
            returned = services_credits.return_post(**fields)
    return Status(
        201,
        {
            **_posted_out(returned),
            "original": original.number,
            "customer": original.customer.code,
            "customer_name": original.customer.name,
            "reason": returned.reason,
            "agreed_by": username_of(returned.agreed_by),
            "exchange": _posted_out(exchange) if exchange else None,
        },
    )


# --- Write-offs -----------------------------------------------------------------------------


def _write_offs(request: HttpRequest) -> QuerySet[Outbound]:
    """The user's write-offs, to select and order only: `_write_off_rows` adds what a row shows.

    With the people joined in, SQLite started from the users and read every outbound each had
    created to find the 785 write-offs (40 ms at scale 1); alone, they come from their own index.
    """
    return scope_to_user(Outbound.objects.filter(kind=OutboundKind.BAD_DEBT), request.user, "customer")


def _write_off_rows(write_offs: QuerySet[Outbound]) -> QuerySet[Outbound]:
    return write_offs.select_related("customer", "created_by", "agreed_by").prefetch_related(
        "write_off_items__sale"
    )


def _write_off_out(write_off: Outbound) -> dict[str, Any]:
    items = sorted(write_off.write_off_items.all(), key=lambda item: item.pk)
    posted = write_off.status == OutboundStatus.POSTED
    return {
        "id": write_off.pk,
        "reference": write_off.reference,
        "number": write_off.number,
        "status": write_off.status,
        "customer": write_off.customer.code,
        "customer_name": write_off.customer.name,
        "reason": write_off.reason,
        "amount": sum((item.amount for item in items), Decimal("0.00")),
        "posting_date": write_off.posting_date,
        "approved_by": username_of(write_off.agreed_by) if posted else None,
        "created_by": username_of(write_off.created_by),
        "created_at": write_off.created_at,
        "items": [{"outbound": item.sale.number, "amount": item.amount} for item in items],
    }


@router.get("/write-offs", response={200: WriteOffPage, **ERRORS})
def write_off_list(request: HttpRequest, query: Query[WriteOffQuery]):
    """Bad-debt write-offs (坏账) of the user's customers: those waiting for the manager first."""
    require(request, "receivables.view_writeoffitem")
    write_offs = _write_offs(request).order_by("status", "-created_at", "-id")
    if query.customer:
        write_offs = write_offs.filter(customer__code=query.customer.upper())
    if query.status:
        write_offs = write_offs.filter(status=query.status)
    return page_of(write_offs, query, _write_off_out, shown=_write_off_rows)


@router.post("/write-offs", response={201: WriteOffOut, **ERRORS})
def write_off_create(request: HttpRequest, payload: WriteOffIn):
    """Propose writing off what cannot be collected; nothing changes until the manager approves."""
    require(request, "receivables.add_writeoffitem")
    customer = _customer(request, payload.customer)
    sales = _outbounds(request, [item.outbound for item in payload.items], "items.{i}.outbound")
    items = [
        services_credits.WriteOffInput(sale=sale, amount=item.amount)
        for sale, item in zip(sales, payload.items, strict=True)
    ]
    with _as_sent():
        write_off = services_credits.write_off_request(
            customer=customer, by=request.user, items=items, reason=payload.reason
        )
    return Status(201, _write_off_out(_found(_write_off_rows(_write_offs(request)), pk=write_off.pk)))


def _require_write_off_approver(request: HttpRequest) -> None:
    if not services_credits.may_decide_write_offs(request.user):
        require(request, "receivables.approve_write_off")  # refuses, in the API's usual words


@router.post("/write-offs/{write_off_id}/approve", response={200: WriteOffOut, **ERRORS})
def write_off_approve(request: HttpRequest, write_off_id: int = RowId):
    """The manager, or finance up to the write-off limit — never whoever proposed it — approves:
    it is posted and settles the sales."""
    _require_write_off_approver(request)
    write_off = _found(_write_offs(request), pk=write_off_id)
    with _as_sent():
        services_credits.write_off_approve(write_off=write_off, by=request.user)
    return _write_off_out(_found(_write_off_rows(_write_offs(request)), pk=write_off_id))


@router.post("/write-offs/{write_off_id}/reject", response={204: None, **ERRORS})
def write_off_reject(request: HttpRequest, payload: RejectIn, write_off_id: int = RowId):
    """Whoever could approve it turns the proposal down, saying why; it is gone, and the audit trail
    keeps it."""
    _require_write_off_approver(request)
    write_off = _found(_write_offs(request), pk=write_off_id)
    with _as_sent():
        services_credits.write_off_reject(write_off=write_off, by=request.user, reason=payload.reason)
    return Status(204, None)
