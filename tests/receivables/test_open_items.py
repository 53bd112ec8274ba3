"""Open items (未核销) kept by the database: what is open follows every posting and allocation,
the database refuses to settle more than is open, and `salesdesk check` notices a wrong row.

Runs on SQLite and PostgreSQL, each with its own triggers.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from salesdesk.integrity import check_open_items
from salesdesk.receivables import selectors
from salesdesk.receivables.models import Allocation, OpenItem, UnappliedReceipt
from tests.receivables.conftest import another_customer, paid_then_one_back, receive, sell

fill_migration = importlib.import_module(
    "salesdesk.receivables.migrations.0006_open_items_kept_by_the_database"
)

pytestmark = pytest.mark.django_db


def kept(customer) -> tuple[list, list]:
    """The customer's open items and unapplied receipts, as the database keeps them."""
    items = list(
        OpenItem.objects.filter(customer=customer)
        .order_by("outbound_id")
        .values_list("outbound_id", "amount")
    )
    receipts = list(
        UnappliedReceipt.objects.filter(customer=customer)
        .order_by("receipt_id")
        .values_list("receipt_id", "amount")
    )
    return items, receipts


def test_a_posted_sale_is_open_until_receipts_settle_it(debtor, product, assistant, warehouse):
    sale = sell(debtor, product, "2", by=assistant, warehouse=warehouse)  # 699.20
    assert kept(debtor) == ([(sale.pk, Decimal("699.20"))], [])

    receive(debtor, assistant, "200.00", note="先付一部分")
    assert kept(debtor) == ([(sale.pk, Decimal("499.20"))], [])
    assert not selectors.has_unapplied(debtor)

    rest = receive(debtor, assistant, "600.00", note="多付的留作预收")
    assert kept(debtor) == ([], [(rest.pk, Decimal("100.80"))])
    assert selectors.has_unapplied(debtor)  # the money the next posting takes first
    assert selectors.balance(debtor) == Decimal("-100.80")
    assert check_open_items() == []


def test_a_returns_credit_is_open_until_a_sale_takes_it(
    debtor, product, other_product, assistant, salesperson, warehouse
):
    back = paid_then_one_back(debtor, product, by=assistant, agreed_by=salesperson, warehouse=warehouse)
    assert kept(debtor) == ([(back.pk, Decimal("-349.60"))], [])
    assert selectors.has_unapplied(debtor)  # the credit the next posting takes

    following = sell(debtor, other_product, "2", by=assistant, warehouse=warehouse)  # 487.60
    assert kept(debtor) == ([(following.pk, Decimal("138.00"))], [])
    assert not selectors.has_unapplied(debtor)
    assert check_open_items() == []


def test_the_database_refuses_to_settle_more_than_is_open(debtor, product, assistant, salesperson, warehouse):
    sale = sell(debtor, product, "1", by=assistant, warehouse=warehouse)  # 349.60
    part = receive(debtor, assistant, "100.00", note="部分")
    prepaid = receive(debtor, assistant, "500.00", note="预付")  # 249.60 settles the sale, 250.40 left
    other = sell(debtor, product, "1", by=assistant, warehouse=warehouse)  # takes the 250.40
    stranger = another_customer(assistant, salesperson)
    foreign = receive(stranger, assistant, "1000.00", note="预付")
    assert kept(debtor) == ([(other.pk, Decimal("99.20"))], [])
    before = kept(debtor), kept(stranger)

    for sale_, receipt, amount in [
        (sale, foreign, "0.01"),  # the sale is settled
        (other, part, "0.01"),  # the receipt has nothing left
        (other, foreign, "99.21"),  # more than the sale has open
    ]:
        with pytest.raises(DatabaseError), transaction.atomic():
            Allocation.objects.create(
                sale=sale_,
                receipt=receipt,
                amount=Decimal(amount),
                date=timezone.localdate(),
                created_by=assistant,
            )

    assert (kept(debtor), kept(stranger)) == before
    assert prepaid.pk not in dict(before[0][1])
    assert check_open_items() == []


def test_the_database_refuses_more_than_a_credit_or_a_receipt_has_left(
    debtor, product, other_product, assistant, salesperson, warehouse
):
    back = paid_then_one_back(debtor, product, by=assistant, agreed_by=salesperson, warehouse=warehouse)
    sell(debtor, other_product, "1", by=assistant, warehouse=warehouse)  # 243.80 of the 349.60 credit
    prepaid = receive(debtor, assistant, "50.00", note="预付")
    stranger = another_customer(assistant, salesperson)
    owed = sell(stranger, product, "1", by=assistant, warehouse=warehouse, approver=salesperson)
    assert kept(debtor) == ([(back.pk, Decimal("-105.80"))], [(prepaid.pk, Decimal("50.00"))])
    before = kept(debtor), kept(stranger)

    # Straight to the table, across customers as the services never go: the database's own rule.
    def allocate(amount: str, **source) -> None:
        Allocation.objects.create(
            sale=owed, amount=Decimal(amount), date=timezone.localdate(), created_by=assistant, **source
        )

    for source, amount in [({"credit": back}, "105.81"), ({"receipt": prepaid}, "50.01")]:
        with pytest.raises(DatabaseError), transaction.atomic():
            allocate(amount, **source)
    assert (kept(debtor), kept(stranger)) == before

    allocate("105.80", credit=back)  # the whole credit: its row goes, the sale's shrinks
    allocate("20.00", receipt=prepaid)  # part of the receipt: its row shrinks
    assert kept(debtor) == ([], [(prepaid.pk, Decimal("30.00"))])
    assert kept(stranger) == ([(owed.pk, owed.amount - Decimal("125.80"))], [])
    assert check_open_items() == []


def test_balance_and_overdue_read_from_open_items_equal_the_documents(
    debtor, product, assistant, salesperson, warehouse
):
    long_ago = timezone.localdate() - dt.timedelta(days=60)
    old = sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=long_ago)
    new = sell(debtor, product, "1", by=assistant, warehouse=warehouse, approver=salesperson)  # held: overdue
    receive(debtor, assistant, "100.00", note="部分")
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    # Today's figures come from the open items, earlier ones from the documents: a day without
    # movement between them gives the same numbers both ways.
    assert selectors.balance(debtor, as_of=yesterday) == old.amount
    assert selectors.balance(debtor) == old.amount + new.amount - Decimal("100.00")
    assert selectors.overdue_amount(debtor) == old.amount - Decimal("100.00")  # 30 days past due
    assert [s.pk for s in selectors.open_sales(debtor)][0] == old.pk


def test_check_notices_an_open_item_that_disagrees_with_its_documents(debtor, product, assistant, warehouse):
    sale = sell(debtor, product, "1", by=assistant, warehouse=warehouse)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE receivables_openitem SET amount = 1 WHERE outbound_id = %s", [sale.pk])
    assert [p.area for p in check_open_items()] == ["open items"]


def test_the_migration_reads_what_is_open_from_the_books(
    debtor, product, other_product, assistant, warehouse
):
    sell(debtor, product, "2", by=assistant, warehouse=warehouse)
    receive(debtor, assistant, "100.00", note="部分")
    sell(debtor, other_product, "1", by=assistant, warehouse=warehouse)
    receive(debtor, assistant, "2000.00", note="预付")
    before = kept(debtor)
    assert before[0] == [] and before[1]  # all settled, money left over

    OpenItem.objects.all().delete()
    UnappliedReceipt.objects.all().delete()
    for statement in fill_migration.FILL:
        with connection.cursor() as cursor:
            cursor.execute(statement)

    assert kept(debtor) == before
    assert check_open_items() == []
