"""How SQLite counts and cuts an order search with scale 1's statistics: part of a number ("82")
is checked in the index of the user's customers' orders, not in each order's row (an assistant's
37,000 orders read twice, 44 ms each)."""

from __future__ import annotations

import pytest

from salesdesk.core.pages import CutOnIds
from salesdesk.orders import selectors, services
from tests.core.sqlite_statistics import load_statistics, plans_of
from tests.core.test_rare import SQLITE_ONLY
from tests.orders.conftest import customer, other_product, pickup_order, product  # noqa: F401

pytestmark = pytest.mark.django_db

# What ANALYZE wrote at scale 1: 200,000 orders of 2,000 customers.
SCALE_ONE = {
    "orders_salesorder": {
        "order_customer_newest_first": "200000 100 1 1 1",
        ("customer_id", "status"): "200000 100 95",
        ("status", "created_at", "id"): "200000 66667 2 1",
        ("created_at", "id"): "200000 2 1",
        ("number",): "200000 1",
    },
    "customers_customer": {("salesperson_id",): "1720 167", ("assistant_id",): "1816 251"},
}


@SQLITE_ONLY
def test_a_search_for_part_of_a_number_reads_the_index_alone(assistant, customer, product):  # noqa: F811
    order = services.order_register(order=pickup_order(assistant, customer, product), by=assistant)
    pickup_order(assistant, customer, product)  # a draft: no number to find
    load_statistics(SCALE_ONE)
    part = order.number[1:4].lower()  # "s20": in no customer's code or name
    listed = CutOnIds(
        selectors.order_search(user=assistant, filters=selectors.OrderFilter(q=part)), selectors.order_rows
    )

    [count_plan] = plans_of(listed.count, table="orders_salesorder")
    cut_plan = plans_of(lambda: listed[0:25], table="orders_salesorder")[0]

    for plan in (count_plan, cut_plan):
        assert "USING COVERING INDEX order_customer_newest_first" in plan, plan
    assert listed.count() == 1 and listed[0:25] == [order]


@SQLITE_ONLY
def test_a_search_by_name_matches_only_the_users_own_customers(assistant, customer, product):  # noqa: F811
    """The names matched are the assistant's few hundred customers, found by their index, not
    every customer of the company (PostgreSQL at scale 1: 1.2 -> 0.5 ms for each of the count and
    the page)."""
    order = services.order_register(order=pickup_order(assistant, customer, product), by=assistant)
    names = load_statistics(SCALE_ONE)
    listed = CutOnIds(
        selectors.order_search(user=assistant, filters=selectors.OrderFilter(q=customer.name[:2])),
        selectors.order_rows,
    )
    [count_plan] = plans_of(listed.count, table="orders_salesorder")
    assert "SCAN U0" not in count_plan, count_plan  # every customer of the company
    assert f"SEARCH U0 USING INDEX {names['customers_customer'][('assistant_id',)]}" in count_plan, count_plan
    assert listed.count() == 1 and listed[0:25] == [order]
