"""A customer phones in an order: the call is logged, the order taken from the keyboard,
an SMS pasted in, the order registered, reviewed and released to the warehouse."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from salesdesk.calls.models import CallRecord
from salesdesk.catalog import services as catalog_services
from salesdesk.orders.models import OrderStatus, SalesOrder
from tests.e2e.conftest import log_in
from tests.factories import CarrierFactory, ProductFactory, days_ago, make_customer

pytestmark = pytest.mark.e2e


@pytest.fixture
def shop(assistant, salesperson):
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    products = [
        ProductFactory(model_code="A-101", name="水性木器漆 红色", standard_price=Decimal("380")),
        ProductFactory(model_code="B-220", name="外墙乳胶漆", standard_price=Decimal("265")),
        ProductFactory(
            model_code="D-500",
            name="环氧地坪漆",
            standard_price=Decimal("520"),
            is_new=True,
            selling_points="新品：耐磨抗压",
        ),
    ]
    for product, price in zip(products, ("349.60", "243.80", "478.40"), strict=True):
        catalog_services.price_set(
            customer=customer,
            product=product,
            unit_price=Decimal(price),
            valid_from=days_ago(10),
            by=assistant,
        )
    CarrierFactory(name="联昊通")
    return customer


@pytest.mark.django_db(transaction=True)
def test_a_phone_order_from_call_to_release_by_keyboard(page, assistant, shop):
    log_in(page, assistant.username)

    # the call: typed in while the customer is on the line
    page.goto("/calls/new/")
    page.keyboard.type("佛山美家")
    page.fill("#id_contact_name", "黄志明")
    page.fill("#id_phone", "13800138001")
    page.fill("#id_customer_code", shop.code)
    page.fill("#id_need", "A-101 红色 20 桶")
    page.press("#id_phone", "Enter")  # Enter in a one-line field saves the call
    page.wait_for_url(re.compile(r"/calls/\d+/$"))

    # the order, from the call, keyboard only
    page.click("[data-testid=order-from-call]")
    page.wait_for_url("**/orders/new/?call=*")
    page.wait_for_selector("[data-testid=customer-panel]")  # the customer box loads on its own
    assert "新品：耐磨抗压" in page.text_content("[data-testid=new-products]")
    page.select_option("#id_carrier", label="联昊通 · 珠三角及省内快件")
    page.select_option("#id_collection_method", "cod")
    page.fill("[name=lines-0-product]", "A-101")
    page.press("[name=lines-0-product]", "Tab")
    page.keyboard.type("20")
    assert page.input_value("[name=lines-0-unit_price]") == "349.6000"  # the agreed price, filled in
    page.keyboard.press("Enter")  # Enter in the last line adds a line, it does not submit
    page.keyboard.type("B-220")
    page.keyboard.press("Tab")
    page.keyboard.type("5")
    page.keyboard.press("Tab")  # let the amount refresh
    assert page.text_content("#order-total") == "8211.00"

    # an SMS with a third item and something nobody can read
    page.fill("#paste-text", "D-500 二十组，还有那个蓝色的十桶，明天要")
    page.click("#paste-button")
    page.wait_for_selector("[data-testid=unrecognised]")
    assert "还有那个蓝色的十桶" in page.text_content("[data-testid=unrecognised]")
    assert page.input_value("[name=lines-2-product]") == "D-500"
    assert page.input_value("[name=lines-2-quantity]") == "20"
    assert page.text_content("#order-total") == "17779.00"

    # Ctrl+Enter registers; the review passes at agreed prices
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/orders/XS*/")
    order = SalesOrder.objects.get()
    assert order.status == OrderStatus.REGISTERED and order.call == CallRecord.objects.get()
    assert page.text_content("[data-testid=order-number]") == order.number
    assert [line.quantity for line in order.lines.order_by("position")] == [
        Decimal("20"),
        Decimal("5"),
        Decimal("20"),
    ]

    # release with the slot the cut-off gives
    page.click("[data-testid=release]")
    page.wait_for_selector("[data-testid=ship-slot]")
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED
    assert f"{order.ship_date:%Y-%m-%d}" in page.text_content("[data-testid=ship-slot]")
