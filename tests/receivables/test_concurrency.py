"""Clerks entering money for the same customer at the same moment, on real threads and connections.

Runs on SQLite (a file database, IMMEDIATE transactions: writers queue) and on PostgreSQL
(the customer's row is locked first, so the second clerk sees what the first one left open).
More repeats for nightly runs: SALESDESK_RACE_REPEATS (default 2) and
SALESDESK_RACE_RECEIPTS (receipts per thread, default 4).
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from salesdesk.core.errors import FieldErrors
from salesdesk.receivables import selectors, services
from salesdesk.receivables.models import Allocation, Receipt
from salesdesk.receivables.services import AllocationInput
from salesdesk.warehouse.models import Outbound, OutboundKind
from tests.core.test_concurrency import THREADS, race
from tests.receivables.conftest import open_of, sell

REPEATS = int(os.environ.get("SALESDESK_RACE_REPEATS", "2"))
RECEIPTS_PER_THREAD = int(os.environ.get("SALESDESK_RACE_RECEIPTS", "4"))


def allocated(**filters) -> Decimal:
    return Allocation.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or Decimal("0")


def assert_no_side_over_allocated() -> None:
    for sale in Outbound.objects.filter(kind=OutboundKind.SALE):
        assert allocated(sale=sale) <= sale.amount, sale
    for receipt in Receipt.objects.all():
        assert allocated(receipt=receipt) <= receipt.amount, receipt


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(REPEATS))
def test_eight_receipts_settling_the_same_sale_at_once_only_one_commits(
    debtor, product, assistant, warehouse, repeat
):
    # given one sale open for 1048.80
    sale = sell(debtor, product, "3", by=assistant, warehouse=warehouse)
    assert open_of(sale) == Decimal("1048.80")

    # when eight clerks each settle all of it at the same moment
    def pay(i: int) -> Receipt:
        return services.receipt_create(
            customer=debtor,
            by=assistant,
            amount=Decimal("1048.80"),
            received_on=timezone.localdate(),
            method="transfer",
            reference=f"BANK-{i}",
            allocations=[AllocationInput(sale, Decimal("1048.80"))],
        )

    results = race(pay)

    # then exactly one commits; the others are told the sale is settled and write nothing
    committed = [r for r in results if isinstance(r, Receipt)]
    refused = [r for r in results if isinstance(r, FieldErrors)]
    assert (len(committed), len(refused)) == (1, THREADS - 1), results
    assert all(list(r.errors) == ["allocations[0].sale"] for r in refused)
    assert Receipt.objects.count() == 1 and Allocation.objects.count() == 1
    assert allocated(sale=sale) == Decimal("1048.80")
    assert open_of(sale) == 0
    assert selectors.balance(debtor) == 0
    assert_no_side_over_allocated()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(REPEATS))
def test_receipts_entered_at_once_all_count_and_never_over_settle(
    debtor, product, other_product, assistant, finance, warehouse, repeat
):
    # given three open sales, 2760.00 in all
    sales = [
        sell(debtor, product, "5", by=assistant, warehouse=warehouse),
        sell(debtor, other_product, "2", by=assistant, warehouse=warehouse),
        sell(debtor, product, "1.5", by=assistant, warehouse=warehouse),
    ]
    opening = selectors.balance(debtor)
    assert opening == sum((s.amount for s in sales), Decimal("0")) == Decimal("2760.00")
    clerks = [assistant, finance]

    # when eight clerks each enter a few receipts, oldest first, all at once
    def pay(i: int) -> list[Receipt]:
        return [
            services.receipt_create(
                customer=debtor,
                by=clerks[i % 2],
                amount=Decimal(f"{85 + 3 * i + n}.{(17 * i + 7 * n) % 100:02d}"),
                received_on=timezone.localdate(),
                method="transfer",
                note="分批付款",
            )
            for n in range(RECEIPTS_PER_THREAD)
        ]

    results = race(pay)

    # then every receipt committed once, and the ledger adds up to the cent
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    receipts = [receipt for batch in results for receipt in batch]
    assert Receipt.objects.count() == len(receipts) == THREADS * RECEIPTS_PER_THREAD
    paid = sum((r.amount for r in receipts), Decimal("0"))
    assert selectors.balance(debtor) == opening - paid
    # Oldest first, money is applied while anything is open: what is settled is the lesser of the two.
    assert allocated() == min(opening, paid)
    ar = selectors.customer_ar(debtor)
    assert ar.open_total - ar.unapplied == ar.balance == opening - paid
    assert_no_side_over_allocated()
    year = timezone.localdate().year
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == [f"SK{year}-{n:05d}" for n in range(1, len(receipts) + 1)]
