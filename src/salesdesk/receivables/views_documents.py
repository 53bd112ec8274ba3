"""The papers that go to customers and the month's figures: invoices (发票) from due to received,
receipt slips (收据), statements (对账单) from drawn up to signed back, the month-end detail
(累计应收账款明细表) and the collection list (催款名单)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.forms import form_errors_text, show_domain_error
from salesdesk.core.pages import CutOnIds, paginate, query_without_page, require_perm, url_for_each
from salesdesk.core.people import name_of
from salesdesk.customers.models import ReceiptSeal
from salesdesk.customers.selectors import customer_get_for_user
from salesdesk.receivables import documents, selectors, services_documents, spreadsheets
from salesdesk.receivables.forms_documents import (
    CustomerCodeForm,
    DayForm,
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceMailForm,
    MonthForm,
    SlipForm,
    StatementFilterForm,
    StatementForm,
)
from salesdesk.receivables.models import Invoice, Receipt, ReceiptSlip, Statement, StatementStatus
from salesdesk.warehouse.models import OutboundKind

AREA = {"active_area": "receivables"}
VIEW_INVOICE, ADD_INVOICE, CHANGE_INVOICE = (
    "receivables.view_invoice",
    "receivables.add_invoice",
    "receivables.change_invoice",
)
VIEW_SLIP, ADD_SLIP = "receivables.view_receiptslip", "receivables.add_receiptslip"
VIEW_STATEMENT, ADD_STATEMENT, CHANGE_STATEMENT = (
    "receivables.view_statement",
    "receivables.add_statement",
    "receivables.change_statement",
)
VIEW_LEDGER = "receivables.view_receipt"
WAITING_RECEIPTS = 50  # receipts still needing a slip shown on the slip list, newest first
MONTH_END_PAGE = 100
ZERO = Decimal("0.00")
LINE_KINDS = {
    OutboundKind.SALE: OutboundKind.SALE.label,
    OutboundKind.RETURN: OutboundKind.RETURN.label,
    OutboundKind.BAD_DEBT: gettext_lazy("Write-off"),
    "receipt": gettext_lazy("Receipt"),
}


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _chosen_month(request: HttpRequest, default: dt.date) -> tuple[dt.date, MonthForm]:
    """The month of `?month=YYYY-MM`, or `default` when none or a wrong one is given."""
    if not request.GET.get("month"):
        return default, MonthForm(initial={"month": f"{default:%Y-%m}"})
    form = MonthForm(request.GET)
    if form.is_valid() and form.cleaned_data["month"]:
        return form.cleaned_data["month"], form
    return default, form


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, FieldErrors):
        return " ".join(str(m) for messages_ in exc.errors.values() for m in messages_)
    return str(exc.message)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- invoices -----------------------------------------------------------------------------


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    invoice = selectors.invoice_list(request.user).filter(pk=pk).first()
    if invoice is None:
        raise Http404(_("No such invoice."))
    return invoice


def invoice_due(request: HttpRequest) -> HttpResponse:
    """开票: who is due an invoice this month, and the invoices still on their way to customers."""
    require_perm(request, VIEW_INVOICE)
    today = timezone.localdate()
    first, form = _chosen_month(request, today.replace(day=1))
    rows = selectors.invoices_due(request.user, first.year, first.month)
    travelling = (
        selectors.invoice_list(request.user).filter(received_on__isnull=True).order_by("must_reach_by", "id")
    )
    context = {
        **AREA,
        "form": form,
        "month": first,
        "rows": rows,
        "page": paginate(request, travelling),
        "query": query_without_page(request),
        "today": today,
    }
    return render(request, "receivables/invoice_due.html", context)


def invoice_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_INVOICE)
    form = InvoiceFilterForm(request.GET or None)
    # Counted per page: the items counted for every invoice ever issued came before the cut.
    invoices = selectors.invoice_list(request.user).order_by("-issued_on", "-id")
    if form.is_bound and form.is_valid():
        q, first = form.cleaned_data["q"].strip(), form.cleaned_data["month"]
        if q:
            invoices = invoices.filter(
                Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(customer__code__iexact=q)
            )
        if first:
            invoices = invoices.filter(issued_on__gte=first, issued_on__lte=_month_end(first))
    context = {
        **AREA,
        "form": form,
        "page": paginate(request, invoices, shown=_with_item_count),
        "query": query_without_page(request),
        "today": timezone.localdate(),
    }
    return render(request, "receivables/invoice_list.html", context)


def _with_item_count(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return selectors.invoice_rows(invoices).annotate(item_count=Count("items"))


def _show_invoice_error(form: InvoiceForm, exc: DomainError) -> None:
    # The service names each refused outbound by its place in the list; the form has one field.
    if isinstance(exc, FieldErrors):
        errors = {}
        for field, found in exc.errors.items():
            key = "outbounds" if field.startswith("outbounds") else field
            errors.setdefault(key, []).extend(found)
        exc = FieldErrors(errors)
    show_domain_error(form, exc)


def invoice_create(request: HttpRequest, code: str) -> HttpResponse:
    """开票 for one customer: the posted outbounds not yet invoiced, ticked, under one number."""
    require_perm(request, VIEW_INVOICE)
    require_perm(request, ADD_INVOICE)
    customer = customer_get_for_user(user=request.user, code=code)
    form = InvoiceForm(request.POST or None, customer=customer, initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = services_documents.invoice_issue(
                customer=customer,
                by=request.user,
                number=data["number"],
                issued_on=data["issued_on"],
                outbounds=sorted(data["outbounds"], key=lambda o: (o.posting_date, o.pk)),
                must_reach_by=data["must_reach_by"],
                note=data["note"],
            )
        except DomainError as exc:
            _show_invoice_error(form, exc)
        else:
            messages.success(
                request, _("Invoice %(n)s of %(a)s recorded.") % {"n": invoice.number, "a": invoice.amount}
            )
            return redirect("receivables:invoice-detail", pk=invoice.pk)
    chosen = {str(value) for value in (form["outbounds"].value() or [])}
    context = {
        **AREA,
        "customer": customer,
        "form": form,
        "outbounds": selectors.uninvoiced_outbounds(customer),
        "chosen": chosen,
    }
    return render(request, "receivables/invoice_form.html", context)


def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_INVOICE)
    invoice = _invoice(request, pk)
    today = timezone.localdate()
    mail_form = InvoiceMailForm(
        initial={
            "carrier": invoice.carrier_id,
            "tracking_number": invoice.tracking_number,
            "mailed_on": invoice.mailed_on or today,
        }
    )
    context = {
        **AREA,
        "invoice": invoice,
        "items": invoice.items.select_related("outbound").order_by("outbound__posting_date", "id"),
        "mail_form": mail_form,
        "received_form": DayForm(label=_("received by the customer on")),
        "overdue": invoice.received_on is None and invoice.must_reach_by < today,
        "can_follow": request.user.has_perm(CHANGE_INVOICE) and invoice.received_on is None,
    }
    return render(request, "receivables/invoice_detail.html", context)


def _follow_up(request: HttpRequest, form, action, done: str, back: str) -> HttpResponse:
    """A follow-up posted from a detail page: do it or say why not, then go back there."""
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    try:
        action(form.cleaned_data)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect(back)


@require_POST
def invoice_mail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_INVOICE)
    require_perm(request, CHANGE_INVOICE)
    invoice = _invoice(request, pk)

    def mail(data: dict) -> None:
        services_documents.invoice_mail(
            invoice=invoice,
            by=request.user,
            tracking_number=data["tracking_number"],
            carrier=data["carrier"],
            mailed_on=data["mailed_on"],
        )

    done = _("Invoice %(n)s mailed.") % {"n": invoice.number}
    back = reverse("receivables:invoice-detail", args=[invoice.pk])
    return _follow_up(request, InvoiceMailForm(request.POST), mail, done, back)


@require_POST
def invoice_received(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_INVOICE)
    require_perm(request, CHANGE_INVOICE)
    invoice = _invoice(request, pk)

    def received(data: dict) -> None:
        services_documents.invoice_received(invoice=invoice, by=request.user, on=data["on"])

    done = _("Invoice %(n)s is with the customer.") % {"n": invoice.number}
    back = reverse("receivables:invoice-detail", args=[invoice.pk])
    return _follow_up(request, DayForm(request.POST), received, done, back)


# --- receipt slips ------------------------------------------------------------------------


def _usual_seal(receipt: Receipt) -> str:
    return receipt.customer.receipt_seal or ReceiptSeal.KEDI_RECEIVED


def slip_list(request: HttpRequest) -> HttpResponse:
    """收据 issued, and money from customers who take no invoice still waiting for one."""
    require_perm(request, VIEW_SLIP)
    waiting = selectors.receipt_list(request.user).filter(customer__invoice_required=False, slip__isnull=True)
    shown = CutOnIds(waiting.order_by("-received_on", "-id"), selectors.receipt_rows)[:WAITING_RECEIPTS]
    for receipt in shown:
        receipt.usual_seal = _usual_seal(receipt)
    context = {
        **AREA,
        "page": paginate(request, selectors.slip_list(request.user)),
        "query": query_without_page(request),
        "waiting": shown,
        "waiting_count": waiting.count() if len(shown) == WAITING_RECEIPTS else len(shown),
        "seals": ReceiptSeal.choices,
        "today": timezone.localdate(),
        "can_issue": request.user.has_perm(ADD_SLIP),
    }
    return render(request, "receivables/slip_list.html", context)


def slip_create(request: HttpRequest, number: str) -> HttpResponse:
    """开收据 for one receipt, stamped with the customer's usual seal unless another is chosen."""
    require_perm(request, VIEW_SLIP)
    require_perm(request, ADD_SLIP)
    receipt = selectors.receipt_list(request.user).filter(number=number).first()
    if receipt is None:
        raise Http404(_("No such receipt."))
    existing = ReceiptSlip.objects.filter(receipt=receipt).first()
    if existing is not None:
        messages.info(request, _("Receipt %(n)s already has a slip.") % {"n": receipt.number})
        return redirect("receivables:slip-detail", number=existing.number)
    initial = {"seal": _usual_seal(receipt), "issued_on": timezone.localdate()}
    form = SlipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            slip = services_documents.slip_issue(
                receipt=receipt,
                by=request.user,
                seal=form.cleaned_data["seal"],
                issued_on=form.cleaned_data["issued_on"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Receipt slip %(n)s issued.") % {"n": slip.number})
            return redirect("receivables:slip-detail", number=slip.number)
    context = {
        **AREA,
        "receipt": receipt,
        "form": form,
        "in_words": documents.amount_in_capitals(receipt.amount),
    }
    return render(request, "receivables/slip_form.html", context)


def _slip(request: HttpRequest, number: str) -> ReceiptSlip:
    slip = selectors.slip_list(request.user).filter(number=number).first()
    if slip is None:
        raise Http404(_("No such receipt slip."))
    return slip


def slip_detail(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_SLIP)
    slip = _slip(request, number)
    context = {**AREA, "slip": slip, "in_words": documents.amount_in_capitals(slip.receipt.amount)}
    return render(request, "receivables/slip_detail.html", context)


def slip_pdf(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_SLIP)
    slip = _slip(request, number)
    return _pdf(documents.slip_pdf(slip), f"slip-{slip.number}.pdf")


# --- statements ---------------------------------------------------------------------------


def _statement(request: HttpRequest, number: str) -> Statement:
    statement = selectors.statement_list(request.user).filter(number=number).first()
    if statement is None:
        raise Http404(_("No such statement."))
    return statement


def _new_statement_for(request: HttpRequest) -> HttpResponse | None:
    """The list's "new statement" box: go to the customer typed, if it is one of the user's."""
    form = CustomerCodeForm(request.GET)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return None
    code = form.cleaned_data["customer"].strip().upper()
    try:
        customer = customer_get_for_user(user=request.user, code=code)
    except Http404:
        messages.error(request, _("No customer %(c)s among yours.") % {"c": code})
        return None
    return redirect("receivables:statement-create", code=customer.code)


def statement_list(request: HttpRequest) -> HttpResponse:
    """对账单: those waiting to be sent or signed back first, then the rest, newest first."""
    require_perm(request, VIEW_STATEMENT)
    can_create = request.user.has_perm(ADD_STATEMENT)
    if can_create and request.GET.get("customer"):
        answer = _new_statement_for(request)
        if answer is not None:
            return answer
    filters = {k: v for k, v in request.GET.items() if k in {"status", "q"}}
    form = StatementFilterForm(filters or None)
    statements = selectors.statement_list(request.user).annotate(
        done=Case(
            When(status=StatementStatus.SIGNED, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    )
    if form.is_bound and form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"].strip()
        if status:
            statements = statements.filter(status=status)
        if q:
            statements = statements.filter(
                Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(customer__code__iexact=q)
            )
    statements = statements.order_by("done", "-period_to", "-id")
    context = {
        **AREA,
        "form": form,
        "new_form": CustomerCodeForm(),
        "can_create": can_create,
        "page": paginate(request, statements),
        "query": query_without_page(request),
    }
    return render(request, "receivables/statement_list.html", context)


def _labelled(view: selectors.StatementView) -> selectors.StatementView:
    for line in view.lines:
        line.kind_label = LINE_KINDS.get(line.kind, line.kind)
    return view


def statement_create(request: HttpRequest, code: str) -> HttpResponse:
    """Draw up a statement; the figures of the period chosen are shown before it is kept."""
    require_perm(request, VIEW_STATEMENT)
    require_perm(request, ADD_STATEMENT)
    customer = customer_get_for_user(user=request.user, code=code)
    first = _previous_month(timezone.localdate())
    period = {"period_from": first, "period_to": _month_end(first)}
    if request.method == "POST":
        form = StatementForm(request.POST)
    elif "period_from" in request.GET:
        form = StatementForm(request.GET)  # the figures of another period, before drawing up
    else:
        form = StatementForm(initial=period)
    if form.is_bound and form.is_valid():
        period = dict(form.cleaned_data)
        if request.method == "POST":
            try:
                statement = services_documents.statement_create(customer=customer, by=request.user, **period)
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("Statement %(n)s drawn up.") % {"n": statement.number})
                return redirect("receivables:statement-detail", number=statement.number)
    preview = None
    start, end = period["period_from"], period["period_to"]
    if (not form.is_bound or form.is_valid()) and start <= end and (end - start).days <= 366:
        preview = _labelled(selectors.statement_view(customer, start, end))
    context = {**AREA, "customer": customer, "form": form, "preview": preview}
    return render(request, "receivables/statement_form.html", context)


def statement_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The statement as drawn up, and what has changed in its period since."""
    require_perm(request, VIEW_STATEMENT)
    statement = _statement(request, number)
    live = _labelled(selectors.statement_view(statement.customer, statement.period_from, statement.period_to))
    may_follow = request.user.has_perm(CHANGE_STATEMENT)
    context = {
        **AREA,
        "statement": statement,
        "view": live,
        "opening_change": live.opening - statement.opening,
        "closing_change": live.closing - statement.closing,
        "can_send": may_follow and statement.status == StatementStatus.DRAFTED,
        "can_sign": may_follow and statement.status == StatementStatus.SENT,
        "sent_form": DayForm(label=_("sent on")),
        "signed_form": DayForm(label=_("signed back on")),
    }
    return render(request, "receivables/statement_detail.html", context)


def _statement_step(request: HttpRequest, number: str, action, done: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    require_perm(request, CHANGE_STATEMENT)
    statement = _statement(request, number)

    def step(data: dict) -> None:
        action(statement=statement, by=request.user, on=data["on"])

    back = reverse("receivables:statement-detail", args=[statement.number])
    return _follow_up(request, DayForm(request.POST), step, done % {"n": statement.number}, back)


@require_POST
def statement_sent(request: HttpRequest, number: str) -> HttpResponse:
    return _statement_step(
        request, number, services_documents.statement_mark_sent, _("Statement %(n)s sent.")
    )


@require_POST
def statement_signed(request: HttpRequest, number: str) -> HttpResponse:
    return _statement_step(
        request, number, services_documents.statement_mark_signed, _("Statement %(n)s signed back.")
    )


def statement_pdf(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    statement = _statement(request, number)
    return _pdf(documents.statement_pdf(statement), f"statement-{statement.number}.pdf")


def statement_xlsx(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    return spreadsheets.statement_xlsx_response(_statement(request, number))


# --- month-end and collection -------------------------------------------------------------

BUCKET_KEYS = [key for key, *_rest in selectors.BUCKETS]


def _month_end_rows(request: HttpRequest) -> tuple[dt.date, MonthForm, list, selectors.LedgerRow]:
    first, form = _chosen_month(request, _previous_month(timezone.localdate()))
    # Each customer as the plain row a line shows (`ledger_customers`): whole customers with
    # their salesperson and assistant, 2,000 of them, were half the month's reading.
    customers = selectors.ledger_customers(selectors.customers_in_scope(request.user))
    rows = selectors.ledger_rows(customers, first, _month_end(first))
    totals = selectors.LedgerRow(customer=None)
    for row in rows:
        totals.opening += row.opening
        totals.sales += row.sales
        totals.returns += row.returns
        totals.receipts += row.receipts
        totals.write_offs += row.write_offs
        for key in BUCKET_KEYS:
            totals.buckets[key] += row.buckets[key]
    for row in [*rows, totals]:
        row.bucket_values = [row.buckets[key] for key in BUCKET_KEYS]
    return first, form, rows, totals


def month_end(request: HttpRequest) -> HttpResponse:
    """累计应收账款明细表: each customer's month, from opening to closing, aged at month end."""
    require_perm(request, VIEW_LEDGER)
    first, form, rows, totals = _month_end_rows(request)
    page = Paginator(rows, MONTH_END_PAGE).get_page(request.GET.get("page"))
    context = {
        **AREA,
        "form": form,
        "month": first,
        "month_last": _month_end(first),
        "page": page,
        "totals": totals,
        "bucket_labels": [label for _key, label, *_rest in selectors.BUCKETS],
        "query": query_without_page(request),
    }
    return render(request, "receivables/month_end.html", context)


def month_end_xlsx(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_LEDGER)
    first, _form, rows, totals = _month_end_rows(request)
    return spreadsheets.month_end_xlsx_response(rows, totals, first)


def collection(request: HttpRequest) -> HttpResponse:
    """催款名单: who owes, how much is overdue and since when, by salesperson."""
    require_perm(request, VIEW_STATEMENT)
    today = timezone.localdate()
    can_draw_up = request.user.has_perm(ADD_STATEMENT)
    statement_page = url_for_each("receivables:statement-detail")
    new_statement = url_for_each("receivables:statement-create")
    groups = []
    for person, rows in selectors.collection_list(request.user, as_of=today).items():
        name = name_of(person)
        groups.append(
            {
                "salesperson": person,
                "name": name,
                "rows": rows,
                # Each row with its two addresses: a list of every customer who owes is long.
                "lines": [
                    (
                        row,
                        statement_page(row.last_statement.number) if row.last_statement else "",
                        new_statement(row.customer.code) if can_draw_up else "",
                    )
                    for row in rows
                ],
                "balance": sum((r.balance for r in rows), ZERO),
                "overdue": sum((r.overdue for r in rows), ZERO),
            }
        )
    groups.sort(key=lambda g: (g["salesperson"] is None, g["name"]))
    context = {**AREA, "groups": groups, "today": today}
    return render(request, "receivables/collection.html", context)
