"""Returns, exchanges and bad-debt write-offs: the list of credits, recording a return or an
exchange against a posted sale, proposing a write-off, and its approval (the manager's, or
finance's when it is small)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.receivables import selectors, services_credits
from salesdesk.receivables.forms_credits import ReturnForm, WriteOffForm
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus
from salesdesk.warehouse.selectors import outbound_get_for_user, outbound_list

AREA = {"active_area": "receivables"}
VIEW = "receivables.view_writeoffitem"


def _customer_page(customer: Customer) -> str:
    """The customer's receivables page when the ledger offers one, else the list of credits."""
    try:
        return reverse("receivables:customer-ar", args=[customer.code])
    except NoReverseMatch:
        return reverse("receivables:credit-list")


# --- the list ------------------------------------------------------------------------------


def _jump(request: HttpRequest) -> str | None:
    """The list's two small boxes: return goods of an outbound, propose a write-off for a customer."""
    outbound = request.GET.get("return_of", "").replace("\x00", "").strip()[:20]
    code = request.GET.get("write_off_for", "").replace("\x00", "").strip()[:16]
    try:
        if outbound and request.user.has_perm("receivables.record_return"):
            return reverse("receivables:return-create", args=[outbound])
        if code and request.user.has_perm("receivables.add_writeoffitem"):
            return reverse("receivables:write-off-create", args=[code])
    except NoReverseMatch:  # a slash typed into the box
        messages.error(request, _("No outbound or customer has that number."))
    return None


def credit_list(request: HttpRequest) -> HttpResponse:
    """Posted returns and write-offs, newest first, and the write-offs waiting for approval."""
    require_perm(request, VIEW)
    target = _jump(request)
    if target:
        return redirect(target)
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    credits = (
        outbound_list(user=request.user)
        # Each kind said alone: SQLite then reads each from its own partial index, while
        # `kind IN (…)` with bound values matches neither and it walked the customers' outbounds.
        .filter(
            Q(kind=OutboundKind.RETURN, status=OutboundStatus.POSTED)
            | Q(kind=OutboundKind.BAD_DEBT, status=OutboundStatus.POSTED)
        )
        .select_related("original", "agreed_by")
        .order_by("-posting_date", "-posted_at", "-id")
    )
    if q:
        credits = credits.filter(
            Q(number__icontains=q)
            | Q(original__number__icontains=q)
            | Q(customer__code__iexact=q)
            | Q(customer__name__icontains=q)
            | Q(reason__icontains=q)
        )
    pending = selectors.write_offs_pending(request.user).annotate(proposed=Sum("write_off_items__amount"))
    context = {
        **AREA,
        "page": paginate(request, credits),
        "query": query_without_page(request),
        "q": q,
        "pending": pending,
    }
    return render(request, "receivables/credit_list.html", context)


# --- returns and exchanges -------------------------------------------------------------------


def _sale_for_return(user, ref: str) -> Outbound:
    """A posted sale of the user's customers; anything else (a draft, a return, a write-off) is 404."""
    outbound = outbound_get_for_user(user=user, reference=ref)
    if outbound.kind != OutboundKind.SALE or outbound.status != OutboundStatus.POSTED or not outbound.number:
        raise Http404(_("Only a posted sales outbound can be returned."))
    return outbound


def _agreeing(customer: Customer):
    users = services_credits.agreeing_users(customer)
    return User.objects.filter(pk__in=[u.pk for u in users]).order_by("first_name", "username")


def _errors_of(exc: DomainError) -> dict[str, list]:
    return exc.errors if isinstance(exc, FieldErrors) else {exc.field or "__all__": [exc.message]}


def _place_return_errors(form: ReturnForm, exc: DomainError, sent: list, rows: list[int]) -> None:
    """Put a refusal beside the box it concerns: lines[i] is the i-th line sent, new_lines[i] the
    i-th exchange row sent."""
    boxes = {"product": "new_code", "quantity": "new_quantity", "unit_price": "new_price"}
    for key, messages_ in _errors_of(exc).items():
        target = key if key in form.fields else None
        head, _dot, attr = key.partition("].")
        if head.startswith("lines[") and head[6:].isdigit() and int(head[6:]) < len(sent):
            target = form.field_name(sent[int(head[6:])])
        elif head.startswith("new_lines[") and head[10:].isdigit() and int(head[10:]) < len(rows):
            target = f"{boxes.get(attr, 'new_quantity')}_{rows[int(head[10:])]}"
        for message in messages_:
            form.add_error(target, str(message))


def _post_return(request: HttpRequest, original: Outbound, form: ReturnForm) -> list[Outbound]:
    data = form.cleaned_data
    lines = [services_credits.ReturnLineInput(line, quantity) for line, quantity in form.return_quantities()]
    common = {
        "original": original,
        "by": request.user,
        "lines": lines,
        "reason": data["reason"],
        "agreed_by": data["agreed_by"],
        "notes": data["notes"],
    }
    if not form.new_rows:
        return [services_credits.return_post(**common)]
    new_lines = [
        services_credits.NewLineInput(product=product, quantity=quantity, unit_price=price)
        for _i, product, quantity, price in form.new_rows
    ]
    return list(services_credits.exchange_post(**common, new_lines=new_lines))


def return_create(request: HttpRequest, ref: str) -> HttpResponse:
    """销售退货 / 换货: what comes back of a posted sale, why, who agreed, and what goes instead."""
    require_perm(request, "receivables.record_return")
    original = _sale_for_return(request.user, ref)
    lines = selectors.returnable_lines(original)
    form = ReturnForm(request.POST or None, lines=lines, agreeing=_agreeing(original.customer))
    if request.method == "POST" and form.is_valid():
        try:
            posted = _post_return(request, original, form)
        except DomainError as exc:
            sent = [line for line, _quantity in form.return_quantities()]
            _place_return_errors(form, exc, sent, [row[0] for row in form.new_rows])
        else:
            if len(posted) > 1:
                text = _("Exchange posted: return %(r)s, goods sent on %(s)s.")
                messages.success(request, text % {"r": posted[0].number, "s": posted[1].number})
            else:
                messages.success(request, _("Return %(n)s posted.") % {"n": posted[0].number})
            return redirect(_customer_page(original.customer))
    earlier = Outbound.objects.filter(
        original=original, kind=OutboundKind.RETURN, status=OutboundStatus.POSTED
    ).order_by("posting_date", "id")
    context = {**AREA, "original": original, "form": form, "earlier": earlier}
    return render(request, "receivables/return_form.html", context)


# --- write-offs ------------------------------------------------------------------------------


def _place_write_off_errors(form: WriteOffForm, exc: DomainError, chosen: list) -> None:
    """items[i] is the i-th sale chosen: its refusal goes beside that sale's amount box."""
    for key, messages_ in _errors_of(exc).items():
        target = key if key in form.fields else None
        head = key.partition("].")[0]
        if head.startswith("items[") and head[6:].isdigit() and int(head[6:]) < len(chosen):
            target = form.amount_name(chosen[int(head[6:])])
        for message in messages_:
            form.add_error(target, str(message))


def write_off_create(request: HttpRequest, code: str) -> HttpResponse:
    """坏账: propose writing off what a customer will not pay; the manager (or finance, when small)
    approves it."""
    require_perm(request, "receivables.add_writeoffitem")
    customer = get_object_or_404(selectors.customers_in_scope(request.user), code=code)
    sales = selectors.open_sales(customer)
    form = WriteOffForm(request.POST or None, sales=sales)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        items = [services_credits.WriteOffInput(sale, amount) for sale, amount in chosen]
        try:
            write_off = services_credits.write_off_request(
                customer=customer, by=request.user, items=items, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _place_write_off_errors(form, exc, [sale for sale, _amount in chosen])
        else:
            proposed = _("Write-off proposed; the manager approves it, or finance within the limit.")
            messages.success(request, proposed)
            return redirect("receivables:write-off-detail", pk=write_off.pk)
    context = {
        **AREA,
        "customer": customer,
        "form": form,
        "sales": sales,
        "write_off_limit": services_credits.write_off_limit(),
    }
    return render(request, "receivables/write_off_form.html", context)


def _write_off_for(user, pk: int) -> Outbound:
    qs = Outbound.objects.filter(kind=OutboundKind.BAD_DEBT).select_related(
        "customer", "created_by", "agreed_by", "posted_by"
    )
    return get_object_or_404(scope_to_user(qs, user, "customer"), pk=pk)


def write_off_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    write_off = _write_off_for(request.user, pk)
    items = list(selectors.write_off_items(write_off))
    pending = write_off.status == OutboundStatus.DRAFT
    if pending:
        # What is open on each sale now: a sale paid meanwhile cannot be written off as proposed.
        open_now = {sale.pk: sale.open_amount for sale in selectors.open_sales(write_off.customer)}
        for item in items:
            item.open_now = open_now.get(item.sale_id, 0)
    # Approvers see the buttons, or why this one is not theirs to approve (their own, too large).
    approver = pending and services_credits.may_decide_write_offs(request.user)
    refusal = approver and services_credits.write_off_refusal(write_off=write_off, by=request.user)
    context = {
        **AREA,
        "write_off": write_off,
        "items": items,
        "proposed": sum((item.amount for item in items), 0),
        "pending": pending,
        "can_decide": approver and not refusal,
        "refusal": refusal or "",
    }
    return render(request, "receivables/write_off_detail.html", context)


def _require_approver(request: HttpRequest) -> None:
    if not services_credits.may_decide_write_offs(request.user):
        raise PermissionDenied


@require_POST
def write_off_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _require_approver(request)
    write_off = _write_off_for(request.user, pk)
    try:
        posted = services_credits.write_off_approve(write_off=write_off, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Write-off %(n)s approved and posted.") % {"n": posted.number})
    return redirect("receivables:write-off-detail", pk=write_off.pk)


@require_POST
def write_off_reject(request: HttpRequest, pk: int) -> HttpResponse:
    _require_approver(request)
    write_off = _write_off_for(request.user, pk)
    reference = write_off.reference
    try:
        services_credits.write_off_reject(
            write_off=write_off,
            by=request.user,
            reason=request.POST.get("reason", "").replace("\x00", "")[:500],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("receivables:write-off-detail", pk=write_off.pk)
    messages.success(request, _("Write-off %(n)s rejected.") % {"n": reference})
    return redirect("receivables:credit-list")
