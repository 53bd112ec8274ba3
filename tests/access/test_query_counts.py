"""List pages make the same number of queries for 3 rows as for 30: no query per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesdesk.catalog import services as catalog_services
from salesdesk.customers import services as customer_services
from tests.access.busy_world import FEW, agree_prices, queries_for, world  # noqa: F401  (a shared fixture)
from tests.conftest import client_for
from tests.factories import CarrierFactory, ProductFactory, make_customer

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
        agree_prices(customer, product, by=manager, days=3)
        customer_services.credit_application_submit(customer=customer, by=assistant, credit_days=30)
        carrier = CarrierFactory()
        if i % 2:
            catalog_services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期")


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


def test_each_busy_customer_adds_a_row_to_every_list(world):  # noqa: F811
    # The counts in test_query_counts_<area>.py only mean something if the rows are there.
    from salesdesk.commissions.models import CommissionAccrual, CommissionStatement
    from salesdesk.orders.models import SalesOrder
    from salesdesk.receivables.models import Invoice, Receipt, ReceiptSlip, Statement
    from salesdesk.warehouse.models import Outbound, Shipment

    world.grow(FEW)
    big = world.big_order
    assert SalesOrder.objects.exclude(pk=big.pk).count() == 3 * FEW  # paid, gone by courier, in the queue
    assert Outbound.objects.filter(kind="return").count() == FEW
    assert Shipment.objects.count() == 2 * FEW and big.outbounds.count() == FEW
    assert Receipt.objects.count() == 2 * FEW  # the paid sale, and a part of the big order
    assert (Invoice.objects.count(), ReceiptSlip.objects.count(), Statement.objects.count()) == (2, 1, FEW)
    # On statements: each paid sale's commission and its return's clawback, and each part of the big order's.
    assert CommissionAccrual.objects.filter(statement_lines__isnull=False).distinct().count() == 3 * FEW
    assert CommissionStatement.objects.count() == FEW
