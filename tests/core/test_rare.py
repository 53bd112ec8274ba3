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
from tests.factories import CarrierFactory

pytestmark = pytest.mark.django_db


def test_a_rare_condition_finds_the_same_rows_as_the_condition(db):
    CarrierFactory(name="联昊通")
    CarrierFactory(name="顺丰", can_collect_cod=False)
    CarrierFactory(name="德邦", can_collect_cod=False)
    for condition in (Q(can_collect_cod=False), Q(name__in=["联昊通", "德邦"]), ~Q(name="顺丰")):
        plain = set(Carrier.objects.filter(condition).values_list("name", flat=True))
        assert plain and set(Carrier.objects.filter(Rare(condition)).values_list("name", flat=True)) == plain


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps each status's own share")
def test_sqlite_finds_the_open_orders_due_by_their_status_not_by_every_ship_date(db):
    # The statistics of three years of orders, as ANALYZE writes them: each status a third of
    # 200,000 on average, each ship date 250 orders, a registration time or a creation time one.
    # Told nothing more, SQLite walks the ship dates.
    share = {"status": 66667, "ship_date": 250, "customer_id": 100}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'orders_salesorder'")
        indexes = [row[1] for row in cursor.execute("PRAGMA index_list(orders_salesorder)").fetchall()]
        for name in indexes:
            columns = [row[2] for row in cursor.execute(f"PRAGMA index_info({name})").fetchall()]
            stat = " ".join(["200000", str(share.get(columns[0], 2)), *["1"] * (len(columns) - 1)])
            cursor.execute("INSERT INTO sqlite_stat1 VALUES ('orders_salesorder', %s, %s)", [name, stat])
        cursor.execute("ANALYZE sqlite_schema")  # read the statistics again
        by_ship_date = next(
            n for n in indexes if cursor.execute(f"PRAGMA index_info({n})").fetchone()[2] == "ship_date"
        )
    day = timezone.localdate()
    due = SalesOrder.objects.filter(ship_date__lte=day, registered_at__lt=day_span(day)[0]).order_by(
        "ship_date", "ship_slot", "registered_at"
    )  # as the end of the day reads them
    assert by_ship_date in _plan(due.filter(status__in=OPEN_ORDER_STATUSES))
    assert "order_status_newest_first" in _plan(due.filter(Rare(Q(status__in=OPEN_ORDER_STATUSES))))
