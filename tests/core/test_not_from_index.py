"""`NotFromIndex`: a column SQLite must not group through an index, and the same sums either way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from salesdesk.core.db import NotFromIndex
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus
from tests.core.test_rare import SQLITE_ONLY, _plan
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _sales(customer, creator, *amounts: str) -> None:
    for amount in amounts:
        Outbound.objects.create(
            kind=OutboundKind.SALE, customer=customer, amount=Decimal(amount), created_by=creator
        )


def test_sums_grouped_by_a_column_not_from_its_index_are_the_sums_grouped_by_it(assistant):
    first, second = make_customer(by=assistant), make_customer(by=assistant, name="顺德区好家居建材店")
    _sales(first, assistant, "10.50", "2.25")
    _sales(second, assistant, "7.00")
    outbounds = Outbound.objects.order_by()
    plain = dict(outbounds.values("customer_id").annotate(t=Sum("amount")).values_list("customer_id", "t"))
    grouped = outbounds.values(c=NotFromIndex("customer_id")).annotate(t=Sum("amount")).values_list("c", "t")
    assert plain == {first.pk: Decimal("12.75"), second.pk: Decimal("7.00")}
    assert dict(grouped) == plain


# What ANALYZE wrote for the outbounds at scale 1, by each index's columns.
SCALE_ONE = {
    ("customer_id", "status", "posting_date"): "202496 59 59 1",
    ("posting_date",): "202446 251",
    ("number",): "192955 1",
    ("order_id",): "214320 5",
    ("original_id",): "112288 2",
}


@SQLITE_ONLY
def test_sqlite_sums_a_year_by_customer_from_the_dates_not_from_every_customer(db):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'warehouse_outbound'")
        names = {}
        for row in cursor.execute("PRAGMA index_list(warehouse_outbound)").fetchall():
            columns = tuple(c[2] for c in cursor.execute(f"PRAGMA index_info({row[1]})").fetchall())
            names[columns] = row[1]
            stat = SCALE_ONE.get(columns, " ".join(["202446", *["500"] * len(columns)]))
            cursor.execute("INSERT INTO sqlite_stat1 VALUES ('warehouse_outbound', %s, %s)", [row[1], stat])
        cursor.execute("ANALYZE sqlite_schema")
    year = Outbound.objects.filter(  # as the top customers chart reads them
        kind__in=[OutboundKind.SALE, OutboundKind.RETURN],
        status=OutboundStatus.POSTED,
        posting_date__range=("2025-12-01", "2026-11-30"),
    ).order_by()
    by_customer = year.values("customer_id").annotate(t=Sum("amount"))
    assert names[("customer_id", "status", "posting_date")] in _plan(by_customer)
    not_from_index = year.values(c=NotFromIndex("customer_id")).annotate(t=Sum("amount"))
    assert names[("posting_date",)] in _plan(not_from_index)
