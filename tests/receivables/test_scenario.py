"""The scenario of the issue, checked against a hand calculation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.receivables import selectors, services, services_credits
from salesdesk.receivables.models import PaymentMethod
from tests.receivables.conftest import on_day, sell

pytestmark = pytest.mark.django_db


def test_balance_aging_and_statement_agree_with_a_hand_calculation(
    debtor, product, other_product, assistant, salesperson, warehouse, manager, finance
):
    today = timezone.localdate()
    d1 = today - dt.timedelta(days=75)
    d2 = today - dt.timedelta(days=40)
    # Before the agreed prices (30 days back) the standard prices hold: A-101 380, B-220 265.
    # Sale 1: 20 × A-101 = 7600.00, shipped in two parts (12 then 8).
    first = sell(
        debtor,
        product,
        "20",
        by=assistant,
        warehouse=warehouse,
        day=d1,
        quantities={"A-101": "12"},
        ship_in_parts=True,
        approver=manager,
    )
    assert first.amount == Decimal("4560.00")
    with on_day(d1 + dt.timedelta(days=2)):
        from tests.warehouse.conftest import ship

        second = ship(first.order, warehouse)
    assert second.amount == Decimal("3040.00")
    # Sale 2: 5 × B-220 = 1325.00, while sale 1 is overdue: the manager lets it through.
    third = sell(debtor, other_product, "5", by=assistant, warehouse=warehouse, day=d2, approver=manager)
    assert third.amount == Decimal("1325.00")
    # Return of 2 × A-101 from the second part: −760.00
    with on_day(d2 + dt.timedelta(days=1)):
        lines = [services_credits.ReturnLineInput(second.lines.get(), Decimal("2"))]
        back = services_credits.return_post(
            original=second, by=assistant, lines=lines, reason="颜色不对", agreed_by=salesperson
        )
    assert back.amount == Decimal("-760.00")
    # A partial payment of 3000.00, oldest first, with a note.
    with on_day(d2 + dt.timedelta(days=5)):
        receipt = services.receipt_create(
            customer=debtor,
            by=assistant,
            amount="3000",
            received_on=d2 + dt.timedelta(days=5),
            method=PaymentMethod.TRANSFER,
            note="先付一部分",
        )
    assert receipt.difference == Decimal("-1560.00")  # 3000 of the 4560 open on sale 1
    # Write off what is left of the first part, approved by the manager.
    write_off = services_credits.write_off_request(
        customer=debtor, by=finance, reason="客户倒闭一部分", items=[services_credits.WriteOffInput(first)]
    )
    posted = services_credits.write_off_approve(write_off=write_off, by=manager)
    assert posted.amount == Decimal("-1560.00")
    # Hand calculation: 4560 + 3040 + 1325 − 760 − 3000 − 1560 = 3605.00
    ar = selectors.customer_ar(debtor)
    assert ar.balance == Decimal("3605.00")
    # Open: second part 3040 − 760 = 2280.00 (due d1+2+30 → 43 days overdue: 31-60),
    # third 1325.00 (due d2+30 → 10 days overdue: 1-30).
    assert ar.buckets["d31_60"] == Decimal("2280.00")
    assert ar.buckets["d1_30"] == Decimal("1325.00")
    assert ar.open_total - ar.unapplied == ar.balance
    assert ar.overdue == Decimal("3605.00")
    view = selectors.statement_view(debtor, d1, today)
    assert view.opening == 0
    assert view.closing == Decimal("3605.00")
    assert [line.kind for line in view.lines] == ["sale", "sale", "sale", "return", "receipt", "bad_debt"]


def test_a_receipt_for_an_unposted_outbound_is_refused(debtor, product, assistant, warehouse):
    from salesdesk.core.errors import FieldErrors
    from salesdesk.warehouse import services as stock
    from tests.orders.conftest import pickup_order
    from tests.warehouse.conftest import released

    order = released(pickup_order(assistant, debtor, product, "3"), assistant)
    draft = stock.outbound_create(
        order=order, by=warehouse, quantities=[stock.ShipQuantity(order.lines.get(), Decimal("3"))]
    )
    with pytest.raises(FieldErrors) as refused:
        services.receipt_create(
            customer=debtor,
            by=assistant,
            amount="100",
            received_on=timezone.localdate(),
            method="cash",
            allocations=[services.AllocationInput(draft)],
        )
    assert "not posted" in str(refused.value.errors) or "过账" in str(refused.value.errors)
    assert not debtor.receipts.exists()


def test_an_overdue_customer_has_its_next_order_held(debtor, product, assistant, warehouse, manager):
    from salesdesk.orders.models import OrderStatus
    from tests.orders.conftest import pickup_order

    sell(
        debtor,
        product,
        "2",
        by=assistant,
        warehouse=warehouse,
        day=timezone.localdate() - dt.timedelta(days=45),
        approver=manager,
    )
    order = services_credits  # keep import used
    order = pickup_order(assistant, debtor, product, "1")
    from salesdesk.orders.services import order_register

    order = order_register(order=order, by=assistant)
    assert order.status == OrderStatus.ON_HOLD
    assert (
        "overdue" in order.checks.get(code="receivables").reason
        or "逾期" in order.checks.get(code="receivables").reason
    )
