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


def pay_off(sale, by, *, day=None):
    """The customer pays exactly what is still open on `sale` (nothing when it is settled)."""
    from django.utils import timezone

    from salesdesk.receivables import services as receivable_services
    from tests.receivables.conftest import open_of

    left = open_of(sale)
    if left <= 0:
        return None
    return receivable_services.receipt_create(
        customer=sale.customer,
        by=by,
        amount=left,
        received_on=day or timezone.localdate(),
        method="transfer",
        allocations=[receivable_services.AllocationInput(sale)],
    )


def take_back(sale, quantity: str, *, by, agreed_by, product_code: str | None = None):
    """Post a return of `quantity` of the (only, or the named product's) line of `sale`."""
    from salesdesk.receivables import services_credits as credits

    lines = sale.lines.select_related("product")
    line = lines.get(product__model_code=product_code) if product_code else lines.get()
    return credits.return_post(
        original=sale,
        by=by,
        lines=[credits.ReturnLineInput(line, Decimal(quantity))],
        reason="破损",
        agreed_by=agreed_by,
    )


def paid_statement(*, by, finance, month=None, reference: str = "工行 001"):
    """Draw up the month's (only) statement, approve it and pay it; returns the statement."""
    from django.utils import timezone

    from salesdesk.commissions import services as commission_services

    (statement,) = commission_services.statements_build(month=month or timezone.localdate(), by=by)
    commission_services.statement_approve(statement=statement, by=finance)
    commission_services.statement_pay(
        statement=statement, by=finance, paid_on=timezone.localdate(), reference=reference
    )
    statement.refresh_from_db()
    return statement


def state_of(accrual):
    """The accrual's state and reason (in English), as the selectors see it now."""
    from django.utils import translation

    from salesdesk.commissions import selectors as commission_selectors

    with translation.override("en"):
        (row,) = commission_selectors.with_states([type(accrual).objects.get(pk=accrual.pk)])
    return row.state, row.reason
