"""`Rare`: a condition few rows meet, said so to SQLite's planner, and the same rows either way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from salesdesk.catalog.models import Carrier
from salesdesk.core.calendar import day_span
from salesdesk.core.db import Rare
from salesdesk.orders.models import SalesOrder
from salesdesk.warehouse.selectors import OPEN_ORDER_STATUSES
from tests.core.sqlite_statistics import load_statistics
from tests.factories import CarrierFactory

pytestmark = pytest.mark.django_db


def test_a_rare_condition_finds_the_same_rows_as_the_condition(db):
    CarrierFactory(name="联昊通")
    CarrierFactory(name="顺丰", can_collect_cod=False)
    CarrierFactory(name="德邦", can_collect_cod=False)
    CarrierFactory(name="O'Brien 100%")  # quoted right when written into the statement
    for condition in (
        Q(can_collect_cod=False),
        Q(name__in=["联昊通", "德邦"]),
        ~Q(name="顺丰"),
        Q(name="O'Brien 100%"),
        Q(name__contains="%"),
    ):
        plain = set(Carrier.objects.filter(condition).values_list("name", flat=True))
        assert plain and set(Carrier.objects.filter(Rare(condition)).values_list("name", flat=True)) == plain


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


# What ANALYZE wrote for the orders at scale 1 (three years, 200,000 orders), by each index's
# columns: rows in all, then rows per key of its first column, its first two, and so on.
SCALE_ONE = {
    ("customer_id", "created_at", "id", "number"): "200000 100 1 1 1",
    ("status", "created_at", "id"): "200000 66667 2 1",
    ("created_at", "id"): "200000 2 1",
    ("ship_date", "ship_slot"): "200000 250 125",
    ("customer_id", "status"): "200000 100 95",
    ("salesperson_id",): "200000 16667",
    ("created_by_id",): "200000 33334",
    ("carrier_id",): "200000 33334",
    ("assistant_id",): "200000 33334",
    ("call_id",): "200000 2",
    ("registered_at",): "200000 2",
    ("number",): "200000 1",
}


@pytest.fixture
def scale_one_statistics(db) -> dict[str, str]:
    """The orders' statistics at scale 1, and the index of each first column. Each status looks
    like a third of the orders: told nothing more, SQLite walks the ship dates or the
    registration times for the few orders in one state."""
    first_column: dict[str, str] = {}
    # An index added since is given two rows per key.
    names = load_statistics({"orders_salesorder": SCALE_ONE}, unlisted="2")["orders_salesorder"]
    for columns, name in names.items():
        first_column.setdefault(columns[0], name)
    return first_column


SQLITE_ONLY = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL keeps each status's own share"
)


@SQLITE_ONLY
def test_sqlite_finds_the_open_orders_due_by_their_status_not_by_every_ship_date(scale_one_statistics):
    day = timezone.localdate()
    due = SalesOrder.objects.filter(ship_date__lte=day, registered_at__lt=day_span(day)[0]).order_by(
        "ship_date", "ship_slot", "registered_at"
    )  # as the end of the day reads them
    assert scale_one_statistics["ship_date"] in _plan(due.filter(status__in=OPEN_ORDER_STATUSES))
    assert "order_status_newest_first" in _plan(due.filter(Rare(Q(status__in=OPEN_ORDER_STATUSES))))


@SQLITE_ONLY
def test_sqlite_finds_the_orders_on_hold_by_their_status_not_by_every_registration(scale_one_statistics):
    orders = SalesOrder.objects.select_related("customer")
    held = Q(status="on_hold")  # as the workbench reads them, and the orders to release
    assert scale_one_statistics["registered_at"] in _plan(
        orders.filter(held).order_by("registered_at", "id")[:100]
    )
    assert "order_status_newest_first" in _plan(
        orders.filter(Rare(held)).order_by("registered_at", "id")[:100]
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite plans each statement with its values")
def test_postgresql_is_given_the_rare_values_in_the_statement_for_its_generic_plans(db):
    """A prepared statement's generic plan is made without its bound values: four open statuses
    looked like most of the orders, and PostgreSQL walked every order ever registered."""
    held = SalesOrder.objects.filter(Rare(Q(status__in=OPEN_ORDER_STATUSES)), customer_id=7)
    sql, params = held.query.sql_with_params()

    assert "'released'" in sql and "'partly_shipped'" in sql
    assert list(params) == [7]
