"""Samples over the API: requested for a customer in scope, moved through factory, courier and
delivery by those who may, 404 outside scope, and bad input refused on its field with
nothing written.
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

from salesdesk.core.models import StatusChange
from salesdesk.warehouse import services_samples as services
from salesdesk.warehouse.models import SampleDispatch, SampleLine, SampleStatus
from tests.factories import CarrierFactory, ProductFactory, make_customer
from tests.orders.conftest import carrier, customer, other_product, product  # noqa: F401

pytestmark = pytest.mark.django_db


def today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


class DaysFromToday(int):
    """A date in a parameter list, read when the test runs: collected before midnight in
    Shanghai and run after it, a date computed at collection would name the wrong day."""

    def resolve(self) -> str:
        return today(self)


def new_sample(owner, **changes: Any) -> dict[str, Any]:
    body = {
        "customer": owner.code,
        "lines": [{"product": "A-101", "quantity": "2"}, {"product": "b-220", "quantity": 0.5}],
        "note": "附色卡",
    }
    return {**body, **changes}


@pytest.fixture
def others_customer(other_assistant, other_salesperson):
    return make_customer(
        by=other_assistant, name="中山彩虹装饰", assistant=other_assistant, salesperson=other_salesperson
    )


@pytest.fixture
def others_sample(others_customer, other_assistant, product):
    return services.sample_request(
        customer=others_customer,
        by=other_assistant,
        lines=[services.SampleLineInput(product=product, quantity=Decimal("1"))],
    )


def written() -> tuple[int, int, int]:
    return SampleDispatch.objects.count(), SampleLine.objects.count(), StatusChange.objects.count()


def test_a_salesperson_requests_a_sample_for_a_customer_with_exact_quantities(
    api_as, salesperson, customer, product, other_product
):
    response = api_as(salesperson).post("/samples", new_sample(customer))

    assert response.status_code == 201, response.content
    body = response.json()
    sample = SampleDispatch.objects.get()
    assert (body["id"], body["reference"], body["status"]) == (sample.pk, f"YP{sample.pk}", "requested")
    assert [(x["product"], x["quantity"], x["unit"]) for x in body["lines"]] == [
        ("A-101", "2.000", "桶"),
        ("B-220", "0.500", "桶"),
    ]
    assert (body["customer"], body["requested_by"], body["requested_on"], body["note"]) == (
        customer.code,
        "sales",
        today(),
        "附色卡",
    )
    assert (body["sent_to_factory_on"], body["carrier"], body["tracking_number"]) == (None, None, "")


def test_the_warehouse_may_request_for_the_customers_salesperson_or_name_the_requester(
    api_as, warehouse, assistant, customer, product, other_product
):
    client = api_as(warehouse)

    default = client.post("/samples", new_sample(customer)).json()
    named = client.post("/samples", new_sample(customer, requested_by="assistant")).json()

    assert (default["requested_by"], named["requested_by"]) == ("sales", "assistant")
    assert default["created_by"] == "warehouse"


def test_a_sample_moves_from_the_factory_to_the_courier_to_the_customer(
    api_as, assistant, warehouse, customer, carrier, product, other_product
):
    sample_id = api_as(assistant).post("/samples", new_sample(customer)).json()["id"]
    store = api_as(warehouse)

    sent = store.post(f"/samples/{sample_id}/send-to-factory")
    gone = store.post(
        f"/samples/{sample_id}/dispatch",
        {"carrier": carrier.pk, "tracking_number": " LHT-2026-88 ", "dispatched_on": today()},
    )
    there = api_as(assistant).post(f"/samples/{sample_id}/deliver", {"delivered_on": today()})

    assert [r.status_code for r in (sent, gone, there)] == [200, 200, 200], there.content
    body = there.json()
    assert (body["status"], body["status_label"]) == ("delivered", str(SampleStatus.DELIVERED.label))
    assert (body["sent_to_factory_on"], body["dispatched_on"], body["delivered_on"]) == (
        today(),
        today(),
        today(),
    )
    assert (body["carrier"], body["carrier_name"], body["tracking_number"]) == (
        carrier.pk,
        "联昊通",
        "LHT-2026-88",
    )
    assert api_as(assistant).get(f"/samples/{sample_id}").json() == body


def test_a_step_out_of_turn_or_twice_is_a_conflict(
    api_as, assistant, customer, carrier, product, other_product
):
    client = api_as(assistant)
    sample_id = client.post("/samples", new_sample(customer)).json()["id"]

    early = client.post(f"/samples/{sample_id}/deliver")
    client.post(f"/samples/{sample_id}/send-to-factory", {})
    twice = client.post(f"/samples/{sample_id}/send-to-factory", {})
    client.post(f"/samples/{sample_id}/dispatch", {"carrier": carrier.pk, "tracking_number": "T1"})
    too_late = client.post(f"/samples/{sample_id}/cancel", {"reason": "不要了"})

    assert [r.status_code for r in (early, twice, too_late)] == [409, 409, 409]
    assert SampleDispatch.objects.get().status == SampleStatus.DISPATCHED


def test_a_sample_is_cancelled_with_a_reason_by_who_asked_for_it(
    api_as, salesperson, finance, customer, product, other_product
):
    sample_id = api_as(salesperson).post("/samples", new_sample(customer)).json()["id"]

    by_finance = api_as(finance).post(f"/samples/{sample_id}/cancel", {"reason": "不要了"})
    no_reason = api_as(salesperson).post(f"/samples/{sample_id}/cancel", {"reason": "  "})
    cancelled = api_as(salesperson).post(f"/samples/{sample_id}/cancel", {"reason": "客户已有"})

    assert by_finance.status_code == 403
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "客户已有")


@pytest.mark.parametrize("persona", ["salesperson", "finance"])
@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("send-to-factory", {}),
        ("dispatch", {"carrier": 1, "tracking_number": "T1"}),
        ("deliver", {}),
    ],
)
def test_salespeople_and_finance_do_not_move_the_steps(
    request, api_as, assistant, customer, product, other_product, persona, step, body
):
    sample_id = api_as(assistant).post("/samples", new_sample(customer)).json()["id"]
    before = written()

    response = api_as(request.getfixturevalue(persona)).post(f"/samples/{sample_id}/{step}", body)

    assert response.status_code == 403
    assert written() == before


@pytest.mark.parametrize("persona", ["salesperson", "assistant"])
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("post", "/send-to-factory", {}),
        ("post", "/dispatch", {"carrier": 1, "tracking_number": "T1"}),
        ("post", "/deliver", {}),
        ("post", "/cancel", {"reason": "不是我的"}),
    ],
)
def test_another_salespersons_sample_answers_404_as_if_it_did_not_exist(
    request, api_as, others_sample, carrier, persona, method, suffix, body
):
    client = api_as(request.getfixturevalue(persona))
    path = f"/samples/{others_sample.pk}{suffix}"

    response = client.get(path) if method == "get" else client.post(path, body)

    # A salesperson may not move steps at all: refused before the sample is looked up.
    moving = persona == "salesperson" and suffix in {"/send-to-factory", "/dispatch", "/deliver"}
    assert response.status_code == (403 if moving else 404)
    assert "中山彩虹装饰".encode() not in response.content
    others_sample.refresh_from_db()
    assert others_sample.status == SampleStatus.REQUESTED


def test_the_list_shows_the_users_own_samples_open_ones_first_and_filters(
    api_as, assistant, warehouse, customer, others_sample, carrier, product, other_product
):
    client = api_as(assistant)
    done = client.post("/samples", new_sample(customer)).json()["id"]
    for step, body in (
        ("send-to-factory", {}),
        ("dispatch", {"carrier": carrier.pk, "tracking_number": "SF-1"}),
        ("deliver", {}),
    ):
        client.post(f"/samples/{done}/{step}", body)
    waiting = client.post("/samples", new_sample(customer)).json()["id"]

    mine = client.get("/samples").json()
    everyone = api_as(warehouse).get("/samples", {"status": "open"}).json()
    by_tracking = client.get("/samples", {"q": "sf-1"}).json()
    by_customer = api_as(warehouse).get("/samples", {"customer": customer.code.lower()}).json()
    dated = client.get("/samples", {"date_from": today(1), "date_to": ""}).json()
    paged = client.get("/samples", {"limit": 1, "offset": 1}).json()

    assert [s["id"] for s in mine["items"]] == [waiting, done]
    assert {s["id"] for s in everyone["items"]} == {waiting, others_sample.pk}
    assert [s["id"] for s in by_tracking["items"]] == [done]
    assert by_customer["count"] == 2
    assert dated["count"] == 0
    assert paged["count"] == 2 and [s["id"] for s in paged["items"]] == [done]


def test_the_list_makes_the_same_number_of_queries_for_3_or_30_samples(
    api_as, warehouse, assistant, customer, product, other_product
):
    client = api_as(warehouse)
    lines = [
        services.SampleLineInput(product=product, quantity=Decimal("1")),
        services.SampleLineInput(product=other_product, quantity=Decimal("2")),
    ]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/samples", {"limit": 200}).status_code == 200
        return len(queries)

    for _i in range(3):
        services.sample_request(customer=customer, by=assistant, lines=lines)
    few = count()
    for _i in range(27):
        services.sample_request(customer=customer, by=assistant, lines=lines)

    assert client.get("/samples").json()["count"] == 30
    assert count() == few


def test_the_same_idempotency_key_twice_requests_one_sample(
    api_as, assistant, customer, product, other_product
):
    client = api_as(assistant)

    first = client.post("/samples", new_sample(customer), **{"Idempotency-Key": "yp-2026-001"})
    second = client.post("/samples", new_sample(customer), **{"Idempotency-Key": "yp-2026-001"})

    assert first.status_code == second.status_code == 201 and second.content == first.content
    assert SampleDispatch.objects.count() == 1


SAMPLE_PAYLOADS = [
    pytest.param({"customer": "GS99999"}, "customer", id="unknown customer"),
    pytest.param({"customer": "OTHER"}, "customer", id="another salespersons customer"),
    pytest.param({"customer": ""}, "customer", id="customer empty"),
    pytest.param({"customer": "GS\x00"}, "customer", id="NUL in customer"),
    pytest.param({"customer": 1}, "customer", id="customer a number"),
    pytest.param({"requested_by": "nobody"}, "requested_by", id="unknown requester"),
    pytest.param({"requested_by": "warehouse"}, "requested_by", id="requester from the warehouse"),
    pytest.param({"requested_by": "sa\x00les"}, "requested_by", id="NUL in requester"),
    pytest.param({"lines": []}, "lines", id="no lines"),
    pytest.param({"lines": None}, "lines", id="lines null"),
    pytest.param({"lines": [{"product": "NOPE", "quantity": "1"}]}, "lines.0.product", id="unknown product"),
    pytest.param(
        {"lines": [{"product": "OLD-1", "quantity": "1"}]}, "lines.0.product", id="product no longer sold"
    ),
    pytest.param(
        {"lines": [{"product": "A-101", "quantity": "1"}, {"product": "a-101", "quantity": "1"}]},
        "lines.1.product",
        id="product twice",
    ),
    pytest.param({"lines": [{"product": "A-101", "quantity": "0"}]}, "lines.0.quantity", id="quantity 0"),
    pytest.param({"lines": [{"product": "A-101", "quantity": "-2"}]}, "lines.0.quantity", id="negative"),
    pytest.param({"lines": [{"product": "A-101", "quantity": "1e15"}]}, "lines.0.quantity", id="huge"),
    pytest.param({"lines": [{"product": "A-101", "quantity": "1.0001"}]}, "lines.0.quantity", id="too fine"),
    pytest.param(
        {"lines": [{"product": "A-101", "quantity": "Infinity"}]}, "lines.0.quantity", id="infinite"
    ),
    pytest.param(
        {"lines": [{"product": "A-101", "quantity": True}]}, "lines.0.quantity", id="quantity a boolean"
    ),
    pytest.param({"lines": [{"product": "A-101"}]}, "lines.0.quantity", id="quantity missing"),
    pytest.param(
        {"lines": [{"product": "A-101", "quantity": 1, "unit_price": 1}]}, "lines.0.unit_price", id="price"
    ),
    pytest.param({"lines": [{"product": "A-101", "quantity": 1}] * 51}, "lines", id="51 lines"),
    pytest.param({"note": "x" * 501}, "note", id="note too long"),
    pytest.param({"note": "备注\x00"}, "note", id="NUL in note"),
    pytest.param({"status": "delivered"}, "status", id="client-chosen status"),
    pytest.param({"requested_on": "2020-01-01"}, "requested_on", id="client-chosen date"),
]


@pytest.mark.parametrize(("changes", "field"), SAMPLE_PAYLOADS)
def test_a_bad_sample_request_is_refused_on_its_field_and_nothing_is_written(
    api_as, assistant, customer, others_customer, product, other_product, changes, field
):
    ProductFactory(model_code="OLD-1", active=False)
    if changes.get("customer") == "OTHER":
        changes = {**changes, "customer": others_customer.code}
    before = written()

    response = api_as(assistant).post("/samples", new_sample(customer, **changes))

    assert 400 <= response.status_code < 500, response.content
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), fields
    assert written() == before


STEP_PAYLOADS = [
    pytest.param(
        "send-to-factory", {"sent_to_factory_on": DaysFromToday(1)}, "sent_to_factory_on", id="sent tomorrow"
    ),
    pytest.param(
        "send-to-factory",
        {"sent_to_factory_on": DaysFromToday(-1)},
        "sent_to_factory_on",
        id="before request",
    ),
    pytest.param(
        "send-to-factory", {"sent_to_factory_on": "2026-02-30"}, "sent_to_factory_on", id="30 February"
    ),
    pytest.param(
        "send-to-factory", {"sent_to_factory_on": 20260101}, "sent_to_factory_on", id="date a number"
    ),
    pytest.param("send-to-factory", {"on": DaysFromToday(0)}, "on", id="unknown field"),
    pytest.param("dispatch", {"tracking_number": "T1"}, "carrier", id="carrier missing"),
    pytest.param("dispatch", {"carrier": 2**40, "tracking_number": "T1"}, "carrier", id="unknown carrier"),
    pytest.param("dispatch", {"carrier": 2**70, "tracking_number": "T1"}, "carrier", id="carrier huge"),
    pytest.param("dispatch", {"carrier": "1", "tracking_number": "T1"}, "carrier", id="carrier a string"),
    pytest.param("dispatch", {"carrier": "suspended", "tracking_number": "T1"}, "carrier", id="suspended"),
    pytest.param("dispatch", {"carrier": "ok", "tracking_number": ""}, "tracking_number", id="no tracking"),
    pytest.param(
        "dispatch", {"carrier": "ok", "tracking_number": "   "}, "tracking_number", id="blank tracking"
    ),
    pytest.param(
        "dispatch", {"carrier": "ok", "tracking_number": "1" * 41}, "tracking_number", id="too long"
    ),
    pytest.param("dispatch", {"carrier": "ok", "tracking_number": "1\x00"}, "tracking_number", id="NUL"),
    pytest.param(
        "dispatch",
        {"carrier": "ok", "tracking_number": "T", "dispatched_on": DaysFromToday(1)},
        "dispatched_on",
        id="future",
    ),
    pytest.param("deliver", {"delivered_on": "yesterday"}, "delivered_on", id="delivered not a date"),
    pytest.param("cancel", {}, "reason", id="no reason"),
    pytest.param("cancel", {"reason": "x" * 201}, "reason", id="reason too long"),
]


@pytest.mark.parametrize(("step", "body", "field"), STEP_PAYLOADS)
def test_a_bad_step_is_refused_on_its_field_and_changes_nothing(
    api_as, assistant, customer, carrier, product, other_product, step, body, field
):
    body = {k: v.resolve() if isinstance(v, DaysFromToday) else v for k, v in body.items()}
    sample_id = api_as(assistant).post("/samples", new_sample(customer)).json()["id"]
    if step in {"dispatch", "deliver"}:
        api_as(assistant).post(f"/samples/{sample_id}/send-to-factory")
    if step == "deliver":
        api_as(assistant).post(
            f"/samples/{sample_id}/dispatch", {"carrier": carrier.pk, "tracking_number": "T1"}
        )
    carriers = {
        "ok": carrier.pk,
        "suspended": CarrierFactory(name="源伟丰", status="suspended", suspended_reason="回单逾期").pk,
    }
    if body.get("carrier") in carriers:
        body = {**body, "carrier": carriers[body["carrier"]]}
    before = (
        SampleDispatch.objects.values_list("status", "tracking_number").get(),
        StatusChange.objects.count(),
    )

    response = api_as(assistant).post(f"/samples/{sample_id}/{step}", body)

    assert 400 <= response.status_code < 500, response.content
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields, fields
    after = (
        SampleDispatch.objects.values_list("status", "tracking_number").get(),
        StatusChange.objects.count(),
    )
    assert after == before


@pytest.mark.parametrize("sample_id", ["0", "-1", "abc", str(2**70), "1.5"])
def test_a_sample_id_that_cannot_exist_is_refused_unread(api_as, assistant, sample_id):
    response = api_as(assistant).get(f"/samples/{sample_id}")

    assert response.status_code in {404, 422}
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"date_from": "2026-13-01"},
        {"limit": 0},
        {"limit": 201},
        {"offset": -1},
        {"q": "x" * 101},
    ],
)
def test_a_bad_list_filter_is_refused_on_its_field(api_as, assistant, query):
    response = api_as(assistant).get("/samples", query)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == next(iter(query))
