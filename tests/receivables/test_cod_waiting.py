"""The COD money still to enter (代收货款), kept by the database: a COD shipment waits from the day
it is recorded until a receipt names it, whatever the courier log says, and `salesdesk check`
notices a wrong row.

Runs on SQLite and PostgreSQL, each with its own triggers.
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from salesdesk.integrity import check_cod_waiting
from salesdesk.receivables import services
from salesdesk.receivables.models import CodWaiting
from salesdesk.warehouse import services as stock
from salesdesk.warehouse.models import Shipment
from tests.orders.conftest import carrier, draft  # noqa: F401  (shared fixtures)
from tests.receivables.conftest import record_cod
from tests.warehouse.conftest import released, ship

fill_migration = importlib.import_module(
    "salesdesk.receivables.migrations.0013_cod_waiting_kept_by_the_database"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbound(debtor, draft, assistant, warehouse):
    return ship(released(draft, assistant), warehouse)


def waiting() -> set[int]:
    return set(CodWaiting.objects.values_list("shipment_id", flat=True))


def test_cod_money_waits_until_a_receipt_names_its_shipment(outbound, warehouse, assistant, carrier):
    shipment = record_cod(outbound, warehouse, carrier, "8000.00")
    assert waiting() == {shipment.pk}
    # The courier log says the money is back: it still waits to be entered.
    stock.shipment_cod_returned(shipment=shipment, by=assistant, on=timezone.localdate())
    assert waiting() == {shipment.pk}
    services.receipt_from_cod(shipment=shipment, by=assistant, note="快递只代收了 8000")
    assert waiting() == set()
    assert check_cod_waiting() == []


def test_a_shipment_without_cod_never_waits(outbound, warehouse, carrier):
    record_cod(outbound, warehouse, carrier, "0")
    assert waiting() == set()
    assert check_cod_waiting() == []


def test_the_row_follows_a_changed_cod_amount_and_a_removed_shipment(outbound, warehouse, carrier):
    shipment = record_cod(outbound, warehouse, carrier, "100.00")
    Shipment.objects.filter(pk=shipment.pk).update(cod_amount=Decimal("0"))
    assert waiting() == set()
    Shipment.objects.filter(pk=shipment.pk).update(cod_amount=Decimal("50.00"))
    assert waiting() == {shipment.pk}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM warehouse_shipment WHERE id = %s", [shipment.pk])
    assert waiting() == set()
    assert check_cod_waiting() == []


@pytest.mark.parametrize(
    "tampering",
    [
        "DELETE FROM receivables_codwaiting WHERE shipment_id = %s",
        "INSERT INTO receivables_codwaiting (shipment_id) VALUES (%s)",
    ],
)
def test_check_notices_a_row_that_disagrees_with_its_documents(
    outbound, warehouse, assistant, carrier, tampering
):
    with_cod = record_cod(outbound, warehouse, carrier, "100.00")
    without_cod = record_cod(outbound, warehouse, carrier, "0")
    target = with_cod if tampering.startswith("DELETE") else without_cod
    with connection.cursor() as cursor:
        cursor.execute(tampering, [target.pk])
    assert [p.area for p in check_cod_waiting()] == ["COD money to enter"]


def test_the_migration_reads_what_waits_from_the_books(outbound, warehouse, assistant, carrier):
    entered = record_cod(outbound, warehouse, carrier, "100.00")
    services.receipt_from_cod(shipment=entered, by=assistant, note="部分代收")
    still_out = record_cod(outbound, warehouse, carrier, "200.00")
    record_cod(outbound, warehouse, carrier, "0")
    assert waiting() == {still_out.pk}

    CodWaiting.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill_migration.FILL)

    assert waiting() == {still_out.pk}
    assert check_cod_waiting() == []
