"""Commissions paid, approved and drawn up by several people at the same moment, on real
threads and connections: each accrual is paid once and sits on one live statement.

Runs on SQLite (a file database, IMMEDIATE transactions: writers queue) and on PostgreSQL
(the statement row is locked; two statements claiming one accrual meet at the partial unique
index). SALESDESK_RACE_REPEATS (default 2) repeats each race for nightly runs.
"""

from __future__ import annotations

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from salesdesk.commissions import selectors, services
from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    PayoutItem,
    StatementLine,
    StatementStatus,
)
from salesdesk.core.errors import Conflict, DomainError
from salesdesk.core.models import Sequence
from salesdesk.core.roles import Role
from tests.commissions.conftest import pay_off
from tests.conftest import make_user
from tests.core.test_concurrency import THREADS, race
from tests.receivables.conftest import sell

REPEATS = int(os.environ.get("SALESDESK_RACE_REPEATS", "2"))


@pytest.fixture
def approved(rebate_customer, product, assistant, warehouse, finance):
    """Two paid sales on one approved statement of 175.00 to 黄先生."""
    for quantity in ("10", "4"):
        pay_off(sell(rebate_customer, product, quantity, by=assistant, warehouse=warehouse), assistant)
    (statement,) = services.statements_build(month=timezone.localdate(), by=assistant)
    assert statement.total == Decimal("175.00")
    return services.statement_approve(statement=statement, by=finance)


def assert_each_accrual_on_one_live_line() -> None:
    live = list(StatementLine.objects.filter(active=True).values_list("accrual", flat=True))
    assert len(live) == len(set(live)), live


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(REPEATS))
def test_eight_clerks_paying_the_same_statement_at_once_pay_it_once(approved, finance, manager, repeat):
    payers = [finance, manager]

    def pay(i: int) -> CommissionPayout:
        statement = CommissionStatement.objects.get(pk=approved.pk)
        return services.statement_pay(
            statement=statement, by=payers[i % 2], paid_on=timezone.localdate(), reference=f"工行 {i}"
        )

    results = race(pay)

    paid = [r for r in results if isinstance(r, CommissionPayout)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(paid), len(refused)) == (1, THREADS - 1), results
    assert all(r.code == "already_paid" for r in refused)
    payout = CommissionPayout.objects.get()
    assert payout.pk == paid[0].pk and payout.amount == Decimal("175.00")
    assert PayoutItem.objects.count() == 2 == CommissionAccrual.objects.count()
    assert sum(i.amount for i in PayoutItem.objects.all()) == Decimal("175.00")
    approved.refresh_from_db()
    assert approved.status == StatementStatus.PAID


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(REPEATS))
def test_paying_and_sending_back_at_once_do_one_or_the_other(approved, finance, repeat):
    second = make_user("finance2", Role.FINANCE)

    def act(i: int):
        statement = CommissionStatement.objects.get(pk=approved.pk)
        if i == 0:
            return services.statement_pay(
                statement=statement, by=finance, paid_on=timezone.localdate(), reference="工行 001"
            )
        return services.statement_send_back(statement=statement, by=second, reason="金额不对")

    paid, sent_back = race(act, threads=2)

    approved.refresh_from_db()
    if isinstance(paid, CommissionPayout):
        assert isinstance(sent_back, Conflict), sent_back
        assert approved.status == StatementStatus.PAID
        assert approved.lines.filter(active=True).count() == 2 == PayoutItem.objects.count()
    else:
        assert isinstance(paid, Conflict) and isinstance(sent_back, CommissionStatement), (paid, sent_back)
        assert approved.status == StatementStatus.RETURNED
        assert not approved.lines.filter(active=True).exists()
        assert not CommissionPayout.objects.exists() and not PayoutItem.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_finance_clerks_approving_at_once_approve_once(
    rebate_customer, product, assistant, warehouse, finance
):
    pay_off(sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse), assistant)
    (statement,) = services.statements_build(month=timezone.localdate(), by=assistant)
    clerks = [finance, make_user("finance2", Role.FINANCE)]

    def approve(i: int):
        return services.statement_approve(
            statement=CommissionStatement.objects.get(pk=statement.pk), by=clerks[i]
        )

    results = race(approve, threads=2)

    assert sorted(type(r).__name__ for r in results) == ["CommissionStatement", "Conflict"], results
    statement.refresh_from_db()
    winner = next(r for r in results if isinstance(r, CommissionStatement))
    assert statement.status == StatementStatus.APPROVED and statement.decided_by == winner.decided_by


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(REPEATS))
def test_drawing_up_the_same_month_at_once_puts_each_accrual_on_one_statement(
    rebate_customer, product, assistant, manager, warehouse, monkeypatch, repeat
):
    for quantity in ("10", "4", "2"):
        pay_off(sell(rebate_customer, product, quantity, by=assistant, warehouse=warehouse), assistant)
    builders = [assistant, manager]
    threads = 4
    if connection.vendor == "postgresql":
        # Make every builder read what is payable before any of them writes: the losers can then
        # only be stopped by the partial unique index. (SQLite queues writers at BEGIN IMMEDIATE,
        # so there the later builders simply find nothing left.)
        read_together = threading.Barrier(threads)
        real = selectors.payable_until

        def payable_until(*args, **kwargs):
            rows = real(*args, **kwargs)
            read_together.wait(timeout=30)
            return rows

        monkeypatch.setattr(selectors, "payable_until", payable_until)

    def build(i: int):
        return services.statements_build(month=timezone.localdate(), by=builders[i % 2])

    results = race(build, threads=threads)

    made = [r for r in results if isinstance(r, list)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert (len(made), len(lost)) == (1, threads - 1), results
    if connection.vendor == "postgresql":
        assert all(isinstance(r, Conflict) for r in lost), lost
    else:
        assert all(isinstance(r, Conflict) or r.field == "month" for r in lost), lost
    (statement,) = made[0]
    assert CommissionStatement.objects.get().pk == statement.pk
    assert statement.total == Decimal("200.00")
    assert StatementLine.objects.count() == 3
    assert_each_accrual_on_one_live_line()


@pytest.mark.django_db
def test_a_build_that_read_before_a_colleagues_build_committed_is_told_and_writes_nothing(
    rebate_customer, product, assistant, manager, warehouse, monkeypatch
):
    # The race above, made deterministic: the loser read the payable accruals, then the winner
    # put them on a statement before the loser wrote.
    pay_off(sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse), assistant)
    stale = selectors.payable_until(timezone.localdate())
    (winner,) = services.statements_build(month=timezone.localdate(), by=manager)
    series = Sequence.objects.get(key=f"commission:{timezone.localdate().year}")
    monkeypatch.setattr(selectors, "payable_until", lambda *args, **kwargs: stale)

    with pytest.raises(Conflict) as told:
        services.statements_build(month=timezone.localdate(), by=assistant)

    assert told.value.code == "changed_meanwhile"
    assert list(CommissionStatement.objects.values_list("pk", flat=True)) == [winner.pk]
    assert StatementLine.objects.count() == 1
    assert_each_accrual_on_one_live_line()
    # The loser's statement number was given back with everything else it wrote.
    assert Sequence.objects.get(pk=series.pk).last_value == series.last_value == 1
