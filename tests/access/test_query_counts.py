"""List pages make the same number of queries for 3 rows as for 30: no query per row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesdesk.catalog import services as catalog_services
from salesdesk.customers import services as customer_services
from tests.conftest import client_for
from tests.factories import CarrierFactory, ProductFactory, days_ago, make_customer

pytestmark = pytest.mark.django_db

PAGES = [
    "customers:customer-list",
    "catalog:product-list",
    "catalog:price-list",
    "catalog:rebate-list",
    "catalog:carrier-list",
    "workbench:home",
]


def add_rows(n: int, *, assistant, salesperson, manager) -> None:
    """n customers, each incomplete (for the workbench), with a contact, a price, a rebate and a
    pending credit application; n products and n carriers, every other one suspended."""
    for i in range(n):
        product = ProductFactory()
        customer = make_customer(
            by=assistant, salesperson=salesperson, name=f"客户{i}", rebate=True, address="", credit_days=30
        )
        catalog_services.price_set(
            customer=customer,
            product=product,
            unit_price=Decimal("349.6"),
            valid_from=days_ago(3),
            by=manager,
        )
        catalog_services.rebate_set(
            customer=customer,
            product=product,
            rebate_unit_price=Decimal("12"),
            valid_from=days_ago(3),
            by=manager,
            payee_name="黄先生",
        )
        customer_services.credit_application_submit(customer=customer, by=assistant, credit_days=30)
        carrier = CarrierFactory()
        if i % 2:
            catalog_services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期")


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["assistant", "manager"])
def test_list_pages_make_a_fixed_number_of_queries(request, assistant, salesperson, manager, role):
    # given 3 rows of everything, and the query count of each page
    client = client_for(request.getfixturevalue(role))
    add_rows(3, assistant=assistant, salesperson=salesperson, manager=manager)
    client.get(reverse("workbench:home"))  # warm the session and permission caches
    few = {page: queries_for(client, reverse(page)) for page in PAGES}

    # when there are 30 rows (more than a page of 25)
    add_rows(27, assistant=assistant, salesperson=salesperson, manager=manager)
    many = {page: queries_for(client, reverse(page)) for page in PAGES}

    # then every page makes the same number of queries
    assert many == few
