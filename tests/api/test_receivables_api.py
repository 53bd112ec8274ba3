"""Receivables over the API: balances as the selectors compute them, receipts that settle only
posted sales, invoices, statements, returns and write-offs, each within the user's scope."""

# The receivables fixtures are shared with tests/receivables, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.core.roles import Role
from salesdesk.customers.models import Customer
from salesdesk.receivables import selectors, services, services_documents
from salesdesk.receivables.models import Allocation, Invoice, PaymentMethod, Receipt
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus, StockLevel
from tests.conftest import make_user
from tests.orders.conftest import customer, other_product, pickup_order, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import debtor, sell  # noqa: F401  (fixtures)
from tests.warehouse.conftest import released, stocked  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


FIRST, SECOND = 75, 40  # days ago; before the agreed prices: A-101 at 380, B-220 at 265


@pytest.fixture
def two_sales(debtor, product, other_product, assistant, warehouse, manager):
    """10 × A-101 = 3800.00 posted 75 days ago, 5 × B-220 = 1325.00 posted 40 days ago."""
    first = sell(
        debtor, product, "10", by=assistant, warehouse=warehouse, day=days_ago(FIRST), approver=manager
    )
    second = sell(
        debtor, other_product, "5", by=assistant, warehouse=warehouse, day=days_ago(SECOND), approver=manager
    )
    assert (first.amount, second.amount) == (Decimal("3800.00"), Decimal("1325.00"))
    return first, second


def receipt_body(customer, amount: str, **fields) -> dict:
    return {
        "customer": customer.code,
        "received_on": today().isoformat(),
        "amount": amount,
        "method": PaymentMethod.TRANSFER,
        **fields,
    }


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


# --- The customer's receivables ---------------------------------------------------------------


def test_the_ar_answer_carries_the_figures_of_the_selector(api_as, assistant, debtor, two_sales):
    services.receipt_create(
        customer=debtor,
        by=assistant,
        amount="1000",
        received_on=today(),
        method=PaymentMethod.CASH,
        note="先付一部分",
    )
    expected = selectors.customer_ar(debtor)

    response = api_as(assistant).get(f"/customers/{debtor.code}/ar")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["balance"] == str(expected.balance) == "4125.00"
    assert body["overdue"] == str(expected.overdue) == "4125.00"
    assert body["unapplied"] == str(expected.unapplied) == "0.00"
    assert {b["key"]: b["amount"] for b in body["buckets"]} == {
        key: str(amount) for key, amount in expected.buckets.items()
    }
    assert [b["key"] for b in body["buckets"]] == ["not_due", "d1_30", "d31_60", "d61_90", "over_90"]
    first, second = two_sales
    assert [(i["number"], i["settled"], i["open"], i["days_overdue"]) for i in body["open_items"]] == [
        (first.number, "1000.00", "2800.00", 45),
        (second.number, "0.00", "1325.00", 10),
    ]
    assert [(s.number, str(s.open_amount)) for s in expected.open_items] == [
        (i["number"], i["open"]) for i in body["open_items"]
    ]


def test_the_ar_as_of_an_earlier_day_leaves_out_what_came_later(api_as, finance, debtor, two_sales):
    response = api_as(finance).get(
        f"/customers/{debtor.code}/ar", {"as_of": days_ago(SECOND + 1).isoformat()}
    )

    assert response.status_code == 200
    assert response.json()["balance"] == "3800.00"
    assert response.json()["overdue"] == "3800.00"


# --- Receipts -------------------------------------------------------------------------------


def test_a_receipt_without_allocations_settles_the_oldest_sales_first(api_as, assistant, debtor, two_sales):
    first, second = two_sales

    response = api_as(assistant).post("/receipts", receipt_body(debtor, "4300", note="第二张部分付款"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert [(a["outbound"], a["amount"]) for a in body["allocations"]] == [
        (first.number, "3800.00"),
        (second.number, "500.00"),
    ]
    assert body["difference"] == "-825.00"
    assert body["unapplied"] == "0.00"
    receipt = Receipt.objects.get(number=body["number"])
    assert sorted(receipt.allocations.values_list("sale__number", "amount")) == [
        (first.number, Decimal("3800.00")),
        (second.number, Decimal("500.00")),
    ]
    assert selectors.balance(debtor) == Decimal("825.00")


def test_a_receipt_settles_the_outbounds_it_names_in_the_amounts_given(api_as, assistant, debtor, two_sales):
    first, second = two_sales
    body = receipt_body(
        debtor,
        "1325",
        allocations=[{"outbound": second.number}],
    )

    response = api_as(assistant).post("/receipts", body)

    assert response.status_code == 201, response.content
    assert [(a["outbound"], a["amount"]) for a in response.json()["allocations"]] == [
        (second.number, "1325.00")
    ]
    assert response.json()["difference"] == "0.00"
    assert not Allocation.objects.filter(sale=first).exists()

    part = api_as(assistant).post(
        "/receipts",
        receipt_body(debtor, "500", note="部分", allocations=[{"outbound": first.number, "amount": "300"}]),
    )
    assert part.status_code == 201, part.content
    assert part.json()["allocations"][0]["amount"] == "300.00"
    assert part.json()["unapplied"] == "200.00"  # stays on the account as credit


def test_a_receipt_naming_an_unposted_outbound_is_refused_on_that_field(
    api_as,
    assistant,
    warehouse,
    debtor,
    product,
):
    from salesdesk.warehouse import services as stock

    order = released(pickup_order(assistant, debtor, product, "3"), assistant)
    draft = stock.outbound_create(
        order=order, by=warehouse, quantities=[stock.ShipQuantity(order.lines.get(), Decimal("3"))]
    )
    posted = sell(debtor, product, "1", by=assistant, warehouse=warehouse)
    body = receipt_body(
        debtor,
        "100",
        note="x",
        allocations=[{"outbound": f"D{draft.pk}"}, {"outbound": posted.number, "amount": "50"}],
    )

    response = api_as(assistant).post("/receipts", body)

    assert response.status_code == 400, response.content
    assert fields_of(response) == ["allocations.0.outbound"]
    message = response.json()["errors"][0]["message"]
    assert f"D{draft.pk}" in message and ("not posted" in message or "尚未过账" in message)
    assert not Receipt.objects.exists() and not Allocation.objects.exists()


def test_an_unknown_outbound_in_the_allocations_is_refused_on_that_field(
    api_as, assistant, debtor, two_sales
):
    body = receipt_body(debtor, "100", allocations=[{"outbound": "CK2020-99999"}])

    response = api_as(assistant).post("/receipts", body)

    assert response.status_code == 400
    assert fields_of(response) == ["allocations.0.outbound"]
    assert not Receipt.objects.exists()


def test_another_assistants_customer_and_receipts_answer_404(
    api_as,
    assistant,
    other_assistant,
    debtor,
    two_sales,
):
    receipt = services.receipt_create(
        customer=debtor, by=assistant, amount="3800", received_on=today(), method=PaymentMethod.CASH
    )
    outsider = api_as(other_assistant)

    refused = outsider.post("/receipts", receipt_body(debtor, "100", note="x"))

    assert refused.status_code == 404
    assert fields_of(refused) == ["customer"]
    assert Receipt.objects.count() == 1
    assert outsider.get(f"/customers/{debtor.code}/ar").status_code == 404
    assert outsider.get(f"/receipts/{receipt.number}").status_code == 404
    assert outsider.get("/receipts").json() == {"count": 0, "items": []}
    assert api_as(assistant).get("/receipts").json()["count"] == 1


def test_the_receipt_list_filters_by_customer_and_dates(api_as, assistant, debtor, two_sales):
    services.receipt_create(
        customer=debtor,
        by=assistant,
        amount="100",
        received_on=days_ago(3),
        method=PaymentMethod.CASH,
        note="部分",
    )
    late = services.receipt_create(
        customer=debtor,
        by=assistant,
        amount="200",
        received_on=today(),
        method=PaymentMethod.CASH,
        note="部分",
    )
    client = api_as(assistant)

    listed = client.get("/receipts", {"customer": debtor.code, "date_from": today().isoformat()}).json()

    assert [row["number"] for row in listed["items"]] == [late.number]
    assert client.get("/receipts", {"customer": "GS99999"}).json()["count"] == 0
    detail = client.get(f"/receipts/{late.number}").json()
    assert detail["allocations"][0]["amount"] == "200.00"


def test_the_same_idempotency_key_replays_the_receipt_and_enters_it_once(
    api_as,
    assistant,
    debtor,
    two_sales,
):
    client = api_as(assistant)
    body = receipt_body(debtor, "3800")

    first = client.post("/receipts", body, **{"Idempotency-Key": "bank-2026-0001"})
    second = client.post("/receipts", body, **{"Idempotency-Key": "bank-2026-0001"})

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert Receipt.objects.count() == 1
    assert Allocation.objects.count() == 1


BAD_RECEIPTS = [
    pytest.param({"received_on": "2099-01-01"}, "received_on", id="money from the future"),
    pytest.param({"received_on": "01/02/2026"}, "received_on", id="not an ISO date"),
    pytest.param({"amount": "0"}, "amount", id="nothing received"),
    pytest.param({"amount": "-5"}, "amount", id="negative amount"),
    pytest.param({"amount": "1e20"}, "amount", id="amount past the column"),
    pytest.param({"amount": "1.234"}, "amount", id="fractions of a cent"),
    pytest.param({"method": "bitcoin"}, "method", id="unknown method"),
    pytest.param({"method": "cod"}, "carrier", id="cash on delivery without the carrier"),
    pytest.param({"carrier": 999999}, "carrier", id="unknown carrier"),
    pytest.param({"order": "XS2026-99999"}, "order", id="unknown order"),
    pytest.param({"note": "备\x00注"}, "note", id="NUL in the note"),
    pytest.param(
        {"allocations": [{"outbound": "CK2026-1"}]}, "allocations.0.outbound", id="malformed number"
    ),
    pytest.param(
        {"allocations": [{"outbound": "CK2020-99999"}]}, "allocations.0.outbound", id="unknown sale"
    ),
    pytest.param({"surplus": "1"}, "surplus", id="unknown field"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_RECEIPTS)
def test_a_bad_receipt_is_refused_on_its_field_and_enters_nothing(
    api_as, assistant, debtor, two_sales, changes, field
):
    response = api_as(assistant).post("/receipts", {**receipt_body(debtor, "100", note="部分"), **changes})

    assert response.status_code in {400, 422}, response.content
    assert field in fields_of(response)
    assert not Receipt.objects.exists() and not Allocation.objects.exists()


# --- The warehouse sees no money ----------------------------------------------------------


def test_the_warehouse_is_refused_every_receivables_read_and_write(
    api_as,
    assistant,
    warehouse,
    debtor,
    two_sales,
):
    receipt = services.receipt_create(
        customer=debtor, by=assistant, amount="3800", received_on=today(), method=PaymentMethod.CASH
    )
    statement = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=days_ago(FIRST), period_to=today()
    )
    client = api_as(warehouse)
    reads = [
        f"/customers/{debtor.code}/ar",
        "/receipts",
        f"/receipts/{receipt.number}",
        "/invoices",
        "/receipt-slips",
        "/statements",
        f"/statements/{statement.pk}",
        f"/statements/{statement.pk}.pdf",
        "/write-offs",
    ]

    for path in reads:
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"3800" not in response.content
    assert client.post("/receipts", receipt_body(debtor, "1")).status_code == 403
    assert (
        client.post(
            "/statements",
            {"customer": debtor.code, "period_from": str(days_ago(FIRST)), "period_to": str(today())},
        ).status_code
        == 403
    )
    assert Receipt.objects.count() == 1


# --- Invoices, slips and statements -------------------------------------------------------


def test_an_invoice_covers_posted_outbounds_once_and_is_followed_to_the_customer(
    api_as,
    assistant,
    debtor,
    two_sales,
):
    Customer.objects.filter(pk=debtor.pk).update(invoice_required=True)
    first, second = two_sales
    client = api_as(assistant)
    body = {
        "customer": debtor.code,
        "number": "No.04471234",
        "issued_on": today().isoformat(),
        "outbounds": [first.number, second.number],
        "note": "",
    }

    created = client.post("/invoices", body)

    assert created.status_code == 201, created.content
    invoice = created.json()
    assert invoice["amount"] == "5125.00"
    assert invoice["must_reach_by"] == (today() + dt.timedelta(days=7)).isoformat()
    assert [o["outbound"] for o in invoice["outbounds"]] == [first.number, second.number]

    again = client.post("/invoices", {**body, "number": "No.04471235", "outbounds": [second.number]})

    assert again.status_code == 400
    assert fields_of(again) == ["outbounds.0"]
    message = again.json()["errors"][0]["message"]
    assert "already invoiced" in message or "已开票" in message
    assert Invoice.objects.count() == 1

    mailed = client.post(f"/invoices/{invoice['id']}/mail", {"tracking_number": "SF1234567890"})
    assert mailed.status_code == 200, mailed.content
    assert mailed.json()["mailed_on"] == today().isoformat()
    received = client.post(f"/invoices/{invoice['id']}/received", {})
    assert received.status_code == 200
    assert received.json()["received_on"] == today().isoformat()
    assert client.post(f"/invoices/{invoice['id']}/received", {}).status_code == 409


def test_a_receipt_slip_is_issued_once_per_receipt(api_as, assistant, debtor, two_sales):
    receipt = services.receipt_create(
        customer=debtor, by=assistant, amount="3800", received_on=today(), method=PaymentMethod.CASH
    )
    client = api_as(assistant)

    slip = client.post("/receipt-slips", {"receipt": receipt.number, "seal": "kedi_official"})

    assert slip.status_code == 201, slip.content
    assert (slip.json()["receipt"], slip.json()["amount"], slip.json()["seal"]) == (
        receipt.number,
        "3800.00",
        "kedi_official",
    )
    assert client.post("/receipt-slips", {"receipt": receipt.number}).status_code == 409
    assert client.get("/receipt-slips").json()["count"] == 1


def test_a_statement_is_drawn_up_followed_and_keeps_its_figures(api_as, assistant, debtor, two_sales):
    client = api_as(assistant)

    created = client.post(
        "/statements",
        {
            "customer": debtor.code,
            "period_from": days_ago(FIRST).isoformat(),
            "period_to": today().isoformat(),
        },
    )

    assert created.status_code == 201, created.content
    statement = created.json()
    assert (statement["opening"], statement["closing"], statement["difference"]) == (
        "0.00",
        "5125.00",
        "0.00",
    )
    assert [(line["kind"], line["balance"]) for line in statement["lines"]] == [
        ("sale", "3800.00"),
        ("sale", "5125.00"),
    ]
    # A receipt entered into the period afterwards shows as a difference.
    services.receipt_create(
        customer=debtor, by=assistant, amount="3800", received_on=today(), method=PaymentMethod.CASH
    )
    detail = client.get(f"/statements/{statement['id']}").json()
    assert (detail["closing"], detail["closing_now"], detail["difference"]) == (
        "5125.00",
        "1325.00",
        "-3800.00",
    )

    sent = client.post(f"/statements/{statement['id']}/sent", {})
    signed = client.post(f"/statements/{statement['id']}/signed", {"on": today().isoformat()})

    assert sent.status_code == signed.status_code == 200, signed.content
    assert (signed.json()["status"], signed.json()["signed_on"]) == ("signed", today().isoformat())
    assert client.get("/statements", {"status": "signed"}).json()["count"] == 1


def test_a_statement_comes_as_a_pdf(api_as, assistant, debtor, two_sales):
    statement = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=days_ago(FIRST), period_to=today()
    )

    response = api_as(assistant).get(f"/statements/{statement.pk}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- Returns, exchanges and write-offs ----------------------------------------------------


def on_hand(product) -> Decimal:
    return StockLevel.objects.get(product=product).on_hand


def test_a_return_brings_the_goods_back_and_lowers_the_balance(
    api_as,
    assistant,
    salesperson,
    debtor,
    product,
    two_sales,
):
    first, _second = two_sales
    before = on_hand(product)

    response = api_as(assistant).post(
        "/returns",
        {
            "original": first.number,
            "lines": [{"line": first.lines.get().pk, "quantity": "2"}],
            "reason": "颜色不对",
            "agreed_by": salesperson.username,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("TH") and body["amount"] == "-760.00"
    assert body["exchange"] is None
    assert on_hand(product) == before + 2
    assert selectors.balance(debtor) == Decimal("4365.00")


def test_an_exchange_posts_the_return_and_the_new_sale_together(
    api_as,
    assistant,
    salesperson,
    debtor,
    product,
    other_product,
    two_sales,
):
    first, _second = two_sales
    before = (on_hand(product), on_hand(other_product))

    response = api_as(assistant).post(
        "/returns",
        {
            "original": first.number,
            "lines": [{"line": first.lines.get().pk, "quantity": "1"}],
            "reason": "换颜色",
            "agreed_by": salesperson.username,
            "new_lines": [{"product": "B-220", "quantity": "1", "unit_price": "265"}],
        },
    )

    assert response.status_code == 201, response.content
    exchange = response.json()["exchange"]
    assert exchange["number"].startswith("CK") and exchange["amount"] == "265.00"
    assert Outbound.objects.get(number=exchange["number"]).status == OutboundStatus.POSTED
    assert (on_hand(product), on_hand(other_product)) == (before[0] + 1, before[1] - 1)


def test_a_return_agreed_by_an_assistant_is_refused_and_moves_nothing(
    api_as,
    assistant,
    debtor,
    product,
    two_sales,
):
    first, _second = two_sales
    before = on_hand(product)

    response = api_as(assistant).post(
        "/returns",
        {
            "original": first.number,
            "lines": [{"line": first.lines.get().pk, "quantity": "2"}],
            "reason": "颜色不对",
            "agreed_by": assistant.username,
        },
    )

    assert response.status_code == 400
    assert fields_of(response) == ["agreed_by"]
    assert on_hand(product) == before
    assert not Outbound.objects.filter(kind=OutboundKind.RETURN).exists()


def test_a_write_off_is_approved_by_a_manager_and_never_by_whoever_proposed_it(
    api_as,
    assistant,
    manager,
    debtor,
    two_sales,
):
    first, _second = two_sales
    proposed = api_as(assistant).post(
        "/write-offs", {"customer": debtor.code, "reason": "客户倒闭", "items": [{"outbound": first.number}]}
    )
    assert proposed.status_code == 201, proposed.content
    write_off = proposed.json()
    assert (write_off["status"], write_off["amount"]) == ("draft", "3800.00")

    assert api_as(assistant).post(f"/write-offs/{write_off['id']}/approve").status_code == 403
    assert selectors.balance(debtor) == Decimal("5125.00")

    approved = api_as(manager).post(f"/write-offs/{write_off['id']}/approve")

    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("posted", manager.username)
    assert approved.json()["number"].startswith("HZ")
    assert selectors.balance(debtor) == Decimal("1325.00")


def test_a_manager_cannot_approve_their_own_write_off(api_as, manager, debtor, two_sales):
    _first, second = two_sales
    proposed = api_as(manager).post(
        "/write-offs", {"customer": debtor.code, "reason": "无法收回", "items": [{"outbound": second.number}]}
    )
    write_off_id = proposed.json()["id"]

    own = api_as(manager).post(f"/write-offs/{write_off_id}/approve")

    assert own.status_code == 403
    assert selectors.balance(debtor) == Decimal("5125.00")
    other_manager = make_user("manager2", Role.MANAGER)
    assert api_as(other_manager).post(f"/write-offs/{write_off_id}/approve").status_code == 200


def test_a_rejected_write_off_is_gone_and_changes_nothing(api_as, finance, manager, debtor, two_sales):
    first, _second = two_sales
    proposed = api_as(finance).post(
        "/write-offs",
        {
            "customer": debtor.code,
            "reason": "客户倒闭",
            "items": [{"outbound": first.number, "amount": "800"}],
        },
    )
    write_off_id = proposed.json()["id"]

    rejected = api_as(manager).post(f"/write-offs/{write_off_id}/reject", {"reason": "还能收回"})

    assert rejected.status_code == 204
    assert not Outbound.objects.filter(kind=OutboundKind.BAD_DEBT).exists()
    assert selectors.balance(debtor) == Decimal("5125.00")
    assert api_as(manager).post(f"/write-offs/{write_off_id}/approve").status_code == 404


# --- Lists ------------------------------------------------------------------------------------


def one_of_each(debtor, sale, by, n: int) -> None:
    from salesdesk.receivables import services_credits

    receipt = services.receipt_create(
        customer=debtor, by=by, amount="10", received_on=today(), method=PaymentMethod.CASH, note=f"第{n}笔"
    )
    services_documents.slip_issue(receipt=receipt, by=by)
    services_documents.invoice_issue(
        customer=debtor, by=by, number=f"No.{n}", issued_on=today(), outbounds=[sale]
    )
    services_documents.statement_create(customer=debtor, by=by, period_from=days_ago(n), period_to=today())
    services_credits.write_off_request(
        customer=debtor, by=by, reason="无法收回", items=[services_credits.WriteOffInput(sale, Decimal("1"))]
    )


LISTS = ["/receipts", "/receipt-slips", "/invoices", "/statements", "/write-offs"]


@pytest.mark.parametrize("path", LISTS)
def test_a_list_takes_as_many_queries_for_many_rows_as_for_one(
    api_as, assistant, debtor, two_sales, path, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Customer.objects.filter(pk=debtor.pk).update(invoice_required=True)
    debtor.refresh_from_db()
    first, second = two_sales
    client = api_as(assistant)
    one_of_each(debtor, first, assistant, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).json()["count"] == 1
    one_of_each(debtor, second, assistant, 2)

    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(path).json()["count"] == 2
