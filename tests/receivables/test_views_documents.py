"""Pages of the papers that go to customers: invoices, receipt slips, statements, month-end and
the collection list, with who may see and do what."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.customers.models import Customer, ReceiptSeal
from salesdesk.receivables import services, services_credits, services_documents
from salesdesk.receivables.models import Invoice, PaymentMethod, ReceiptSlip, Statement, StatementStatus
from tests.conftest import client_for
from tests.receivables.conftest import on_day, sell
from tests.warehouse.test_documents import pdf_text

pytestmark = pytest.mark.django_db


def _previous_month() -> tuple[dt.date, dt.date]:
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _receive(customer, by, amount: str, day: dt.date, note: str = ""):
    with on_day(day):
        return services.receipt_create(
            customer=customer, by=by, amount=amount, received_on=day, method=PaymentMethod.TRANSFER, note=note
        )


@pytest.fixture
def month(debtor, product, other_product, assistant, salesperson, warehouse, manager, finance):
    """Last month of the debtor, with every kind of movement (hand calculation below).

    Before it: sale A 5 × 380 = 1900.00 (the opening). During it: sale B 5 × 243.80 = 1219.00,
    a return of 1 of B (−243.80), 1000.00 received (settling A), and the 900.00 left of A
    written off. Closing: 1900 + 1219 − 243.80 − 1000 − 900 = 975.20, all of it B still open.
    """
    first, last = _previous_month()
    sale_a = sell(
        debtor,
        product,
        "5",
        by=assistant,
        warehouse=warehouse,
        day=first - dt.timedelta(days=20),
        price="380",
    )
    sale_b = sell(
        debtor,
        other_product,
        "5",
        by=assistant,
        warehouse=warehouse,
        day=first + dt.timedelta(days=2),
        price="243.80",
        approver=manager,
    )
    with on_day(first + dt.timedelta(days=3)):
        services_credits.return_post(
            original=sale_b,
            by=assistant,
            lines=[services_credits.ReturnLineInput(sale_b.lines.get(), Decimal("1"))],
            reason="颜色不对",
            agreed_by=salesperson,
        )
    _receive(debtor, assistant, "1000", first + dt.timedelta(days=4), note="先付一部分")
    with on_day(first + dt.timedelta(days=5)):
        proposed = services_credits.write_off_request(
            customer=debtor, by=finance, reason="协商减免", items=[services_credits.WriteOffInput(sale_a)]
        )
        services_credits.write_off_approve(write_off=proposed, by=manager)
    return first, last


# --- invoices -------------------------------------------------------------------------------


@pytest.fixture
def invoiced_customer(debtor):
    Customer.objects.filter(pk=debtor.pk).update(invoice_required=True, invoice_day=5)
    debtor.refresh_from_db()
    return debtor


def test_invoice_due_lists_a_customer_who_takes_invoices_with_outbounds_not_invoiced(
    invoiced_customer, product, assistant, warehouse, manager
):
    sell(invoiced_customer, product, "2", by=assistant, warehouse=warehouse, price="349.60", approver=manager)
    sell(invoiced_customer, product, "3", by=assistant, warehouse=warehouse, price="349.60", approver=manager)
    response = client_for(assistant).get(reverse("receivables:invoice-due"))
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row.customer == invoiced_customer
    assert row.amount == Decimal("1748.00")
    assert row.outbounds == 2
    assert row.invoiced_this_month is False
    assert row.due_on == timezone.localdate().replace(day=5)
    html = response.content.decode()
    assert reverse("receivables:invoice-create", args=[invoiced_customer.code]) in html
    assert "1,748.00" in html


def test_an_invoice_covers_two_outbounds_and_neither_is_invoiced_twice(
    invoiced_customer, product, assistant, warehouse, manager
):
    first = sell(
        invoiced_customer, product, "2", by=assistant, warehouse=warehouse, price="349.60", approver=manager
    )
    second = sell(
        invoiced_customer, product, "3", by=assistant, warehouse=warehouse, price="349.60", approver=manager
    )
    client = client_for(assistant)
    url = reverse("receivables:invoice-create", args=[invoiced_customer.code])
    page = client.get(url)
    assert [o.pk for o in page.context["outbounds"]] == [first.pk, second.pk]
    today = timezone.localdate()
    response = client.post(
        url, {"outbounds": [first.pk, second.pk], "number": "No.0451", "issued_on": today.isoformat()}
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("receivables:invoice-detail", args=[invoice.pk])
    assert invoice.amount == Decimal("1748.00")
    assert {item.outbound_id for item in invoice.items.all()} == {first.pk, second.pk}
    assert invoice.must_reach_by == today + dt.timedelta(days=7)
    # The same outbound again, under another number: refused beside the outbounds, nothing written.
    again = client.post(url, {"outbounds": [first.pk], "number": "No.0452", "issued_on": today.isoformat()})
    assert again.status_code == 200
    assert first.number in " ".join(again.context["form"].errors["outbounds"])
    assert first.number in again.content.decode()
    assert Invoice.objects.count() == 1
    assert list(client.get(url).context["outbounds"]) == []


def test_an_invoice_is_mailed_then_received_by_the_customer(
    invoiced_customer, product, assistant, warehouse, manager
):
    sale = sell(
        invoiced_customer, product, "2", by=assistant, warehouse=warehouse, price="349.60", approver=manager
    )
    invoice = services_documents.invoice_issue(
        customer=invoiced_customer,
        by=assistant,
        number="No.0460",
        issued_on=timezone.localdate(),
        outbounds=[sale],
        must_reach_by=timezone.localdate(),
    )
    client = client_for(assistant)
    detail = reverse("receivables:invoice-detail", args=[invoice.pk])
    assert client.get(detail).status_code == 200
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("receivables:invoice-mail", args=[invoice.pk]),
        {"tracking_number": "SF1234567", "mailed_on": today},
    )
    assert response["Location"] == detail
    invoice.refresh_from_db()
    assert (invoice.tracking_number, invoice.mailed_on) == ("SF1234567", timezone.localdate())
    # Still on its way: listed under the invoices due.
    waiting = client.get(reverse("receivables:invoice-due")).context["page"]
    assert [i.pk for i in waiting] == [invoice.pk]
    client.post(reverse("receivables:invoice-received", args=[invoice.pk]), {"on": today})
    invoice.refresh_from_db()
    assert invoice.received_on == timezone.localdate()
    assert list(client.get(reverse("receivables:invoice-due")).context["page"]) == []
    listed = client.get(reverse("receivables:invoice-list"), {"q": "0460"}).context["page"]
    assert [(i.pk, i.item_count, i.customer.code) for i in listed] == [
        (invoice.pk, 1, invoiced_customer.code)
    ]


def test_a_salesperson_reads_invoices_but_does_not_issue_them(invoiced_customer, salesperson):
    client = client_for(salesperson)
    assert client.get(reverse("receivables:invoice-due")).status_code == 200
    url = reverse("receivables:invoice-create", args=[invoiced_customer.code])
    assert client.get(url).status_code == 403


# --- receipt slips --------------------------------------------------------------------------


def test_a_slip_takes_the_customers_usual_seal_and_prints_the_amount_in_capitals(debtor, assistant):
    Customer.objects.filter(pk=debtor.pk).update(receipt_seal=ReceiptSeal.NANHUACHENG)
    receipt = _receive(debtor, assistant, "1409.50", timezone.localdate(), note="预付货款")
    client = client_for(assistant)
    listed = client.get(reverse("receivables:slip-list"))
    assert [r.number for r in listed.context["waiting"]] == [receipt.number]
    assert f'value="{ReceiptSeal.NANHUACHENG}" selected' in listed.content.decode()
    url = reverse("receivables:slip-create", args=[receipt.number])
    page = client.get(url)
    assert page.context["form"]["seal"].value() == ReceiptSeal.NANHUACHENG
    response = client.post(
        url, {"seal": page.context["form"]["seal"].value(), "issued_on": timezone.localdate().isoformat()}
    )
    slip = ReceiptSlip.objects.get()
    assert response["Location"] == reverse("receivables:slip-detail", args=[slip.number])
    assert slip.seal == ReceiptSeal.NANHUACHENG
    detail = client.get(response["Location"])
    assert "壹仟肆佰零玖元伍角" in detail.content.decode()
    pdf = client.get(reverse("receivables:slip-pdf", args=[slip.number]))
    assert pdf["Content-Type"] == "application/pdf"
    assert slip.number in pdf_text(pdf.content)
    assert client.get(reverse("receivables:slip-list")).context["waiting"] == []
    # A second slip for the same receipt leads to the first one.
    assert client.post(url, {"seal": "kedi_official", "issued_on": timezone.localdate().isoformat()})[
        "Location"
    ] == reverse("receivables:slip-detail", args=[slip.number])
    assert ReceiptSlip.objects.count() == 1


def test_a_slip_dated_before_the_money_came_is_refused_beside_the_date(debtor, assistant):
    receipt = _receive(debtor, assistant, "100", timezone.localdate(), note="预付")
    url = reverse("receivables:slip-create", args=[receipt.number])
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = client_for(assistant).post(url, {"seal": "kedi_received", "issued_on": day})
    assert response.status_code == 200
    assert response.context["form"].errors["issued_on"]
    assert not ReceiptSlip.objects.exists()


# --- statements -----------------------------------------------------------------------------


def test_a_statement_is_drawn_up_sent_and_signed_back(month, debtor, assistant):
    first, last = month
    client = client_for(assistant)
    url = reverse("receivables:statement-create", args=[debtor.code])
    page = client.get(url)
    # The previous calendar month by default, with its figures shown before drawing up.
    assert page.context["form"].initial == {"period_from": first, "period_to": last}
    assert page.context["preview"].closing == Decimal("975.20")
    response = client.post(url, {"period_from": first.isoformat(), "period_to": last.isoformat()})
    statement = Statement.objects.get()
    detail = reverse("receivables:statement-detail", args=[statement.number])
    assert response["Location"] == detail
    assert (statement.opening, statement.closing) == (Decimal("1900.00"), Decimal("975.20"))
    page = client.get(detail)
    assert "975.20" in page.content.decode()
    assert "statement-changed" not in page.content.decode()
    today = timezone.localdate().isoformat()
    client.post(reverse("receivables:statement-sent", args=[statement.number]), {"on": today})
    statement.refresh_from_db()
    assert (statement.status, statement.sent_on) == (StatementStatus.SENT, timezone.localdate())
    client.post(reverse("receivables:statement-signed", args=[statement.number]), {"on": today})
    statement.refresh_from_db()
    assert (statement.status, statement.signed_on) == (StatementStatus.SIGNED, timezone.localdate())
    pdf = client.get(reverse("receivables:statement-pdf", args=[statement.number]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert debtor.name in text and "975.20" in text and "1,900.00" in text
    xlsx = client.get(reverse("receivables:statement-xlsx", args=[statement.number]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    closing = next(row for row in sheet.iter_rows(values_only=True) if str(row[0]).startswith("期末余额"))
    assert Decimal(str(closing[-1])) == Decimal("975.20")


def test_a_statement_cannot_be_signed_before_it_is_sent(month, debtor, assistant):
    first, last = month
    statement = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=first, period_to=last
    )
    client = client_for(assistant)
    response = client.post(
        reverse("receivables:statement-signed", args=[statement.number]),
        {"on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFTED
    assert statement.signed_on is None


def test_a_receipt_entered_late_into_the_period_shows_as_a_difference(month, debtor, assistant):
    first, last = month
    statement = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=first, period_to=last
    )
    # Money received in the period, entered only now.
    services.receipt_create(
        customer=debtor,
        by=assistant,
        amount="200",
        received_on=last,
        method=PaymentMethod.CASH,
        note="补录",
    )
    page = client_for(assistant).get(reverse("receivables:statement-detail", args=[statement.number]))
    assert page.context["closing_change"] == Decimal("-200.00")
    assert page.context["opening_change"] == Decimal("0.00")
    assert "statement-changed" in page.content.decode()


def test_the_statement_list_puts_the_ones_waiting_first(month, debtor, assistant):
    first, last = month
    signed = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=first, period_to=last
    )
    services_documents.statement_mark_sent(statement=signed, by=assistant)
    services_documents.statement_mark_signed(statement=signed, by=assistant)
    waiting = services_documents.statement_create(
        customer=debtor,
        by=assistant,
        period_from=first - dt.timedelta(days=40),
        period_to=first - dt.timedelta(days=1),
    )
    client = client_for(assistant)
    page = client.get(reverse("receivables:statement-list")).context["page"]
    assert [s.number for s in page] == [waiting.number, signed.number]
    only_signed = client.get(reverse("receivables:statement-list"), {"status": "signed"}).context["page"]
    assert [s.number for s in only_signed] == [signed.number]
    # The "new statement" box leads to the customer typed.
    answer = client.get(reverse("receivables:statement-list"), {"customer": debtor.code.lower()})
    assert answer["Location"] == reverse("receivables:statement-create", args=[debtor.code])


# --- month-end and collection ---------------------------------------------------------------


def test_month_end_rows_add_up(month, debtor, assistant):
    first, _last = month
    response = client_for(assistant).get(reverse("receivables:month-end"), {"month": f"{first:%Y-%m}"})
    assert response.status_code == 200
    (row,) = list(response.context["page"])
    assert (row.customer.pk, row.customer.code) == (debtor.pk, debtor.code)
    salesperson = debtor.salesperson.first_name
    assert salesperson and f'<td class="text-nowrap">{salesperson}</td>' in response.content.decode()
    assert (row.opening, row.sales, row.returns, row.receipts, row.write_offs) == (
        Decimal("1900.00"),
        Decimal("1219.00"),
        Decimal("-243.80"),
        Decimal("1000.00"),
        Decimal("-900.00"),
    )
    assert (
        row.opening + row.sales + row.returns - row.receipts + row.write_offs
        == row.closing
        == Decimal("975.20")
    )
    assert sum(row.bucket_values) - row.unapplied == row.closing
    totals = response.context["totals"]
    assert totals.closing == Decimal("975.20")
    assert sum(totals.bucket_values) == Decimal("975.20")
    export = client_for(assistant).get(reverse("receivables:month-end-xlsx"), {"month": f"{first:%Y-%m}"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True)
    )
    header, line, total = rows[0], rows[1], rows[-1]
    closing_at = next(i for i, h in enumerate(header) if h.startswith("期末余额"))
    assert (line[0], line[1], line[2]) == (debtor.code, debtor.name, salesperson)
    assert Decimal(str(line[closing_at])) == Decimal("975.20")
    assert total[0].startswith("合计") and Decimal(str(total[closing_at])) == Decimal("975.20")


def test_month_end_defaults_to_the_previous_month_and_refuses_a_wrong_month(month, assistant):
    first, _last = month
    client = client_for(assistant)
    assert client.get(reverse("receivables:month-end")).context["month"] == first
    wrong = client.get(reverse("receivables:month-end"), {"month": "2025-13"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["month"]


def test_the_collection_list_shows_whom_to_chase_by_salesperson(
    month, debtor, assistant, salesperson, other_salesperson
):
    first, last = month
    statement = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=first, period_to=last
    )
    services_documents.statement_mark_sent(statement=statement, by=assistant)
    response = client_for(salesperson).get(reverse("receivables:collection"))
    (group,) = response.context["groups"]
    assert group["salesperson"] == salesperson
    (row,) = group["rows"]
    assert (row.customer, row.balance) == (debtor, Decimal("975.20"))
    assert row.oldest_open == first + dt.timedelta(days=2)
    assert row.last_statement == statement
    html = response.content.decode()
    assert f'href="{reverse("receivables:statement-detail", args=[statement.number])}"' in html
    new_statement = f'href="{reverse("receivables:statement-create", args=[debtor.code])}"'
    assert new_statement not in html  # a salesperson does not draw statements up
    assert new_statement in client_for(assistant).get(reverse("receivables:collection")).content.decode()
    assert client_for(other_salesperson).get(reverse("receivables:collection")).context["groups"] == []


# --- who may see what -----------------------------------------------------------------------


@pytest.fixture
def papers(month, debtor, assistant):
    first, last = month
    statement = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=first, period_to=last
    )
    receipt = debtor.receipts.get()
    slip = services_documents.slip_issue(receipt=receipt, by=assistant)
    Customer.objects.filter(pk=debtor.pk).update(invoice_required=True)
    debtor.refresh_from_db()
    sale = debtor.outbounds.filter(kind="sale").first()
    invoice = services_documents.invoice_issue(
        customer=debtor, by=assistant, number="No.0999", issued_on=timezone.localdate(), outbounds=[sale]
    )
    return {"statement": statement, "slip": slip, "invoice": invoice, "receipt": receipt}


def _object_urls(papers, debtor) -> list[str]:
    statement, slip = papers["statement"].number, papers["slip"].number
    return [
        reverse("receivables:statement-detail", args=[statement]),
        reverse("receivables:statement-pdf", args=[statement]),
        reverse("receivables:statement-xlsx", args=[statement]),
        reverse("receivables:slip-detail", args=[slip]),
        reverse("receivables:slip-pdf", args=[slip]),
        reverse("receivables:invoice-detail", args=[papers["invoice"].pk]),
        reverse("receivables:invoice-create", args=[debtor.code]),
        reverse("receivables:statement-create", args=[debtor.code]),
        reverse("receivables:slip-create", args=[papers["receipt"].number]),
    ]


def test_another_assistant_gets_404_on_someone_elses_papers(papers, debtor, other_assistant):
    client = client_for(other_assistant)
    for url in _object_urls(papers, debtor):
        assert client.get(url).status_code == 404, url
    answer = client.post(
        reverse("receivables:statement-sent", args=[papers["statement"].number]),
        {"on": timezone.localdate().isoformat()},
    )
    assert answer.status_code == 404
    papers["statement"].refresh_from_db()
    assert papers["statement"].status == StatementStatus.DRAFTED
    for name in ["statement-list", "slip-list", "invoice-list"]:
        assert list(client.get(reverse(f"receivables:{name}")).context["page"]) == []


def test_the_warehouse_sees_no_receivables_papers(papers, debtor, warehouse):
    client = client_for(warehouse)
    lists = [
        reverse(f"receivables:{name}")
        for name in ["invoice-due", "invoice-list", "slip-list", "statement-list", "month-end", "collection"]
    ]
    for url in [*lists, reverse("receivables:month-end-xlsx"), *_object_urls(papers, debtor)]:
        assert client.get(url).status_code == 403, url


def test_finance_and_the_manager_see_every_customers_papers(papers, debtor, finance, manager):
    for user in (finance, manager):
        client = client_for(user)
        for url in _object_urls(papers, debtor)[:6]:
            assert client.get(url).status_code == 200, url


# --- a fixed number of queries however many customers ---------------------------------------


def _queries_per_page(client, urls: list[str]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    return counts


def _customer_with_papers(name, product, assistant, salesperson, warehouse, manager):
    from tests.factories import make_customer

    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson, name=name)
    first, last = _previous_month()
    sell(
        customer,
        product,
        "1",
        by=assistant,
        warehouse=warehouse,
        day=first + dt.timedelta(days=1),
        approver=manager,
    )
    receipt = _receive(customer, assistant, "100", first + dt.timedelta(days=2), note="部分")
    services_documents.slip_issue(receipt=receipt, by=assistant, issued_on=first + dt.timedelta(days=2))
    _receive(customer, assistant, "50", timezone.localdate(), note="部分")
    statement = services_documents.statement_create(
        customer=customer, by=assistant, period_from=first, period_to=last
    )
    services_documents.statement_mark_sent(statement=statement, by=assistant)


def test_list_pages_make_as_many_queries_for_three_customers_as_for_one(
    stocked, product, assistant, salesperson, warehouse, manager
):
    urls = [
        reverse(f"receivables:{name}")
        for name in ["invoice-due", "invoice-list", "slip-list", "statement-list", "month-end", "collection"]
    ]
    client = client_for(assistant)
    _customer_with_papers("甲涂料店", product, assistant, salesperson, warehouse, manager)
    one = _queries_per_page(client, urls)
    for name in ("乙涂料店", "丙涂料店"):
        _customer_with_papers(name, product, assistant, salesperson, warehouse, manager)
    three = _queries_per_page(client, urls)
    assert three == one
    assert len(client.get(reverse("receivables:month-end")).context["page"]) == 3
    assert len(client.get(reverse("receivables:slip-list")).context["waiting"]) == 3


def test_bad_input_is_refused_beside_its_field_and_changes_nothing(invoiced_customer, assistant):
    client = client_for(assistant)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    invoice = client.post(
        reverse("receivables:invoice-create", args=[invoiced_customer.code]),
        {"outbounds": ["999999", "x"], "number": "", "issued_on": "9999-99-99"},
    )
    assert invoice.status_code == 200
    assert set(invoice.context["form"].errors) >= {"outbounds", "number", "issued_on"}
    statement = client.post(
        reverse("receivables:statement-create", args=[invoiced_customer.code]),
        {"period_from": timezone.localdate().isoformat(), "period_to": tomorrow},
    )
    assert statement.status_code == 200
    assert statement.context["form"].errors["period_to"]
    assert not Invoice.objects.exists() and not Statement.objects.exists()
    assert client.get(reverse("receivables:invoice-list"), {"month": "abc"}).status_code == 200
    for name in ("statement-detail", "slip-detail", "slip-create", "statement-pdf"):
        assert client.get(reverse(f"receivables:{name}", args=["DZ2099-99999"])).status_code == 404, name
