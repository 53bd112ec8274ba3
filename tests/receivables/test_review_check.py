"""Review check 5 (receivables): nothing overdue, and the balance with the order within the credit limit.

The customer buys on 30 days' credit; within the last 30 days its agreed price holds
(A-101 349.60), before that the standard price (380.00).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.core.errors import NotAllowed
from salesdesk.customers.models import Customer
from salesdesk.orders import review
from salesdesk.orders import services as order_services
from salesdesk.orders.models import CheckResult, OrderStatus
from tests.orders.conftest import pickup_order
from tests.receivables.conftest import receive, sell

pytestmark = pytest.mark.django_db


def days_back(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def register(customer, product, quantity: str, by):
    return order_services.order_register(order=pickup_order(by, customer, product, quantity), by=by)


def failing(order) -> dict[str, str]:
    return {c.code: c.reason for c in order.checks.filter(result=CheckResult.FAILED)}


def limit(customer, amount: str | None) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(credit_limit=Decimal(amount) if amount else None)
    customer.refresh_from_db()
    return customer


def test_check_5_comes_between_prepayment_and_stock():
    codes = [check.code for check in review.CHECKS]
    at = codes.index("receivables")
    assert codes[at - 1 : at + 2] == ["prepayment", "receivables", "stock"]
    assert review.check_by_code("receivables").label


def test_something_overdue_holds_the_next_order_and_the_reason_names_the_amount(
    debtor, product, assistant, warehouse, manager
):
    old = sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_back(45), approver=manager)
    assert old.amount == Decimal("760.00") and old.due_date == days_back(15)

    order = register(debtor, product, "1", assistant)

    assert order.status == OrderStatus.ON_HOLD
    assert list(failing(order)) == ["receivables"]
    assert "760.00" in failing(order)["receivables"]


def test_part_of_the_overdue_paid_leaves_the_rest_named(debtor, product, assistant, warehouse, manager):
    sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_back(45), approver=manager)
    receive(debtor, assistant, "500", note="先还一部分")

    order = register(debtor, product, "1", assistant)

    assert "260.00" in failing(order)["receivables"]


def test_paying_what_is_overdue_releases_the_held_orders_at_once(
    debtor, product, assistant, warehouse, manager
):
    sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_back(45), approver=manager)
    held = [register(debtor, product, "1", assistant) for _ in range(2)]
    assert {o.status for o in held} == {OrderStatus.ON_HOLD}

    receive(debtor, assistant, "760.00")

    for order in held:
        order.refresh_from_db()
        assert order.status == OrderStatus.REGISTERED
        assert order.checks.get(code="receivables").result == CheckResult.PASSED


@pytest.mark.parametrize(("days", "held"), [(30, False), (31, True)])
def test_a_sale_is_overdue_from_the_day_after_its_due_date(
    debtor, product, assistant, warehouse, manager, days, held
):
    sell(debtor, product, "1", by=assistant, warehouse=warehouse, day=days_back(days), approver=manager)

    order = register(debtor, product, "1", assistant)

    assert (order.status == OrderStatus.ON_HOLD) is held
    assert ("receivables" in failing(order)) is held


def test_a_customer_with_nothing_overdue_and_no_limit_passes(debtor, product, assistant, warehouse):
    sell(debtor, product, "20", by=assistant, warehouse=warehouse, day=days_back(10))

    order = register(debtor, product, "50", assistant)

    assert order.status == OrderStatus.REGISTERED
    assert order.checks.get(code="receivables").result == CheckResult.PASSED


@pytest.mark.parametrize(
    ("credit_limit", "owed", "quantity", "held"),
    [
        ("1000.00", None, "3", True),  # 0 + 1048.80 > 1000.00
        ("1000.00", None, "2", False),  # 0 + 699.20
        ("699.20", None, "2", False),  # exactly at the limit
        ("1000.00", "1", "2", True),  # 349.60 owed + 699.20 = 1048.80
        ("1000.00", "-500", "3", False),  # 500.00 paid in advance: −500.00 + 1048.80 = 548.80
    ],
)
def test_the_balance_with_the_order_must_stay_within_the_credit_limit(
    debtor, product, assistant, warehouse, credit_limit, owed, quantity, held
):
    if owed == "-500":
        receive(debtor, assistant, "500", note="预付")
    elif owed:
        sell(debtor, product, owed, by=assistant, warehouse=warehouse)
    limit(debtor, credit_limit)

    order = register(debtor, product, quantity, assistant)

    assert (order.status == OrderStatus.ON_HOLD) is held
    if held:
        reason = failing(order)["receivables"]
        assert "credit limit" in reason or "信用额度" in reason
        order_total = f"{Decimal(quantity) * Decimal('349.60'):.2f}"
        assert "1000.00" in reason and order_total in reason


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("salesperson", True),
        ("manager", True),
        ("assistant", False),
        ("other_salesperson", False),
        ("finance", False),
    ],
)
def test_the_salesperson_or_a_manager_may_override_check_5(
    debtor, product, assistant, warehouse, manager, who, allowed, request
):
    sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_back(45), approver=manager)
    order = register(debtor, product, "1", assistant)
    user = request.getfixturevalue(who)

    if not allowed:
        with pytest.raises(NotAllowed):
            order_services.order_override(order=order, by=user, code="receivables", reason="老客户，月底付")
        order.refresh_from_db()
        assert order.status == OrderStatus.ON_HOLD
        assert order.checks.get(code="receivables").result == CheckResult.FAILED
        return

    order = order_services.order_override(order=order, by=user, code="receivables", reason="老客户，月底付")

    assert order.status == OrderStatus.REGISTERED
    check = order.checks.get(code="receivables")
    assert (check.result, check.overridden_by, check.override_reason) == (
        CheckResult.OVERRIDDEN,
        user,
        "老客户，月底付",
    )
