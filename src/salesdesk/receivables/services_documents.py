"""Invoices (发票), receipt slips (收据) and statements (对账单): the papers that go to customers."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.models import Carrier
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.core.money import too_large, total
from salesdesk.core.workflow import transition
from salesdesk.customers.models import Customer, ReceiptSeal
from salesdesk.receivables import selectors
from salesdesk.receivables.models import (
    Invoice,
    InvoiceItem,
    Receipt,
    ReceiptSlip,
    Statement,
    StatementStatus,
)
from salesdesk.receivables.services import next_number, require_scope
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus

name_events(
    {
        "invoice.issued": gettext_lazy("Invoice issued"),
        "invoice.mailed": gettext_lazy("Invoice mailed"),
        "invoice.received": gettext_lazy("Invoice received by the customer"),
        "slip.issued": gettext_lazy("Receipt slip issued"),
        "statement.created": gettext_lazy("Statement drawn up"),
        "statement.sent": gettext_lazy("Statement sent"),
        "statement.signed": gettext_lazy("Statement signed back"),
    }
)

DEFAULT_INVOICE_DAYS = 7  # when the customer named no date: a week to reach them


def _not_future(day: dt.date, field: str, earliest: dt.date | None = None) -> None:
    if day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field=field)
    if earliest is not None and day < earliest:
        raise DomainError(_("The date cannot be before %(d)s.") % {"d": earliest.isoformat()}, field=field)


@transaction.atomic
def invoice_issue(
    *,
    customer: Customer,
    by,
    number: str,
    issued_on: dt.date,
    outbounds: list[Outbound],
    must_reach_by: dt.date | None = None,
    note: str = "",
) -> Invoice:
    """开票: an invoice for posted outbounds of one customer, each invoiced once."""
    if not by.has_perm("receivables.add_invoice"):
        raise NotAllowed(_("Only assistants, finance and the manager issue invoices."))
    require_scope(by, customer)
    errors: dict[str, list[str]] = {}
    number = (number or "").strip()
    if not number:
        errors["number"] = [_("Enter the invoice number.")]
    elif Invoice.objects.filter(number=number).exists():
        errors["number"] = [_("Invoice number %(n)s is already recorded.") % {"n": number}]
    if not customer.invoice_required:
        errors["customer"] = [_("%(c)s does not take invoices; issue a receipt slip.") % {"c": customer.name}]
    if not outbounds:
        errors["outbounds"] = [_("Choose the outbounds the invoice covers.")]
    today = timezone.localdate()
    if issued_on > today:
        errors["issued_on"] = [_("The date cannot be in the future.")]
    reach_by = must_reach_by or issued_on + dt.timedelta(days=DEFAULT_INVOICE_DAYS)
    if reach_by < issued_on:
        errors["must_reach_by"] = [_("It cannot have to arrive before it is issued.")]
    chosen = set()
    for i, outbound in enumerate(outbounds):
        where = f"outbounds[{i}]"
        if outbound.pk in chosen:
            errors[where] = [_("Outbound %(n)s is listed twice.") % {"n": outbound.reference}]
            continue
        chosen.add(outbound.pk)
        if outbound.customer_id != customer.pk:
            errors[where] = [_("Outbound %(n)s is another customer's.") % {"n": outbound.reference}]
        elif outbound.status != OutboundStatus.POSTED:
            errors[where] = [
                _("Outbound %(n)s is not posted yet: only posted outbounds are invoiced.")
                % {"n": outbound.reference}
            ]
        elif outbound.kind == OutboundKind.BAD_DEBT:
            errors[where] = [_("A write-off is not invoiced.")]
        elif InvoiceItem.objects.filter(outbound=outbound).exists():
            errors[where] = [_("Outbound %(n)s is already invoiced.") % {"n": outbound.number}]
    if errors:
        raise FieldErrors(errors)
    amount = total(o.amount for o in outbounds)
    if amount <= 0:
        raise DomainError(_("The outbounds chosen add up to nothing to invoice."), field="outbounds")
    if too_large(amount):
        raise DomainError(_("The outbounds chosen add up to more than one invoice holds."), field="outbounds")
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                number=number[:30],
                customer=customer,
                issued_on=issued_on,
                must_reach_by=reach_by,
                amount=amount,
                note=(note or "").strip()[:500],
                created_by=by,
            )
            for outbound in outbounds:
                InvoiceItem.objects.create(invoice=invoice, outbound=outbound, amount=outbound.amount)
    except IntegrityError:
        # A colleague invoiced one of them, or used the number, a moment ago.
        raise Conflict(
            _("Someone recorded this invoice or one of its outbounds meanwhile; reload and check."),
            code="changed_meanwhile",
        ) from None
    record_event("invoice.issued", by=by, obj=customer, summary=f"{invoice.number} {amount}")
    return invoice


def _may_change_invoice(by) -> None:
    if not by.has_perm("receivables.change_invoice"):
        raise NotAllowed(_("Only assistants, finance and the manager follow invoices."))


@transaction.atomic
def invoice_mail(
    *,
    invoice: Invoice,
    by,
    tracking_number: str,
    carrier: Carrier | None = None,
    mailed_on: dt.date | None = None,
) -> Invoice:
    """The invoice went into the post: with which carrier and tracking number."""
    _may_change_invoice(by)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    require_scope(by, invoice.customer)
    if not (tracking_number or "").strip():
        raise DomainError(_("Enter the mailing tracking number."), field="tracking_number")
    if invoice.received_on is not None:
        raise Conflict(_("The customer already has this invoice."), code="already_received")
    day = mailed_on or timezone.localdate()
    _not_future(day, "mailed_on", invoice.issued_on)
    invoice.tracking_number, invoice.carrier, invoice.mailed_on = tracking_number.strip()[:40], carrier, day
    invoice.save(update_fields=["tracking_number", "carrier", "mailed_on"])
    record_event("invoice.mailed", by=by, obj=invoice.customer, summary=f"{invoice.number} {tracking_number}")
    return invoice


@transaction.atomic
def invoice_received(*, invoice: Invoice, by, on: dt.date | None = None) -> Invoice:
    """跟踪至客户手上: the customer has the invoice."""
    _may_change_invoice(by)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    require_scope(by, invoice.customer)
    if invoice.received_on is not None:
        raise Conflict(_("The customer already has this invoice."), code="already_received")
    day = on or timezone.localdate()
    _not_future(day, "received_on", invoice.mailed_on or invoice.issued_on)
    invoice.received_on = day
    invoice.save(update_fields=["received_on"])
    record_event("invoice.received", by=by, obj=invoice.customer, summary=f"{invoice.number} {day}")
    return invoice


@transaction.atomic
def slip_issue(
    *, receipt: Receipt, by, seal: str | None = None, issued_on: dt.date | None = None
) -> ReceiptSlip:
    """开收据: a numbered slip for money received, stamped with the customer's usual seal."""
    if not by.has_perm("receivables.add_receiptslip"):
        raise NotAllowed(_("Only assistants, finance and the manager issue receipt slips."))
    receipt = Receipt.objects.select_for_update().select_related("customer").get(pk=receipt.pk)
    require_scope(by, receipt.customer)
    if ReceiptSlip.objects.filter(receipt=receipt).exists():
        raise Conflict(_("Receipt %(n)s already has a slip.") % {"n": receipt.number}, code="already_issued")
    chosen = seal or receipt.customer.receipt_seal or ReceiptSeal.KEDI_RECEIVED
    if chosen not in ReceiptSeal.values:
        raise DomainError(_("Choose one of the three seals."), field="seal")
    day = issued_on or timezone.localdate()
    _not_future(day, "issued_on", receipt.received_on)
    slip = ReceiptSlip.objects.create(
        number=next_number("SJ", "slip", day), receipt=receipt, seal=chosen, issued_on=day, created_by=by
    )
    record_event("slip.issued", by=by, obj=receipt.customer, summary=f"{slip.number} {receipt.amount}")
    return slip


@transaction.atomic
def statement_create(*, customer: Customer, by, period_from: dt.date, period_to: dt.date) -> Statement:
    """对账单: opening, documents and closing of a period, kept as drawn up."""
    if not by.has_perm("receivables.add_statement"):
        raise NotAllowed(_("Only assistants, finance and the manager draw up statements."))
    require_scope(by, customer)
    errors = {}
    if period_to < period_from:
        errors["period_to"] = [_("The period ends before it starts.")]
    elif period_to > timezone.localdate():
        errors["period_to"] = [_("A statement covers days that have passed.")]
    elif (period_to - period_from).days > 366:
        errors["period_from"] = [_("A statement covers at most a year.")]
    if errors:
        raise FieldErrors(errors)
    view = selectors.statement_view(customer, period_from, period_to)
    if too_large(view.opening) or too_large(view.closing):
        raise DomainError(
            _("The balances of this period are more than a statement holds."), field="period_to"
        )
    statement = Statement.objects.create(
        number=next_number("DZ", "statement", period_to),
        customer=customer,
        period_from=period_from,
        period_to=period_to,
        opening=view.opening,
        closing=view.closing,
        created_by=by,
    )
    record_event("statement.created", by=by, obj=customer, summary=f"{statement.number} {view.closing}")
    return statement


def _may_follow_statement(by) -> None:
    if not by.has_perm("receivables.change_statement"):
        raise NotAllowed(_("Only assistants, finance and the manager follow statements."))


@transaction.atomic
def statement_mark_sent(*, statement: Statement, by, on: dt.date | None = None) -> Statement:
    _may_follow_statement(by)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    require_scope(by, statement.customer)
    day = on or timezone.localdate()
    _not_future(day, "sent_on", statement.period_to)
    statement.sent_on = day
    transition(statement, to=StatementStatus.SENT, by=by, note=str(day))
    record_event("statement.sent", by=by, obj=statement.customer, summary=f"{statement.number} {day}")
    return statement


@transaction.atomic
def statement_mark_signed(*, statement: Statement, by, on: dt.date | None = None) -> Statement:
    _may_follow_statement(by)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    require_scope(by, statement.customer)
    day = on or timezone.localdate()
    _not_future(day, "signed_on", statement.sent_on)
    statement.signed_on = day
    transition(statement, to=StatementStatus.SIGNED, by=by, note=str(day))
    record_event("statement.signed", by=by, obj=statement.customer, summary=f"{statement.number} {day}")
    return statement
