"""An amount or quantity beyond what its column holds is refused where it would arise, naming the
field, and nothing is written: SQLite stored such a value and then failed to read it back on every
list that showed it; PostgreSQL failed the request half-way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.commissions.models import CommissionAccrual
from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.customers.models import Customer
from salesdesk.orders import services as order_services
from salesdesk.receivables import services_credits as credits
from salesdesk.receivables import services_documents as documents
from salesdesk.receivables.models import Invoice, Statement
from salesdesk.warehouse import services as stock
from salesdesk.warehouse.models import Outbound, OutboundStatus, ProductionRequest
from tests.factories import days_ago
from tests.orders.conftest import pickup_order
from tests.receivables.conftest import sell

pytestmark = pytest.mark.django_db

LARGEST_PRICE = "9999999999.9999"  # 50 of them is half the largest amount, 500,000,000,000.00


@pytest.fixture
def two_half_sales(debtor, product, assistant, warehouse, manager):
    Customer.objects.filter(pk=debtor.pk).update(invoice_required=True)
    debtor.refresh_from_db()
    return [
        sell(debtor, product, "50", by=assistant, warehouse=warehouse, price=LARGEST_PRICE, approver=manager)
        for _ in range(2)
    ]


def test_an_invoice_of_more_than_an_invoice_holds_is_refused(two_half_sales, debtor, assistant):
    with pytest.raises(DomainError) as refused:
        documents.invoice_issue(
            customer=debtor,
            by=assistant,
            number="44000001",
            issued_on=timezone.localdate(),
            outbounds=two_half_sales,
        )
    assert refused.value.field == "outbounds"
    assert not Invoice.objects.exists()


def test_a_statement_of_balances_larger_than_a_statement_holds_is_refused(two_half_sales, debtor, assistant):
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        documents.statement_create(customer=debtor, by=assistant, period_from=days_ago(10), period_to=today)
    assert refused.value.field == "period_to"
    assert not Statement.objects.exists()


def test_an_exchange_line_larger_than_an_amount_holds_is_refused(
    debtor, product, assistant, warehouse, manager
):
    sale = sell(debtor, product, "2", by=assistant, warehouse=warehouse, approver=manager)
    before = Outbound.objects.count()
    with pytest.raises(FieldErrors) as refused:
        credits.exchange_post(
            original=sale,
            by=assistant,
            lines=[credits.ReturnLineInput(sale.lines.get(), Decimal("1"))],
            new_lines=[credits.NewLineInput(product, Decimal("1000"), Decimal("9999999999"))],
            reason="换色",
            agreed_by=manager,
        )
    assert "new_lines[0].quantity" in refused.value.errors
    assert Outbound.objects.count() == before


def test_a_commission_larger_than_an_amount_holds_stops_the_posting(
    debtor, product, assistant, warehouse, manager
):
    Customer.objects.filter(pk=debtor.pk).update(rebate=True)
    debtor.refresh_from_db()
    catalog_services.rebate_set(
        customer=debtor,
        product=product,
        rebate_unit_price=Decimal(LARGEST_PRICE),
        valid_from=days_ago(60),
        by=manager,
        payee_name="黄先生",
    )
    stock.stock_inbound(product=product, quantity=Decimal("1000"), by=warehouse)
    with pytest.raises(DomainError) as refused:
        sell(debtor, product, "200", by=assistant, warehouse=warehouse, price="1", approver=manager)
    assert refused.value.field.startswith("lines") and product.model_code in refused.value.message
    assert not CommissionAccrual.objects.exists()
    assert not Outbound.objects.filter(status=OutboundStatus.POSTED).exists()


def test_orders_wanting_more_than_a_production_request_holds_are_refused(customer, product, assistant):
    def register(quantity: str):
        order = pickup_order(assistant, customer, product, quantity, "0.01")
        return order_services.order_register(order=order, by=assistant)

    register("60000000000")
    with pytest.raises(DomainError) as refused:
        register("60000000000")
    assert refused.value.field == "lines"
    assert ProductionRequest.objects.get().quantity == Decimal("60000000000")
