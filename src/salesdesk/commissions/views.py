"""Commission pages (佣金): each accrual with its state and why, what would otherwise be missed,
the month's statements drawn up by the assistant, approved and paid once by finance, confirmed
with the customer by the salesperson, and a statement printed or taken as .xlsx."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.commissions import selectors, services, spreadsheets
from salesdesk.commissions.forms import (
    AccrualFilterForm,
    BuildForm,
    PayForm,
    SendBackForm,
    StatementFilterForm,
)
from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    StatementLine,
    StatementStatus,
)
from salesdesk.commissions.selectors import State
from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.forms import show_domain_error
from salesdesk.core.money import total
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.roles import Role, role_of

AREA = {"active_area": "commissions"}
VIEW_ACCRUAL = "commissions.view_commissionaccrual"
VIEW_STATEMENT = "commissions.view_commissionstatement"
ADD_STATEMENT = "commissions.add_commissionstatement"
APPROVE = "core.approve_commission"
PAY = "commissions.pay_commission"
# Whether these are so depends on the customer's payments, worked out row by row in Python.
COMPUTED_STATES = {State.WAITING, State.PAYABLE, State.CANCELLED}
# Rows of each kind on the missed page before a customer is chosen: at three years of a busy
# distributor there are two thousand, 1.3 MB of HTML, and the summary by customer says the rest.
MISSED_SHOWN = 100
DRAWING_UP_DAYS = 10  # in the first days of a month the statements drawn up are last month's
ZERO = Decimal("0.00")


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, FieldErrors):
        return " ".join(str(m) for found in exc.errors.values() for m in found)
    return str(exc.message)


# --- accruals -------------------------------------------------------------------------------


def _filter_form(form_class, request: HttpRequest):
    """The list's filter from the query string; a wrong field is shown and left out, the rest apply."""
    data = {k: v for k, v in request.GET.items() if k in form_class.base_fields}
    form = form_class(data or None)
    if form.is_bound:
        form.is_valid()
        return form, form.cleaned_data
    return form, {}


def _accruals_filtered(user, chosen: dict) -> QuerySet[CommissionAccrual]:
    accruals = selectors.accrual_list(user)
    if chosen.get("customer", "").strip():
        text = chosen["customer"].strip()
        accruals = accruals.filter(Q(customer__code__iexact=text) | Q(customer__name__icontains=text))
    if chosen.get("payee", "").strip():
        accruals = accruals.filter(payee_name__icontains=chosen["payee"].strip())
    if chosen.get("month"):
        accruals = accruals.filter(posting_date__range=(chosen["month"], _month_end(chosen["month"])))
    state = chosen.get("state")
    # Paid and on a statement are facts in the database; the other states narrow to neither.
    if state == State.PAID:
        accruals = accruals.filter(payout_item__isnull=False)
    elif state == State.ON_STATEMENT:
        accruals = accruals.filter(payout_item__isnull=True, statement_lines__active=True)
    elif state in COMPUTED_STATES:
        accruals = accruals.filter(payout_item__isnull=True).exclude(statement_lines__active=True)
    return accruals.order_by("-posting_date", "-id")


def accrual_list(request: HttpRequest) -> HttpResponse:
    """Every accrual in scope: posted, what it earns, to whom, and where it stands and why."""
    require_perm(request, VIEW_ACCRUAL)
    form, chosen = _filter_form(AccrualFilterForm, request)
    accruals = _accruals_filtered(request.user, chosen)
    state = chosen.get("state")
    if state in COMPUTED_STATES:
        # A fixed number of queries for the whole filter, then the page is cut from the list.
        rows = [a for a in selectors.with_states(selectors.lean(accruals)) if a.state == state]
        page = paginate(request, rows)
        shown = selectors.in_full(list(page.object_list), accruals)
        totals = {"count": len(rows), "amount": total(a.amount for a in rows)}
    else:
        page = paginate(request, accruals)
        shown = selectors.with_states(page.object_list)
        summed = accruals.order_by().aggregate(amount=Sum("amount"))["amount"]
        totals = {"count": page.paginator.count, "amount": summed or ZERO}
    context = {
        **AREA,
        "form": form,
        "page": page,
        "rows": shown,
        "totals": totals,
        "query": query_without_page(request),
    }
    return render(request, "commissions/accrual_list.html", context)


def missed(request: HttpRequest) -> HttpResponse:
    """What would otherwise be missed: payable but on no statement, and waiting, with why.

    Summed by customer first; the rows below are the chosen customer's, or the oldest
    `MISSED_SHOWN` of each kind when none is chosen.
    """
    require_perm(request, VIEW_ACCRUAL)
    rows = selectors.missed(request.user)
    summary = selectors.missed_by_customer(rows)
    code = request.GET.get("customer", "").strip().upper()
    if code:
        # Only a customer of the summary can be chosen, so no one learns of another's.
        rows = [a for a in rows if a.customer.code == code]
    payable = [a for a in rows if a.state == State.PAYABLE]
    waiting = [a for a in rows if a.state == State.WAITING]
    shown = None if code else MISSED_SHOWN
    whole = selectors.in_full(payable[:shown] + waiting[:shown], selectors.accrual_list(request.user))
    context = {
        **AREA,
        "summary": summary,
        "chosen": code,
        "payable": [a for a in whole if a.state == State.PAYABLE],
        "waiting": [a for a in whole if a.state == State.WAITING],
        "payable_count": len(payable),
        "waiting_count": len(waiting),
        "payable_total": total(a.amount for a in payable),
        "waiting_total": total(a.amount for a in waiting),
        "can_build": request.user.has_perm(ADD_STATEMENT),
    }
    return render(request, "commissions/missed.html", context)


# --- statements -----------------------------------------------------------------------------


def _default_month(today: dt.date) -> dt.date:
    """At month end the month just ending; in the first days of the next, the one before."""
    if today.day <= DRAWING_UP_DAYS:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return today.replace(day=1)


def _statement_list_page(request: HttpRequest, build_form: BuildForm | None) -> HttpResponse:
    form, chosen = _filter_form(StatementFilterForm, request)
    statements = selectors.statement_list(request.user).select_related("created_by", "payout")
    if chosen.get("status"):
        statements = statements.filter(status=chosen["status"])
    if chosen.get("month"):
        statements = statements.filter(month=chosen["month"])
    summed = statements.order_by().aggregate(amount=Sum("total"))["amount"]
    context = {
        **AREA,
        "form": form,
        "build_form": build_form,
        "page": paginate(request, statements.order_by("-month", "-id")),
        "total": summed or ZERO,
        "query": query_without_page(request),
    }
    return render(request, "commissions/statement_list.html", context)


def statement_list(request: HttpRequest) -> HttpResponse:
    """付佣明细: the month's statements, newest first; assistants draw up the next from here."""
    require_perm(request, VIEW_STATEMENT)
    build_form = None
    if request.user.has_perm(ADD_STATEMENT):
        build_form = BuildForm(initial={"month": f"{_default_month(timezone.localdate()):%Y-%m}"})
    return _statement_list_page(request, build_form)


@require_POST
def statement_build(request: HttpRequest) -> HttpResponse:
    """Draw up the month's statements, one per payee, from what the customers have paid for."""
    require_perm(request, VIEW_STATEMENT)
    require_perm(request, ADD_STATEMENT)
    form = BuildForm(request.POST)
    if form.is_valid():
        try:
            made = services.statements_build(month=form.cleaned_data["month"], by=request.user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            numbers = ", ".join(f"{s.number} ({s.payee_name} {s.total:,})" for s in made)
            messages.success(
                request,
                _("Statements of %(month)s drawn up and submitted to finance: %(numbers)s.")
                % {"month": f"{form.cleaned_data['month']:%Y-%m}", "numbers": numbers},
            )
            return redirect("commissions:statement-list")
    return _statement_list_page(request, form)


def _statement(request: HttpRequest, number: str) -> CommissionStatement:
    if "\x00" in number:  # PostgreSQL refuses NUL in a query: no such statement, not a server error
        raise Http404(_("No such commission statement."))
    statement = (
        selectors.statement_list(request.user)
        .select_related("created_by", "decided_by", "confirmed_by")
        .filter(number=number)
        .first()
    )
    if statement is None:
        raise Http404(_("No such commission statement."))
    return statement


def _lines(statement: CommissionStatement) -> list[StatementLine]:
    if statement.status == StatementStatus.RETURNED:
        # Sent back, its lines no longer count; the page still shows what it held.
        return list(
            statement.lines.select_related(
                "accrual", "accrual__outbound", "accrual__outbound_line__product"
            ).order_by("accrual__posting_date", "id")
        )
    return list(selectors.statement_lines(statement).order_by("accrual__posting_date", "id"))


def _payout(statement: CommissionStatement) -> CommissionPayout | None:
    return CommissionPayout.objects.filter(statement=statement).select_related("paid_by").first()


def _may_confirm(user, statement: CommissionStatement) -> bool:
    customer = statement.customer
    return role_of(user) == Role.MANAGER or user.pk in {customer.salesperson_id, customer.assistant_id}


def _detail(
    request: HttpRequest,
    statement: CommissionStatement,
    *,
    pay_form: PayForm | None = None,
    send_back_form: SendBackForm | None = None,
) -> HttpResponse:
    user, status = request.user, statement.status
    may_decide = user.has_perm(APPROVE)
    context = {
        **AREA,
        "statement": statement,
        "lines": _lines(statement),
        "payout": _payout(statement),
        "can_approve": may_decide and status == StatementStatus.SUBMITTED,
        "drew_it_up": statement.created_by_id == user.pk,
        "can_send_back": may_decide and status in {StatementStatus.SUBMITTED, StatementStatus.APPROVED},
        "can_pay": user.has_perm(PAY) and status == StatementStatus.APPROVED,
        "can_confirm": status == StatementStatus.PAID
        and statement.confirmed_at is None
        and _may_confirm(user, statement),
        "pay_form": pay_form or PayForm(),
        "send_back_form": send_back_form or SendBackForm(),
    }
    return render(request, "commissions/statement_detail.html", context)


def statement_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The statement as finance pays it and the page prints it: payee, bank, lines, total."""
    require_perm(request, VIEW_STATEMENT)
    return _detail(request, _statement(request, number))


def _done_or_said(request: HttpRequest, statement: CommissionStatement, action, done: str) -> HttpResponse:
    """Do one step on the statement, or say why not; then back to the statement either way."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done % {"n": statement.number})
    return redirect("commissions:statement-detail", number=statement.number)


@require_POST
def statement_approve(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    require_perm(request, APPROVE)
    statement = _statement(request, number)
    return _done_or_said(
        request,
        statement,
        lambda: services.statement_approve(statement=statement, by=request.user),
        _("Statement %(n)s approved; it can now be paid."),
    )


@require_POST
def statement_send_back(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    require_perm(request, APPROVE)
    statement = _statement(request, number)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        return _detail(request, statement, send_back_form=form)
    try:
        services.statement_send_back(statement=statement, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        if exc.field in form.fields:
            show_domain_error(form, exc)
            return _detail(request, statement, send_back_form=form)
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Statement %(n)s sent back; its commissions go on the next one.") % {"n": number}
        )
    return redirect("commissions:statement-detail", number=statement.number)


@require_POST
def statement_pay(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    require_perm(request, PAY)
    statement = _statement(request, number)
    form = PayForm(request.POST)
    if not form.is_valid():
        return _detail(request, statement, pay_form=form)
    try:
        payout = services.statement_pay(statement=statement, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        if exc.field in form.fields:
            show_domain_error(form, exc)
            return _detail(request, statement, pay_form=form)
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Payment of %(amount)s on statement %(n)s recorded; the salesperson tells the customer.")
            % {"amount": f"{payout.amount:,}", "n": statement.number},
        )
    return redirect("commissions:statement-detail", number=statement.number)


@require_POST
def statement_confirm(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    statement = _statement(request, number)
    return _done_or_said(
        request,
        statement,
        lambda: services.statement_confirm(statement=statement, by=request.user),
        _("Statement %(n)s confirmed with the customer."),
    )


def statement_xlsx(request: HttpRequest, number: str) -> HttpResponse:
    require_perm(request, VIEW_STATEMENT)
    statement = _statement(request, number)
    return spreadsheets.statement_xlsx_response(statement, _lines(statement), _payout(statement))
