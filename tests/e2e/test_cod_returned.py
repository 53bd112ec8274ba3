"""Cash on delivery through a courier: the assistant records the parcel from the order, ticks the
money off in the courier log when it comes back; money not back after the carrier's deadline
is overdue, the carrier is flagged and the manager suspends it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Carrier
from salesdesk.orders import services as order_services
from salesdesk.warehouse import services
from salesdesk.warehouse.models import Shipment
from tests.e2e.conftest import log_in
from tests.factories import CarrierFactory, ProductFactory, days_ago, make_customer

pytestmark = pytest.mark.e2e


def cod_outbound(customer, product, carrier, *, by, warehouse, quantity: str):
    """An express COD order of `quantity` × product, released and posted by the warehouse."""
    order = order_services.order_create(
        by=by,
        customer=customer,
        channel="phone",
        ship_method="express",
        carrier=carrier,
        collection_method="cod",
        lines=[order_services.LineInput(product=product, quantity=Decimal(quantity))],
    )
    order = order_services.order_release(order=order_services.order_register(order=order, by=by), by=by)
    line = services.ShipQuantity(order_line=order.lines.get(), quantity=Decimal(quantity))
    draft = services.outbound_create(order=order, by=warehouse, quantities=[line])
    return services.outbound_post(outbound=draft, by=warehouse)


@pytest.fixture
def shipped(assistant, salesperson, warehouse):
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    product = ProductFactory(model_code="A-101", name="水性木器漆 红色", standard_price=Decimal("380"))
    catalog_services.price_set(
        customer=customer,
        product=product,
        unit_price=Decimal("349.60"),
        valid_from=days_ago(10),
        by=assistant,
    )
    carrier = CarrierFactory(name="联昊通")
    services.stock_inbound(product=product, quantity=Decimal("100"), by=warehouse)
    fresh = cod_outbound(customer, product, carrier, by=assistant, warehouse=warehouse, quantity="20")
    old = cod_outbound(customer, product, carrier, by=assistant, warehouse=warehouse, quantity="3")
    # Sent eight days ago and the courier has not paid: one day past its seven.
    services.shipment_record(
        outbound=old,
        by=assistant,
        carrier=carrier,
        tracking_number="LHT-OLD-1",
        shipped_on=timezone.localdate() - dt.timedelta(days=8),
        cod_amount=old.amount,
    )
    return fresh, old


def row(page, tracking: str):
    return page.locator("[data-testid=courier-log] tr", has_text=tracking)


@pytest.mark.django_db(transaction=True)
def test_cod_money_is_recorded_ticked_off_and_a_late_carrier_flagged(
    page, browser, live_server, assistant, manager, shipped
):
    fresh, old = shipped
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    log_in(page, assistant.username)

    # the day it left: from the order page, record the parcel; the COD amount is the outbound's
    page.goto(f"/orders/{fresh.order.number}/")
    page.click("[data-testid=record-shipment-link]")  # in the panel the order page loads
    page.wait_for_selector("[data-testid=shipment-form]")
    assert page.input_value("#id_cod_amount") == "6992.00"
    assert page.locator("#id_carrier option:checked").text_content().startswith("联昊通")
    page.fill("#id_tracking_number", "LHT-20260301-7")
    page.fill("#id_shipped_on", yesterday.isoformat())
    page.click("[data-testid=record-shipment]")
    page.wait_for_url(re.compile(rf"/orders/{re.escape(fresh.order.number)}/$"))
    page.wait_for_selector("[data-testid=shipping-panel]")
    assert "LHT-20260301-7" in page.text_content("[data-testid=shipping-panel]")

    # the next day: the courier's money is back, ticked off in the courier log
    page.goto("/warehouse/shipping/")
    today_row = row(page, "LHT-20260301-7")
    assert "6,992.00" in today_row.text_content()
    today_row.locator("[data-testid=cod-returned]").click()
    page.wait_for_url(re.compile(r"/warehouse/shipping/.*#shipment-\d+$"))
    assert row(page, "LHT-20260301-7").get_attribute("data-cod-state") == "returned"
    assert row(page, "LHT-20260301-7").locator("[data-testid=cod-returned]").count() == 0
    assert Shipment.objects.get(tracking_number="LHT-20260301-7").cod_returned_on == timezone.localdate()

    # the parcel of eight days ago is overdue, and its carrier flagged
    late = row(page, "LHT-OLD-1")
    assert late.get_attribute("data-cod-state") == "overdue"
    page.goto("/warehouse/shipping/overdue/")
    flagged = page.locator("[data-testid=carriers-flagged] tr", has_text="联昊通")
    assert "1,048.80" in flagged.text_content()  # 3 × 349.60, still out
    assert flagged.locator("[data-testid=suspend-link]").count() == 0  # the manager decides

    # the manager follows the flag to the carrier and suspends it
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    boss = context.new_page()
    log_in(boss, manager.username)
    boss.goto("/warehouse/shipping/overdue/")
    boss.click("[data-testid=suspend-link]")
    boss.wait_for_url(re.compile(r"/catalog/carriers/\d+/$"))
    boss.fill("#id_reason", "代收货款逾期未回")
    boss.click("form[action$='/suspend/'] button")
    boss.wait_for_url(re.compile(r"/catalog/carriers/\d+/$"))
    context.close()
    assert Carrier.objects.get(name="联昊通").status == "suspended"

    # a suspended carrier is no longer offered for a new parcel
    page.goto(f"/warehouse/shipping/outbounds/{old.number}/new/")
    options = page.locator("#id_carrier option").all_text_contents()
    assert not any(o.startswith("联昊通") for o in options)
