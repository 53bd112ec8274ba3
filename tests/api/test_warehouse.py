"""The warehouse over the API: stock and goods in, production requests, outbounds and their
posting, shipments with COD and signed notes.

Quantities and money come back as fixed-place strings, every user sees only their own
customers' outbounds, posting happens once, and the warehouse never sees a price, an amount
or what the courier collects.
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesdesk.core.errors import DomainError
from salesdesk.core.models import AuditEvent
from salesdesk.orders import services as order_services
from salesdesk.receivables import services_credits as credits
from salesdesk.warehouse import services
from salesdesk.warehouse.models import (
    Outbound,
    OutboundLine,
    OutboundStatus,
    ProductionRequest,
    ProductionStatus,
    Shipment,
    StockLevel,
    StockMove,
)
from tests.factories import CarrierFactory, ProductFactory, make_customer
from tests.orders.conftest import carrier, customer, draft, other_product, product  # noqa: F401
from tests.warehouse.conftest import released

pytestmark = pytest.mark.django_db

MONEY_KEYS = {"unit_price", "amount", "total", "due_date", "cod_amount", "cod_due", "cod_returned_on"}
MONEY_TEXT = (b"349.6", b"243.8", b"6992", b"8211", b"1219")


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def this_year(prefix: str, n: int) -> str:
    return f"{prefix}{timezone.localdate().year}-{n:05d}"


def on_hand(product) -> Decimal:
    level = StockLevel.objects.filter(product=product).first()
    return level.on_hand if level else Decimal("0")


def written() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Outbound, OutboundLine, Shipment, StockMove, ProductionRequest))


@pytest.fixture
def stocked(product, other_product, warehouse):
    services.stock_inbound(product=product, quantity=Decimal("100"), by=warehouse)
    services.stock_inbound(product=other_product, quantity=Decimal("100"), by=warehouse)
    return product, other_product


@pytest.fixture
def order(draft, stocked, assistant):
    """A released order: A-101 × 20 at 349.6, B-220 × 5 at 243.8 (8211.00), all in stock."""
    return released(draft, assistant)


@pytest.fixture
def others_order(other_assistant, other_salesperson, manager, product, stocked, carrier):
    theirs = make_customer(
        by=other_assistant, name="江门新美", assistant=other_assistant, salesperson=other_salesperson
    )
    # Entered by the manager, who may quote a price without an agreed one.
    order = order_services.order_create(
        by=manager,
        customer=theirs,
        channel="fax",
        ship_method="express",
        carrier=carrier,
        collection_method="cod",
        lines=[order_services.LineInput(product=product, quantity=Decimal("3"))],
    )
    return released(order, manager)


def whole_order(order) -> dict[str, Any]:
    return {
        "order": order.number,
        "lines": [{"position": 1, "quantity": "20"}, {"position": 2, "quantity": 5}],
    }


def posted(api_as, user, order) -> dict[str, Any]:
    client = api_as(user)
    draft_ref = client.post("/outbounds", whole_order(order)).json()["reference"]
    response = client.post(f"/outbounds/{draft_ref}/post")
    assert response.status_code == 200, response.content
    return response.json()


# --- Stock ------------------------------------------------------------------------------------


def test_stock_shows_on_hand_reserved_and_available_as_exact_strings(api_as, order, assistant):
    body = api_as(assistant).get("/stock").json()

    assert body["count"] == 2
    assert [(r["product"], r["on_hand"], r["reserved"], r["available"]) for r in body["items"]] == [
        ("A-101", "100.000", "20.000", "80.000"),
        ("B-220", "100.000", "5.000", "95.000"),
    ]
    assert body["items"][0]["unit"] == "桶"


def test_stock_is_searched_and_paged_in_the_database(api_as, stocked, warehouse):
    client = api_as(warehouse)

    searched = client.get("/stock", {"q": "b-2"}).json()
    second = client.get("/stock", {"limit": 1, "offset": 1}).json()
    beyond = client.get("/stock", {"offset": 10}).json()

    assert [r["product"] for r in searched["items"]] == ["B-220"]
    assert second["count"] == 2 and [r["product"] for r in second["items"]] == ["B-220"]
    assert beyond == {"count": 2, "items": []}


def test_the_stock_list_makes_the_same_number_of_queries_for_3_or_30_products(api_as, warehouse):
    client = api_as(warehouse)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/stock", {"limit": 200}).status_code == 200
        return len(queries)

    for _i in range(3):
        services.stock_inbound(product=ProductFactory(), quantity=Decimal("1"), by=warehouse)
    few = count()
    for _i in range(27):
        services.stock_inbound(product=ProductFactory(), quantity=Decimal("1"), by=warehouse)

    assert count() == few


def test_goods_in_from_production_fill_and_close_the_production_request(
    api_as, warehouse, assistant, customer, product, carrier
):
    # given an order short of 12 A-101, so production was asked for 12
    order = order_services.order_create(
        by=assistant,
        customer=customer,
        channel="phone",
        ship_method="express",
        carrier=carrier,
        collection_method="cod",
        lines=[order_services.LineInput(product=product, quantity=Decimal("12"))],
    )
    order_services.order_register(order=order, by=assistant)
    request = ProductionRequest.objects.get()
    client = api_as(warehouse)

    # when the goods come in, in two deliveries
    first = client.post(
        "/stock/inbound", {"product": "a-101", "quantity": "7.5", "production_request": request.pk}
    )
    second = client.post(
        "/stock/inbound", {"product": "A-101", "quantity": "4.5", "production_request": request.pk}
    )

    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["on_hand"], second.json()["on_hand"]) == ("7.500", "12.000")
    request.refresh_from_db()
    assert request.status == "done"
    closed = client.post(
        "/stock/inbound", {"product": "A-101", "quantity": "1", "production_request": request.pk}
    )
    assert closed.status_code == 400 and closed.json()["errors"][0]["field"] == "production_request"
    assert on_hand(product) == Decimal("12")


@pytest.mark.parametrize("persona", ["assistant", "salesperson", "finance"])
def test_only_the_warehouse_and_the_manager_take_goods_in(request, api_as, product, persona):
    response = api_as(request.getfixturevalue(persona)).post(
        "/stock/inbound", {"product": "A-101", "quantity": 5}
    )

    assert response.status_code == 403
    assert not StockMove.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"product": "NOPE", "quantity": "1"}, "product"),
        ({"product": "", "quantity": "1"}, "product"),
        ({"product": "A-101\x00", "quantity": "1"}, "product"),
        ({"product": "A-101", "quantity": "0"}, "quantity"),
        ({"product": "A-101", "quantity": "-3"}, "quantity"),
        ({"product": "A-101", "quantity": "1.0001"}, "quantity"),
        ({"product": "A-101", "quantity": "1e20"}, "quantity"),
        ({"product": "A-101", "quantity": "NaN"}, "quantity"),
        ({"product": "A-101", "quantity": True}, "quantity"),
        ({"product": "A-101", "quantity": "1", "production_request": "7"}, "production_request"),
        ({"product": "A-101", "quantity": "1", "production_request": 2**70}, "production_request"),
        ({"product": "A-101", "quantity": "1", "production_request": 999}, "production_request"),
        ({"product": "A-101", "quantity": "1", "reason": "x" * 201}, "reason"),
        ({"product": "A-101", "quantity": "1", "on_hand": "5"}, "on_hand"),
    ],
)
def test_bad_goods_in_is_refused_on_its_field_and_nothing_is_written(
    api_as, warehouse, product, payload, field
):
    response = api_as(warehouse).post("/stock/inbound", payload)

    assert 400 <= response.status_code < 500, response.content
    assert field in {e["field"].split(".")[0] for e in response.json()["errors"]}
    assert not StockMove.objects.exists() and on_hand(product) == 0


def test_goods_in_against_another_products_request_is_refused(
    api_as, warehouse, assistant, customer, carrier, product, other_product
):
    order = order_services.order_create(
        by=assistant,
        customer=customer,
        channel="phone",
        ship_method="express",
        carrier=carrier,
        collection_method="cod",
        lines=[order_services.LineInput(product=other_product, quantity=Decimal("2"))],
    )
    order_services.order_register(order=order, by=assistant)

    response = api_as(warehouse).post(
        "/stock/inbound",
        {"product": "A-101", "quantity": "2", "production_request": ProductionRequest.objects.get().pk},
    )

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "production_request"
    assert not StockMove.objects.exists()


def test_a_quantity_past_what_stock_can_hold_never_answers_500(api_as, warehouse, product):
    client = api_as(warehouse)
    big = {"product": "A-101", "quantity": "99999999999.999"}

    answers = [client.post("/stock/inbound", big).status_code for _i in range(2)]

    assert answers[0] == 201 and answers[1] in {201, 400}


# --- Production requests ------------------------------------------------------------------------


def _short_order(by, customer, product, carrier, quantity: str):
    order = order_services.order_create(
        by=by,
        customer=customer,
        channel="phone",
        ship_method="express",
        carrier=carrier,
        collection_method="cod",
        lines=[order_services.LineInput(product=product, quantity=Decimal(quantity))],
    )
    return order_services.order_register(order=order, by=by)


def test_production_requests_done_are_listed_when_asked_for(
    api_as, assistant, warehouse, customer, product, carrier
):
    _short_order(assistant, customer, product, carrier, "12")
    ProductionRequest.objects.update(status=ProductionStatus.DONE)
    client = api_as(warehouse)
    # A query's value is text: a strict boolean refused every one of these with 422.
    for value, count in [("false", 1), ("0", 1), ("true", 0), ("1", 0)]:
        answer = client.get("/production-requests", {"open_only": value})
        assert (answer.status_code, answer.json()["count"]) == (200, count)


def test_production_requests_list_the_orders_waiting_among_the_users_own(
    api_as, assistant, other_assistant, other_salesperson, warehouse, customer, product, carrier
):
    mine = _short_order(assistant, customer, product, carrier, "12")
    theirs_customer = make_customer(
        by=other_assistant, name="江门新美", assistant=other_assistant, salesperson=other_salesperson
    )
    theirs = _short_order(other_assistant, theirs_customer, product, carrier, "3")

    seen_by_me = api_as(assistant).get("/production-requests").json()
    seen_by_store = api_as(warehouse).get("/production-requests").json()

    assert seen_by_me["count"] == 1
    request = seen_by_me["items"][0]
    assert (request["product"], request["quantity"], request["status"]) == ("A-101", "15.000", "requested")
    assert [(w["order"], w["customer"], w["position"], w["quantity"]) for w in request["waiting"]] == [
        (mine.number, customer.code, 1, "12.000")
    ]
    assert {w["order"] for w in seen_by_store["items"][0]["waiting"]} == {mine.number, theirs.number}
    assert not keys_in(seen_by_store) & MONEY_KEYS


def test_the_production_list_makes_the_same_number_of_queries_for_3_or_30_requests(
    api_as, warehouse, assistant, customer, carrier
):
    client = api_as(warehouse)

    def add(n: int) -> None:
        for _i in range(n):
            _short_order(assistant, customer, ProductFactory(), carrier, "2")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/production-requests", {"limit": 200}).status_code == 200
        return len(queries)

    add(3)
    few = count()
    add(27)

    assert client.get("/production-requests").json()["count"] == 30
    assert count() == few


# --- Outbounds ----------------------------------------------------------------------------------


def test_an_assistant_prepares_a_draft_outbound_with_exact_amounts(api_as, assistant, order):
    response = api_as(assistant).post(
        "/outbounds",
        {
            "order": order.number,
            "lines": [
                {"position": 1, "quantity": "20"},
                {"order_line": order.lines.get(position=2).pk, "quantity": "5"},
            ],
            "notes": "下午车",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    outbound = Outbound.objects.get()
    assert (body["reference"], body["number"], body["status"], body["kind"]) == (
        f"D{outbound.pk}",
        None,
        "draft",
        "sale",
    )
    assert [
        (x["position"], x["product"], x["quantity"], x["unit_price"], x["amount"]) for x in body["lines"]
    ] == [
        (1, "A-101", "20.000", "349.6000", "6992.00"),
        (2, "B-220", "5.000", "243.8000", "1219.00"),
    ]
    assert (body["order"], body["customer"], body["notes"], body["amount"]) == (
        order.number,
        order.customer.code,
        "下午车",
        "0.00",
    )
    assert on_hand(order.lines.get(position=1).product) == Decimal("100")  # a draft moves nothing


def test_the_warehouse_posts_once_stock_moves_once_and_it_never_sees_money(
    api_as, warehouse, assistant, order, stocked
):
    client = api_as(warehouse)
    draft_ref = client.post("/outbounds", whole_order(order)).json()["reference"]

    first = client.post(f"/outbounds/{draft_ref}/post")
    again_by_draft = client.post(f"/outbounds/{draft_ref}/post")
    again_by_number = client.post(f"/outbounds/{this_year('CK', 1)}/post")

    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["reference"], body["number"], body["status"]) == (
        this_year("CK", 1),
        this_year("CK", 1),
        "posted",
    )
    assert body["posted_by"] == "warehouse" and body["posting_date"] == timezone.localdate().isoformat()
    assert not keys_in(body) & MONEY_KEYS
    assert (again_by_draft.status_code, again_by_number.status_code) == (409, 409)
    assert Outbound.objects.filter(status=OutboundStatus.POSTED).count() == 1
    red, wall = stocked
    assert (on_hand(red), on_hand(wall)) == (Decimal("80"), Decimal("95"))
    order.refresh_from_db()
    assert order.status == "shipped"
    seen_by_assistant = api_as(assistant).get(f"/outbounds/{this_year('CK', 1)}").json()
    assert (seen_by_assistant["amount"], seen_by_assistant["due_date"]) == ("8211.00", body["posting_date"])
    for response in (
        first,
        client.get(f"/outbounds/{this_year('CK', 1)}"),
        client.get(f"/outbounds/{draft_ref}"),
    ):
        for money in MONEY_TEXT:
            assert money not in response.content


def test_posting_more_than_is_in_stock_is_a_conflict_and_moves_nothing(api_as, warehouse, order, stocked):
    StockLevel.objects.filter(product=stocked[0]).update(on_hand=Decimal("10"))
    client = api_as(warehouse)
    draft_ref = client.post("/outbounds", whole_order(order)).json()["reference"]

    response = client.post(f"/outbounds/{draft_ref}/post")

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "lines.0.quantity"  # the line that is short
    assert on_hand(stocked[0]) == Decimal("10") and on_hand(stocked[1]) == Decimal("100")
    assert Outbound.objects.get().status == OutboundStatus.DRAFT


def test_a_proposed_write_off_is_not_posted_as_a_sale(api_as, warehouse, manager, order):
    sale = posted(api_as, warehouse, order)
    outbound = Outbound.objects.get(number=sale["number"])
    proposal = credits.write_off_request(
        customer=outbound.customer, by=manager, items=[credits.WriteOffInput(outbound)], reason="无法收回"
    )
    # The sales' address took a write-off's D<id>, and posting it as a sale failed on its order.
    response = api_as(warehouse).post(f"/outbounds/D{proposal.pk}/post")
    assert response.status_code == 404 and response.json()["errors"]
    proposal.refresh_from_db()
    assert proposal.status == OutboundStatus.DRAFT and proposal.number is None
    with pytest.raises(DomainError) as refused:
        services.outbound_post(outbound=proposal, by=warehouse)
    assert refused.value.field == "outbound"


def test_posting_more_than_the_order_still_wants_names_the_line(api_as, warehouse, order):
    client = api_as(warehouse)
    body = {
        "order": order.number,
        "lines": [{"position": 1, "quantity": "21"}, {"position": 2, "quantity": "5"}],
    }
    response = client.post("/outbounds", body)  # refused already as a draft

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lines.0.quantity"
    assert not StockMove.objects.filter(kind="sale_out").exists()
    assert not Outbound.objects.exists()


@pytest.mark.parametrize("persona", ["assistant", "salesperson", "finance"])
def test_only_the_warehouse_and_the_manager_post(request, api_as, warehouse, order, persona):
    draft_ref = api_as(warehouse).post("/outbounds", whole_order(order)).json()["reference"]

    response = api_as(request.getfixturevalue(persona)).post(f"/outbounds/{draft_ref}/post")

    assert response.status_code == 403
    assert Outbound.objects.get().status == OutboundStatus.DRAFT


def test_the_manager_posts_too(api_as, manager, order):
    assert posted(api_as, manager, order)["amount"] == "8211.00"


@pytest.mark.parametrize("persona", ["salesperson", "finance"])
def test_salespeople_and_finance_do_not_prepare_outbounds(request, api_as, order, persona):
    response = api_as(request.getfixturevalue(persona)).post("/outbounds", whole_order(order))

    assert response.status_code == 403
    assert not Outbound.objects.exists()


@pytest.mark.parametrize("kind", ["return", "bad_debt"])
def test_returns_and_bad_debts_are_refused_until_receivables_come(api_as, warehouse, order, kind):
    response = api_as(warehouse).post("/outbounds", {**whole_order(order), "kind": kind})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "kind", "message": response.json()["detail"]}]
    detail = response.json()["detail"]
    assert "应收账款" in detail or "receivables" in detail  # says where returns are entered
    assert not Outbound.objects.exists()


def test_an_outbound_for_an_order_not_yet_released_is_a_conflict(api_as, assistant, draft, stocked):
    order = order_services.order_register(order=draft, by=assistant)

    response = api_as(assistant).post("/outbounds", whole_order(order))

    assert response.status_code == 409
    assert not Outbound.objects.exists()


OUTBOUND_PAYLOADS = [
    pytest.param({"kind": "gift"}, "kind", id="unknown kind"),
    pytest.param({"order": "XS2026-00099"}, "order", id="unknown order"),
    pytest.param({"order": "CK2026-00001"}, "order", id="an outbound number as the order"),
    pytest.param({"order": "XS2026\x00"}, "order", id="NUL in the order"),
    pytest.param({"order": 7}, "order", id="order as a number"),
    pytest.param({"lines": []}, "lines", id="no lines"),
    pytest.param({"lines": "all"}, "lines", id="lines not a list"),
    pytest.param({"lines": [{"position": 9, "quantity": "1"}]}, "lines.0.position", id="no such position"),
    pytest.param(
        {"lines": [{"order_line": 2**40, "quantity": "1"}]}, "lines.0.order_line", id="no such line"
    ),
    pytest.param(
        {"lines": [{"order_line": 2**70, "quantity": "1"}]}, "lines.0.order_line", id="line id huge"
    ),
    pytest.param({"lines": [{"quantity": "1"}]}, "lines.0", id="line not named"),
    pytest.param(
        {"lines": [{"position": 1, "order_line": 1, "quantity": "1"}]}, "lines.0", id="line named twice"
    ),
    pytest.param({"lines": [{"position": "1", "quantity": "1"}]}, "lines.0.position", id="position a string"),
    pytest.param({"lines": [{"position": 0, "quantity": "1"}]}, "lines.0.position", id="position 0"),
    pytest.param({"lines": [{"position": 1, "quantity": "0"}]}, "lines.0.quantity", id="quantity 0"),
    pytest.param({"lines": [{"position": 1, "quantity": "-1"}]}, "lines.0.quantity", id="negative quantity"),
    pytest.param({"lines": [{"position": 1, "quantity": "1e30"}]}, "lines.0.quantity", id="quantity huge"),
    pytest.param(
        {"lines": [{"position": 1, "quantity": "0.0001"}]}, "lines.0.quantity", id="quantity too fine"
    ),
    pytest.param(
        {"lines": [{"position": 1, "quantity": 1, "unit_price": "1"}]}, "lines.0.unit_price", id="price"
    ),
    pytest.param({"lines": [{"position": 1, "quantity": 1}] * 201}, "lines", id="201 lines"),
    pytest.param({"notes": "x" * 501}, "notes", id="notes too long"),
    pytest.param({"notes": "备注\x00"}, "notes", id="NUL in notes"),
    pytest.param({"amount": "1.00"}, "amount", id="client-chosen amount"),
    pytest.param({"status": "posted"}, "status", id="client-chosen status"),
]


@pytest.mark.parametrize(("changes", "field"), OUTBOUND_PAYLOADS)
def test_a_bad_outbound_is_refused_on_its_field_and_nothing_is_written(
    api_as, warehouse, order, changes, field
):
    before = written()

    response = api_as(warehouse).post("/outbounds", {**whole_order(order), **changes})

    assert 400 <= response.status_code < 500, response.content
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), fields
    assert written() == before


@pytest.mark.parametrize(
    "body", ["not json", "[1, 2]", '{"order": "XS2026-00001", "lines": [{"position": 1, "quantity": "1"}]']
)
def test_a_body_that_is_not_an_outbound_is_refused(api_as, warehouse, order, body):
    response = api_as(warehouse).post("/outbounds", body)

    assert 400 <= response.status_code < 500
    assert not Outbound.objects.exists()


def test_the_same_idempotency_key_twice_prepares_one_outbound(api_as, warehouse, order):
    client = api_as(warehouse)

    first = client.post("/outbounds", whole_order(order), **{"Idempotency-Key": "pick-2026-001"})
    second = client.post("/outbounds", whole_order(order), **{"Idempotency-Key": "pick-2026-001"})
    other = client.post(
        "/outbounds", {**whole_order(order), "notes": "另一张"}, **{"Idempotency-Key": "pick-2026-001"}
    )

    assert first.status_code == second.status_code == 201
    assert second.content == first.content and second["Idempotent-Replay"] == "true"
    assert other.status_code == 409
    assert Outbound.objects.count() == 1


def test_a_retried_post_with_its_idempotency_key_replays_the_first_answer(api_as, warehouse, order, stocked):
    client = api_as(warehouse)
    draft_ref = client.post("/outbounds", whole_order(order)).json()["reference"]

    first = client.post(f"/outbounds/{draft_ref}/post", **{"Idempotency-Key": "post-1"})
    second = client.post(f"/outbounds/{draft_ref}/post", **{"Idempotency-Key": "post-1"})

    assert first.status_code == second.status_code == 200 and second.content == first.content
    assert on_hand(stocked[0]) == Decimal("80")


@pytest.mark.parametrize("persona", ["assistant", "salesperson"])
def test_another_salespersons_outbound_answers_404(request, api_as, warehouse, others_order, persona):
    client = api_as(warehouse)
    draft_ref = client.post(
        "/outbounds", {"order": others_order.number, "lines": [{"position": 1, "quantity": "3"}]}
    ).json()["reference"]
    number = client.post(f"/outbounds/{draft_ref}/post").json()["number"]
    outsider = api_as(request.getfixturevalue(persona))

    answers = [outsider.get(f"/outbounds/{number}"), outsider.get(f"/outbounds/{draft_ref}")]
    prepared = outsider.post(
        "/outbounds", {"order": others_order.number, "lines": [{"position": 1, "quantity": "1"}]}
    )

    assert [r.status_code for r in answers] == [404, 404]
    assert number.encode() not in answers[0].content
    assert prepared.status_code in {400, 403} and Outbound.objects.count() == 1


@pytest.mark.parametrize(
    "reference", ["CK2026-1", "ck2026-00001", "D", "D-1", "D" + "9" * 19, "XS2026-00001", "%00"]
)
def test_an_outbound_reference_that_cannot_exist_is_refused_unread(api_as, warehouse, reference):
    response = api_as(warehouse).get(f"/outbounds/{reference}")

    assert response.status_code in {400, 404, 422}


# --- Shipments ----------------------------------------------------------------------------------


@pytest.fixture
def cod_carrier(db):
    return CarrierFactory(name="平安达", can_collect_cod=True, can_return_notes=True, return_deadline_days=7)


def test_a_shipment_with_cod_and_a_signed_note_is_followed_until_both_come_back(
    api_as, warehouse, assistant, order, cod_carrier
):
    number = posted(api_as, warehouse, order)["number"]
    store, desk = api_as(warehouse), api_as(assistant)
    shipped_on = timezone.localdate() - dt.timedelta(days=1)

    recorded = store.post(
        "/shipments",
        {
            "outbound": number,
            "carrier": cod_carrier.pk,
            "tracking_number": " PAD-778899 ",
            "shipped_on": shipped_on.isoformat(),
            "cod_amount": "8211.00",
            "note_required": True,
        },
    )

    assert recorded.status_code == 201, recorded.content
    seen_by_store = recorded.json()
    assert not keys_in(seen_by_store) & MONEY_KEYS and b"8211" not in recorded.content
    assert (seen_by_store["tracking_number"], seen_by_store["carrier_name"], seen_by_store["outbound"]) == (
        "PAD-778899",
        "平安达",
        number,
    )
    assert seen_by_store["note_due"] == (shipped_on + dt.timedelta(days=7)).isoformat()
    shipment_id = seen_by_store["id"]
    seen_by_desk = desk.get(f"/outbounds/{number}").json()["shipments"][0]
    assert (seen_by_desk["cod_amount"], seen_by_desk["cod_due"]) == (
        "8211.00",
        (shipped_on + dt.timedelta(days=7)).isoformat(),
    )

    cod_by_store = store.post(f"/shipments/{shipment_id}/cod-returned")
    cod = desk.post(f"/shipments/{shipment_id}/cod-returned", {"on": timezone.localdate().isoformat()})
    cod_again = desk.post(f"/shipments/{shipment_id}/cod-returned")
    note = store.post(f"/shipments/{shipment_id}/note-returned")
    note_again = store.post(f"/shipments/{shipment_id}/note-returned", {})

    assert cod_by_store.status_code == 403
    assert cod.status_code == 200 and cod.json()["cod_returned_on"] == timezone.localdate().isoformat()
    assert (cod_again.status_code, note_again.status_code) == (409, 409)
    assert note.status_code == 200 and note.json()["note_returned_on"] == timezone.localdate().isoformat()
    assert b"8211" not in note.content
    assert AuditEvent.objects.filter(action__startswith="shipment.").count() == 3


def test_own_delivery_names_the_driver(api_as, warehouse, order):
    number = posted(api_as, warehouse, order)["number"]

    response = api_as(warehouse).post("/shipments", {"outbound": number, "driver": "老陈", "route": "顺德"})

    assert response.status_code == 201
    assert (response.json()["driver"], response.json()["carrier"], response.json()["shipped_on"]) == (
        "老陈",
        None,
        timezone.localdate().isoformat(),
    )


SHIPMENT_PAYLOADS = [
    pytest.param({}, "carrier", id="neither carrier nor driver"),
    pytest.param({"carrier": 2**40}, "carrier", id="unknown carrier"),
    pytest.param({"carrier": "1"}, "carrier", id="carrier as a string"),
    pytest.param({"carrier": "suspended"}, "carrier", id="suspended carrier"),
    pytest.param({"carrier": "no_cod", "cod_amount": "10"}, "cod_amount", id="carrier without COD"),
    pytest.param({"driver": "老陈", "cod_amount": "-1"}, "cod_amount", id="negative COD"),
    pytest.param({"driver": "老陈", "cod_amount": "1.001"}, "cod_amount", id="COD in fractions of a cent"),
    pytest.param({"driver": "老陈", "cod_amount": "1e20"}, "cod_amount", id="COD huge"),
    pytest.param({"driver": "老陈", "note_required": "yes"}, "note_required", id="note as a word"),
    pytest.param({"driver": "老陈", "shipped_on": "2026-02-30"}, "shipped_on", id="30 February"),
    pytest.param({"driver": "老陈", "shipped_on": 0}, "shipped_on", id="date as a number"),
    pytest.param({"driver": "x" * 51}, "driver", id="driver too long"),
    pytest.param({"driver": "老陈", "tracking_number": "1" * 41}, "tracking_number", id="tracking too long"),
    pytest.param({"driver": "老陈", "tracking_number": "1\x00"}, "tracking_number", id="NUL in tracking"),
    pytest.param({"driver": "老陈", "outbound": "CK2026-99999"}, "outbound", id="unknown outbound"),
    pytest.param({"driver": "老陈", "outbound": "XS2026-00001"}, "outbound", id="an order number"),
    pytest.param({"driver": "老陈", "cod_due": "2026-01-01"}, "cod_due", id="client-chosen due date"),
]


@pytest.mark.parametrize(("changes", "field"), SHIPMENT_PAYLOADS)
def test_a_bad_shipment_is_refused_on_its_field_and_nothing_is_written(
    api_as, warehouse, order, changes, field
):
    number = posted(api_as, warehouse, order)["number"]
    special = {
        "suspended": CarrierFactory(name="源伟丰", status="suspended", suspended_reason="回单逾期").pk,
        "no_cod": CarrierFactory(name="申通", can_collect_cod=False, can_return_notes=False).pk,
    }
    if changes.get("carrier") in special:
        changes = {**changes, "carrier": special[changes["carrier"]]}

    response = api_as(warehouse).post("/shipments", {"outbound": number, **changes})

    assert 400 <= response.status_code < 500, response.content
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields, fields
    assert not Shipment.objects.exists()


def test_a_draft_outbound_does_not_ship(api_as, warehouse, order):
    draft_ref = api_as(warehouse).post("/outbounds", whole_order(order)).json()["reference"]

    response = api_as(warehouse).post("/shipments", {"outbound": draft_ref, "driver": "老陈"})

    assert response.status_code == 409
    assert not Shipment.objects.exists()


def test_another_salespersons_shipment_answers_404(api_as, warehouse, other_assistant, assistant, order):
    number = posted(api_as, warehouse, order)["number"]
    shipment = api_as(warehouse).post("/shipments", {"outbound": number, "driver": "老陈"}).json()

    for path in ("cod-returned", "note-returned"):
        assert api_as(other_assistant).post(f"/shipments/{shipment['id']}/{path}").status_code == 404
    assert api_as(assistant).post(f"/shipments/{2**70}/note-returned").status_code in {404, 422}
    assert api_as(other_assistant).post("/shipments", {"outbound": number, "driver": "x"}).status_code == 400
    assert Shipment.objects.count() == 1


def test_the_openapi_document_lists_the_warehouse_paths_and_money_as_decimal_strings(client):
    document = client.get("/api/v1/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    for path, methods in {
        "/api/v1/stock": {"get"},
        "/api/v1/stock/inbound": {"post"},
        "/api/v1/production-requests": {"get"},
        "/api/v1/outbounds": {"post"},
        "/api/v1/outbounds/{reference}": {"get"},
        "/api/v1/outbounds/{reference}/post": {"post"},
        "/api/v1/shipments": {"post"},
        "/api/v1/shipments/{shipment_id}/cod-returned": {"post"},
        "/api/v1/shipments/{shipment_id}/note-returned": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
    assert schemas["OutboundOut"]["properties"]["amount"]["format"] == "decimal"
    assert "amount" not in schemas["OutboundWarehouseOut"]["properties"]
    assert "cod_amount" not in schemas["ShipmentWarehouseOut"]["properties"]


@pytest.mark.django_db(transaction=True)
def test_two_clerks_posting_the_same_draft_at_once_post_it_once(api_as, warehouse, manager, order, stocked):
    from tests.core.test_concurrency import race

    draft_ref = api_as(warehouse).post("/outbounds", whole_order(order)).json()["reference"]
    clerks = [api_as(warehouse), api_as(manager)]

    answers = race(lambda i: clerks[i].post(f"/outbounds/{draft_ref}/post").status_code, threads=2)

    assert sorted(answers) == [200, 409]
    assert Outbound.objects.get().status == OutboundStatus.POSTED
    assert (on_hand(stocked[0]), on_hand(stocked[1])) == (Decimal("80"), Decimal("95"))


def test_an_assistant_given_the_posting_permission_posts(api_as, assistant, order, stocked):
    from django.contrib.auth.models import Permission, User

    assistant.user_permissions.add(
        Permission.objects.get(content_type__app_label="warehouse", codename="post_outbound")
    )
    client = api_as(User.objects.get(pk=assistant.pk))
    draft_ref = client.post("/outbounds", whole_order(order)).json()["reference"]

    response = client.post(f"/outbounds/{draft_ref}/post")

    assert response.status_code == 200 and response.json()["amount"] == "8211.00"
    assert on_hand(stocked[0]) == Decimal("80")
