"""How SQLite reads the states of a busy salesperson's accruals with scale 1's statistics: each
of `with_states`'s reads looks its rows up by an index, none walks a whole table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesdesk.commissions.models import CommissionAccrual
from salesdesk.commissions.selectors import State, unpaid_accruals, with_states
from tests.core.sqlite_statistics import load_statistics, plans_of
from tests.core.test_rare import SQLITE_ONLY

pytestmark = pytest.mark.django_db

# What ANALYZE wrote at scale 1, per table, by each index's columns (see load_statistics). The
# clawbacks are 80 of 34,000 accruals, but "rows per original" counts the accruals with none.
SCALE_ONE = {
    "commissions_commissionaccrual": {
        ("customer_id", "payee_name", "payee_account"): "27900 334 334 334",
        ("original_id",): "31088 14",
        ("salesperson_id",): "31464 501",
        ("rebate_price_id",): "34320 21",
        ("outbound_id",): "33943 3",
        ("posting_date",): "31464 41",
        ("outbound_line_id",): "34132 1",
    },
    "commissions_payoutitem": {("payout_id",): "32292 13", ("accrual_id",): "30076 1"},
    "commissions_statementline": {
        "accrual_on_one_live_statement": "30076 1",
        ("statement_id",): "32292 13",
        ("accrual_id",): "30076 1",
    },
    "receivables_allocation": {
        ("receipt_id",): "208320 2",
        ("sale_id",): "190688 1",
        ("credit_id",): "112288 2",
        ("created_by_id",): "129360 501",
        ("date",): "201204 67",
    },
    "receivables_openitem": {
        ("due_date",): "5760 13",
        ("customer_id", "due_date"): "5481 5 2",
        ("outbound_id",): "5856 1",
    },
}


@SQLITE_ONLY
def test_sqlite_reads_the_states_of_a_busy_salespersons_accruals_by_their_indexes():
    load_statistics(SCALE_ONE)
    # The workbench's 645 unpaid accruals of the busiest salesperson at scale 1. What the states
    # read depends only on their ids, so they need not be in the database.
    accruals = [CommissionAccrual(pk=n, outbound_id=n, amount=Decimal("10.00")) for n in range(1, 646)]
    states = []
    plans = plans_of(lambda: states.extend(with_states(accruals)))
    assert {a.state for a in states} == {State.PAYABLE}
    assert len(plans) == 5
    for plan in plans:
        # Sorted by posting date, the clawbacks were read by walking that index through every
        # accrual ever made.
        assert "SCAN" not in plan, plan


@SQLITE_ONLY
def test_sqlite_finds_a_salespersons_unpaid_accruals_from_their_customers(salesperson):
    load_statistics(
        {
            **SCALE_ONE,
            "customers_customer": {("salesperson_id",): "1720 167", ("assistant_id",): "1816 251"},
        }
    )

    [plan] = plans_of(lambda: list(unpaid_accruals(salesperson)), table="commissions_commissionaccrual")

    # With the outbound and customer joined in to be read, SQLite scanned every accrual (7 ms).
    assert "SCAN commissions_commissionaccrual" not in plan, plan
    assert "customers_customer_salesperson_id" in plan, plan
