"""Commissions cannot be rewritten at the database, whatever path tries (RELIABILITY test 8).

Accruals, payouts and payout items refuse every UPDATE (SQLite raises IntegrityError from its
trigger, PostgreSQL InternalError; both are DatabaseErrors); the lines of a paid statement
cannot be deactivated; and the database refuses a second payout item for an accrual, a second
payout for a statement and a second live line for an accrual. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from salesdesk.commissions import services
from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    PayoutItem,
    StatementLine,
    StatementStatus,
)
from tests.commissions.conftest import paid_statement, pay_off
from tests.receivables.conftest import sell

pytestmark = pytest.mark.django_db

FROZEN = "commissions are immutable"


def refused(action, error=DatabaseError) -> DatabaseError:
    """The database says no; the savepoint keeps the test's transaction usable."""
    with pytest.raises(error) as caught, transaction.atomic():
        action()
    return caught.value


@pytest.fixture
def paid(rebate_customer, product, assistant, warehouse, finance) -> CommissionStatement:
    """A paid statement of one 125.00 accrual."""
    pay_off(sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse), assistant)
    return paid_statement(by=assistant, finance=finance)


@pytest.fixture
def accrual(rebate_customer, product, assistant, warehouse) -> CommissionAccrual:
    sale = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    return CommissionAccrual.objects.get(outbound=sale)


# --- accruals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("999.00")},
        {"quantity": Decimal("40")},
        {"rebate_unit_price": Decimal("99.0000")},
        {"payee_name": "别人"},
        {"payee_account": "6222 9999 9999 9999"},
        {"posting_date": dt.date(2020, 1, 1)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_an_accrual_cannot_be_rewritten(accrual, change):
    error = refused(lambda: CommissionAccrual.objects.filter(pk=accrual.pk).update(**change))

    assert FROZEN in str(error)
    stored = CommissionAccrual.objects.get(pk=accrual.pk)
    assert (stored.amount, stored.quantity, stored.payee_name, stored.posting_date) == (
        Decimal("50.00"),
        Decimal("4"),
        "黄先生",
        timezone.localdate(),
    )


def test_an_unpaid_accrual_saved_through_the_model_is_refused_too(accrual):
    accrual.amount = Decimal("1.00")
    refused(accrual.save)
    assert CommissionAccrual.objects.get(pk=accrual.pk).amount == Decimal("50.00")


def test_the_sqlite_trigger_raises_an_integrity_error(accrual):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's RAISE(ABORT) is reported as an IntegrityError")
    refused(lambda: CommissionAccrual.objects.filter(pk=accrual.pk).update(amount=1), IntegrityError)


# --- payouts and their items ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("1.00")},
        {"reference": "改过的凭证号"},
        {"paid_on": dt.date(2020, 1, 1)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_payout_cannot_be_rewritten(paid, change):
    refused(lambda: CommissionPayout.objects.filter(statement=paid).update(**change))

    payout = CommissionPayout.objects.get(statement=paid)
    assert (payout.amount, payout.reference, payout.paid_on) == (
        Decimal("125.00"),
        "工行 001",
        timezone.localdate(),
    )


def test_a_payout_item_cannot_be_rewritten_or_moved(paid, accrual):
    item = PayoutItem.objects.get()
    refused(lambda: PayoutItem.objects.filter(pk=item.pk).update(amount=Decimal("0.01")))
    refused(lambda: PayoutItem.objects.filter(pk=item.pk).update(accrual=accrual))

    stored = PayoutItem.objects.get(pk=item.pk)
    assert (stored.amount, stored.accrual_id) == (Decimal("125.00"), item.accrual_id)


def test_a_second_payout_item_for_the_same_accrual_is_refused(paid):
    item = PayoutItem.objects.get()
    payout = CommissionPayout.objects.get()

    refused(
        lambda: PayoutItem.objects.create(payout=payout, accrual=item.accrual, amount=item.amount),
        IntegrityError,
    )
    assert PayoutItem.objects.count() == 1


def test_a_second_payout_of_the_same_statement_is_refused(paid, finance):
    refused(
        lambda: CommissionPayout.objects.create(
            statement=paid, paid_on=timezone.localdate(), reference="重复", amount=paid.total, paid_by=finance
        ),
        IntegrityError,
    )
    assert CommissionPayout.objects.count() == 1


def test_an_accrual_paid_on_one_statement_cannot_be_paid_on_another(paid, finance, assistant):
    # Even if a second statement were somehow drawn up around the paid accrual, its payment fails.
    item = PayoutItem.objects.get()
    stray = CommissionStatement.objects.create(
        number="YJ-TEST-1",
        month=paid.month,
        customer=paid.customer,
        payee_name=paid.payee_name,
        total=paid.total,
        status=StatementStatus.APPROVED,
        created_by=assistant,
    )
    payout = CommissionPayout.objects.create(
        statement=stray, paid_on=timezone.localdate(), reference="重复", amount=paid.total, paid_by=finance
    )

    refused(
        lambda: PayoutItem.objects.create(payout=payout, accrual=item.accrual, amount=item.amount),
        IntegrityError,
    )
    assert PayoutItem.objects.filter(accrual=item.accrual).count() == 1


# --- statement lines -------------------------------------------------------------------------------------


def test_the_lines_of_a_paid_statement_cannot_be_deactivated(paid):
    error = refused(lambda: StatementLine.objects.filter(statement=paid).update(active=False))

    assert FROZEN in str(error)
    assert paid.lines.filter(active=True).count() == 1


def test_the_lines_of_a_paid_statement_cannot_be_moved_to_another_accrual(paid, accrual):
    refused(lambda: StatementLine.objects.filter(statement=paid).update(accrual=accrual))
    assert paid.lines.get().accrual_id != accrual.pk


def test_the_lines_of_an_open_statement_may_still_be_sent_back(
    rebate_customer, product, assistant, warehouse, finance
):
    pay_off(sell(rebate_customer, product, "2", by=assistant, warehouse=warehouse), assistant)
    (statement,) = services.statements_build(month=timezone.localdate(), by=assistant)

    services.statement_send_back(statement=statement, by=finance, reason="重做")

    assert not statement.lines.filter(active=True).exists()


def test_an_accrual_cannot_be_on_two_live_statement_lines(paid):
    line = paid.lines.get()

    refused(lambda: StatementLine.objects.create(statement=paid, accrual=line.accrual), IntegrityError)
    # A line kept inactive (a sent-back statement's) is allowed beside the live one.
    StatementLine.objects.create(statement=paid, accrual=line.accrual, active=False)
    assert StatementLine.objects.filter(accrual=line.accrual).count() == 2


# --- deletes (PostgreSQL) ---------------------------------------------------------------------------------


def test_paid_commissions_cannot_be_deleted_on_postgresql(paid, accrual):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no DELETE triggers (the test flush deletes rows); its foreign keys protect")
    for action in (
        lambda: PayoutItem.objects.all().delete(),
        lambda: CommissionPayout.objects.all()._raw_delete(CommissionPayout.objects.db),
        lambda: CommissionAccrual.objects.filter(pk=accrual.pk)._raw_delete(CommissionAccrual.objects.db),
        lambda: StatementLine.objects.filter(statement=paid)._raw_delete(StatementLine.objects.db),
    ):
        error = refused(action)
        assert FROZEN in str(error)
    assert PayoutItem.objects.count() == 1 and CommissionPayout.objects.count() == 1
    assert CommissionAccrual.objects.filter(pk=accrual.pk).exists()
