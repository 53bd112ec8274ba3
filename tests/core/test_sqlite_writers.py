"""Eight clerks writing to one SQLite file at once never meet "database is locked".

The short form of bench/sqlite_writers.py (which runs for a minute): eight threads, each on
its own connection with the production settings (WAL, IMMEDIATE, busy timeout), take down,
register, release and post orders and enter the money for them, a fixed number of rounds
each. SALESDESK_WRITER_ROUNDS (default 6) sets the rounds per writer.

The busy timeout is cut to half a second for this test: a few rounds then show what a minute
at 20 s shows, since with SQLite's own retrying some writer is overtaken for longer than that
(Django's stock engine fails here). salesdesk's engine queues the writers, so none waits on
SQLite at all.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from bench.sqlite_writers import STOCK_PER_WRITE, World, run_threads
from salesdesk.integrity import check_books
from salesdesk.receivables.models import Receipt
from salesdesk.warehouse import services as warehouse_services
from salesdesk.warehouse.models import Outbound, OutboundStatus, StockLevel
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (shared fixtures)

WRITERS = 8
ROUNDS = int(os.environ.get("SALESDESK_WRITER_ROUNDS", "6"))
SHORT_BUSY_TIMEOUT = 0.5

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="'database is locked' is SQLite's; PostgreSQL writers are covered by the process races",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_eight_writers_on_one_sqlite_file_never_meet_a_locked_database(
    customer,  # noqa: F811  (a fixture imported above)
    product,  # noqa: F811
    assistant,
    warehouse,
    monkeypatch,
):
    # given stock for every round of every writer, and the production connection settings but
    # a busy timeout short enough for a few rounds to find a writer that SQLite lets wait too long
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    monkeypatch.setitem(options, "timeout", SHORT_BUSY_TIMEOUT)  # read by each writer's new connection
    warehouse_services.stock_inbound(
        product=product, quantity=STOCK_PER_WRITE * WRITERS * ROUNDS, by=warehouse
    )

    # when eight writers each go through their rounds at the same time
    tallies = run_threads(
        World(assistant.pk, warehouse.pk, (customer.pk,), product.pk), WRITERS, cycles=ROUNDS
    )

    # then no write failed, none met a locked database, and every round left its documents
    assert [error for t in tallies for error in t.errors] == []
    assert sum(t.locked for t in tallies) == 0
    assert [t.cycles for t in tallies] == [ROUNDS] * WRITERS
    assert Outbound.objects.filter(status=OutboundStatus.POSTED).count() == WRITERS * ROUNDS
    assert Receipt.objects.count() == WRITERS * ROUNDS
    assert StockLevel.objects.get(product=product).on_hand == Decimal("0")
    assert [str(p) for p in check_books()] == []
