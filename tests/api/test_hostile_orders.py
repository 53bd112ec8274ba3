"""Bad input to the call and order endpoints gets a 4xx naming the field and writes nothing.

Never a 500: oversized text, wrong types, numbers past their columns, impossible dates and
times, NUL characters, unknown or out-of-scope customers, products, carriers, people and
calls, references that cannot exist, and whatever a fuzzer sends.
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.calls import services as call_services
from salesdesk.calls.models import CallRecord, FollowUp
from salesdesk.catalog.models import Carrier
from salesdesk.core.models import AuditEvent, Sequence, StatusChange
from salesdesk.customers.models import Contact, Customer
from salesdesk.orders import services
from salesdesk.orders.models import OrderLine, ReviewCheck, SalesOrder
from tests.api.test_hostile_input import assert_refused
from tests.factories import ProductFactory, make_customer
from tests.orders.conftest import carrier, customer, draft, other_product, product  # noqa: F401

pytestmark = pytest.mark.django_db


def row_counts() -> tuple[int, ...]:
    models = [
        SalesOrder,
        OrderLine,
        ReviewCheck,
        StatusChange,
        Sequence,
        AuditEvent,
        CallRecord,
        FollowUp,
        Customer,
        Contact,
    ]
    return tuple(model.objects.count() for model in models)


@pytest.fixture
def world(assistant, customer, carrier, other_assistant, other_salesperson):
    """The assistant's customer and carrier, plus what must stay out of the assistant's reach."""
    theirs = make_customer(
        by=other_assistant, name="江门新美", assistant=other_assistant, salesperson=other_salesperson
    )
    their_call = CallRecord.objects.create(answered_by=other_salesperson, customer=theirs, company="江门新美")
    Carrier.objects.create(name="源伟丰", status="suspended", suspended_reason="回单逾期")
    ProductFactory(model_code="OLD-1", active=False)
    return {"customer": customer, "carrier": carrier, "theirs": theirs, "their_call": their_call}


def order_with(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "customer": world["customer"].code,
        "channel": "phone",
        "ship_method": "express",
        "carrier": world["carrier"].pk,
        "collection_method": "cod",
        "lines": [{"product": "A-101", "quantity": "20"}],
        "register": True,
    }
    return {**body, **changes}


def line(**changes: Any) -> dict[str, Any]:
    return {"lines": [{"product": "A-101", "quantity": "20", **changes}]}


ORDER_CREATES = [
    pytest.param({"customer": None}, "customer", id="customer null"),
    pytest.param({"customer": ""}, "customer", id="customer empty"),
    pytest.param({"customer": "GS99999"}, "customer", id="unknown customer"),
    pytest.param({"customer": "THEIRS"}, "customer", id="another salesperson's customer"),
    pytest.param({"customer": "GS00001\x00"}, "customer", id="NUL in customer"),
    pytest.param({"customer": "G" * 17}, "customer", id="customer code too long"),
    pytest.param({"customer": 1}, "customer", id="customer as an id"),
    pytest.param({"channel": "pigeon"}, "channel", id="unknown channel"),
    pytest.param({"channel": None}, "channel", id="channel null"),
    pytest.param({"ship_method": "teleport"}, "ship_method", id="unknown ship method"),
    pytest.param({"collection_method": "iou"}, "collection_method", id="unknown collection method"),
    pytest.param({"carrier": "1"}, "carrier", id="carrier id as text"),
    pytest.param({"carrier": 0}, "carrier", id="carrier id 0"),
    pytest.param({"carrier": -1}, "carrier", id="negative carrier id"),
    pytest.param({"carrier": 10**30}, "carrier", id="carrier id huge"),
    pytest.param({"carrier": 999_999}, "carrier", id="unknown carrier"),
    pytest.param({"carrier": "SUSPENDED"}, "carrier", id="suspended carrier"),
    pytest.param({"carrier": True}, "carrier", id="carrier a boolean"),
    pytest.param({"salesperson": "nobody"}, "salesperson", id="unknown salesperson"),
    pytest.param({"salesperson": "assistant2"}, "salesperson", id="salesperson who is an assistant"),
    pytest.param({"salesperson": "sa\x00les"}, "salesperson", id="NUL in salesperson"),
    pytest.param({"salesperson": "s" * 151}, "salesperson", id="salesperson too long"),
    pytest.param({"warehouse_instructions": "x" * 2001}, "warehouse_instructions", id="instructions long"),
    pytest.param({"warehouse_instructions": "轻放\x00"}, "warehouse_instructions", id="NUL in instructions"),
    pytest.param({"call": 999_999}, "call", id="unknown call"),
    pytest.param({"call": "THEIR_CALL"}, "call", id="another salesperson's call"),
    pytest.param({"call": "1"}, "call", id="call id as text"),
    pytest.param({"register": "yes"}, "register", id="register as a word"),
    pytest.param({"register": 1}, "register", id="register as a number"),
    pytest.param({"number": "XS2026-00001"}, "number", id="client-chosen number"),
    pytest.param({"status": "released"}, "status", id="client-chosen status"),
    pytest.param({"lines": None}, "lines", id="lines null"),
    pytest.param({"lines": []}, "lines", id="no lines"),
    pytest.param({"lines": "A-101 20桶"}, "lines", id="lines as text"),
    pytest.param({"lines": [{"product": "A-101", "quantity": "1"}] * 201}, "lines", id="201 lines"),
    pytest.param({"lines": [{"quantity": "1"}]}, "lines.0.product", id="line without product"),
    pytest.param({"lines": [{"product": "A-101"}]}, "lines.0.quantity", id="line without quantity"),
    pytest.param(line(product="NOPE"), "lines.0.product", id="unknown product"),
    pytest.param(line(product="OLD-1"), "lines.0.product", id="product no longer sold"),
    pytest.param(line(product="A-101\x00"), "lines.0.product", id="NUL in product"),
    pytest.param(line(product="A" * 41), "lines.0.product", id="model code too long"),
    pytest.param(line(product=101), "lines.0.product", id="product as a number"),
    pytest.param(line(quantity="0"), "lines.0.quantity", id="quantity 0"),
    pytest.param(line(quantity="-1"), "lines.0.quantity", id="negative quantity"),
    pytest.param(line(quantity="-0"), "lines.0.quantity", id="quantity minus zero"),
    pytest.param(line(quantity="二十"), "lines.0.quantity", id="quantity in words"),
    pytest.param(line(quantity="NaN"), "lines.0.quantity", id="quantity NaN"),
    pytest.param(line(quantity="Infinity"), "lines.0.quantity", id="quantity infinite"),
    pytest.param(line(quantity="1e20"), "lines.0.quantity", id="quantity past the column"),
    pytest.param(line(quantity="123456789012"), "lines.0.quantity", id="quantity 12 whole digits"),
    pytest.param(line(quantity="1.0001"), "lines.0.quantity", id="quantity four places"),
    pytest.param(line(quantity=1e300), "lines.0.quantity", id="quantity astronomical"),
    pytest.param(line(quantity=True), "lines.0.quantity", id="quantity a boolean"),
    pytest.param(line(quantity=None), "lines.0.quantity", id="quantity null"),
    pytest.param(line(unit_price="-0.01"), "lines.0.unit_price", id="negative price"),
    pytest.param(line(unit_price="1.00001"), "lines.0.unit_price", id="price five places"),
    pytest.param(line(unit_price="1e20"), "lines.0.unit_price", id="price past the column"),
    pytest.param(line(unit_price="NaN"), "lines.0.unit_price", id="price NaN"),
    pytest.param(line(unit_price={"value": 1}), "lines.0.unit_price", id="price an object"),
    pytest.param(
        line(quantity="99999999999.999", unit_price="9999999999.9999"), "lines.0", id="amount past its column"
    ),
    pytest.param(line(requested_date="2026-02-30"), "lines.0.requested_date", id="30 February"),
    pytest.param(line(requested_date="明天"), "lines.0.requested_date", id="date in words"),
    pytest.param(line(requested_date=0), "lines.0.requested_date", id="date as a number"),
    pytest.param(line(notes="n" * 201), "lines.0.notes", id="notes too long"),
    pytest.param(line(notes="\x00"), "lines.0.notes", id="NUL in notes"),
    pytest.param(line(amount="1"), "lines.0.amount", id="client-chosen amount"),
]


def _resolve(world: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    # Placeholders for rows that only exist once the fixtures ran.
    stand_ins = {
        "THEIRS": world["theirs"].code,
        "THEIR_CALL": world["their_call"].pk,
        "SUSPENDED": Carrier.objects.get(name="源伟丰").pk,
    }
    return {
        key: stand_ins.get(value, value) if isinstance(value, str) else value
        for key, value in payload.items()
    }


@pytest.mark.parametrize(("changes", "field"), ORDER_CREATES)
def test_a_bad_order_is_refused_on_its_field_and_nothing_is_written(api_as, assistant, world, changes, field):
    client = api_as(assistant)
    before = row_counts()

    response = client.post("/orders", order_with(world, **_resolve(world, changes)))

    assert_refused(response, field)
    assert row_counts() == before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("not json", id="not JSON"),
        pytest.param('{"customer": "GS00001", "lines": [', id="cut off"),
        pytest.param("[]", id="a list"),
        pytest.param("null", id="null"),
        pytest.param(b"\xff\xfe\x00", id="binary"),
        pytest.param('{"customer": "GS\\ud800"}', id="lone surrogate"),
    ],
)
def test_a_body_that_is_not_an_order_object_is_refused(api_as, assistant, world, body):
    client = api_as(assistant)
    before = row_counts()

    assert_refused(client.post("/orders", body), None)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"status": "lost"}, "status", id="unknown status"),
        pytest.param({"date_from": "2026-02-30"}, "date_from", id="impossible date"),
        pytest.param({"date_to": "last week"}, "date_to", id="date in words"),
        pytest.param({"q": "XS\x00"}, "q", id="NUL in search"),
        pytest.param({"q": "x" * 101}, "q", id="search too long"),
        pytest.param({"customer": "G" * 17}, "customer", id="customer code too long"),
        pytest.param({"customer": "GS\x00"}, "customer", id="NUL in customer"),
        pytest.param({"limit": 0}, "limit", id="limit 0"),
        pytest.param({"limit": 201}, "limit", id="limit 201"),
        pytest.param({"offset": "9" * 40}, "offset", id="offset huge"),
    ],
)
def test_bad_order_list_parameters_are_refused_on_their_name(api_as, manager, params, field):
    assert_refused(api_as(manager).get("/orders", params), field)


@pytest.mark.parametrize(
    "reference",
    [
        "XS2026-1",
        "xs2026-00001",
        "XS2026-00001%00",
        "%00",
        "D",
        "D-1",
        "D1.5",
        "D%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
        "D%D9%A1",  # an Arabic-Indic one
        "D" + "9" * 19,
        "XS2026-00001'--",
        "%F0%9F%98%80",
    ],
)
def test_an_order_reference_that_cannot_exist_is_refused_not_looked_up(api_as, manager, draft, reference):
    client = api_as(manager)

    for response in (
        client.get(f"/orders/{reference}"),
        client.post(f"/orders/{reference}/cancel", {"reason": "x"}),
    ):
        assert 400 <= response.status_code < 500
        assert response.json()["errors"]
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        pytest.param("/override", {"code": "", "reason": "x"}, "code", id="override code empty"),
        pytest.param("/override", {"code": "c" * 21, "reason": "x"}, "code", id="override code long"),
        pytest.param("/override", {"code": "agreed_price"}, "reason", id="override without reason"),
        pytest.param(
            "/override", {"code": "agreed_price", "reason": " "}, "reason", id="override blank reason"
        ),
        pytest.param(
            "/override", {"code": "agreed_price", "reason": "r" * 501}, "reason", id="override reason long"
        ),
        pytest.param("/override", {"code": "agreed_price", "reason": "\x00"}, "reason", id="NUL in reason"),
        pytest.param("/release", {"ship_date": "2026-02-30"}, "ship_date", id="release impossible date"),
        pytest.param("/release", {"ship_slot": "night"}, "ship_slot", id="release unknown slot"),
        pytest.param("/release", {"note": "n" * 201}, "note", id="release note long"),
        pytest.param(
            "/release", {"ship_date": "2000-01-03", "note": "补发"}, "ship_date", id="release in the past"
        ),
        pytest.param("/cancel", {}, "reason", id="cancel without reason"),
        pytest.param("/cancel", {"reason": "r" * 501}, "reason", id="cancel reason long"),
        pytest.param("/cancel", {"reason": "x", "force": True}, "force", id="cancel extra field"),
    ],
)
def test_a_bad_order_action_is_refused_on_its_field_and_the_order_stays(
    api_as, assistant, draft, suffix, body, field
):
    client = api_as(assistant)
    order = services.order_register(order=draft, by=assistant)
    before = row_counts()

    response = client.post(f"/orders/{order.number}{suffix}", body)

    assert_refused(response, field)
    assert row_counts() == before
    order.refresh_from_db()
    assert order.status == "registered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "text", id="no text"),
        pytest.param({"text": ""}, "text", id="empty text"),
        pytest.param({"text": "x" * 5001}, "text", id="text too long"),
        pytest.param({"text": "A-101 20桶\x00"}, "text", id="NUL in text"),
        pytest.param({"text": ["A-101"]}, "text", id="text a list"),
    ],
)
def test_bad_message_text_is_refused(api_as, assistant, product, body, field):
    assert_refused(api_as(assistant).post("/orders/parse", body), field)


# --- Calls ------------------------------------------------------------------------------


CALL_LOGS = [
    pytest.param({"at": "yesterday"}, "at", id="time in words"),
    pytest.param({"at": "2026-02-30T10:00"}, "at", id="30 February"),
    pytest.param({"at": "2026-11-27T25:00"}, "at", id="hour 25"),
    pytest.param({"at": "2026-11-27T10:00+25:00"}, "at", id="offset past a day"),
    pytest.param({"at": "0001-01-01T00:00"}, "at", id="year 1"),
    pytest.param({"at": "9999-12-31T23:59:59"}, "at", id="year 9999"),
    pytest.param({"at": 1764200000}, "at", id="time as seconds"),
    pytest.param({"at": None}, "at", id="time null"),
    pytest.param({"company": "公" * 121}, "company", id="company too long"),
    pytest.param({"contact_name": "黄" * 51}, "contact_name", id="contact too long"),
    pytest.param({"phone": "1" * 41}, "phone", id="phone too long"),
    pytest.param({"need": "\x00"}, "need", id="NUL in need"),
    pytest.param({"need": "x" * 5001}, "need", id="need too long"),
    pytest.param({"duration_minutes": -1}, "duration_minutes", id="negative duration"),
    pytest.param({"duration_minutes": 601}, "duration_minutes", id="duration over ten hours"),
    pytest.param({"duration_minutes": "5"}, "duration_minutes", id="duration as text"),
    pytest.param({"duration_minutes": 5.5}, "duration_minutes", id="duration fractional"),
    pytest.param({"customer": "GS99999"}, "customer", id="unknown customer"),
    pytest.param({"customer": "THEIRS"}, "customer", id="another salesperson's customer"),
    pytest.param({"customer": "GS\x00"}, "customer", id="NUL in customer"),
    pytest.param({"answered_by": "sales2"}, "answered_by", id="client-chosen answerer"),
]


@pytest.mark.parametrize(("payload", "field"), CALL_LOGS)
def test_a_bad_call_is_refused_on_its_field_and_nothing_is_written(api_as, assistant, world, payload, field):
    client = api_as(assistant)
    before = row_counts()

    response = client.post("/calls", {"company": "佛山美家", **_resolve(world, payload)})

    assert_refused(response, field)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/calls/{call}/follow-ups", {"assigned_to": "sales"}, "question", id="no question"),
        pytest.param(
            "/calls/{call}/follow-ups",
            {"question": " ", "assigned_to": "sales"},
            "question",
            id="blank question",
        ),
        pytest.param(
            "/calls/{call}/follow-ups", {"question": "?\x00", "assigned_to": "sales"}, "question", id="NUL"
        ),
        pytest.param(
            "/calls/{call}/follow-ups",
            {"question": "价格?", "assigned_to": "nobody"},
            "assigned_to",
            id="nobody",
        ),
        pytest.param(
            "/calls/{call}/follow-ups",
            {"question": "价格?", "assigned_to": ""},
            "assigned_to",
            id="no assignee",
        ),
        pytest.param(
            "/calls/{call}/follow-ups",
            {"question": "价格?", "assigned_to": "sales", "due_on": "2026-02-30"},
            "due_on",
            id="impossible due date",
        ),
        pytest.param("/calls/{call}/customer", {}, "series", id="customer without series"),
        pytest.param("/calls/{call}/customer", {"series": "XX"}, "series", id="unknown series"),
        pytest.param(
            "/calls/{call}/customer",
            {"series": "GS", "name": "名" * 121},
            "name",
            id="customer name too long",
        ),
        pytest.param(
            "/calls/{call}/customer",
            {"series": "GS", "salesperson": "nobody"},
            "salesperson",
            id="unknown seller",
        ),
        pytest.param(
            "/calls/{call}/customer",
            {"series": "GS", "contacts": [{"name": "黄"}]},
            "contacts",
            id="contact no phone",
        ),
        pytest.param(
            "/calls/{call}/customer", {"series": "GS", "code": "GS1"}, "code", id="client-chosen code"
        ),
        pytest.param("/follow-ups/{follow_up}/resolve", {}, "resolution", id="no resolution"),
        pytest.param(
            "/follow-ups/{follow_up}/resolve", {"resolution": "\x00"}, "resolution", id="NUL resolution"
        ),
        pytest.param(
            "/follow-ups/{follow_up}/resolve", {"resolution": "r" * 2001}, "resolution", id="resolution long"
        ),
    ],
)
def test_a_bad_follow_up_or_new_customer_from_a_call_is_refused(
    api_as, assistant, salesperson, path, body, field
):
    call = CallRecord.objects.create(
        answered_by=assistant, company="顺德新客户", contact_name="梁生", phone="13900000000"
    )
    follow_up = call_services.follow_up_raise(
        call=call, by=assistant, question="有没有现货?", assigned_to=salesperson
    )
    client = api_as(assistant)
    before = row_counts()

    response = client.post(path.format(call=call.pk, follow_up=follow_up.pk), body)

    assert_refused(response, field)
    assert row_counts() == before


@pytest.mark.parametrize("path", ["/calls/0", "/calls/-1", "/calls/abc", "/calls/" + "9" * 30, "/calls/1%00"])
def test_a_call_id_that_cannot_exist_is_refused(api_as, assistant, path):
    response = api_as(assistant).get(path)

    assert 400 <= response.status_code < 500
    assert response.json()["errors"]


# --- Whatever a fuzzer sends -------------------------------------------------------------


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
TRICKY = st.sampled_from(
    ["GS00001", "A-101", "B-220", "0", "-1", "1e20", "99999999999.999", "2026-02-30", "\x00", "sales", " "]
)
LINE = st.fixed_dictionaries(
    {},
    optional={
        "product": TRICKY | JSON_VALUES,
        "quantity": TRICKY | JSON_VALUES,
        "unit_price": TRICKY | JSON_VALUES,
        "requested_date": TRICKY | JSON_VALUES,
        "notes": TRICKY | JSON_VALUES,
    },
)
ORDER = st.fixed_dictionaries(
    {},
    optional={
        "customer": TRICKY | JSON_VALUES,
        "channel": st.sampled_from(["phone", "fax", "x"]) | JSON_VALUES,
        "ship_method": st.sampled_from(["express", "pickup", ""]) | JSON_VALUES,
        "collection_method": st.sampled_from(["cod", "cash"]) | JSON_VALUES,
        "carrier": st.integers() | JSON_VALUES,
        "salesperson": TRICKY | JSON_VALUES,
        "lines": st.lists(LINE, max_size=3) | JSON_VALUES,
        "register": st.booleans() | JSON_VALUES,
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=ORDER)
def test_no_order_payload_whatever_its_shape_causes_a_500_or_a_half_written_order(
    api_as, assistant, customer, product, other_product, payload
):
    client = api_as(assistant)
    before = row_counts()

    response = client.post("/orders", payload)

    assert response.status_code < 500
    if response.status_code >= 400:
        assert_refused(response, None)
        assert row_counts() == before
    else:
        assert SalesOrder.objects.count() == before[0] + 1
        assert response.json()["lines"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(min_size=1, max_size=300)
    | st.from_regex(r"(A-101|B-220|[0-9]{1,40}|[一二十百千]{1,6}|桶|，| |月|日){1,30}")
)
def test_no_message_text_causes_a_500(api_as, assistant, product, other_product, text):
    response = api_as(assistant).post("/orders/parse", {"text": text})

    assert response.status_code < 500
    if response.status_code == 200:
        body = response.json()
        assert all(line["product"] in {"A-101", "B-220"} for line in body["lines"])


def test_the_last_line_an_order_may_have_is_accepted_and_the_next_refused(
    api_as, assistant, customer, product
):
    client = api_as(assistant)
    body = {
        "customer": customer.code,
        "channel": "sp_sms",
        "ship_method": "pickup",
        "collection_method": "cash",
        "lines": [{"product": "A-101", "quantity": "1"}] * 200,
    }

    accepted = client.post("/orders", body)
    refused = client.post(
        "/orders", {**body, "lines": body["lines"] + [{"product": "A-101", "quantity": "1"}]}
    )

    assert accepted.status_code == 201 and len(accepted.json()["lines"]) == 200
    assert accepted.json()["total"] == "69920.00"
    assert_refused(refused, "lines")
    assert OrderLine.objects.count() == 200


def test_the_largest_quantity_and_price_the_columns_hold_are_kept_exactly(
    api_as, assistant, customer, product
):
    body = {
        "customer": customer.code,
        "channel": "fax",
        "ship_method": "pickup",
        "collection_method": "cash",
        "lines": [{"product": "A-101", "quantity": "99999999.999", "unit_price": "9999.9999"}],
    }

    response = api_as(assistant).post("/orders", body)

    assert response.status_code == 201, response.content
    line = response.json()["lines"][0]
    assert (line["quantity"], line["unit_price"], line["amount"]) == (
        "99999999.999",
        "9999.9999",
        "999999989990.00",
    )
    assert OrderLine.objects.get().amount == Decimal("999999989990.00")
