"""Money in a real browser: one receipt settles two posted outbounds, then the customer's
statement is drawn up and downloaded as a PDF showing the Chinese name and the totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.receivables import selectors
from salesdesk.receivables.models import Receipt
from salesdesk.warehouse import services
from tests.e2e.conftest import log_in, posted_sale
from tests.factories import ProductFactory, days_ago, make_customer
from tests.warehouse.test_documents import pdf_text

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_a_receipt_settles_two_outbounds_and_the_statement_comes_as_a_pdf(
    page, assistant, salesperson, warehouse
):
    customer = make_customer(
        by=assistant, assistant=assistant, salesperson=salesperson, name="佛山市顺德区美家装饰工程有限公司"
    )
    product = ProductFactory(model_code="A-101", name="水性木器漆 红色", standard_price=Decimal("380"))
    catalog_services.price_set(
        customer=customer,
        product=product,
        unit_price=Decimal("349.60"),
        valid_from=days_ago(10),
        by=assistant,
    )
    services.stock_inbound(product=product, quantity=Decimal("50"), by=warehouse)
    first = posted_sale(customer, product, "2", by=assistant, warehouse=warehouse)  # 699.20
    second = posted_sale(customer, product, "3", by=assistant, warehouse=warehouse)  # 1048.80

    log_in(page, assistant.username)
    page.goto(f"/receivables/customers/{customer.code}/")
    page.goto(f"/receivables/receipts/new/?customer={customer.code}")
    page.fill("[name=amount]", "1748.00")
    page.select_option("[name=method]", "transfer")
    page.fill("[name=reference]", "工行 8812")
    page.check("input[name=mode][value=chosen]")
    for outbound in (first, second):
        page.check(f"tr[data-sale='{outbound.number}'] input[name=pick]")
    page.click("[data-testid=save-receipt]")
    page.wait_for_url("**/receivables/receipts/SK*/")

    receipt = Receipt.objects.get()
    assert sorted(a.sale.number for a in receipt.allocations.all()) == sorted([first.number, second.number])
    assert receipt.difference == 0
    assert selectors.balance(customer) == Decimal("0.00")
    assert selectors.open_sales(customer) == []
    assert first.number in page.content() and second.number in page.content()

    today = timezone.localdate()
    start = (today - dt.timedelta(days=7)).isoformat()
    page.goto(
        f"/receivables/documents/statements/new/{customer.code}/?period_from={start}&period_to={today.isoformat()}"
    )
    page.click("[data-testid=statement-form] button")
    page.wait_for_selector("[data-testid=statement-number]")
    pdf_url = page.get_attribute("[data-testid=statement-pdf]", "href")
    response = page.context.request.get(pdf_url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "佛山市顺德区美家装饰工程有限公司" in text
    assert "1,748.00" in text  # the sales of the period, and the receipt that settles them
    assert first.number in text and receipt.number in text
