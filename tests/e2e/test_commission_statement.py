"""Commissions in a real browser: the assistant draws up the month's statement, which holds only
the order the customer has paid; finance approves it and records the payment; a second tab
that still shows the approved statement then tries to pay it again and is told it is paid."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from salesdesk.commissions.models import CommissionPayout, CommissionStatement, PayoutItem, StatementStatus
from salesdesk.receivables import services as receivables
from tests.commissions.conftest import (  # noqa: F401  (fixtures)
    customer,
    debtor,
    other_product,
    product,
    rebate_customer,
    stocked,
)
from tests.e2e.conftest import log_in
from tests.receivables.conftest import sell

pytestmark = pytest.mark.e2e


def pay_in_full(sale, by) -> None:
    receivables.receipt_create(
        customer=sale.customer,
        by=by,
        amount=sale.amount,
        received_on=timezone.localdate(),
        method="transfer",
        allocations=[receivables.AllocationInput(sale)],
    )


def alerts(tab) -> str:
    return " ".join(tab.locator(".alert").all_text_contents())


@pytest.mark.django_db(transaction=True)
def test_the_statement_is_drawn_up_approved_and_paid_once_even_from_two_tabs(
    page,
    browser,
    live_server,
    rebate_customer,  # noqa: F811
    product,  # noqa: F811
    assistant,
    warehouse,
    finance,
):
    paid = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)  # 125.00 commission
    unpaid = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)  # 50.00, not yet
    pay_in_full(paid, assistant)

    # the assistant draws up this month's statements
    log_in(page, assistant.username)
    page.goto("/commissions/statements/")
    page.fill("[data-testid=statement-build-form] [name=month]", f"{timezone.localdate():%Y-%m}")
    with page.expect_navigation():
        page.click("[data-testid=statement-build]")
    statement = CommissionStatement.objects.get()
    assert statement.created_by == assistant and statement.status == StatementStatus.SUBMITTED
    page.click(f"tr[data-statement='{statement.number}'] a")
    page.wait_for_selector("[data-testid=statement-number]")
    lines = page.text_content("[data-testid=statement-lines]")
    assert paid.number in lines and unpaid.number not in lines
    assert page.text_content("[data-testid=statement-total]").strip() == "125.00"
    assert page.locator("[data-testid=statement-approve-form]").count() == 0  # finance approves

    # finance, in its own browser, approves it
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    try:
        first = context.new_page()
        log_in(first, finance.username)
        detail = f"/commissions/statements/{statement.number}/"
        first.goto(detail)
        with first.expect_navigation():
            first.click("[data-testid=statement-approve]")
        first.wait_for_selector("[data-testid=statement-status] [data-status=approved]")

        # a second tab opens the same approved statement before the first pays it
        second = context.new_page()
        second.goto(detail)
        for tab in (first, second):
            assert tab.locator("[data-testid=statement-pay-form]").count() == 1
            tab.fill("[data-testid=statement-pay-form] [name=reference]", "工行 20261130-01")

        with first.expect_navigation():
            first.click("[data-testid=statement-pay]")
        first.wait_for_selector("[data-testid=statement-status] [data-status=paid]")
        assert first.text_content("[data-testid=statement-reference]").strip() == "工行 20261130-01"

        with second.expect_navigation():
            second.click("[data-testid=statement-pay]")
        second.wait_for_selector("[data-testid=statement-status] [data-status=paid]")
        with translation.override("zh-hans"):
            refused = translation.gettext("Statement %(n)s is already paid.") % {"n": statement.number}
        assert refused in alerts(second)
        assert second.locator("[data-testid=statement-pay-form]").count() == 0
    finally:
        context.close()

    assert CommissionPayout.objects.count() == 1
    assert list(PayoutItem.objects.values_list("accrual__outbound_id", flat=True)) == [paid.pk]
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID
