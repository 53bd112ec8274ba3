"""A rebate customer with agreed and rebate prices, and stock: the world of commission tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesdesk.catalog import services as catalog_services
from salesdesk.customers.models import Customer
from tests.factories import days_ago
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (shared fixtures)
from tests.receivables.conftest import debtor, on_day, sell  # noqa: F401  (shared fixtures and helpers)
from tests.warehouse.conftest import stocked  # noqa: F401  (shared fixtures)

REBATE = Decimal("12.5000")  # per unit of A-101, paid to 黄先生


@pytest.fixture
def rebate_customer(debtor, product, manager):  # noqa: F811
    """The receivables debtor (30 days' credit), marked for rebates, 12.50 per A-101 to 黄先生."""
    Customer.objects.filter(pk=debtor.pk).update(rebate=True)
    debtor.refresh_from_db()
    catalog_services.rebate_set(
        customer=debtor,
        product=product,
        rebate_unit_price=REBATE,
        valid_from=days_ago(60),
        by=manager,
        payee_name="黄先生",
        payee_bank="中国工商银行佛山分行",
        payee_account="6222 0000 1234 5678",
    )
    return debtor
