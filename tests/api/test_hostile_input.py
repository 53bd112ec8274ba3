"""Bad input gets a 4xx naming the field, in the one error shape, and writes nothing.

Never a 500: oversized text, wrong types, negative or huge numbers, impossible dates,
NUL characters and lone surrogates (which PostgreSQL or the UTF-8 encoder would refuse
only after the request had been accepted), unknown people and products, non-JSON bodies.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.catalog.models import Carrier, CustomerPrice, Product, RebatePrice
from salesdesk.core.models import AuditEvent
from salesdesk.customers.models import Contact, CreditTermApplication, Customer
from tests.conftest import client_for

GOOD_CUSTOMER = {"series": "GS", "name": "佛山美家", "contacts": [{"name": "黄经理", "phone": "13800138000"}]}
LONE_SURROGATE = '{"series": "GS", "name": "佛山\\ud800美家"}'


def row_counts() -> tuple[int, ...]:
    models = [
        Customer,
        Contact,
        CreditTermApplication,
        Product,
        CustomerPrice,
        RebatePrice,
        Carrier,
        AuditEvent,
    ]
    return tuple(model.objects.count() for model in models)


def assert_refused(response, field: str | None) -> None:
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["errors"] and all(set(e) == {"field", "message"} for e in body["errors"])
    if field is not None:
        fields = [e["field"] for e in body["errors"]]
        assert any(f == field or f.startswith(f"{field}.") for f in fields), fields


def customer(**changes) -> dict:
    return {**GOOD_CUSTOMER, **changes}


CUSTOMER_CREATES = [
    pytest.param(customer(series="XX"), "series", id="unknown series"),
    pytest.param({"name": "无系列"}, "series", id="series missing"),
    pytest.param({"series": "GS"}, "name", id="name missing"),
    pytest.param(customer(name=""), "name", id="name empty"),
    pytest.param(customer(name="   "), "name", id="name only spaces"),
    pytest.param(customer(name="长" * 121), "name", id="name one over the column"),
    pytest.param(customer(name="x" * 100_000), "name", id="name of 100k characters"),
    pytest.param(customer(name="佛山\x00美家"), "name", id="NUL in name"),
    pytest.param(customer(address="路\x00"), "address", id="NUL in address"),
    pytest.param(customer(notes="备注\x00"), "notes", id="NUL in a text field"),
    pytest.param(customer(name=123), "name", id="name a number"),
    pytest.param(customer(name=["a"]), "name", id="name a list"),
    pytest.param(customer(name=None), "name", id="name null"),
    pytest.param(customer(province="广" * 21), "province", id="province too long"),
    pytest.param(customer(credit_days=-1), "credit_days", id="negative credit days"),
    pytest.param(customer(credit_days=366), "credit_days", id="credit days over a year"),
    pytest.param(customer(credit_days=10**30), "credit_days", id="credit days huge"),
    pytest.param(customer(credit_days="30"), "credit_days", id="credit days a string"),
    pytest.param(customer(credit_days=30.5), "credit_days", id="credit days fractional"),
    pytest.param(customer(credit_days=True), "credit_days", id="credit days a boolean"),
    pytest.param(customer(credit_limit="-1"), "credit_limit", id="negative credit limit"),
    pytest.param(customer(credit_limit="1e20"), "credit_limit", id="credit limit past the column"),
    pytest.param(customer(credit_limit="1234567890123.5"), "credit_limit", id="credit limit 13 whole digits"),
    pytest.param(customer(credit_limit=10**40), "credit_limit", id="credit limit huge integer"),
    pytest.param(customer(credit_limit="1.234"), "credit_limit", id="credit limit fractions of a cent"),
    pytest.param(customer(credit_limit="abc"), "credit_limit", id="credit limit not a number"),
    pytest.param(customer(credit_limit="NaN"), "credit_limit", id="credit limit NaN"),
    pytest.param(customer(credit_limit="Infinity"), "credit_limit", id="credit limit infinite"),
    pytest.param(customer(credit_limit=True), "credit_limit", id="credit limit a boolean"),
    pytest.param(customer(credit_limit={"amount": 1}), "credit_limit", id="credit limit an object"),
    pytest.param(customer(invoice_day=0), "invoice_day", id="invoice day 0"),
    pytest.param(customer(invoice_day=32), "invoice_day", id="invoice day 32"),
    pytest.param(customer(invoice_required="yes"), "invoice_required", id="boolean as a word"),
    pytest.param(customer(rebate=1), "rebate", id="boolean as a number"),
    pytest.param(customer(contract_valid_from="2026-02-30"), "contract_valid_from", id="30 February"),
    pytest.param(customer(contract_valid_from="2026-13-01"), "contract_valid_from", id="month 13"),
    pytest.param(customer(contract_valid_from="01/02/2026"), "contract_valid_from", id="date not ISO"),
    pytest.param(customer(contract_valid_from="20260101"), "contract_valid_from", id="date without dashes"),
    pytest.param(customer(contract_valid_from=0), "contract_valid_from", id="date as a number"),
    pytest.param(customer(contract_valid_from="2026-01-01\n"), "contract_valid_from", id="date with newline"),
    pytest.param(customer(settlement="bitcoin"), "settlement", id="unknown settlement"),
    pytest.param(customer(receipt_seal="forged"), "receipt_seal", id="unknown seal"),
    pytest.param(customer(status="deleted"), "status", id="unknown status"),
    pytest.param(customer(salesperson="nobody"), "salesperson", id="unknown salesperson"),
    pytest.param(customer(salesperson="assistant2"), "salesperson", id="salesperson who is an assistant"),
    pytest.param(customer(assistant="sales2"), "assistant", id="assistant who is a salesperson"),
    pytest.param(customer(prepayment_exception_by="nobody"), "prepayment_exception_by", id="unknown granter"),
    pytest.param(customer(salesperson="sa\x00les"), "salesperson", id="NUL in a username"),
    pytest.param(customer(salesperson=7), "salesperson", id="salesperson as an id"),
    pytest.param(customer(contacts=[{"name": "", "phone": "1"}]), "contacts", id="contact without name"),
    pytest.param(customer(contacts=[{"name": "a"}]), "contacts", id="contact without phone"),
    pytest.param(customer(contacts=[{"name": "a", "phone": "1" * 41}]), "contacts", id="phone too long"),
    pytest.param(customer(contacts=[{"name": "a", "phone": "1\x00"}]), "contacts", id="NUL in a phone"),
    pytest.param(customer(contacts="黄经理"), "contacts", id="contacts not a list"),
    pytest.param(customer(contacts=[{"name": "a", "phone": "1"}] * 21), "contacts", id="21 contacts"),
    pytest.param(
        customer(contacts=[{"name": "a", "phone": "1", "x": 1}]), "contacts", id="contact extra field"
    ),
    pytest.param(customer(code="GS99999"), "code", id="client-chosen code"),
    pytest.param(customer(created_by=1), "created_by", id="client-chosen creator"),
    pytest.param(customer(contract_file="x.pdf"), "contract_file", id="file through JSON"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "field"), CUSTOMER_CREATES)
def test_a_bad_new_customer_is_refused_on_its_field_and_nothing_is_written(
    api_as, assistant, other_assistant, salesperson, other_salesperson, payload, field
):
    client = api_as(assistant)
    before = row_counts()

    response = client.post("/customers", payload)

    assert_refused(response, field)
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        pytest.param("not json", id="not JSON"),
        pytest.param("{'series': 'GS'}", id="single quotes"),
        pytest.param('{"series": "GS", "name": "a"', id="cut off"),
        pytest.param("[1, 2]", id="a list"),
        pytest.param('"GS"', id="a string"),
        pytest.param("null", id="null"),
        pytest.param("42", id="a number"),
        pytest.param("", id="empty"),
        pytest.param(b"\xff\xfe\x00", id="binary"),
        pytest.param(LONE_SURROGATE, id="lone surrogate"),
    ],
)
def test_a_body_that_is_not_a_customer_object_is_refused(api_as, assistant, body):
    client = api_as(assistant)
    before = row_counts()

    response = client.post("/customers", body)

    assert_refused(response, None)
    assert row_counts() == before


@pytest.mark.django_db
def test_a_form_encoded_body_is_refused(api_as, assistant):
    client = api_as(assistant)

    response = client.client.post(
        "/api/v1/customers", {"series": "GS", "name": "表单"}, headers=client.headers
    )

    assert_refused(response, None)
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_contract_dates_in_the_wrong_order_are_refused_and_nothing_is_written(api_as, assistant):
    client = api_as(assistant)
    before = row_counts()

    response = client.post(
        "/customers", customer(contract_valid_from="2026-12-31", contract_valid_to="2026-01-01")
    )

    assert_refused(response, None)
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"name": None}, "name", id="null name"),
        pytest.param({"name": ""}, "name", id="empty name"),
        pytest.param({"region": None}, "region", id="null text"),
        pytest.param({"credit_days": None}, "credit_days", id="null credit days"),
        pytest.param({"credit_limit": "-0.01"}, "credit_limit", id="negative limit"),
        pytest.param({"series": "KD"}, "series", id="series"),
        pytest.param({"code": "GS00002"}, "code", id="code"),
        pytest.param({"contacts": None}, "contacts", id="null contacts"),
        pytest.param(
            {"contacts": [{"id": "x", "name": "a", "phone": "1"}]}, "contacts", id="contact id text"
        ),
        pytest.param(
            {"contacts": [{"id": 10**30, "name": "a", "phone": "1"}]}, "contacts", id="contact id huge"
        ),
        pytest.param({"assistant": "nobody"}, "assistant", id="unknown assistant"),
        pytest.param({"notes": "\x00"}, "notes", id="NUL"),
        pytest.param({"contract_valid_to": "2026-02-29"}, "contract_valid_to", id="29 February 2026"),
    ],
)
def test_a_bad_change_is_refused_on_its_field_and_the_customer_stays_as_it_was(
    api_as, assistant, own_customer, payload, field
):
    client = api_as(assistant)
    before = row_counts()

    response = client.patch(f"/customers/{own_customer.code}", payload)

    assert_refused(response, field)
    assert row_counts() == before
    own_customer.refresh_from_db()
    assert own_customer.name == "佛山美家涂料"
    assert own_customer.history.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"limit": 0}, "limit", id="limit 0"),
        pytest.param({"limit": 201}, "limit", id="limit 201"),
        pytest.param({"limit": "ten"}, "limit", id="limit a word"),
        pytest.param({"limit": "9" * 40}, "limit", id="limit huge"),
        pytest.param({"offset": -1}, "offset", id="negative offset"),
        pytest.param({"offset": "9" * 40}, "offset", id="offset huge"),
        pytest.param({"q": "美\x00家"}, "q", id="NUL in search"),
        pytest.param({"q": "x" * 101}, "q", id="search too long"),
        pytest.param({"series": "XX"}, "series", id="unknown series"),
        pytest.param({"status": "gone"}, "status", id="unknown status"),
    ],
)
def test_bad_list_parameters_are_refused_on_their_name(api_as, manager, params, field):
    assert_refused(api_as(manager).get("/customers", params), field)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/customers/gs00001",
        "/customers/GS00001%00",
        "/customers/%00",
        "/customers/GS" + "0" * 40,
        "/customers/GS00001'--",
        "/customers/%F0%9F%98%80",
    ],
)
def test_a_customer_code_that_cannot_exist_is_refused_not_looked_up(api_as, manager, own_customer, path):
    response = api_as(manager).get(path)

    assert 400 <= response.status_code < 500
    assert response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("on", ["2026-02-30", "yesterday", "2026-1-1", "%00"])
def test_an_impossible_price_date_is_refused_on_the_on_parameter(api_as, assistant, own_customer, on):
    response = api_as(assistant).get(f"/customers/{own_customer.code}/prices?on={on}")

    assert_refused(response, "on")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/credit-applications/0/approve",
        "/credit-applications/-1/approve",
        "/credit-applications/99999999999999999999999/approve",
        "/carriers/99999999999999999999999/suspend",
        "/carriers/abc/suspend",
    ],
)
def test_an_id_that_cannot_exist_is_refused(api_as, manager, path):
    response = api_as(manager).post(path, {"reason": "x"})

    assert 400 <= response.status_code < 500
    assert response.json()["errors"]


def _product(**changes) -> dict:
    return {"model_code": "KD-300", "name": "底漆", "standard_price": "120.5", **changes}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param(_product(standard_price="-1"), "standard_price", id="negative price"),
        pytest.param(_product(standard_price="1e20"), "standard_price", id="price past the column"),
        pytest.param(_product(standard_price="0.00001"), "standard_price", id="price five places"),
        pytest.param(_product(standard_price=None), "standard_price", id="price null"),
        pytest.param(_product(standard_price="一百"), "standard_price", id="price in words"),
        pytest.param(_product(model_code=""), "model_code", id="model code empty"),
        pytest.param(_product(model_code="K" * 41), "model_code", id="model code too long"),
        pytest.param(_product(model_code="KD\x00300"), "model_code", id="NUL in model code"),
        pytest.param(_product(unit="桶" * 11), "unit", id="unit too long"),
        pytest.param(_product(unit=""), "unit", id="unit empty"),
        pytest.param(_product(active="true"), "active", id="active as text"),
        pytest.param(_product(id=5), "id", id="client-chosen id"),
    ],
)
def test_a_bad_product_is_refused_on_its_field(api_as, manager, payload, field):
    client = api_as(manager)
    before = row_counts()

    assert_refused(client.post("/products", payload), field)
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"product": "NOPE", "unit_price": "1"}, "product", id="unknown product"),
        pytest.param({"product": "KD-101\x00", "unit_price": "1"}, "product", id="NUL in product"),
        pytest.param({"product": "KD-101"}, "unit_price", id="price missing"),
        pytest.param({"product": "KD-101", "unit_price": "-5"}, "unit_price", id="negative price"),
        pytest.param({"product": "KD-101", "unit_price": 1e300}, "unit_price", id="price astronomical"),
        pytest.param(
            {"product": "KD-101", "unit_price": "1", "valid_from": "2026-02-30"}, "valid_from", id="30 Feb"
        ),
        pytest.param({"product": "KD-101", "unit_price": "1", "note": "n" * 201}, "note", id="note too long"),
        pytest.param({"product": 101, "unit_price": "1"}, "product", id="product as a number"),
    ],
)
def test_a_bad_agreed_price_is_refused_on_its_field(api_as, assistant, own_customer, product, payload, field):
    client = api_as(assistant)
    before = row_counts()

    assert_refused(client.post(f"/customers/{own_customer.code}/prices", payload), field)
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"product": "KD-101", "rebate_unit_price": "1"}, "payee_name", id="payee missing"),
        pytest.param(
            {"product": "KD-101", "rebate_unit_price": "-1", "payee_name": "张"},
            "rebate_unit_price",
            id="negative",
        ),
        pytest.param(
            {"product": "KD-101", "rebate_unit_price": "1", "payee_name": "张" * 51},
            "payee_name",
            id="payee long",
        ),
        pytest.param(
            {"product": "KD-101", "rebate_unit_price": "1", "payee_name": "张", "payee_account": "1" * 41},
            "payee_account",
            id="account long",
        ),
        pytest.param(
            {"product": "GONE", "rebate_unit_price": "1", "payee_name": "张"}, "product", id="unknown product"
        ),
    ],
)
def test_a_bad_rebate_price_is_refused_on_its_field(api_as, assistant, own_customer, product, payload, field):
    client = api_as(assistant)
    before = row_counts()

    assert_refused(client.post(f"/customers/{own_customer.code}/rebates", payload), field)
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"credit_days": 0}, "credit_days", id="zero days"),
        pytest.param({"credit_days": 366}, "credit_days", id="over a year"),
        pytest.param({"credit_days": "30天"}, "credit_days", id="days with a unit"),
        pytest.param({}, "credit_days", id="days missing"),
        pytest.param({"credit_days": 30, "reason": "r" * 1001}, "reason", id="reason too long"),
        pytest.param({"credit_days": 30, "reason": "\x00"}, "reason", id="NUL in reason"),
    ],
)
def test_a_bad_credit_application_is_refused_on_its_field(api_as, assistant, own_customer, payload, field):
    client = api_as(assistant)
    before = row_counts()

    response = client.post(f"/customers/{own_customer.code}/credit-applications", payload)

    assert_refused(response, field)
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"name": ""}, "name", id="name empty"),
        pytest.param({"name": "快" * 51}, "name", id="name too long"),
        pytest.param({"name": "快递", "kind": "plane"}, "kind", id="unknown kind"),
        pytest.param({"name": "快递", "return_deadline_days": 0}, "return_deadline_days", id="deadline 0"),
        pytest.param(
            {"name": "快递", "return_deadline_days": 70000}, "return_deadline_days", id="deadline huge"
        ),
        pytest.param({"name": "快递", "status": "suspended"}, "status", id="status set directly"),
    ],
)
def test_a_bad_carrier_is_refused_on_its_field(api_as, manager, payload, field):
    client = api_as(manager)
    before = row_counts()

    assert_refused(client.post("/carriers", payload), field)
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "r" * 201, "\x00"])
def test_a_carrier_is_not_suspended_without_a_proper_reason(api_as, manager, reason):
    carrier = Carrier.objects.create(name="申通")

    response = api_as(manager).post(f"/carriers/{carrier.pk}/suspend", {"reason": reason})

    assert_refused(response, "reason")
    carrier.refresh_from_db()
    assert carrier.status == "active"


@pytest.mark.django_db
def test_a_duplicate_carrier_name_is_refused_on_the_name(api_as, manager):
    Carrier.objects.create(name="申通")

    response = api_as(manager).post("/carriers", {"name": "申通"})

    assert_refused(response, "name")
    assert Carrier.objects.count() == 1


@pytest.mark.django_db
def test_validation_errors_come_in_the_one_error_shape(api_as, assistant):
    response = api_as(assistant).post("/customers", {"series": "XX", "credit_days": -1})

    assert response.status_code == 422
    body = response.json()
    assert {e["field"] for e in body["errors"]} >= {"series", "name", "credit_days"}
    assert json.dumps(body)  # plain JSON, no objects the client cannot read


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
TRICKY_VALUES = st.sampled_from(
    ["GS", "KD", "2026-02-30", "2026-02-28", "sales", "assistant", "1e20", "-1", "0", "\x00", "monthly", " "]
)
CUSTOMER_FIELDS = st.sampled_from(
    [
        "series",
        "name",
        "credit_limit",
        "credit_days",
        "invoice_day",
        "contract_valid_from",
        "contract_valid_to",
        "salesperson",
        "assistant",
        "settlement",
        "receipt_seal",
        "contacts",
        "status",
        "notes",
        "rebate",
    ]
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(CUSTOMER_FIELDS, JSON_VALUES | TRICKY_VALUES, max_size=8))
def test_no_customer_payload_whatever_its_shape_causes_a_500_or_a_half_written_row(
    api_as, assistant, salesperson, payload
):
    client = api_as(assistant)
    before = row_counts()

    response = client.post("/customers", payload)

    assert response.status_code < 500
    if response.status_code >= 400:
        assert_refused(response, None)
        assert row_counts() == before
    else:
        assert Customer.objects.filter(code=response.json()["code"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_a_day_far_off_is_refused_on_its_name(api_as, manager, own_customer, day):
    # The day after 9999-12-31, or midnight of 0001-01-01 in Shanghai moved to UTC, overflowed.
    client = api_as(manager)
    assert_refused(client.get("/calls", {"day": day}), "day")
    before = row_counts()
    statement = {"customer": own_customer.code, "period_from": day, "period_to": day}
    assert_refused(client.post("/statements", statement), "period_from")
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_page_filtered_to_a_day_far_off_still_opens(manager, day):
    # The filter is refused, so the list shows every day, as for any day it cannot read.
    assert client_for(manager).get(reverse("calls:call-list"), {"day": day}).status_code == 200
