"""What waits to be invoiced (待开票), kept by the database: it follows posting, invoicing and the
customer's `invoice_required`, never holds a write-off, and `salesdesk check` notices a wrong row.

Runs on SQLite and PostgreSQL, each with its own triggers.
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from salesdesk.customers.models import Customer
from salesdesk.customers.services import customer_update
from salesdesk.integrity import check_to_invoice
from salesdesk.receivables import selectors
from salesdesk.receivables.models import ToInvoice
from salesdesk.receivables.services_credits import (
    ReturnLineInput,
    WriteOffInput,
    return_post,
    write_off_approve,
    write_off_request,
)
from salesdesk.receivables.services_documents import invoice_issue
from salesdesk.warehouse import services as stock
from tests.orders.conftest import pickup_order
from tests.receivables.conftest import sell
from tests.warehouse.conftest import released

fill_migration = importlib.import_module(
    "salesdesk.receivables.migrations.0010_to_invoice_kept_by_the_database"
)

pytestmark = pytest.mark.django_db


def kept(customer) -> list[tuple]:
    """The customer's outbounds waiting to be invoiced, as the database keeps them."""
    return list(
        ToInvoice.objects.filter(customer=customer)
        .order_by("outbound_id")
        .values_list("outbound_id", "amount", "posting_date")
    )


def waiting(*outbounds) -> list[tuple]:
    return sorted((o.pk, o.amount, o.posting_date) for o in outbounds)


def takes_invoices(customer, by, required: bool = True) -> Customer:
    return customer_update(
        customer=customer,
        by=by,
        invoice_required=required,
        invoice_day=25,
        invoice_title=customer.name,
        tax_id="91440606MA4UXXXX1K",
    )


def issue(customer, by, outbounds, number: str):
    return invoice_issue(
        customer=customer, by=by, number=number, issued_on=timezone.localdate(), outbounds=outbounds
    )


def test_a_posted_outbound_waits_until_an_invoice_covers_it(
    debtor, product, other_product, assistant, salesperson, warehouse
):
    taker = takes_invoices(debtor, assistant)
    first = sell(taker, product, "2", by=assistant, warehouse=warehouse)
    second = sell(taker, other_product, "3", by=assistant, warehouse=warehouse)
    order = released(pickup_order(assistant, taker, product, "1"), assistant)
    stock.outbound_create(
        order=order, by=warehouse, quantities=[stock.ShipQuantity(order.lines.get(), Decimal("1"))]
    )  # a draft: nothing has left yet
    assert kept(taker) == waiting(first, second)

    lines = [ReturnLineInput(first.lines.get(), Decimal("1"))]
    back = return_post(original=first, by=assistant, lines=lines, reason="破损", agreed_by=salesperson)
    assert kept(taker) == waiting(first, second, back)

    issue(taker, assistant, [first, back], number="44001234")
    assert kept(taker) == waiting(second)
    assert check_to_invoice() == []


def test_a_bad_debt_write_off_never_waits_to_be_invoiced(
    debtor, product, assistant, warehouse, finance, manager
):
    taker = takes_invoices(debtor, assistant)
    sale = sell(taker, product, "1", by=assistant, warehouse=warehouse)
    proposal = write_off_request(customer=taker, by=finance, items=[WriteOffInput(sale)], reason="客户倒闭")
    written_off = write_off_approve(write_off=proposal, by=manager)

    assert written_off.status == "posted"
    assert kept(taker) == waiting(sale)
    assert check_to_invoice() == []


def test_the_customers_outbounds_wait_while_it_takes_invoices(
    debtor, product, other_product, assistant, warehouse, finance, manager
):
    # given a cash customer's outbounds, one of them a write-off, none waiting
    sale = sell(debtor, product, "2", by=assistant, warehouse=warehouse)
    other = sell(debtor, other_product, "1", by=assistant, warehouse=warehouse)
    proposal = write_off_request(customer=debtor, by=finance, items=[WriteOffInput(other)], reason="客户倒闭")
    write_off_approve(write_off=proposal, by=manager)
    assert kept(debtor) == []

    # when it comes to take invoices, what it was sent waits
    taker = takes_invoices(debtor, assistant)
    assert kept(taker) == waiting(sale, other)
    taker = customer_update(customer=taker, by=assistant, notes="每月25日前开票")  # the flag unchanged
    assert kept(taker) == waiting(sale, other)

    # an outbound invoiced meanwhile stays invoiced when the flag goes off and on again
    issue(taker, assistant, [sale], number="44001234")
    takes_invoices(taker, assistant, required=False)
    assert kept(taker) == []
    assert check_to_invoice() == []
    takes_invoices(taker, assistant)
    assert kept(taker) == waiting(other)
    assert check_to_invoice() == []


def test_invoices_due_sums_what_waits_up_to_the_month(
    debtor, product, other_product, assistant, warehouse, manager
):
    taker = takes_invoices(debtor, assistant)
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    earlier = sell(taker, product, "2", by=assistant, warehouse=warehouse, day=last_month)
    later = sell(taker, other_product, "3", by=assistant, warehouse=warehouse, approver=manager)

    (before,) = selectors.invoices_due(assistant, last_month.year, last_month.month)
    (now,) = selectors.invoices_due(assistant, today.year, today.month)

    assert (before.customer, before.amount, before.outbounds) == (taker, earlier.amount, 1)
    assert (now.amount, now.outbounds) == (earlier.amount + later.amount, 2)
    issue(taker, assistant, [earlier, later], number="44001234")
    assert selectors.invoices_due(assistant, today.year, today.month) == []


@pytest.mark.parametrize(
    "tampering",
    [
        "UPDATE receivables_toinvoice SET amount = 1 WHERE outbound_id = %s",
        "DELETE FROM receivables_toinvoice WHERE outbound_id = %s",
    ],
)
def test_check_notices_a_row_that_disagrees_with_its_documents(
    debtor, product, assistant, warehouse, tampering
):
    taker = takes_invoices(debtor, assistant)
    sale = sell(taker, product, "1", by=assistant, warehouse=warehouse)
    with connection.cursor() as cursor:
        cursor.execute(tampering, [sale.pk])
    assert [p.area for p in check_to_invoice()] == ["outbounds to invoice"]


def test_the_migration_reads_what_waits_from_the_books(
    debtor, product, other_product, assistant, warehouse, finance, manager
):
    taker = takes_invoices(debtor, assistant)
    invoiced = sell(taker, product, "2", by=assistant, warehouse=warehouse)
    sell(taker, other_product, "1", by=assistant, warehouse=warehouse)
    sale = sell(taker, product, "1", by=assistant, warehouse=warehouse)
    proposal = write_off_request(customer=taker, by=finance, items=[WriteOffInput(sale)], reason="客户倒闭")
    write_off_approve(write_off=proposal, by=manager)
    issue(taker, assistant, [invoiced], number="44001234")
    before = kept(taker)
    assert len(before) == 2

    ToInvoice.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill_migration.FILL)

    assert kept(taker) == before
    assert check_to_invoice() == []
