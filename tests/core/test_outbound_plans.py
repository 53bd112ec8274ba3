"""How SQLite reads the outbounds with scale 1's statistics: a sum by customer not grouped
through the customer index (`NotFromIndex`, the same sums either way), and the credits list from
the returns' and the write-offs' own partial indexes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from salesdesk.core.db import NotFromIndex
from salesdesk.core.roles import scope_to_user
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus
from tests.core.sqlite_statistics import load_statistics
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


# What ANALYZE wrote at scale 1, per table: rows in all, then rows per key of each index's first
# column, its first two, and so on; by the index's columns, or by name for a partial index.
SCALE_ONE = {
    "warehouse_outbound": {
        "outbound_returns": "1793 1001 48",
        "outbound_write_offs": "785 785 24 1",
        ("customer_id", "status", "posting_date"): "202496 59 59 1",
        ("posting_date",): "202446 251",
        ("number",): "192955 1",
        ("order_id",): "214320 5",
        ("original_id",): "112288 2",
        ("agreed_by_id",): "112288 501",
        ("posted_by_id",): "118428 501",
        ("created_by_id",): "104706 334",
    },
    "customers_customer": {
        ("assistant_id",): "2000 251",
        ("salesperson_id",): "2000 167",
        ("code",): "2000 1",
        ("name",): "2000 1",
    },
}


@pytest.fixture
def scale_one_statistics(db) -> dict[tuple[str, ...], str]:
    """Scale 1's statistics for the outbounds and the customers; the outbounds' index of each
    column list."""
    return load_statistics(SCALE_ONE)["warehouse_outbound"]


@SQLITE_ONLY
def test_sqlite_sums_a_year_by_customer_from_the_dates_not_from_every_customer(scale_one_statistics):
    names = scale_one_statistics
    year = Outbound.objects.filter(  # as the top customers chart reads them
        kind__in=[OutboundKind.SALE, OutboundKind.RETURN],
        status=OutboundStatus.POSTED,
        posting_date__range=("2025-12-01", "2026-11-30"),
    ).order_by()
    by_customer = year.values("customer_id").annotate(t=Sum("amount"))
    assert names[("customer_id", "status", "posting_date")] in _plan(by_customer)
    not_from_index = year.values(c=NotFromIndex("customer_id")).annotate(t=Sum("amount"))
    assert names[("posting_date",)] in _plan(not_from_index)


@SQLITE_ONLY
def test_sqlite_reads_an_assistants_credits_from_the_returns_and_the_write_offs(
    scale_one_statistics, assistant
):
    posted = OutboundStatus.POSTED
    # As the credits list reads them.
    mine = scope_to_user(Outbound.objects.all(), assistant, "customer").order_by("-posting_date", "-id")
    each_alone = mine.filter(
        Q(kind=OutboundKind.RETURN, status=posted) | Q(kind=OutboundKind.BAD_DEBT, status=posted)
    )
    plan = _plan(each_alone)
    assert "outbound_returns" in plan and "outbound_write_offs" in plan
    listed = _plan(mine.filter(kind__in=[OutboundKind.RETURN, OutboundKind.BAD_DEBT], status=posted))
    assert scale_one_statistics[("customer_id", "status", "posting_date")] in listed
