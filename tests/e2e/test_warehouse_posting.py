"""The customer agrees to take what is in stock now: the assistant marks the order to ship in
parts, the warehouse posts what leaves, stock falls and the order is partly shipped. No page
the warehouse opens on the way shows a price."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from salesdesk.catalog import services as catalog_services
from salesdesk.orders import services as order_services
from salesdesk.orders.models import OrderStatus
from salesdesk.warehouse import services as stock_services
from salesdesk.warehouse.models import Outbound, StockLevel
from tests.e2e.conftest import log_in
from tests.factories import CarrierFactory, ProductFactory, days_ago, make_customer

pytestmark = pytest.mark.e2e

# The order's prices and amounts in every form a page could print them.
MONEY = ["349.6", "243.8", "8211", "8,211", "6,992", "6992", "4,195", "4195", "1,219", "1219"]


@pytest.fixture
def short_order(assistant, salesperson, warehouse):
    """A released order for 20 red and 5 wall paint while only 12 red are on hand."""
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    red = ProductFactory(model_code="A-101", name="水性木器漆 红色", standard_price=Decimal("380"))
    wall = ProductFactory(model_code="B-220", name="外墙乳胶漆", standard_price=Decimal("265"))
    for product, price in ((red, "349.60"), (wall, "243.80")):
        catalog_services.price_set(
            customer=customer,
            product=product,
            unit_price=Decimal(price),
            valid_from=days_ago(5),
            by=assistant,
        )
    stock_services.stock_inbound(product=red, quantity=Decimal("12"), by=warehouse)
    stock_services.stock_inbound(product=wall, quantity=Decimal("50"), by=warehouse)
    order = order_services.order_create(
        by=assistant,
        customer=customer,
        channel="phone",
        ship_method="express",
        carrier=CarrierFactory(name="联昊通"),
        collection_method="cod",
        warehouse_instructions="先送 12 桶红色，余下到货再发",
        lines=[
            order_services.LineInput(product=red, quantity=Decimal("20")),
            order_services.LineInput(product=wall, quantity=Decimal("5")),
        ],
    )
    order = order_services.order_register(order=order, by=assistant)
    return order_services.order_release(order=order, by=assistant)


def no_money(page) -> None:
    html = page.content()
    assert [m for m in MONEY if m in html] == [], page.url


@pytest.mark.django_db(transaction=True)
def test_the_warehouse_posts_a_part_shipment_of_an_order_that_ships_in_parts(
    page, assistant, warehouse, short_order
):
    order = short_order

    # the assistant records the customer's answer: ship what there is now
    log_in(page, assistant.username)
    page.goto(f"/orders/{order.number}/")
    page.click("[data-testid=ship-in-parts-on]")
    page.wait_for_selector("[data-testid=ship-in-parts] button[value='0']")
    page.wait_for_selector("[data-testid=order-shipments]")  # the panel has loaded: no request in flight
    order.refresh_from_db()
    assert order.ship_in_parts is True
    page.click("form[action='/logout/'] button")
    page.wait_for_url("**/login/**")

    # the warehouse opens its queue from the header
    log_in(page, warehouse.username)
    page.click("nav a[href='/warehouse/']")
    card = page.locator(f"[data-testid=queue-order][data-order='{order.number}']")
    assert "先送 12 桶红色" in card.text_content()
    assert card.locator("[data-line='A-101'] [data-testid=on-hand]").text_content().startswith("12")
    no_money(page)

    # the shipping page proposes what is open, but no more than is on hand
    card.locator("[data-testid=ship]").click()
    page.wait_for_url(f"**/warehouse/orders/{order.number}/ship/")
    assert page.input_value("[data-testid=ship-A-101]") == "12"
    assert page.input_value("[data-testid=ship-B-220]") == "5"
    no_money(page)
    page.fill("[name=notes]", "司机老陈")
    page.click("[data-testid=post]")

    # posted: the outbound page, with its delivery note
    page.wait_for_url(re.compile(r"/warehouse/outbounds/CK\d{4}-\d{5}/$"))
    outbound = Outbound.objects.get()
    assert page.text_content("[data-testid=outbound-number]") == outbound.number
    assert page.get_attribute("[data-testid=delivery-note]", "href").endswith("delivery-note.pdf")
    no_money(page)

    # stock fell by what left
    page.click("[data-testid=warehouse-nav] a[href='/warehouse/stock/']")
    assert page.text_content("[data-product='A-101'] [data-testid=on-hand]").strip() == "0"
    assert page.text_content("[data-product='B-220'] [data-testid=on-hand]").strip() == "45"
    no_money(page)
    assert StockLevel.objects.get(product__model_code="A-101").on_hand == Decimal("0")

    # the order is partly shipped: 12 left, 8 still open, and it is still in the queue
    page.goto(f"/orders/{order.number}/")
    panel = page.locator("[data-testid=order-shipments]")
    panel.wait_for()
    assert panel.locator("[data-line='A-101'] [data-testid=shipped]").text_content().strip() == "12"
    assert panel.locator("[data-line='A-101'] [data-testid=open]").text_content().strip() == "8"
    assert outbound.number in panel.text_content()
    no_money(page)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    page.goto("/warehouse/")
    assert page.locator(f"[data-testid=queue-order][data-order='{order.number}']").count() == 1
    no_money(page)
