"""Hostile input gives a form error (200, the error on the page) and writes nothing; never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesdesk.catalog.models import Carrier, CustomerPrice, Product, RebatePrice
from salesdesk.core.models import Sequence
from salesdesk.customers.models import CreditTermApplication, Customer
from tests.conftest import client_for
from tests.customers.test_views import customer_post
from tests.factories import CarrierFactory, ProductFactory, make_customer

pytestmark = pytest.mark.django_db

SQL = "' OR 1=1 --"
SCRIPT = "<script>alert(1)</script>"
NUL = "佛山\x00美家"

# field -> value: each makes the new-customer form invalid on its own.
BAD_CUSTOMER_FIELDS = [
    ("name", "长" * 121),
    ("name", "x" * 100_000),
    ("name", ""),
    ("name", NUL),
    ("address", "x" * 201),
    ("series", "XX"),
    ("series", SQL),
    ("series", SCRIPT),
    ("status", "deleted"),
    ("settlement", "bitcoin"),
    ("receipt_seal", SQL),
    ("credit_days", "-1"),
    ("credit_days", "abc"),
    ("credit_days", "99999999999999999999"),
    ("credit_days", "1.5"),
    ("credit_days", SQL),
    ("credit_limit", "-0.01"),
    ("credit_limit", "NaN"),
    ("credit_limit", "Infinity"),
    ("credit_limit", "1e400"),
    ("credit_limit", "12.345"),
    ("invoice_day", "0"),
    ("invoice_day", "32"),
    ("salesperson", "999999"),
    ("salesperson", SQL),
    ("contract_valid_from", "2026-02-30"),
    ("contract_valid_from", SCRIPT),
    ("contacts-0-phone", ""),
    ("contacts-0-phone", "1" * 41),
    ("contacts-0-name", NUL),
    ("contacts-TOTAL_FORMS", "abc"),
    ("contacts-TOTAL_FORMS", "5000"),
    ("contacts-TOTAL_FORMS", "-1"),
]


def shows_an_error(response) -> bool:
    html = response.content.decode()
    return "errorlist" in html or "alert-danger" in html


@pytest.mark.parametrize(("field", "value"), BAD_CUSTOMER_FIELDS, ids=lambda v: str(v)[:20])
def test_bad_customer_input_is_shown_and_nothing_is_written(assistant, field, value):
    response = client_for(assistant).post(
        reverse("customers:customer-create"), customer_post(**{field: value})
    )
    assert response.status_code == 200
    assert shows_an_error(response)
    assert not Customer.objects.exists()
    assert not Sequence.objects.exists()  # not even a number was used up


def test_contract_dates_in_the_wrong_order_are_refused(assistant):
    data = customer_post(contract_valid_from="2026-05-01", contract_valid_to="2026-04-01")
    response = client_for(assistant).post(reverse("customers:customer-create"), data)
    assert response.status_code == 200
    assert shows_an_error(response)
    assert not Customer.objects.exists()


@pytest.mark.parametrize("text", [SCRIPT, SQL, "𠀀😀 Ω ‮倒序", "  佛山  美家  "])
def test_odd_but_harmless_text_is_stored_as_typed_and_shown_escaped(assistant, text):
    client = client_for(assistant)
    response = client.post(
        reverse("customers:customer-create"), customer_post(name=text, notes=text), follow=True
    )
    assert response.status_code == 200
    customer = Customer.objects.get()
    assert customer.name == text.strip()
    html = response.content.decode()
    assert SCRIPT not in html
    if text == SCRIPT:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.fixture
def customer(assistant, salesperson):
    return make_customer(by=assistant, salesperson=salesperson, rebate=True)


@pytest.fixture
def product(db):
    return ProductFactory(model_code="A-101")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_price", "-1"),
        ("unit_price", "abc"),
        ("unit_price", "NaN"),
        ("unit_price", "1e20"),
        ("unit_price", "1.23456"),
        ("unit_price", SQL),
        ("product", "999999"),
        ("product", SQL),
        ("valid_from", "2026-13-01"),
        ("valid_from", SCRIPT),
        ("note", "x" * 201),
        ("note", NUL),
    ],
    ids=lambda v: str(v)[:20],
)
def test_bad_price_input_is_shown_and_nothing_is_written(customer, product, assistant, field, value):
    data = {"product": product.pk, "unit_price": "349.6", "valid_from": "2026-03-01", field: value}
    response = client_for(assistant).post(reverse("catalog:price-create", args=[customer.code]), data)
    assert response.status_code == 200
    assert shows_an_error(response)
    assert not CustomerPrice.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rebate_unit_price", "-5"),
        ("rebate_unit_price", "x"),
        ("payee_name", ""),
        ("payee_account", "9" * 41),
    ],
    ids=lambda v: str(v)[:20],
)
def test_bad_rebate_input_is_shown_and_nothing_is_written(customer, product, assistant, field, value):
    data = {
        "product": product.pk,
        "rebate_unit_price": "12",
        "valid_from": "2026-03-01",
        "payee_name": "黄先生",
    }
    response = client_for(assistant).post(
        reverse("catalog:rebate-create", args=[customer.code]), data | {field: value}
    )
    assert response.status_code == 200
    assert shows_an_error(response)
    assert not RebatePrice.objects.exists()


@pytest.mark.parametrize("days", ["-5", "0", "abc", "366", SQL, "", "1e3"])
def test_bad_credit_days_are_refused_with_a_message(customer, assistant, days):
    url = reverse("customers:credit-application-submit", args=[customer.code])
    response = client_for(assistant).post(url, {"credit_days": days, "reason": NUL}, follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not CreditTermApplication.objects.exists()


@pytest.mark.parametrize("approve", ["", "maybe", SQL])
def test_a_decision_that_is_neither_approve_nor_reject_changes_nothing(customer, assistant, manager, approve):
    client_for(assistant).post(
        reverse("customers:credit-application-submit", args=[customer.code]), {"credit_days": "30"}
    )
    application = CreditTermApplication.objects.get()
    response = client_for(manager).post(
        reverse("customers:credit-application-decide", args=[application.pk]),
        {"approve": approve},
        follow=True,
    )
    assert any(m.level_tag == "error" for m in response.context["messages"])
    application.refresh_from_db()
    assert application.status == "pending"


@pytest.mark.parametrize(
    ("field", "value"),
    [("standard_price", "-1"), ("standard_price", "NaN"), ("model_code", "x" * 41), ("model_code", NUL)],
    ids=lambda v: str(v)[:20],
)
def test_bad_product_input_is_shown_and_nothing_is_written(manager, field, value):
    data = {"model_code": "D-500", "name": "环氧地坪漆", "unit": "组", "standard_price": "520", field: value}
    response = client_for(manager).post(reverse("catalog:product-create"), data)
    assert response.status_code == 200
    assert shows_an_error(response)
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("return_deadline_days", "0"), ("return_deadline_days", "-1"), ("kind", "rocket"), ("name", NUL)],
    ids=lambda v: str(v)[:20],
)
def test_bad_carrier_input_is_shown_and_nothing_is_written(manager, field, value):
    data = {"name": "申通", "kind": "courier", "return_deadline_days": "7", field: value}
    response = client_for(manager).post(reverse("catalog:carrier-create"), data)
    assert response.status_code == 200
    assert shows_an_error(response)
    assert not Carrier.objects.exists()


@pytest.mark.parametrize("reason", ["", "x" * 201, NUL])
def test_a_bad_suspension_reason_leaves_the_carrier_active(manager, reason):
    carrier = CarrierFactory(name="联昊通")
    response = client_for(manager).post(
        reverse("catalog:carrier-suspend", args=[carrier.pk]), {"reason": reason}, follow=True
    )
    assert any(m.level_tag == "error" for m in response.context["messages"])
    carrier.refresh_from_db()
    assert carrier.status == "active"


@pytest.mark.parametrize("query", [SQL, SCRIPT, NUL, "x" * 10_000, "%", "_", "\\"])
@pytest.mark.parametrize(
    "page",
    [
        "customers:customer-list",
        "catalog:product-list",
        "catalog:price-list",
        "catalog:rebate-list",
        "customers:customer-export",
        "catalog:product-export",
        "catalog:price-export",
        "catalog:rebate-export",
    ],
)
def test_searching_for_anything_answers_a_page(customer, assistant, page, query):
    response = client_for(assistant).get(reverse(page), {"q": query, "series": query, "page": query})
    if "\x00" in query:  # refused for every page at once, naming the parameter
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "q"
        return
    assert response.status_code == 200
    if not response.streaming:
        assert SCRIPT not in response.content.decode()


@pytest.mark.parametrize("page", ["-1", "0", "abc", "99999999999999999999"])
def test_any_page_number_answers_a_page(customer, assistant, page):
    assert client_for(assistant).get(reverse("customers:customer-list"), {"page": page}).status_code == 200


@pytest.mark.parametrize("code", ["GS%0000001", "%3Cscript%3E", "' OR 1=1 --", "长" * 300])
def test_a_strange_customer_code_in_the_address_is_404(customer, assistant, code):
    client = client_for(assistant)
    expected = 400 if "%00" in code else 404  # a NUL anywhere in the address is refused first
    assert client.get(f"/customers/{code}/").status_code == expected
    assert client.get(f"/catalog/customers/{code}/prices/").status_code == expected
