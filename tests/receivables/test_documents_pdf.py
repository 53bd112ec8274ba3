"""The statement (对账单) and the receipt slip (收据) as printed: Chinese text, the right figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.receivables import services, services_documents
from salesdesk.receivables.documents import amount_in_capitals, slip_pdf, statement_pdf
from salesdesk.receivables.models import PaymentMethod
from salesdesk.receivables.spreadsheets import statement_xlsx_response
from tests.receivables.conftest import on_day, sell
from tests.warehouse.test_documents import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(debtor, product, other_product, assistant, warehouse, manager):
    """Sales before and during a month, a receipt during it: opening 1900.00, closing 2565.00."""
    today = timezone.localdate()
    month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    # Before the period: 5 × A-101 at 380 = 1900.00.
    before = month_start - dt.timedelta(days=20)
    sell(debtor, product, "5", by=assistant, warehouse=warehouse, day=before, price="380", approver=manager)
    # During it: 5 × B-220 at 243.80 = 1219.00, then 554.00 received.
    during = month_start + dt.timedelta(days=3)
    sale = sell(
        debtor,
        other_product,
        "5",
        by=assistant,
        warehouse=warehouse,
        day=during,
        price="243.80",
        approver=manager,
    )
    with on_day(during + dt.timedelta(days=1)):
        services.receipt_create(
            customer=debtor,
            by=assistant,
            amount="554",
            received_on=during + dt.timedelta(days=1),
            method=PaymentMethod.TRANSFER,
            note="部分付款",
        )
    period_to = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    drawn = services_documents.statement_create(
        customer=debtor, by=assistant, period_from=month_start, period_to=period_to
    )
    drawn.sale = sale
    return drawn


def test_the_statement_pdf_shows_the_customer_and_the_opening_and_closing(statement, debtor):
    data = statement_pdf(statement)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert statement.opening == Decimal("1900.00")
    assert statement.closing == Decimal("2565.00")
    for expected in [
        "科迪色彩",
        "对账单",
        debtor.name,
        debtor.code,
        statement.number,
        statement.sale.number,
        "期初余额",
        "1,900.00",
        "1,219.00",
        "554.00",
        "期末余额",
        "2,565.00",
        "贰仟伍佰陆拾伍元整",
        "客户确认",
    ]:
        assert expected in text, expected


def test_the_statement_xlsx_holds_the_same_closing(statement):
    response = statement_xlsx_response(statement)
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[cell for cell in row] for row in workbook.active.iter_rows(values_only=True)]
    closing = next(row for row in rows if row[0] and str(row[0]).startswith("期末余额"))
    opening = next(row for row in rows if row[0] and str(row[0]).startswith("期初余额"))
    assert Decimal(str(closing[-1])) == Decimal("2565.00")
    assert Decimal(str(opening[-1])) == Decimal("1900.00")
    assert any(row[2] == statement.number for row in rows if len(row) > 2) or any(
        statement.number in [str(c) for c in row] for row in rows
    )


def test_the_receipt_slip_pdf_names_the_amount_in_figures_and_capitals(debtor, assistant):
    receipt = services.receipt_create(
        customer=debtor,
        by=assistant,
        amount="1409.50",
        received_on=timezone.localdate(),
        method=PaymentMethod.CASH,
        note="预付货款",
    )
    slip = services_documents.slip_issue(receipt=receipt, by=assistant, seal="kedi_official")
    text = pdf_text(slip_pdf(slip))
    for expected in ["收据", slip.number, debtor.name, "1,409.50", "壹仟肆佰零玖元伍角", "科迪公章"]:
        assert expected in text, expected


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("10", "壹拾元整"),
        ("10.05", "壹拾元零伍分"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("100010", "壹拾万零壹拾元整"),
        ("20005000", "贰仟万伍仟元整"),
        ("20050000", "贰仟零伍万元整"),
        ("100000001", "壹亿零壹元整"),
        ("1000000000", "壹拾亿元整"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("-12.30", "负壹拾贰元叁角"),
    ],
)
def test_amounts_in_capitals_read_as_on_a_cheque(amount, words):
    assert amount_in_capitals(Decimal(amount)) == words
