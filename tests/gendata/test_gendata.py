"""The data generator: the bulk writer leaves exactly the rows the services would, the books
hold afterwards, and the history has the variety the benchmarks need."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, F, Max

from salesdesk.calls.models import FollowUp
from salesdesk.cli import main
from salesdesk.commissions.models import CommissionAccrual, CommissionStatement
from salesdesk.customers.models import Customer
from salesdesk.gendata import generate
from salesdesk.integrity import check_books
from salesdesk.orders.models import ReviewCheck, SalesOrder
from salesdesk.receivables.models import Invoice, InvoiceItem, Receipt
from salesdesk.receivables.selectors import uninvoiced_outbounds
from salesdesk.warehouse.models import Outbound, Shipment
from tests.gendata.dump import differences, dump

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
SMALL = {"scale": 0.02, "months": 7, "today": TODAY}
INVOICE_FIELDS = [f.name for f in Invoice._meta.concrete_fields]


def written(via: str) -> dict:
    """Generate SMALL history one way, read every row back, and leave the database as it was."""
    # PostgreSQL's sequences do not roll back: start both runs from the same ids, as SQLite does,
    # so that ids written into texts (a write-off's D123) agree too.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)
    with transaction.atomic():
        generate(via=via, **SMALL)
        rows = dump()
        transaction.set_rollback(True)
    return rows


def test_the_bulk_writer_leaves_the_same_rows_as_the_services():
    # given the same plan written through the services, one call per action
    by_services = written("services")
    # when it is written in bulk
    in_bulk = written("bulk")
    # then every table holds the same rows, ids aside
    assert differences(by_services, in_bulk) == []
    assert len(by_services["orders.salesorder"]) > 300
    # invoices are among what is compared: issued, mailed and received ones
    invoices = [dict(zip(INVOICE_FIELDS, row, strict=False)) for row in by_services["receivables.invoice"]]
    assert len(invoices) > 20 and len(by_services["receivables.invoiceitem"]) > len(invoices)
    assert any(i["mailed_on"] for i in invoices) and any(i["received_on"] for i in invoices)


def test_generated_history_holds_the_books_and_has_every_kind_of_document():
    generate(via="bulk", **SMALL)
    assert check_books() == []
    invoices = Invoice.objects.all()
    assert invoices.filter(received_on__isnull=False).exists()
    assert invoices.filter(received_on__gt=F("must_reach_by")).exists()  # some reached them late
    assert (
        invoices.filter(mailed_on__isnull=True).exists() or invoices.filter(received_on__isnull=True).exists()
    )
    assert InvoiceItem.objects.filter(outbound__kind="return").exists()
    for customer in Customer.objects.filter(invoice_required=True):
        # every invoice customer was invoiced up to its latest invoice day, and only once a month
        last = invoices.filter(customer=customer).aggregate(last=Max("issued_on"))["last"]
        waiting = uninvoiced_outbounds(customer)
        if last is not None:
            assert not waiting.filter(kind="sale", posting_date__lt=last).exists(), customer
        months = invoices.filter(customer=customer).values_list("issued_on", flat=True)
        assert len({(d.year, d.month) for d in months}) == len(months)
    assert not Outbound.objects.filter(customer__invoice_required=False, invoice_item__isnull=False).exists()
    checks = dict(ReviewCheck.objects.values_list("result").annotate(n=Count("id")))
    outbounds = dict(Outbound.objects.values_list("kind").annotate(n=Count("id")))
    assert checks.get("overridden", 0) > 0  # receivables holds, overridden by the salesperson
    assert outbounds["return"] > 0 and outbounds["bad_debt"] > 0
    shipped_twice = SalesOrder.objects.annotate(n=Count("outbounds")).filter(n=2)
    assert shipped_twice.exists()  # partial shipments
    receipts = Receipt.objects.all()
    assert receipts.exclude(difference=0).exists()  # part payments with a note
    assert receipts.filter(entered_late=True).exists()
    assert receipts.filter(method="cod", shipment__isnull=False).exists()
    assert Shipment.objects.filter(note_returned_on__isnull=False).exists()
    assert CommissionAccrual.objects.exists()
    assert CommissionStatement.objects.filter(status="paid").exists()
    assert FollowUp.objects.filter(status="resolved").exists()


def test_gendata_refuses_a_database_that_has_data(capsys, assistant):
    with pytest.raises(SystemExit) as stopped:
        main(["gendata", "--scale", "0.01", "--months", "2"])
    assert stopped.value.code == 1
    assert "already has data" in capsys.readouterr().out
