"""Commissions over the API: only paid outbounds reach the month's statement, finance approves
and pays it once (a retried request too), a statement sent back frees its accruals, each accrual
says why it is not payable yet, and everything stays within the user's scope — none of it
reaches the warehouse."""

# The commission fixtures are shared with tests/commissions, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pydantic_core import PydanticCustomError

from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    PayoutItem,
    StatementLine,
)
from salesdesk.commissions.schemas import _month
from salesdesk.receivables import services as receivables
from salesdesk.receivables import services_credits as credits
from tests.commissions.conftest import rebate_customer  # noqa: F401  (fixture)
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import debtor, sell  # noqa: F401  (fixtures)
from tests.warehouse.conftest import stocked  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def in_english(client):
    """The messages in English (the default language is Chinese), to read what they say."""
    client.client.cookies["django_language"] = "en"
    return client


def pay_off(sale, by) -> None:
    """The customer pays what is open on `sale`, allocated to it."""
    receivables.receipt_create(
        customer=sale.customer,
        by=by,
        amount=sale.amount,
        received_on=timezone.localdate(),
        method="transfer",
        allocations=[receivables.AllocationInput(sale)],
    )


@pytest.fixture
def two_orders(rebate_customer, product, assistant, warehouse):
    """The issue: two orders of the rebate customer, 10 and 4 × A-101; only the first is paid."""
    paid = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)
    unpaid = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    pay_off(paid, assistant)
    return paid, unpaid


def build(client) -> list[dict]:
    response = client.post("/commissions/statements", {"month": this_month()})
    assert response.status_code == 201, response.content
    return response.json()


# --- The month's statement ------------------------------------------------------------------


def test_the_months_statement_holds_only_the_paid_order(api_as, assistant, two_orders):
    paid, unpaid = two_orders

    made = build(api_as(assistant))

    (statement,) = made
    assert statement["total"] == "125.00"
    assert statement["status"] == "submitted"
    assert statement["payee_name"] == "黄先生"
    assert statement["month"] == this_month()
    assert [(line["outbound"], line["quantity"], line["amount"]) for line in statement["lines"]] == [
        (paid.number, "10.000", "125.00")
    ]
    assert StatementLine.objects.get().accrual.outbound_id == paid.pk
    detail = api_as(assistant).get(f"/commissions/statements/{statement['number']}").json()
    assert detail["lines"] == statement["lines"]
    assert detail["payout"] is None
    assert not StatementLine.objects.filter(accrual__outbound=unpaid).exists()


def test_nothing_payable_is_refused_on_the_month_and_makes_nothing(
    api_as, assistant, rebate_customer, product, warehouse
):
    sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)  # not paid
    client = api_as(assistant)

    refused = client.post("/commissions/statements", {"month": this_month()})

    assert refused.status_code == 400, refused.content
    assert fields_of(refused) == ["month"]
    assert not CommissionStatement.objects.exists()


@pytest.mark.parametrize(
    ("month", "status"),
    [
        pytest.param("2026-13", 422, id="no such month"),
        pytest.param("2026-3", 422, id="one digit"),
        pytest.param("2026-03-01", 422, id="a day, not a month"),
        pytest.param(202603, 422, id="a number"),
        pytest.param("2100-01", 400, id="not begun"),
    ],
)
def test_a_bad_month_is_refused_on_the_month(api_as, assistant, two_orders, month, status):
    response = api_as(assistant).post("/commissions/statements", {"month": month})

    assert response.status_code == status, response.content
    assert fields_of(response) == ["month"]
    assert not CommissionStatement.objects.exists()


def test_finance_cannot_draw_up_statements(api_as, finance, two_orders):
    assert api_as(finance).post("/commissions/statements", {"month": this_month()}).status_code == 403
    assert not CommissionStatement.objects.exists()


# --- Approval and payment -------------------------------------------------------------------


def test_finance_approves_and_pays_once_and_a_retry_is_answered_the_same(
    api_as, assistant, salesperson, finance, two_orders
):
    paid, unpaid = two_orders
    pay_off(unpaid, assistant)  # both paid: the statement pays two accruals
    (statement,) = build(api_as(assistant))
    number = statement["number"]
    assert statement["total"] == "175.00"
    cashier = in_english(api_as(finance))

    approved = cashier.post(f"/commissions/statements/{number}/approve")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "finance")

    body = {"paid_on": timezone.localdate().isoformat(), "reference": "工行 001"}
    first = cashier.post(f"/commissions/statements/{number}/pay", body, **{"Idempotency-Key": "pay-1"})
    again = cashier.post(f"/commissions/statements/{number}/pay", body, **{"Idempotency-Key": "pay-1"})

    assert first.status_code == again.status_code == 200, first.content
    assert again.content == first.content
    assert again["Idempotent-Replay"] == "true"
    assert first.json()["status"] == "paid"
    assert first.json()["payout"]["amount"] == "175.00"
    assert first.json()["payout"]["reference"] == "工行 001"
    assert first.json()["payout"]["paid_by"] == "finance"
    assert CommissionPayout.objects.count() == 1

    retried = cashier.post(f"/commissions/statements/{number}/pay", body, **{"Idempotency-Key": "pay-2"})

    assert retried.status_code == 409, retried.content
    assert "already paid" in retried.json()["detail"]
    assert CommissionPayout.objects.count() == 1
    accruals = sorted(CommissionAccrual.objects.values_list("pk", flat=True))
    assert len(accruals) == 2
    assert sorted(PayoutItem.objects.values_list("accrual_id", flat=True)) == accruals

    confirmed = api_as(salesperson).post(f"/commissions/statements/{number}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["confirmed_by"] == "sales"
    assert api_as(salesperson).post(f"/commissions/statements/{number}/confirm").status_code == 409


def test_whoever_drew_up_a_statement_cannot_approve_it(api_as, manager, assistant, two_orders):
    (statement,) = build(api_as(manager))  # the manager may both draw up and approve, not both at once
    number = statement["number"]

    by_creator = api_as(manager).post(f"/commissions/statements/{number}/approve")
    by_assistant = api_as(assistant).post(f"/commissions/statements/{number}/approve")

    assert by_creator.status_code == 403, by_creator.content
    assert by_assistant.status_code == 403, by_assistant.content
    assert CommissionStatement.objects.get().status == "submitted"


def test_an_unapproved_statement_is_not_paid_and_bad_payments_are_refused_on_their_field(
    api_as, assistant, finance, two_orders
):
    (statement,) = build(api_as(assistant))
    pay = f"/commissions/statements/{statement['number']}/pay"
    cashier = api_as(finance)

    assert cashier.post(pay, {"reference": "工行 001"}).status_code == 409
    cashier.post(f"/commissions/statements/{statement['number']}/approve")
    future = cashier.post(pay, {"paid_on": "2099-01-01", "reference": "工行 001"})
    blank = cashier.post(pay, {"reference": "  "})
    assistant_pays = api_as(assistant).post(pay, {"reference": "工行 001"})

    assert (future.status_code, fields_of(future)) == (400, ["paid_on"])
    assert (blank.status_code, fields_of(blank)) == (422, ["reference"])
    assert assistant_pays.status_code == 403
    assert not CommissionPayout.objects.exists() and not PayoutItem.objects.exists()


def test_a_statement_sent_back_frees_its_accruals_for_the_next_one(api_as, assistant, finance, two_orders):
    paid, _unpaid = two_orders
    client = api_as(assistant)
    (first,) = build(client)

    no_reason = api_as(finance).post(f"/commissions/statements/{first['number']}/send-back", {"reason": ""})
    sent_back = api_as(finance).post(
        f"/commissions/statements/{first['number']}/send-back", {"reason": "收款账号有误"}
    )

    assert (no_reason.status_code, fields_of(no_reason)) == (422, ["reason"])
    assert sent_back.status_code == 200, sent_back.content
    assert (sent_back.json()["status"], sent_back.json()["return_reason"]) == ("returned", "收款账号有误")
    assert [line["outbound"] for line in sent_back.json()["lines"]] == [paid.number]  # what it held
    payable = client.get("/commissions/accruals", {"status": "payable"}).json()
    assert [(row["outbound"], row["statement"]) for row in payable["items"]] == [(paid.number, None)]

    (second,) = build(client)

    assert second["number"] != first["number"]
    assert [line["outbound"] for line in second["lines"]] == [paid.number]
    assert second["total"] == "125.00"
    assert api_as(finance).post(f"/commissions/statements/{first['number']}/approve").status_code == 409


# --- Accruals and their states --------------------------------------------------------------


def test_the_waiting_accrual_of_the_unpaid_order_says_why(api_as, assistant, two_orders):
    paid, unpaid = two_orders
    client = api_as(assistant)

    waiting = client.get("/commissions/accruals", {"status": "waiting"}).json()

    assert waiting["count"] == 1
    (row,) = waiting["items"]
    assert (row["outbound"], row["amount"], row["state"], row["statement"]) == (
        unpaid.number,
        "50.00",
        "waiting",
        None,
    )
    assert unpaid.number in row["reason"] and str(unpaid.amount) in row["reason"]
    english = in_english(client).get("/commissions/accruals", {"status": "waiting"}).json()
    assert "still unpaid" in english["items"][0]["reason"]
    assert [
        r["outbound"] for r in client.get("/commissions/accruals", {"status": "payable"}).json()["items"]
    ] == [paid.number]

    (statement,) = build(client)
    on_statement = client.get("/commissions/accruals", {"status": "on_statement"}).json()["items"]
    everything = client.get("/commissions/accruals").json()

    assert [(r["outbound"], r["statement"]) for r in on_statement] == [(paid.number, statement["number"])]
    assert client.get("/commissions/accruals", {"status": "payable"}).json()["count"] == 0
    assert client.get("/commissions/accruals", {"status": "paid"}).json()["count"] == 0
    assert everything["count"] == 2
    assert {r["outbound"]: r["state"] for r in everything["items"]} == {
        paid.number: "on_statement",
        unpaid.number: "waiting",
    }
    missed = client.get("/commissions/missed").json()
    assert [(r["outbound"], r["state"]) for r in missed["items"]] == [(unpaid.number, "waiting")]


def test_the_accruals_filter_by_customer_and_month_and_refuse_an_unknown_state(
    api_as, assistant, rebate_customer, two_orders
):
    client = api_as(assistant)

    assert client.get("/commissions/accruals", {"customer": rebate_customer.code}).json()["count"] == 2
    assert client.get("/commissions/accruals", {"customer": "GS99999"}).json()["count"] == 0
    assert client.get("/commissions/accruals", {"month": this_month()}).json()["count"] == 2
    assert client.get("/commissions/accruals", {"month": "2020-01"}).json()["count"] == 0
    bad_state = client.get("/commissions/accruals", {"status": "lost"})
    bad_month = client.get("/commissions/accruals", {"month": "2020-1"})
    assert (bad_state.status_code, fields_of(bad_state)) == (422, ["status"])
    assert (bad_month.status_code, fields_of(bad_month)) == (422, ["month"])


def test_the_statements_filter_by_status_and_month(api_as, assistant, finance, two_orders):
    client = api_as(assistant)
    (statement,) = build(client)

    submitted = client.get("/commissions/statements", {"status": "submitted"}).json()
    paid = client.get("/commissions/statements", {"status": "paid"}).json()
    this = client.get("/commissions/statements", {"month": this_month()}).json()
    earlier = client.get("/commissions/statements", {"month": "2020-01"}).json()

    assert [row["number"] for row in submitted["items"]] == [statement["number"]]
    assert submitted["items"][0]["total"] == "125.00"
    assert (paid["count"], this["count"], earlier["count"]) == (0, 1, 0)


# --- Scope ------------------------------------------------------------------------------------


def test_another_assistant_sees_none_of_it_and_gets_404(
    api_as, assistant, other_assistant, finance, two_orders
):
    (statement,) = build(api_as(assistant))
    number = statement["number"]
    outsider = api_as(other_assistant)

    assert outsider.get(f"/commissions/statements/{number}").status_code == 404
    assert outsider.post(f"/commissions/statements/{number}/confirm").status_code == 404
    assert outsider.post(f"/commissions/statements/{number}/send-back", {"reason": "x"}).status_code == 404
    assert outsider.get("/commissions/statements").json() == {"count": 0, "items": []}
    assert outsider.get("/commissions/accruals").json() == {"count": 0, "items": []}
    assert outsider.get("/commissions/missed").json() == {"count": 0, "items": []}
    assert outsider.post("/commissions/statements", {"month": this_month()}).status_code == 400
    assert CommissionStatement.objects.count() == 1
    assert CommissionStatement.objects.get().status == "submitted"
    assert api_as(finance).get(f"/commissions/statements/{number}").status_code == 200


def test_the_warehouse_is_refused_every_commission_read_and_write(api_as, assistant, warehouse, two_orders):
    (statement,) = build(api_as(assistant))
    number = statement["number"]
    client = api_as(warehouse)
    reads = [
        "/commissions/accruals",
        "/commissions/accruals?status=waiting",
        "/commissions/accruals?status=payable",
        "/commissions/missed",
        "/commissions/statements",
        f"/commissions/statements/{number}",
    ]
    writes = [
        ("/commissions/statements", {"month": this_month()}),
        (f"/commissions/statements/{number}/approve", None),
        (f"/commissions/statements/{number}/send-back", {"reason": "x"}),
        (f"/commissions/statements/{number}/pay", {"reference": "x"}),
        (f"/commissions/statements/{number}/confirm", None),
    ]

    for path in reads:
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"125" not in response.content and "黄先生".encode() not in response.content
    for path, body in writes:
        assert client.post(path, body).status_code == 403, path
    assert CommissionStatement.objects.get().status == "submitted"
    assert CommissionStatement.objects.count() == 1


# --- Queries ----------------------------------------------------------------------------------


def sales_and_returns(n: int, customer, product, assistant, warehouse, salesperson) -> None:
    """`n` unpaid sales of 4 × A-101, then a return of one unit of each: waiting accruals and
    their clawbacks, the clawbacks newest."""
    sales = [sell(customer, product, "4", by=assistant, warehouse=warehouse) for _ in range(n)]
    for sale in sales:
        credits.return_post(
            original=sale,
            by=assistant,
            lines=[credits.ReturnLineInput(sale.lines.get(), Decimal("1"))],
            reason="破损",
            agreed_by=salesperson,
        )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("/commissions/accruals", {}, id="accruals"),
        pytest.param("/commissions/accruals", {"status": "waiting"}, id="waiting"),
        pytest.param("/commissions/missed", {}, id="missed"),
    ],
)
def test_an_accrual_list_takes_as_many_queries_for_many_rows_as_for_one(
    api_as,
    assistant,
    warehouse,
    salesperson,
    rebate_customer,
    product,
    path,
    params,
    django_assert_num_queries,
):
    client = api_as(assistant)
    sales_and_returns(1, rebate_customer, product, assistant, warehouse, salesperson)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path, params).json()["count"] == 2
    sales_and_returns(2, rebate_customer, product, assistant, warehouse, salesperson)

    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(path, params).json()["count"] == 6


def test_a_page_of_clawbacks_takes_as_many_queries_for_many_as_for_one(
    api_as, assistant, warehouse, salesperson, rebate_customer, product, django_assert_num_queries
):
    # Newest first, a page of `limit` rows holds the returns, not the sales they take back from.
    client = api_as(assistant)
    sales_and_returns(1, rebate_customer, product, assistant, warehouse, salesperson)
    with CaptureQueriesContext(connection) as one:
        (row,) = client.get("/commissions/accruals", {"limit": 1}).json()["items"]
    assert (row["amount"], row["state"]) == ("-12.50", "waiting")
    sales_and_returns(3, rebate_customer, product, assistant, warehouse, salesperson)

    with django_assert_num_queries(len(one.captured_queries)):
        rows = client.get("/commissions/accruals", {"limit": 3}).json()["items"]
    assert [r["amount"] for r in rows] == ["-12.50"] * 3
    assert all(r["takes_back"] and r["reason"] for r in rows)


def test_the_statement_list_takes_as_many_queries_for_many_rows_as_for_one(
    api_as,
    assistant,
    manager,
    finance,
    warehouse,
    two_orders,
    rebate_customer,
    product,
    django_assert_num_queries,
):
    client = api_as(assistant)
    (first,) = build(client)
    api_as(finance).post(f"/commissions/statements/{first['number']}/approve")
    api_as(finance).post(f"/commissions/statements/{first['number']}/pay", {"reference": "工行 001"})
    with CaptureQueriesContext(connection) as one:
        assert client.get("/commissions/statements").json()["count"] == 1
    queries = len(one.captured_queries)  # read now: the next request clears the log
    pay_off(sell(rebate_customer, product, "2", by=assistant, warehouse=warehouse), assistant)
    (second,) = build(api_as(manager))
    api_as(finance).post(f"/commissions/statements/{second['number']}/approve")
    api_as(finance).post(f"/commissions/statements/{second['number']}/pay", {"reference": "工行 002"})

    with django_assert_num_queries(queries):
        listed = client.get("/commissions/statements").json()
    assert [row["payout"]["reference"] for row in listed["items"]] == ["工行 002", "工行 001"]


@pytest.mark.parametrize(
    "month", ["2026-03", "2000-01", "2100-12", "2026-13", "2026-00", "2026-80", "1999-12", "2101-01"]
)
def test_the_documented_month_pattern_takes_what_the_server_takes(client, month):
    pattern = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["BuildIn"]["properties"][
        "month"
    ]
    try:
        _month(month)
        taken = True
    except PydanticCustomError:
        taken = False

    assert bool(re.fullmatch(pattern["pattern"], month)) is taken
