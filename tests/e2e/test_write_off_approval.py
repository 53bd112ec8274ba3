"""A small write-off in a browser: finance finds what an assistant proposed on its workbench,
approves it on the write-off's page, and the workbench has nothing left waiting."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from salesdesk.receivables import services_credits as credits
from tests.e2e.conftest import log_in
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import debtor, sell  # noqa: F401  (fixtures)
from tests.warehouse.conftest import stocked  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_finance_finds_a_small_write_off_on_the_workbench_and_approves_it(
    page,
    assistant,
    finance,
    warehouse,
    debtor,  # noqa: F811
    product,  # noqa: F811
):
    sale = sell(debtor, product, "1", by=assistant, warehouse=warehouse)
    items = [credits.WriteOffInput(sale, Decimal("8.00"))]
    write_off = credits.write_off_request(customer=debtor, by=assistant, items=items, reason="零头，客户不认")

    log_in(page, finance.username)
    box = page.locator('[data-section="write_offs"]')
    assert "零头，客户不认" in box.inner_text()
    box.get_by_role("link", name=re.compile(debtor.code)).click()
    page.wait_for_url(f"**/write-offs/{write_off.pk}/")
    page.get_by_test_id("approve").click()
    page.get_by_test_id("write-off-approver").wait_for()

    page.goto("/")
    assert page.locator('[data-section="write_offs"] li a').count() == 0
    write_off.refresh_from_db()
    assert write_off.status == "posted" and write_off.agreed_by == finance
