"""A real browser (Debian's chromium, driven by Playwright) against pytest-django's live server.

Without chromium the browser tests are skipped, unless SALESDESK_REQUIRE_BROWSER=1 (CI), where
a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
# from the test itself, which are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SALESDESK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "a-long-test-password-1"


def _browser_required() -> bool:
    return os.environ.get("SALESDESK_REQUIRE_BROWSER", "") == "1"


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM}: install Debian's chromium to run the browser tests"
        if _browser_required():
            pytest.fail(message + " (SALESDESK_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def posted_sale(customer, product, quantity: str, *, by, warehouse):
    """A picked-up cash order of `quantity` × product, registered, released and posted."""
    from decimal import Decimal

    from salesdesk.orders import services as order_services
    from salesdesk.warehouse import services

    order = order_services.order_create(
        by=by,
        customer=customer,
        channel="phone",
        ship_method="pickup",
        collection_method="cash",
        lines=[order_services.LineInput(product=product, quantity=Decimal(quantity))],
    )
    order = order_services.order_release(order=order_services.order_register(order=order, by=by), by=by)
    line = services.ShipQuantity(order_line=order.lines.get(), quantity=Decimal(quantity))
    return services.outbound_post(
        outbound=services.outbound_create(order=order, by=warehouse, quantities=[line]), by=warehouse
    )
