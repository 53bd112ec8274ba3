"""The workbench in a browser: the assistant lands on it after login, sees a held order with its
reason and clicks through to the order; ticks off a morning reminder; the salesperson reads it
on a phone."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from salesdesk.orders import services as order_services
from salesdesk.orders.models import OrderStatus
from salesdesk.workbench.models import Reminder
from tests.e2e.conftest import log_in
from tests.factories import ProductFactory, make_customer
from tests.orders.conftest import pickup_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def held(assistant, salesperson):
    """An order of the assistant's, held because its customer's address is still missing."""
    customer = make_customer(
        by=assistant, assistant=assistant, salesperson=salesperson, name="江门未完客户", address=""
    )
    product = ProductFactory(model_code="A-101", name="水性木器漆 红色", standard_price=Decimal("380"))
    order = order_services.order_register(order=pickup_order(assistant, customer, product, "2"), by=assistant)
    assert order.status == OrderStatus.ON_HOLD
    return order


def test_the_assistant_lands_on_the_workbench_and_clicks_through_to_a_held_order(page, assistant, held):
    reason = held.checks.get(result="failed").reason

    log_in(page, assistant.username)

    # the landing page is the workbench, with the held order and why
    assert page.url.rstrip("/") == page.evaluate("location.origin")
    box = page.locator('[data-section="orders_on_hold"]')
    link = box.get_by_role("link", name=re.compile(held.number))
    assert link.is_visible()
    assert reason in box.inner_text()

    # one click opens the order, where it is dealt with
    link.click()
    page.wait_for_url(f"**/orders/{held.number}/")
    assert page.get_by_test_id("order-number").inner_text() == held.number


def test_a_morning_reminder_is_ticked_off_in_place(page, assistant, held):
    call_command("daily", stdout=StringIO())
    reminder = Reminder.objects.get(user=assistant, section="orders_on_hold")

    log_in(page, assistant.username)
    row = page.locator(f'[data-reminder="{reminder.pk}"]')
    assert held.number in row.inner_text()
    row.get_by_test_id("reminder-tick").click()

    row.get_by_test_id("reminder-done").wait_for()
    assert page.url.rstrip("/") == page.evaluate("location.origin")  # no page change
    reminder.refresh_from_db()
    assert reminder.seen_at is not None
    # with nothing left to do, the block stays folded until opened
    others = Reminder.objects.filter(user=assistant).exclude(pk=reminder.pk)
    assert others.exists()  # the customer missing its address is a reminder too
    for other in others:
        other_row = page.locator(f'[data-reminder="{other.pk}"]')
        other_row.get_by_test_id("reminder-tick").click()
        other_row.get_by_test_id("reminder-done").wait_for()
    page.reload()
    done = page.locator(f'[data-reminder="{reminder.pk}"]').get_by_test_id("reminder-done")
    assert not done.is_visible()
    page.locator('[data-section="reminders"] summary').click()
    assert done.is_visible()


def test_the_salesperson_reads_the_workbench_on_a_phone(browser, live_server, salesperson, held):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, salesperson.username)
        box = page.locator('[data-section="customer_orders"]')
        assert held.number in box.inner_text()
        # nothing wider than the phone: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box.get_by_role("link", name=re.compile(held.number)).click()
        page.wait_for_url(f"**/orders/{held.number}/")
    finally:
        context.close()


def test_a_long_section_shows_ten_and_leads_to_the_whole_list(page, assistant, salesperson):
    names = [f"江门未完客户{n:02d}" for n in range(12)]
    for name in names:
        make_customer(by=assistant, assistant=assistant, salesperson=salesperson, name=name, address="")
    make_customer(by=assistant, assistant=assistant, salesperson=salesperson, name="佛山资料齐全客户")

    log_in(page, assistant.username)

    box = page.locator('[data-section="incomplete_customers"]')
    assert box.locator(".badge").inner_text() == "10+"
    assert box.get_by_role("link", name=re.compile("江门未完客户")).count() == 10
    box.locator("[data-more]").click()
    page.wait_for_url("**/customers/?incomplete=on")
    # The customer list, filtered to those lacking master data: every one of them, and only them.
    assert page.get_by_label("仅资料不完整的").is_checked()
    for name in names:
        assert page.get_by_text(name).count() >= 1
    assert page.get_by_text("佛山资料齐全客户").count() == 0
