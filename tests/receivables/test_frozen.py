"""Money documents never change once written: the database refuses it, whatever path tries.

A receipt keeps its money fields for ever (finance only ticks it off), an allocation never
changes, and a posted return or write-off is as frozen as any posted outbound. Corrections
are new documents. Runs on SQLite and PostgreSQL, each with its own triggers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from salesdesk.receivables.models import Allocation, Receipt
from salesdesk.receivables.services_credits import (
    ReturnLineInput,
    WriteOffInput,
    return_post,
    write_off_approve,
    write_off_request,
)
from salesdesk.warehouse.models import Outbound, OutboundLine, OutboundStatus
from tests.receivables.conftest import another_customer, receive, sell

pytestmark = pytest.mark.django_db


def refused(action) -> None:
    """The database says no (IntegrityError on SQLite, InternalError on PostgreSQL); nothing changes."""
    with pytest.raises(DatabaseError), transaction.atomic():
        action()


@pytest.fixture
def sale(debtor, product, assistant, warehouse):
    return sell(debtor, product, "5", by=assistant, warehouse=warehouse)


@pytest.fixture
def receipt(sale, debtor, assistant):
    made = receive(
        debtor, assistant, "1000", note="部分付款", day=timezone.localdate() - dt.timedelta(days=1)
    )
    assert made.allocations.count() == 1
    return made


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("1.00")},
        {"received_on": dt.date(2020, 1, 1)},
        {"method": "cash"},
        {"note": "改过的说明"},
        {"difference": Decimal("-1.00")},
        {"entered_late": False},
        {"number": "SK1999-99999"},
        {"reference": "改过的流水号"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_the_money_of_a_receipt_cannot_be_rewritten(receipt, change):
    refused(lambda: Receipt.objects.filter(pk=receipt.pk).update(**change))

    stored = Receipt.objects.get(pk=receipt.pk)
    assert (stored.amount, stored.received_on, stored.note) == (
        receipt.amount,
        receipt.received_on,
        receipt.note,
    )


def test_a_receipt_saved_through_the_model_is_refused_too(receipt):
    receipt.amount = Decimal("1.00")
    refused(receipt.save)
    assert Receipt.objects.get(pk=receipt.pk).amount == Decimal("1000.00")


def test_finance_may_still_tick_a_receipt_off(receipt, finance):
    today = timezone.localdate()

    Receipt.objects.filter(pk=receipt.pk).update(reached_finance_on=today)
    Receipt.objects.filter(pk=receipt.pk).update(
        finance_checked_by=finance, finance_checked_at=timezone.now()
    )

    stored = Receipt.objects.get(pk=receipt.pk)
    assert (stored.reached_finance_on, stored.finance_checked_by) == (today, finance)
    assert stored.amount == Decimal("1000.00")


@pytest.mark.parametrize(
    "change",
    [{"amount": Decimal("1.00")}, {"date": dt.date(2020, 1, 1)}],
    ids=lambda change: next(iter(change)),
)
def test_an_allocation_cannot_be_changed(receipt, change):
    allocation = receipt.allocations.get()

    refused(lambda: Allocation.objects.filter(pk=allocation.pk).update(**change))

    stored = Allocation.objects.get(pk=allocation.pk)
    assert (stored.amount, stored.date) == (allocation.amount, allocation.date)


def test_a_settled_receipt_and_its_allocations_cannot_be_deleted(receipt):
    refused(lambda: Receipt.objects.filter(pk=receipt.pk).delete())
    assert Receipt.objects.filter(pk=receipt.pk).exists() and receipt.allocations.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps no DELETE triggers (test flush)")
def test_on_postgresql_no_receipt_or_allocation_is_ever_deleted(receipt, assistant, salesperson):
    prepaid = receive(another_customer(assistant, salesperson), assistant, "50", note="预收")
    assert not prepaid.allocations.exists()  # nothing protects it but the trigger

    refused(lambda: Allocation.objects.filter(receipt=receipt).delete())
    refused(lambda: Receipt.objects.filter(pk=prepaid.pk).delete())
    assert Receipt.objects.count() == 2 and Allocation.objects.count() == 1


@pytest.fixture
def posted_return(sale, assistant, salesperson):
    lines = [ReturnLineInput(sale.lines.get(), Decimal("2"))]
    return return_post(original=sale, by=assistant, lines=lines, reason="颜色不对", agreed_by=salesperson)


@pytest.fixture
def posted_write_off(sale, debtor, finance, manager):
    proposal = write_off_request(
        customer=debtor, by=finance, items=[WriteOffInput(sale, Decimal("100"))], reason="折让"
    )
    return write_off_approve(write_off=proposal, by=manager)


@pytest.mark.parametrize("document", ["posted_return", "posted_write_off"])
@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("-1.00")},
        {"reason": "改过的理由"},
        {"status": OutboundStatus.DRAFT},
        {"posting_date": dt.date(2020, 1, 1)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_posted_return_or_write_off_cannot_be_changed(document, change, request):
    posted = request.getfixturevalue(document)

    refused(lambda: Outbound.objects.filter(pk=posted.pk).update(**change))

    stored = Outbound.objects.get(pk=posted.pk)
    assert (stored.amount, stored.reason, stored.status, stored.posting_date) == (
        posted.amount,
        posted.reason,
        OutboundStatus.POSTED,
        posted.posting_date,
    )


@pytest.mark.parametrize("document", ["posted_return", "posted_write_off"])
def test_a_posted_return_or_write_off_cannot_be_saved_or_deleted(document, request):
    posted = Outbound.objects.get(pk=request.getfixturevalue(document).pk)

    posted.reason = "改过的理由"
    with pytest.raises(PermissionError):
        posted.save()
    with pytest.raises(PermissionError):
        posted.delete()
    refused(lambda: Outbound.objects.filter(pk=posted.pk).delete())

    assert Outbound.objects.get(pk=posted.pk).reason != "改过的理由"


def test_the_lines_of_a_posted_return_cannot_change_nor_grow(posted_return, product):
    line = posted_return.lines.get()

    refused(lambda: OutboundLine.objects.filter(pk=line.pk).update(quantity=Decimal("1")))
    refused(
        lambda: OutboundLine.objects.create(
            outbound=posted_return, product=product, quantity=Decimal("1"), unit_price=0, amount=0
        )
    )
    assert list(posted_return.lines.values_list("quantity", flat=True)) == [Decimal("2")]


def test_a_write_off_waiting_for_approval_is_not_frozen_yet(sale, debtor, finance):
    proposal = write_off_request(customer=debtor, by=finance, items=[WriteOffInput(sale)], reason="客户倒闭")

    Outbound.objects.filter(pk=proposal.pk).update(reason="客户倒闭，法院已受理")

    assert Outbound.objects.get(pk=proposal.pk).reason == "客户倒闭，法院已受理"
