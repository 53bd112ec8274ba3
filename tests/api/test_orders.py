"""Orders over the API: take down, register and review, override, release, cancel, track.

Money comes back as fixed-place strings, every user sees only their own customers' orders,
and the warehouse sees released orders without a single price.
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.core.calendar import next_workday
from salesdesk.core.roles import Role
from salesdesk.orders import review, selectors, services
from salesdesk.orders.models import CheckResult, OrderStatus, ReviewCheck, SalesOrder
from tests.api.conftest import ApiClient, token_for
from tests.conftest import make_user
from tests.factories import days_ago, make_customer
from tests.orders.conftest import at_local, carrier, customer, draft, other_product, product  # noqa: F401

pytestmark = pytest.mark.django_db

CHECK_KEYS = {"code", "label", "result", "reason", "overridden_by", "override_reason", "can_override"}
MONEY_KEYS = {"unit_price", "amount", "total", "agreed_price", "reason", "override_reason"}


def new_order(customer, carrier=None, **changes: Any) -> dict[str, Any]:
    body = {
        "customer": customer.code,
        "channel": "phone",
        "ship_method": "express",
        "carrier": carrier.pk if carrier else None,
        "collection_method": "cod",
        "lines": [
            {"product": "A-101", "quantity": "20", "requested_date": "2026-12-01", "notes": "红色"},
            {"product": "B-220", "quantity": 5},
        ],
    }
    return {**body, **changes}


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def this_year_number(n: int) -> str:
    return f"XS{timezone.localdate().year}-{n:05d}"


@pytest.fixture
def newbie(db):
    """A new assistant without the quoting permission (新进业务助理不允许随便报价)."""
    return make_user("newbie", Role.ASSISTANT, display="小周")


@pytest.fixture
def newbies_customer(newbie, salesperson, product, other_product):
    customer = make_customer(by=newbie, name="中山彩虹装饰", assistant=newbie, salesperson=salesperson)
    catalog_services.price_set(
        customer=customer, product=product, unit_price=Decimal("349.6"), valid_from=days_ago(30), by=newbie
    )
    return customer


def held_for_price(client: ApiClient, customer) -> dict[str, Any]:
    body = new_order(customer, lines=[{"product": "A-101", "quantity": "2", "unit_price": "300"}])
    response = client.post("/orders", {**body, "register": True})
    assert response.status_code == 201, response.content
    return response.json()


# --- Taking an order down and registering it ------------------------------------------


def test_a_draft_is_taken_down_at_the_agreed_prices_with_exact_amounts(api_as, assistant, customer, carrier):
    response = api_as(assistant).post("/orders", new_order(customer, carrier))

    assert response.status_code == 201, response.content
    body = response.json()
    order = SalesOrder.objects.get()
    assert (body["reference"], body["number"], body["status"]) == (f"D{order.pk}", None, "draft")
    assert [(x["product"], x["quantity"], x["unit_price"], x["amount"]) for x in body["lines"]] == [
        ("A-101", "20.000", "349.6000", "6992.00"),
        ("B-220", "5.000", "243.8000", "1219.00"),
    ]
    assert body["total"] == "8211.00"
    assert body["lines"][0]["requested_date"] == "2026-12-01" and body["lines"][0]["notes"] == "红色"
    assert (body["customer"], body["salesperson"], body["carrier_name"]) == (customer.code, "sales", "联昊通")
    assert body["checks"] == []
    assert order.lines.get(position=1).amount == Decimal("6992.00")


def test_an_order_registered_in_the_same_request_gets_its_number_and_its_review(
    api_as, assistant, customer, carrier
):
    response = api_as(assistant).post("/orders", {**new_order(customer, carrier), "register": True})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reference"], body["number"], body["status"]) == (
        this_year_number(1),
        this_year_number(1),
        "registered",
    )
    assert [c["code"] for c in body["checks"]] == [
        "master_data",
        "credit_terms",
        "agreed_price",
        "prepayment",
        "receivables",
        "stock",
    ]
    assert all(set(c) == CHECK_KEYS and c["result"] == "passed" for c in body["checks"])
    assert body["lines"][0]["agreed_price"] == "349.6000"
    assert SalesOrder.objects.get().number == this_year_number(1)


def test_a_draft_is_registered_by_its_d_reference_and_then_found_by_its_number(api_as, assistant, draft):
    client = api_as(assistant)

    response = client.post(f"/orders/D{draft.pk}/register")

    assert response.status_code == 200, response.content
    assert response.json()["number"] == this_year_number(1)
    assert client.get(f"/orders/{this_year_number(1)}").json()["total"] == "8211.00"
    assert client.get(f"/orders/d{draft.pk}").status_code == 404  # a registered order goes by its number
    again = client.post(f"/orders/{this_year_number(1)}/register")
    assert again.status_code == 409
    assert SalesOrder.objects.get().number == this_year_number(1)


def test_the_salesperson_defaults_to_the_customers_and_may_be_named(
    api_as, assistant, customer, other_salesperson
):
    client = api_as(assistant)

    default = client.post("/orders", new_order(customer)).json()
    named = client.post("/orders", new_order(customer, salesperson="sales2")).json()

    assert (default["salesperson"], named["salesperson"]) == ("sales", "sales2")


def test_a_price_given_on_a_line_is_kept_to_four_places(api_as, assistant, customer):
    body = new_order(customer, lines=[{"product": "a-101", "quantity": "1.5", "unit_price": "333.3333"}])

    response = api_as(assistant).post("/orders", body)

    line = response.json()["lines"][0]
    assert (line["product"], line["unit_price"], line["amount"]) == ("A-101", "333.3333", "500.00")


def test_an_order_taken_on_a_call_remembers_the_call(api_as, assistant, customer):
    client = api_as(assistant)
    call = client.post("/calls", {"customer": customer.code, "need": "补货"}).json()

    response = client.post("/orders", new_order(customer, call=call["id"]))

    assert response.json()["call"] == call["id"]
    assert SalesOrder.objects.get().call_id == call["id"]


# --- The review: prices, overrides, reviewing again -----------------------------------


def test_a_price_below_the_agreed_one_holds_the_order_of_a_user_who_may_not_quote(
    api_as, newbie, newbies_customer
):
    body = held_for_price(api_as(newbie), newbies_customer)

    assert body["status"] == "on_hold" and body["number"] == this_year_number(1)
    check = next(c for c in body["checks"] if c["code"] == "agreed_price")
    assert check["result"] == "failed"
    assert "300.0000" in check["reason"] and "349.6000" in check["reason"]
    assert check["can_override"] is False


def test_a_user_with_the_quoting_permission_may_quote_another_price(api_as, assistant, customer):
    body = held_for_price(api_as(assistant), customer)

    assert body["status"] == "registered"
    check = next(c for c in body["checks"] if c["code"] == "agreed_price")
    assert check["result"] == "passed" and "李敏" in check["reason"]


def test_only_a_user_who_may_quote_overrides_the_price_check(
    api_as, newbie, newbies_customer, salesperson, manager
):
    number = held_for_price(api_as(newbie), newbies_customer)["number"]
    override = {"code": "agreed_price", "reason": "老客户特价，陆总同意"}

    refused = [api_as(user).post(f"/orders/{number}/override", override) for user in (newbie, salesperson)]
    accepted = api_as(manager).post(f"/orders/{number}/override", override)

    assert [r.status_code for r in refused] == [403, 403]
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    check = next(c for c in body["checks"] if c["code"] == "agreed_price")
    assert (body["status"], check["result"], check["overridden_by"], check["override_reason"]) == (
        "registered",
        "overridden",
        "陆总",
        "老客户特价，陆总同意",
    )


def test_the_out_of_province_hold_is_lifted_by_the_salesperson_not_the_assistant(
    api_as, assistant, salesperson, product
):
    far = make_customer(
        by=assistant, province="湖南", city="长沙", assistant=assistant, salesperson=salesperson
    )
    body = api_as(assistant).post(
        "/orders", {**new_order(far, lines=[{"product": "A-101", "quantity": 1}]), "register": True}
    )
    number = body.json()["number"]
    override = {"code": "prepayment", "reason": "老客户，月底前付款"}

    refused = api_as(assistant).post(f"/orders/{number}/override", override)
    accepted = api_as(salesperson).post(f"/orders/{number}/override", override)

    assert body.json()["status"] == "on_hold"
    assert refused.status_code == 403
    assert accepted.status_code == 200 and accepted.json()["status"] == "registered"


def test_overriding_an_unknown_or_passed_check_is_refused(api_as, newbie, newbies_customer, manager):
    number = held_for_price(api_as(newbie), newbies_customer)["number"]
    client = api_as(manager)

    unknown = client.post(f"/orders/{number}/override", {"code": "weather", "reason": "x"})
    passed = client.post(f"/orders/{number}/override", {"code": "master_data", "reason": "x"})

    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "code"
    assert passed.status_code == 409


def test_a_held_order_is_reviewed_again_once_the_agreed_price_is_fixed(
    api_as, newbie, newbies_customer, product, manager
):
    client = api_as(newbie)
    number = held_for_price(client, newbies_customer)["number"]
    catalog_services.price_set(
        customer=newbies_customer,
        product=product,
        unit_price=Decimal("300"),
        valid_from=timezone.localdate(),
        by=manager,
    )

    response = client.post(f"/orders/{number}/review")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "registered"
    assert client.post(f"/orders/{number}/review").status_code == 409  # only an order on hold


# --- Release, ship slot, cancel --------------------------------------------------------


def _workday_at(hour: int, minute: int) -> dt.datetime:
    day = next_workday(timezone.localdate())
    return at_local(day.year, day.month, day.day, hour, minute)


@pytest.mark.parametrize(("minute", "slot"), [(29, "am"), (31, "pm")])
def test_release_gives_the_ship_slot_of_the_registration_time(assistant, customer, carrier, minute, slot):
    registered = _workday_at(11, minute)
    with mock.patch("django.utils.timezone.now", return_value=registered):
        client = ApiClient(token_for(assistant))
        number = client.post("/orders", {**new_order(customer, carrier), "register": True}).json()["number"]
        response = client.post(f"/orders/{number}/release")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["ship_date"], body["ship_slot"]) == (
        "released",
        registered.date().isoformat(),
        slot,
    )


def test_another_ship_slot_needs_a_note_which_is_kept(assistant, customer, carrier):
    registered = _workday_at(9, 0)
    with mock.patch("django.utils.timezone.now", return_value=registered):
        client = ApiClient(token_for(assistant))
        number = client.post("/orders", {**new_order(customer, carrier), "register": True}).json()["number"]
        without_note = client.post(f"/orders/{number}/release", {"ship_slot": "pm"})
        with_note = client.post(f"/orders/{number}/release", {"ship_slot": "pm", "note": "客户要求下午到"})

    assert without_note.status_code == 400
    assert without_note.json()["errors"][0]["field"] == "note"
    assert with_note.status_code == 200
    assert (with_note.json()["ship_slot"], with_note.json()["ship_slot_note"]) == ("pm", "客户要求下午到")


def test_an_express_order_without_a_carrier_or_on_hold_is_not_released(
    api_as, assistant, customer, newbie, newbies_customer
):
    number = api_as(assistant).post("/orders", {**new_order(customer), "register": True}).json()["number"]
    held = held_for_price(api_as(newbie), newbies_customer)["number"]

    no_carrier = api_as(assistant).post(f"/orders/{number}/release")
    on_hold = api_as(newbie).post(f"/orders/{held}/release")

    assert no_carrier.status_code == 400 and no_carrier.json()["errors"][0]["field"] == "carrier"
    assert on_hold.status_code == 409
    assert set(SalesOrder.objects.values_list("status", flat=True)) == {"registered", "on_hold"}


def test_cancel_needs_a_reason_and_happens_once(api_as, assistant, draft):
    client = api_as(assistant)

    no_reason = client.post(f"/orders/D{draft.pk}/cancel", {"reason": "  "})
    cancelled = client.post(f"/orders/D{draft.pk}/cancel", {"reason": "客户改主意"})
    again = client.post(f"/orders/D{draft.pk}/cancel", {"reason": "再来一次"})

    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409


# --- Where is my order (催货) ------------------------------------------------------------


def test_tracking_says_what_the_order_waits_for_and_when_it_ships(
    api_as, assistant, warehouse, customer, carrier, product, other_product
):
    from salesdesk.warehouse.services import stock_inbound

    for item in (product, other_product):  # in stock: nothing waits for production
        stock_inbound(product=item, quantity=Decimal("100"), by=warehouse)
    client = api_as(assistant)
    number = client.post("/orders", {**new_order(customer, carrier), "register": True}).json()["number"]

    waiting = client.get(f"/orders/{number}/tracking").json()
    client.post(f"/orders/{number}/release")
    released = client.get(f"/orders/{number}/tracking").json()

    assert waiting["status"] == "registered" and waiting["expected"] == ""
    assert len(waiting["waiting"]) == 1  # waiting to be released
    assert released["status"] == "released"
    assert len(released["waiting"]) == 2 and all("A-101" in w or "B-220" in w for w in released["waiting"])
    order = SalesOrder.objects.get()
    assert released["expected"].startswith(order.ship_date.isoformat())
    assert [h["to_status"] for h in released["history"]] == ["registered", "released"]
    assert released["history"][0]["by"] == "assistant"
    assert released["carrier_name"] == "联昊通"


def test_tracking_a_held_order_names_the_failing_check_and_why(api_as, newbie, newbies_customer):
    client = api_as(newbie)
    number = held_for_price(client, newbies_customer)["number"]

    body = client.get(f"/orders/{number}/tracking").json()

    assert body["status"] == "on_hold"
    assert any("300.0000" in reason for reason in body["waiting"])


def test_message_text_is_turned_into_proposed_lines(api_as, assistant, product, other_product):
    response = api_as(assistant).post(
        "/orders/parse", {"text": "A-101 红色 20桶，B-220 5桶，还有蓝色的十桶，明天要"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [(x["product"], x["quantity"]) for x in body["lines"]] == [("A-101", "20"), ("B-220", "5")]
    assert body["lines"][0]["name"] == "水性木器漆 红色"
    assert body["requested_date"] == (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert body["unrecognised"] == ["还有蓝色的十桶"]


# --- Lists ------------------------------------------------------------------------------


def test_the_list_filters_by_status_customer_search_and_date_and_pages(
    api_as, assistant, customer, draft, carrier
):
    client = api_as(assistant)
    registered = client.post("/orders", {**new_order(customer, carrier), "register": True}).json()
    today = timezone.localdate().isoformat()

    everything = client.get("/orders").json()
    drafts = client.get("/orders", {"status": "draft"}).json()
    by_number = client.get("/orders", {"q": registered["number"]}).json()
    by_part_of_number = client.get("/orders", {"q": registered["number"][:4].lower()}).json()
    by_customer = client.get(
        "/orders", {"customer": customer.code.lower(), "date_from": today, "date_to": today}
    )
    later = client.get("/orders", {"date_from": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    second_page = client.get("/orders", {"limit": 1, "offset": 1}).json()

    assert everything["count"] == 2
    assert [o["total"] for o in everything["items"]] == ["8211.00", "8211.00"]
    assert [o["reference"] for o in drafts["items"]] == [f"D{draft.pk}"]
    assert [o["reference"] for o in by_number["items"]] == [registered["number"]]
    assert [o["reference"] for o in by_part_of_number["items"]] == [registered["number"]]  # "xs20"
    assert by_customer.json()["count"] == 2
    assert later.json()["count"] == 0
    assert second_page["count"] == 2 and len(second_page["items"]) == 1


def test_the_order_list_makes_the_same_number_of_queries_for_3_or_30_orders(
    api_as, manager, assistant, customer, carrier, product, other_product
):
    client = api_as(manager)

    def add(n: int) -> None:
        for _i in range(n):
            order = services.order_create(
                by=assistant,
                customer=customer,
                channel="phone",
                ship_method="express",
                carrier=carrier,
                collection_method="cod",
                lines=[
                    services.LineInput(product=product, quantity=Decimal("2")),
                    services.LineInput(product=other_product, quantity=Decimal("1")),
                ],
            )
            services.order_register(order=order, by=assistant)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/orders", {"limit": 200})
        assert response.status_code == 200
        return len(queries)

    add(3)
    with_3 = count_queries()
    add(27)
    with_30 = count_queries()

    assert client.get("/orders").json()["count"] == 30
    assert with_30 == with_3


# --- Scope and permissions --------------------------------------------------------------


@pytest.fixture
def others_order(other_assistant, other_salesperson, product):
    theirs = make_customer(
        by=other_assistant, name="江门新美", assistant=other_assistant, salesperson=other_salesperson
    )
    order = services.order_create(
        by=other_assistant,
        customer=theirs,
        channel="fax",
        ship_method="pickup",
        collection_method="cash",
        lines=[services.LineInput(product=product, quantity=Decimal("3"))],
    )
    return services.order_register(order=order, by=other_assistant)


@pytest.mark.parametrize("persona", ["salesperson", "assistant"])
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("get", "/tracking", None),
        ("post", "/register", {}),
        ("post", "/review", {}),
        ("post", "/release", {}),
        ("post", "/cancel", {"reason": "不是我的"}),
        ("post", "/override", {"code": "agreed_price", "reason": "x"}),
    ],
)
def test_another_salespersons_order_answers_404_as_if_it_did_not_exist(
    request, api_as, others_order, persona, method, suffix, body
):
    client = api_as(request.getfixturevalue(persona))
    path = f"/orders/{others_order.number}{suffix}"

    before = others_order.status

    response = client.get(path) if method == "get" else client.post(path, body)

    assert response.status_code == 404
    assert others_order.number.encode() not in response.content
    others_order.refresh_from_db()
    assert others_order.status == before


def test_the_list_shows_only_the_users_own_orders(api_as, salesperson, manager, finance, draft, others_order):
    mine = api_as(salesperson).get("/orders").json()

    assert [o["reference"] for o in mine["items"]] == [f"D{draft.pk}"]
    assert api_as(manager).get("/orders").json()["count"] == 2
    assert api_as(finance).get("/orders").json()["count"] == 2


def test_an_order_for_a_customer_outside_the_users_scope_is_refused_on_the_customer(
    api_as, salesperson, others_order, product
):
    response = api_as(salesperson).post("/orders", new_order(others_order.customer))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer"
    assert SalesOrder.objects.count() == 1


@pytest.mark.parametrize("persona", ["warehouse", "finance"])
def test_roles_that_do_not_take_orders_get_403_and_nothing_is_written(
    request, api_as, customer, draft, persona
):
    client = api_as(request.getfixturevalue(persona))

    created = client.post("/orders", new_order(customer))
    registered = client.post(f"/orders/D{draft.pk}/register")

    assert (created.status_code, registered.status_code) == (403, 403)
    assert SalesOrder.objects.count() == 1
    draft.refresh_from_db()
    assert draft.status == OrderStatus.DRAFT


# --- The warehouse ----------------------------------------------------------------------


def test_the_warehouse_sees_released_orders_only_and_no_money_anywhere(
    api_as, assistant, warehouse, customer, carrier, draft
):
    client = api_as(assistant)
    held = client.post("/orders", {**new_order(customer, carrier), "register": True}).json()["number"]
    released = client.post("/orders", {**new_order(customer, carrier), "register": True}).json()["number"]
    client.post(f"/orders/{released}/release")
    store = api_as(warehouse)

    answers = [
        store.get("/orders"),
        store.get(f"/orders/{released}"),
        store.get(f"/orders/{released}/tracking"),
        store.get("/orders", {"status": "released"}),
    ]

    for response in answers:
        assert response.status_code == 200, response.content
        assert not keys_in(response.json()) & MONEY_KEYS, response.json()
        for money in (b"349.6", b"243.8", b"6992", b"8211", b"1219"):
            assert money not in response.content
    assert [o["reference"] for o in answers[0].json()["items"]] == [released]
    detail = answers[1].json()
    assert [(x["product"], x["quantity"]) for x in detail["lines"]] == [
        ("A-101", "20.000"),
        ("B-220", "5.000"),
    ]
    assert {c["result"] for c in detail["checks"]} == {"passed"}
    for hidden in (held, f"D{draft.pk}"):
        assert store.get(f"/orders/{hidden}").status_code == 404


def test_the_warehouse_hears_which_check_an_order_waits_for_but_not_the_prices_behind_it(
    api_as, assistant, warehouse, customer, carrier, monkeypatch
):
    # given a released order whose price check fails after all (a later review, say),
    # and a shipment report that carries money
    client = api_as(assistant)
    number = client.post("/orders", {**new_order(customer, carrier), "register": True}).json()["number"]
    client.post(f"/orders/{number}/release")
    ReviewCheck.objects.filter(code="agreed_price").update(
        result=CheckResult.FAILED, reason="A-101 300.0000 ≠ 349.6000"
    )

    def shipped(order, tracking) -> None:
        tracking.shipped.append({"tracking_number": "LHT-0001", "quantity": "20", "amount": "6992.00"})

    monkeypatch.setattr(selectors, "TRACKING_PROVIDERS", [shipped])

    # when
    seen_by_sales = client.get(f"/orders/{number}/tracking").json()
    seen_by_warehouse = api_as(warehouse).get(f"/orders/{number}/tracking")

    # then
    assert any("349.6000" in reason for reason in seen_by_sales["waiting"])
    assert seen_by_sales["shipped"][0]["amount"] == "6992.00"
    body = seen_by_warehouse.json()
    assert body["waiting"] == [str(review.check_by_code("agreed_price").label)]
    assert body["shipped"] == [{"tracking_number": "LHT-0001", "quantity": "20"}]
    assert b"349.6" not in seen_by_warehouse.content and b"6992" not in seen_by_warehouse.content


# --- Idempotency ------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_takes_one_order_down(api_as, assistant, customer, carrier):
    client = api_as(assistant)
    body = {**new_order(customer, carrier), "register": True}

    first = client.post("/orders", body, **{"Idempotency-Key": "sms-2026-11-27-001"})
    second = client.post("/orders", body, **{"Idempotency-Key": "sms-2026-11-27-001"})
    third = client.post("/orders", body, **{"Idempotency-Key": "sms-2026-11-27-002"})

    assert first.status_code == second.status_code == third.status_code == 201
    assert second.content == first.content and second["Idempotent-Replay"] == "true"
    assert SalesOrder.objects.count() == 2
    assert (first.json()["number"], third.json()["number"]) == (this_year_number(1), this_year_number(2))
    assert SalesOrder.objects.filter(status=OrderStatus.REGISTERED).count() == 2
    assert not SalesOrder.objects.filter(checks__result=CheckResult.FAILED).exists()
