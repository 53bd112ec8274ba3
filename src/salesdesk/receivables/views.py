"""Ledger and receipt pages: who owes what and how old it is, entering receipts and settling
sales with them, finance's tick-offs, and COD money that came back from the carriers."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.forms import form_errors_text, show_domain_error
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.roles import scope_to_user
from salesdesk.core.spreadsheets import Column, xlsx_response
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors import customer_get_for_user
from salesdesk.orders.selectors import order_get_for_user
from salesdesk.receivables import selectors, services
from salesdesk.receivables.forms import (
    AllocationMode,
    AllocationRow,
    CodReceiveForm,
    LedgerFilterForm,
    ReachedFinanceForm,
    ReceiptFilterForm,
    ReceiptForm,
    read_allocations,
)
from salesdesk.receivables.models import CodWaiting, Receipt
from salesdesk.warehouse.models import Outbound, Shipment

AREA = {"active_area": "receivables"}
VIEW = "receivables.view_receipt"
ADD = "receivables.add_receipt"
CHECK = "receivables.check_receipt"
RECENT_RECEIPTS = 10
ZERO = Decimal("0.00")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _error_text(exc: DomainError) -> str:
    """A refusal as one line, for pages that answer with a message rather than a form."""
    if isinstance(exc, FieldErrors):
        return " ".join(str(m) for messages_ in exc.errors.values() for m in messages_)
    return str(exc.message)


# --- the ledger ------------------------------------------------------------------------------


def _ledger(request: HttpRequest) -> tuple[list[selectors.LedgerRow], LedgerFilterForm]:
    """The customers in scope who owe or moved this month, filtered as the page asks."""
    customers = selectors.customers_in_scope(request.user)
    salespeople = User.objects.filter(pk__in=customers.values("salesperson")).order_by("username")
    form = LedgerFilterForm(request.GET or None, salespeople=salespeople)
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            customers = customers.filter(Q(code__icontains=q) | Q(name__icontains=q))
        if form.cleaned_data["salesperson"] is not None:
            customers = customers.filter(salesperson=form.cleaned_data["salesperson"])
    today = timezone.localdate()
    return selectors.ledger_rows(selectors.ledger_customers(customers), today.replace(day=1), today), form


def _overdue(row: selectors.LedgerRow) -> Decimal:
    return sum((v for k, v in row.buckets.items() if k != "not_due"), ZERO)


def _ledger_totals(rows: list[selectors.LedgerRow]) -> dict:
    buckets = {key: sum((r.buckets[key] for r in rows), ZERO) for key, *_rest in selectors.BUCKETS}
    return {
        "balance": sum((r.closing for r in rows), ZERO),
        "overdue": sum((_overdue(r) for r in rows), ZERO),
        "buckets": [buckets[key] for key, *_rest in selectors.BUCKETS],
        "unapplied": sum((r.unapplied for r in rows), ZERO),
    }


def ledger(request: HttpRequest) -> HttpResponse:
    """应收账款: every customer in scope who owes or moved, with aging and unapplied money."""
    require_perm(request, VIEW)
    rows, form = _ledger(request)
    page = paginate(request, rows)
    for row in page:
        row.overdue = _overdue(row)
        row.bucket_values = [row.buckets[key] for key, *_rest in selectors.BUCKETS]
    context = {
        **AREA,
        "form": form,
        "page": page,
        "totals": _ledger_totals(rows),
        "bucket_labels": [label for _key, label, *_rest in selectors.BUCKETS],
        "query": query_without_page(request),
        "today": timezone.localdate(),
    }
    return render(request, "receivables/ledger.html", context)


def ledger_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    rows, _form = _ledger(request)
    columns = [
        Column("code", "客户编号", width=10),
        Column("name", "客户名称", width=30),
        Column("salesperson", "业务员", width=10),
        Column("balance", "应收余额"),
        Column("overdue", "逾期"),
        Column("not_due", "未到期"),
        Column("d1_30", "逾期1-30天"),
        Column("d31_60", "逾期31-60天"),
        Column("d61_90", "逾期61-90天"),
        Column("over_90", "逾期90天以上"),
        Column("unapplied", "未核销预收"),
    ]

    def lines():
        for row in rows:
            yield [
                row.customer.code,
                row.customer.name,
                selectors.salesperson_name(row.customer),
                row.closing,
                _overdue(row),
                *[row.buckets[key] for key, *_rest in selectors.BUCKETS],
                row.unapplied,
            ]
        totals = _ledger_totals(rows)
        yield ["合计", "", "", totals["balance"], totals["overdue"], *totals["buckets"], totals["unapplied"]]

    day = f"{timezone.localdate():%Y-%m-%d}"
    return xlsx_response(
        filename=f"应收账款-{day}.xlsx",
        fallback_filename=f"receivables-{day}.xlsx",
        title="应收账款",
        columns=columns,
        rows=lines(),
    )


def customer_ar(request: HttpRequest, code: str) -> HttpResponse:
    """One customer's account: balance, aging, open items, money not yet applied, recent receipts."""
    require_perm(request, VIEW)
    customer = customer_get_for_user(user=request.user, code=code)
    context = {
        **AREA,
        "customer": customer,
        "ar": selectors.customer_ar(customer),
        "unapplied_receipts": selectors.receipts_with_unapplied(customer),
        "unapplied_credits": selectors.credits_with_unapplied(customer),
        "receipts": selectors.receipt_list(request.user, customer=customer)[:RECENT_RECEIPTS],
        "can_add": request.user.has_perm(ADD),
    }
    return render(request, "receivables/customer_ar.html", context)


# --- receipts --------------------------------------------------------------------------------


def receipt_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    form = ReceiptFilterForm(request.GET or None)
    receipts = selectors.receipt_list(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        receipts = selectors.receipt_list(request.user, q=data["q"].strip())
        if data["date_from"]:
            receipts = receipts.filter(received_on__gte=data["date_from"])
        if data["date_to"]:
            receipts = receipts.filter(received_on__lte=data["date_to"])
    context = {
        **AREA,
        "form": form,
        "page": paginate(request, receipts, shown=selectors.receipt_rows),
        "query": query_without_page(request),
        "can_add": request.user.has_perm(ADD),
    }
    return render(request, "receivables/receipt_list.html", context)


def _receipt_for(request: HttpRequest, number: str) -> Receipt:
    if "\x00" in number:  # PostgreSQL refuses NUL in a query: no such receipt, not a server error
        raise Http404(_("No such receipt."))
    try:
        return selectors.receipt_get_for_user(request.user, number)
    except Receipt.DoesNotExist:
        raise Http404(_("No such receipt.")) from None


def _outbounds_by_reference(user, references: list[str]) -> dict[str, Outbound]:
    """The outbounds the user may see, by the number (or D<id> of a draft) a form sent."""

    def is_draft(ref: str) -> bool:
        # D<id>; more than 18 digits is no id a database column holds
        return ref[:1] in {"D", "d"} and ref[1:].isascii() and ref[1:].isdigit() and len(ref) <= 19

    numbers = [r for r in references if not is_draft(r)]
    drafts = {int(r[1:]): r for r in references if is_draft(r)}
    found = scope_to_user(Outbound.objects.filter(Q(number__in=numbers) | Q(pk__in=drafts)), user, "customer")
    by_ref: dict[str, Outbound] = {}
    for outbound in found:
        if outbound.pk in drafts:
            by_ref[drafts[outbound.pk]] = outbound
        if outbound.number in numbers:
            by_ref[outbound.number] = outbound
    return by_ref


class _Refused(Exception):
    """The receipt form has errors of its own: nothing is sent to the service."""


def _allocation_inputs(request, form, chosen, stray) -> tuple[list[services.AllocationInput] | None, list]:
    """What the chosen mode settles, with the references in the same order (for error rows)."""
    if form.cleaned_data["mode"] != AllocationMode.CHOSEN:
        return None, []
    for message in stray:
        form.add_error(None, message)
    if stray:
        raise _Refused
    if not chosen:
        form.add_error("mode", _("Tick the sales this money settles, or let it settle the oldest first."))
        raise _Refused
    outbounds = _outbounds_by_reference(request.user, [ref for ref, _amount in chosen])
    missing = [ref for ref, _amount in chosen if ref not in outbounds]
    if missing:
        form.add_error(None, _("No such outbound: %(n)s.") % {"n": "、".join(missing)})
        raise _Refused
    inputs = [services.AllocationInput(outbounds[ref], amount) for ref, amount in chosen]
    return inputs, [ref for ref, _amount in chosen]


def _show_receipt_refusal(form, rows, references: list[str], exc: DomainError) -> None:
    """Put the service's refusal beside the field or the table row it names."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field or "__all__": [exc.message]}
    rest: dict[str, list] = {}
    by_ref = {row.sale.reference: row for row in rows}
    for key, messages_ in errors.items():
        row = None
        if key.startswith("allocations[") and "]" in key:
            index = key[len("allocations[") : key.index("]")]
            if index.isdigit() and int(index) < len(references):
                row = by_ref.get(references[int(index)])
        if row is not None:
            row.errors.extend(str(m) for m in messages_)
        elif key.startswith("allocations["):
            rest.setdefault("__all__", []).extend(messages_)
        else:
            rest.setdefault(key, []).extend(messages_)
    if rest:
        show_domain_error(form, FieldErrors(rest))


def _create_receipt(request, form: ReceiptForm, customer: Customer, rows) -> Receipt | None:
    data = form.cleaned_data
    chosen, stray = read_allocations(request.POST, rows)
    if data["mode"] != AllocationMode.CHOSEN:
        for row in rows:
            row.errors.clear()  # the boxes only count when the ticked sales are settled
    order = None
    if data["order"].strip():
        try:
            order = order_get_for_user(user=request.user, reference=data["order"].strip())
        except Http404:
            form.add_error("order", _("No such order among your customers' orders."))
    if form.errors or any(row.errors for row in rows):
        return None
    try:
        allocations, references = _allocation_inputs(request, form, chosen, stray)
    except _Refused:
        return None
    try:
        return services.receipt_create(
            customer=customer,
            by=request.user,
            amount=data["amount"],
            received_on=data["received_on"],
            method=data["method"],
            allocations=allocations,
            carrier=data["carrier"],
            order=order,
            reference=data["reference"],
            note=data["note"],
        )
    except DomainError as exc:
        _show_receipt_refusal(form, rows, references, exc)
        return None


def receipt_create(request: HttpRequest) -> HttpResponse:
    """销售收款: money received, settling the oldest sales first or the ones ticked."""
    require_perm(request, VIEW)
    require_perm(request, ADD)
    code = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    if not code:
        return render(request, "receivables/receipt_pick.html", {**AREA})
    try:
        customer = customer_get_for_user(user=request.user, code=code)
    except Http404:
        # Said on the form it was typed into, with the code kept; still a 404, and the same words
        # for a code that does not exist and one that is not the user's.
        error = _("No customer %(code)s among yours.") % {"code": code[:16]}
        context = {**AREA, "code": code[:16], "error": error}
        return render(request, "receivables/receipt_pick.html", context, status=404)
    initial = {"customer": customer.code, "received_on": timezone.localdate()}
    form = ReceiptForm(request.POST or None, initial=initial)
    rows = [AllocationRow(sale) for sale in selectors.open_sales(customer)]
    if request.method == "POST" and form.is_valid():
        receipt = _create_receipt(request, form, customer, rows)
        if receipt is not None:
            messages.success(
                request,
                _("Receipt %(n)s of %(a)s entered.") % {"n": receipt.number, "a": f"{receipt.amount:,}"},
            )
            return redirect("receivables:receipt-detail", number=receipt.number)
    elif request.method == "POST":
        read_allocations(request.POST, rows)  # keep what was ticked and typed
    context = {
        **AREA,
        "form": form,
        "customer": customer,
        "rows": rows,
        "row_errors": any(row.errors for row in rows),
        "ar": selectors.customer_ar(customer),
    }
    return render(request, "receivables/receipt_form.html", context)


def receipt_detail(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW)
    receipt = _receipt_for(request, number)
    context = {
        **AREA,
        "receipt": receipt,
        "allocations": selectors.allocations_of_receipt(receipt),
        "can_check": request.user.has_perm(CHECK),
        "reached_form": ReachedFinanceForm(initial={"on": timezone.localdate()}),
        "today": timezone.localdate(),
    }
    return render(request, "receivables/receipt_detail.html", context)


@require_POST
def receipt_check(request: HttpRequest, number: str) -> HttpResponse:
    """知会财务: finance has seen a receipt that differs or was entered late."""
    require_perm(request, VIEW)
    require_perm(request, CHECK)
    receipt = _receipt_for(request, number)
    try:
        services.receipt_mark_checked(receipt=receipt, by=request.user)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Receipt %(n)s checked.") % {"n": receipt.number})
    return redirect(_safe_next(request, reverse("receivables:receipt-detail", args=[receipt.number])))


@require_POST
def receipt_reached_finance(request: HttpRequest, number: str) -> HttpResponse:
    """消账: the money of a receipt is with finance, on the day given (today by default)."""
    require_perm(request, VIEW)
    require_perm(request, CHECK)
    receipt = _receipt_for(request, number)
    form = ReachedFinanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            services.receipt_reached_finance(receipt=receipt, by=request.user, on=form.cleaned_data["on"])
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The money of %(n)s is with finance.") % {"n": receipt.number})
    return redirect(_safe_next(request, reverse("receivables:receipt-detail", args=[receipt.number])))


# --- finance's lists and COD money -----------------------------------------------------------


def _page(request: HttpRequest, qs, param: str):
    return Paginator(qs, 50).get_page(request.GET.get(param))


def finance_list(request: HttpRequest) -> HttpResponse:
    """What finance must look at: receipts that differ or came late, money not yet with finance."""
    require_perm(request, VIEW)
    by_date = ("received_on", "id")
    to_check = selectors.receipt_rows(selectors.receipts_for_finance(request.user)).order_by(*by_date)
    not_reached = selectors.receipt_rows(selectors.receipts_not_reconciled(request.user)).order_by(*by_date)
    context = {
        **AREA,
        "to_check": _page(request, to_check, "check_page"),
        "not_reached": _page(request, not_reached, "money_page"),
        "can_check": request.user.has_perm(CHECK),
        "here": request.get_full_path(),
        "today": timezone.localdate(),
    }
    return render(request, "receivables/finance_list.html", context)


def _cod_waiting(user) -> QuerySet[Shipment]:
    """COD shipments in the user's scope whose money is not yet a receipt, bare (`_cod_rows`):
    those the database keeps waiting (`CodWaiting`).

    Only a posted sale is shipped (`shipment_record`), and a posted outbound stays posted: asked
    of the outbound as well, SQLite walked all 200,000 of them to find 225 shipments."""
    qs = Shipment.objects.filter(pk__in=CodWaiting.objects.values("shipment_id"))
    return scope_to_user(qs, user, "outbound__customer").order_by("cod_due", "shipped_on", "id")


def _cod_rows(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    return shipments.select_related("carrier", "outbound", "outbound__customer", "outbound__order")


def cod_list(request: HttpRequest) -> HttpResponse:
    """代收货款: money carriers collected that is not yet entered as a receipt, oldest due first."""
    require_perm(request, VIEW)
    today = timezone.localdate()
    context = {
        **AREA,
        "page": paginate(request, _cod_waiting(request.user), per_page=50, shown=_cod_rows),
        "query": query_without_page(request),
        "can_receive": request.user.has_perm(ADD),
        "today": today,
        "here": request.get_full_path(),
    }
    return render(request, "receivables/cod_list.html", context)


@require_POST
def cod_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick the COD money off and enter it as a receipt settling its outbound, in one step."""
    require_perm(request, VIEW)
    require_perm(request, ADD)
    shipment = _cod_rows(_cod_waiting(request.user)).filter(pk=pk).first()
    if shipment is None:
        raise Http404(_("No such COD shipment waiting for its money."))
    form = CodReceiveForm(request.POST)
    back = _safe_next(request, reverse("receivables:cod-list"))
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    try:
        receipt = services.receipt_from_cod(
            shipment=shipment,
            by=request.user,
            received_on=form.cleaned_data["received_on"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, f"{shipment.outbound.reference}: {_error_text(exc)}")
        return redirect(back)
    messages.success(
        request,
        _("COD money of %(o)s entered as receipt %(n)s.")
        % {"o": shipment.outbound.reference, "n": receipt.number},
    )
    return redirect(back)
