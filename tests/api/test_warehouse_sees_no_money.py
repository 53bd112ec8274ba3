"""The warehouse handles goods, not money: no price, limit or rebate reaches it through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from salesdesk.catalog import services as catalog_services
from salesdesk.customers import services as customer_services

MONEY_KEYS = {
    "standard_price",
    "unit_price",
    "rebate_unit_price",
    "credit_limit",
    "credit_days",
    "rebate",
    "settlement",
    "invoice_required",
    "invoice_title",
    "tax_id",
    "payee_name",
    "payee_account",
}


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


@pytest.fixture
def priced_customer(manager, own_customer, product):
    catalog_services.price_set(
        customer=own_customer,
        product=product,
        unit_price=Decimal("320"),
        valid_from=dt.date(2026, 1, 1),
        by=manager,
    )
    catalog_services.rebate_set(
        customer=own_customer,
        product=product,
        rebate_unit_price=Decimal("8"),
        valid_from=dt.date(2026, 1, 1),
        by=manager,
        payee_name="黄经理",
    )
    customer_services.credit_application_submit(customer=own_customer, by=manager, credit_days=30)
    return own_customer


@pytest.mark.django_db
def test_no_readable_answer_to_the_warehouse_carries_a_money_field(api_as, warehouse, priced_customer):
    client = api_as(warehouse)
    code = priced_customer.code

    answers = [client.get(path) for path in ["/customers", f"/customers/{code}", "/products", "/carriers"]]

    for response in answers:
        assert response.status_code == 200
        assert not keys_in(response.json()) & MONEY_KEYS, response.json()
        assert b"320" not in response.content and b"50000" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/customers/{code}/prices", None),
        ("get", "/customers/{code}/prices?history=true", None),
        ("get", "/customers/{code}/rebates", None),
        ("post", "/customers/{code}/prices", {"product": "KD-101", "unit_price": "1"}),
        (
            "post",
            "/customers/{code}/rebates",
            {"product": "KD-101", "rebate_unit_price": "1", "payee_name": "x"},
        ),
    ],
)
def test_prices_and_rebates_answer_403_to_the_warehouse(
    api_as, warehouse, priced_customer, method, path, body
):
    client = api_as(warehouse)
    url = path.format(code=priced_customer.code)

    response = client.get(url) if method == "get" else client.post(url, body)

    assert response.status_code == 403
    assert b"320" not in response.content
