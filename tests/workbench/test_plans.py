"""How SQLite reads the workbench's invoices not yet with the customer with scale 1's
statistics: by the partial index of those not received, not through every invoice of the
assistant's customers."""

from __future__ import annotations

import datetime as dt

import pytest

from salesdesk.workbench import money
from tests.core.sqlite_statistics import load_statistics, plans_of
from tests.core.test_rare import SQLITE_ONLY

pytestmark = pytest.mark.django_db

# What ANALYZE wrote at scale 1: 281 of 16,521 invoices not yet received.
SCALE_ONE = {
    "receivables_invoice": {
        ("customer_id",): "16521 27",
        "invoice_not_received": "281 57",
        ("created_by_id",): "16521 2754",
        ("carrier_id",): "16521 4131",
        ("issued_on",): "16521 77",
        ("number",): "16521 1",
    },
    "customers_customer": {("salesperson_id",): "1720 167", ("assistant_id",): "1816 251"},
}


@SQLITE_ONLY
def test_sqlite_finds_the_invoices_to_chase_by_those_not_yet_received(assistant):
    load_statistics(SCALE_ONE)

    plans = plans_of(
        lambda: money.invoices_due(assistant, limit=100, today=dt.date(2026, 11, 27)),
        table="receivables_invoice",
    )

    # The invoices to issue come first (read from what is still to invoice), then those to chase.
    *_, late = plans
    # Through the assistant's customers, SQLite read every invoice they were ever sent (1.3 ms).
    assert "USING INDEX invoice_not_received" in late, late
