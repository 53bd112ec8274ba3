"""An assistant's first job of the day, in a real browser: a new customer with a contact."""

from __future__ import annotations

import pytest

from salesdesk.customers.models import Customer
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_an_assistant_creates_a_customer_and_sees_its_code(page, assistant, salesperson, tmp_path):
    # given the assistant is logged in
    log_in(page, assistant.username)

    # when she fills in the new-customer form with a Chinese name and one contact
    page.goto("/customers/new/")
    page.select_option("#id_series", "GS")
    page.fill("#id_name", "佛山市顺德区美家装饰工程有限公司")
    page.fill("#id_region", "顺德")
    page.fill("#id_province", "广东")
    page.fill("#id_city", "佛山")
    page.fill("#id_address", "大良街道新桂路 18 号")
    page.select_option("#id_salesperson", str(salesperson.pk))
    page.select_option("#id_settlement", "transfer")
    page.select_option("#id_receipt_seal", "kedi_received")
    page.fill("#id_shipping_notes", "送货前电话联系")
    page.fill("[name=contacts-0-name]", "黄志明")
    page.fill("[name=contacts-0-phone]", "13800138001")
    page.fill("[name=contacts-0-role]", "采购")
    page.click("button[type=submit].btn-primary")

    # then the detail page shows the code the system gave it, the name and the contact
    page.wait_for_url("**/customers/GS00001/")
    assert page.text_content("[data-testid=customer-code]") == "GS00001"
    assert "佛山市顺德区美家装饰工程有限公司" in page.text_content("h1")
    assert "13800138001" in page.content()
    shot = tmp_path / "customer-GS00001.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert Customer.objects.get().contacts.get().name == "黄志明"


@pytest.mark.django_db(transaction=True)
def test_a_second_contact_row_can_be_added_in_the_form(page, assistant):
    log_in(page, assistant.username)
    page.goto("/customers/new/")
    page.fill("#id_name", "东莞市长安镇华艺家具厂")
    page.fill("[name=contacts-0-name]", "梁永华")
    page.fill("[name=contacts-0-phone]", "13711100002")
    page.click("#add-contact")
    page.fill("[name=contacts-1-name]", "周小红")
    page.fill("[name=contacts-1-phone]", "0769-85550001")
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/customers/GS00001/")
    assert sorted(Customer.objects.get().contacts.values_list("name", flat=True)) == ["周小红", "梁永华"]


@pytest.mark.django_db(transaction=True)
def test_the_pages_fit_a_1366_by_768_screen_without_sideways_scrolling(page, assistant):
    log_in(page, assistant.username)
    for path in ("/", "/customers/", "/customers/new/", "/catalog/products/", "/catalog/carriers/"):
        page.goto(path)
        scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= width, f"{path} scrolls sideways: {scroll} > {width}"


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_menu_collapses_behind_a_toggler(browser, live_server, salesperson):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        log_in(page, salesperson.username)
        page.goto("/customers/")
        # the toggler shows and the menu hides until it is tapped
        assert page.is_visible(".navbar-toggler")
        assert not page.is_visible("#sd-nav")
        page.click(".navbar-toggler")
        page.wait_for_selector("#sd-nav.show", state="visible")
        scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= width
    finally:
        context.close()
