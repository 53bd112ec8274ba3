"""Commissions over the JSON API (v1): accruals with their state and why, what would otherwise
be missed, the month's statements per payee, their approval, sending back, payment and the
salesperson's confirmation.

Reading needs the commission view permissions, so the warehouse, which sees no money, answers
403 everywhere. Writes are one service call each and enforce their own rules (who approves,
who pays, paid once). Scope comes from the selectors: a statement of someone else's customer
answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from salesdesk.commissions import selectors, services
from salesdesk.commissions.models import CommissionAccrual, CommissionStatement, StatementLine
from salesdesk.commissions.schemas import (
    STATEMENT_NUMBER,
    AccrualPage,
    AccrualQuery,
    BuildIn,
    CommissionStatementDetailOut,
    CommissionStatementPage,
    CommissionStatementQuery,
    MissedQuery,
    PayIn,
    SendBackIn,
)
from salesdesk.commissions.selectors import State
from salesdesk.core.api import fields_as_sent, links, require
from salesdesk.core.schemas import ERRORS, PageQuery, username_of

router = Router(tags=["commissions"])

StatementNumber = Path(..., pattern=STATEMENT_NUMBER, max_length=20)

VIEW_ACCRUALS = "commissions.view_commissionaccrual"
VIEW_STATEMENTS = "commissions.view_commissionstatement"


def _found(qs: QuerySet, **lookup: Any) -> Any:
    row = qs.filter(**lookup).first()
    if row is None:
        raise Http404(_("Not found."))
    return row


# --- Accruals -------------------------------------------------------------------------------


def _accruals(request: HttpRequest) -> QuerySet[CommissionAccrual]:
    live = StatementLine.objects.filter(active=True).select_related("statement")
    return (
        selectors.accrual_list(request.user)
        .select_related("original__outbound")
        .prefetch_related(Prefetch("statement_lines", queryset=live, to_attr="live_lines"))
    )


def _accrual_out(accrual: CommissionAccrual) -> dict[str, Any]:
    live = getattr(accrual, "live_lines", None) or []
    product = accrual.outbound_line.product
    return {
        "id": accrual.pk,
        "outbound": accrual.outbound.number,
        "posting_date": accrual.posting_date,
        "customer": accrual.customer.code,
        "customer_name": accrual.customer.name,
        "salesperson": username_of(accrual.salesperson),
        "product": product.model_code,
        "product_name": product.name,
        "quantity": accrual.quantity,
        "rebate_unit_price": accrual.rebate_unit_price,
        "amount": accrual.amount,
        "takes_back": accrual.original.outbound.number if accrual.original_id else None,
        "payee_name": accrual.payee_name,
        "payee_bank": accrual.payee_bank,
        "payee_account": accrual.payee_account,
        "state": accrual.state,
        "state_label": str(accrual.state_label),
        "reason": accrual.reason,
        "statement": live[0].statement.number if live else None,
    }


def _page_of_states(rows: QuerySet[CommissionAccrual], page: PageQuery) -> dict[str, Any]:
    """One page of accruals with their states, computed for that page only."""
    window = rows[page.offset : page.offset + page.limit]
    return {"count": rows.count(), "items": [_accrual_out(a) for a in selectors.with_states(window)]}


def _page_of_list(
    rows: list[CommissionAccrual], page: PageQuery, accruals: QuerySet[CommissionAccrual]
) -> dict[str, Any]:
    """One page of `rows`, read lean with their states, read whole from `accruals`."""
    window = selectors.in_full(rows[page.offset : page.offset + page.limit], accruals)
    return {"count": len(rows), "items": [_accrual_out(a) for a in window]}


@router.get("/commissions/accruals", response={200: AccrualPage, **ERRORS})
def accrual_list(request: HttpRequest, query: Query[AccrualQuery]):
    """Commission accrued on the user's customers' outbounds, newest first, each with its state.

    `waiting` ones say why (what of the outbound is still unpaid). Paid and on-statement are
    filtered in the database; waiting, payable and cancelled follow from the settlement of
    the outbound, so they are worked out for the accruals neither paid nor on a statement.
    """
    require(request, VIEW_ACCRUALS)
    rows = _accruals(request).order_by("-posting_date", "-id")
    if query.customer:
        rows = rows.filter(customer__code=query.customer.upper())
    if query.month:
        first = query.month
        rows = rows.filter(
            posting_date__gte=first, posting_date__lt=(first + dt.timedelta(days=32)).replace(day=1)
        )
    if query.status == State.PAID:
        return _page_of_states(rows.filter(payout_item__isnull=False), query)
    if query.status == State.ON_STATEMENT:
        return _page_of_states(rows.filter(payout_item__isnull=True, statement_lines__active=True), query)
    if query.status:
        free = rows.filter(payout_item__isnull=True).exclude(statement_lines__active=True)
        matching = [a for a in selectors.with_states(selectors.lean(free)) if a.state == query.status]
        return _page_of_list(matching, query, free)
    return _page_of_states(rows, query)


@router.get("/commissions/missed", response={200: AccrualPage, **ERRORS})
def missed_list(request: HttpRequest, query: Query[MissedQuery]):
    """What would otherwise be forgotten (漏付): payable but on no statement, and those still
    waiting with the reason, oldest first."""
    require(request, VIEW_ACCRUALS)
    missed = selectors.missed(request.user)
    if query.customer:
        missed = [a for a in missed if a.customer.code == query.customer.upper()]
    return _page_of_list(missed, query, _accruals(request))


# --- Statements -----------------------------------------------------------------------------


def _statements(request: HttpRequest) -> QuerySet[CommissionStatement]:
    lines = StatementLine.objects.select_related(
        "accrual__outbound", "accrual__outbound_line__product", "accrual__original__outbound"
    ).order_by("id")
    return (
        selectors.statement_list(request.user)
        .select_related("created_by", "decided_by", "confirmed_by", "payout__paid_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def _payout_out(statement: CommissionStatement) -> dict[str, Any] | None:
    payout = getattr(statement, "payout", None)
    if payout is None:
        return None
    return {
        "paid_on": payout.paid_on,
        "reference": payout.reference,
        "amount": payout.amount,
        "paid_by": username_of(payout.paid_by),
        "created_at": payout.created_at,
    }


def _statement_out(statement: CommissionStatement) -> dict[str, Any]:
    return {
        "number": statement.number,
        "month": f"{statement.month:%Y-%m}",
        "customer": statement.customer.code,
        "customer_name": statement.customer.name,
        "payee_name": statement.payee_name,
        "payee_bank": statement.payee_bank,
        "payee_account": statement.payee_account,
        "total": statement.total,
        "status": statement.status,
        "status_label": statement.get_status_display(),
        "created_by": username_of(statement.created_by),
        "created_at": statement.created_at,
        "decided_by": username_of(statement.decided_by),
        "decided_at": statement.decided_at,
        "return_reason": statement.return_reason,
        "payout": _payout_out(statement),
        "confirmed_by": username_of(statement.confirmed_by),
        "confirmed_at": statement.confirmed_at,
    }


def _statement_detail(statement: CommissionStatement) -> dict[str, Any]:
    # Every line, active or not: a statement's lines go inactive together, when it is sent back.
    lines = []
    for line in statement.lines.all():
        accrual = line.accrual
        product = accrual.outbound_line.product
        lines.append(
            {
                "accrual": accrual.pk,
                "outbound": accrual.outbound.number,
                "posting_date": accrual.posting_date,
                "product": product.model_code,
                "product_name": product.name,
                "quantity": accrual.quantity,
                "rebate_unit_price": accrual.rebate_unit_price,
                "amount": accrual.amount,
                "takes_back": accrual.original.outbound.number if accrual.original_id else None,
            }
        )
    return {**_statement_out(statement), "payee_id_number": statement.payee_id_number, "lines": lines}


def _to_statement(status: int, field: str) -> dict[str, Any]:
    by_number = {"number": field}
    return links(
        status,
        commissions_api_statement_detail=by_number,
        commissions_api_statement_approve=by_number,
        commissions_api_statement_send_back=by_number,
    )


@router.get(
    "/commissions/statements",
    response={200: CommissionStatementPage, **ERRORS},
    openapi_extra=_to_statement(200, "items/0/number"),
)
def statement_list(request: HttpRequest, query: Query[CommissionStatementQuery]):
    """付佣明细 of the user's customers, the latest month first."""
    require(request, VIEW_STATEMENTS)
    statements = _statements(request).prefetch_related(None)  # the list shows no lines
    if query.customer:
        statements = statements.filter(customer__code=query.customer.upper())
    if query.status:
        statements = statements.filter(status=query.status)
    if query.month:
        statements = statements.filter(month=query.month)
    count = statements.count()
    window = statements[query.offset : query.offset + query.limit]
    return {"count": count, "items": [_statement_out(s) for s in window]}


@router.post(
    "/commissions/statements",
    response={201: list[CommissionStatementDetailOut], **ERRORS},
    openapi_extra=_to_statement(201, "0/number"),
)
def statement_build(request: HttpRequest, payload: BuildIn):
    """月底整理付佣明细: one statement per payee of what is payable by the month's end, submitted
    to finance. Nothing payable is refused on `month`."""
    require(request, "commissions.add_commissionstatement")
    with fields_as_sent():
        made = services.statements_build(month=payload.month, by=request.user)
    statements = _statements(request).filter(pk__in=[s.pk for s in made]).order_by("number")
    return Status(201, [_statement_detail(s) for s in statements])


@router.get("/commissions/statements/{number}", response={200: CommissionStatementDetailOut, **ERRORS})
def statement_detail(request: HttpRequest, number: str = StatementNumber):
    """A statement with the accruals it pays and, once paid, the payment."""
    require(request, VIEW_STATEMENTS)
    return _statement_detail(_found(_statements(request), number=number))


@router.post(
    "/commissions/statements/{number}/approve",
    response={200: CommissionStatementDetailOut, **ERRORS},
    openapi_extra=links(200, commissions_api_statement_pay={"number": "number"}),
)
def statement_approve(request: HttpRequest, number: str = StatementNumber):
    """财务审核: finance — never whoever drew the statement up — approves it for payment."""
    require(request, VIEW_STATEMENTS)
    statement = _found(_statements(request), number=number)
    services.statement_approve(statement=statement, by=request.user)
    return _statement_detail(_found(_statements(request), number=number))


@router.post(
    "/commissions/statements/{number}/send-back", response={200: CommissionStatementDetailOut, **ERRORS}
)
def statement_send_back(request: HttpRequest, payload: SendBackIn, number: str = StatementNumber):
    """退回: finance sends the statement back, saying why; its accruals go on the next one."""
    require(request, VIEW_STATEMENTS)
    statement = _found(_statements(request), number=number)
    with fields_as_sent():
        services.statement_send_back(statement=statement, by=request.user, reason=payload.reason)
    return _statement_detail(_found(_statements(request), number=number))


@router.post(
    "/commissions/statements/{number}/pay",
    response={200: CommissionStatementDetailOut, **ERRORS},
    openapi_extra=links(200, commissions_api_statement_confirm={"number": "number"}),
)
def statement_pay(request: HttpRequest, payload: PayIn, number: str = StatementNumber):
    """付佣: finance records the payment of an approved statement. It is paid once: a second
    request answers 409, and each accrual can be paid only once in the database too."""
    require(request, VIEW_STATEMENTS)
    statement = _found(_statements(request), number=number)
    with fields_as_sent():
        services.statement_pay(
            statement=statement,
            by=request.user,
            paid_on=payload.paid_on or timezone.localdate(),
            reference=payload.reference,
        )
    return _statement_detail(_found(_statements(request), number=number))


@router.post(
    "/commissions/statements/{number}/confirm", response={200: CommissionStatementDetailOut, **ERRORS}
)
def statement_confirm(request: HttpRequest, number: str = StatementNumber):
    """The customer's salesperson (or assistant) confirmed with the customer that the money came."""
    require(request, VIEW_STATEMENTS)
    statement = _found(_statements(request), number=number)
    services.statement_confirm(statement=statement, by=request.user)
    return _statement_detail(_found(_statements(request), number=number))
