"""Receivables as .xlsx: the statement a customer can check in Excel, and the month-end detail.

Headers are Chinese with English beside them, as on the printed documents: finance and the
customers' bookkeepers read them, whatever the clerk's screen language.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from salesdesk.core.spreadsheets import (
    XLSX_CONTENT_TYPE,
    Column,
    content_disposition,
    neutralise_formula,
    xlsx_response,
)
from salesdesk.receivables import selectors
from salesdesk.receivables.documents import KIND_LABELS
from salesdesk.receivables.models import Statement

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
STATEMENT_HEADERS = [
    ("日期 Date", 12),
    ("类别 Kind", 16),
    ("单号 Number", 18),
    ("摘要 Description", 48),
    ("借方(应收) Debit", 14),
    ("贷方(已收) Credit", 14),
    ("余额 Balance", 14),
]


def _cell_value(value):
    return neutralise_formula(value) if isinstance(value, str) else value


def _append(sheet, values: Sequence, *, bold: bool = False) -> None:
    sheet.append([_cell_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, Decimal | float | int) and not isinstance(cell.value, bool):
            cell.number_format = MONEY_FORMAT
        elif isinstance(cell.value, dt.date):
            cell.number_format = DATE_FORMAT
        if bold:
            cell.font = Font(bold=True)


def _file_response(workbook: Workbook, filename: str, fallback: str) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    workbook.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response


def statement_workbook(statement: Statement) -> Workbook:
    """The statement on one sheet: who and when on top, then the same lines as the PDF."""
    view = selectors.statement_view(statement.customer, statement.period_from, statement.period_to)
    customer = statement.customer
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "对账单"
    for i, (_header, width) in enumerate(STATEMENT_HEADERS):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    _append(sheet, [settings.SALESDESK["COMPANY_NAME"]], bold=True)
    _append(sheet, ["对账单 Statement", "", "对账单号 No.", statement.number], bold=True)
    _append(sheet, ["客户 Customer", customer.code, customer.name])
    _append(sheet, ["期间 Period", view.period_from, "至 to", view.period_to])
    _append(sheet, ["日期 Date", timezone.localdate()])
    _append(sheet, [])
    _append(sheet, [header for header, _width in STATEMENT_HEADERS], bold=True)
    _append(sheet, ["期初余额 Opening balance", "", "", "", None, None, view.opening])
    for line in view.lines:
        _append(
            sheet,
            [
                line.date,
                KIND_LABELS.get(line.kind, line.kind),
                line.number,
                line.text,
                line.debit or None,
                line.credit or None,
                line.balance,
            ],
        )
    _append(
        sheet, ["本期合计 Period totals", "", "", "", view.debit_total, view.credit_total, None], bold=True
    )
    _append(sheet, ["期末余额 Closing balance", "", "", "", None, None, view.closing], bold=True)
    _append(sheet, [])
    _append(sheet, ["客户确认（签字盖章）Customer signature", "", "", "日期 Date"])
    return workbook


def statement_xlsx_response(statement: Statement) -> FileResponse:
    name = f"对账单-{statement.customer.code}-{statement.number}.xlsx"
    return _file_response(statement_workbook(statement), name, f"statement-{statement.number}.xlsx")


# --- month-end ------------------------------------------------------------------------------

MONTH_END_COLUMNS = [
    Column("code", "客户编号 Code", width=12),
    Column("customer", "客户名称 Customer", width=30),
    Column("salesperson", "业务员 Salesperson", width=12),
    Column("opening", "期初余额 Opening", width=14),
    Column("sales", "本期销售 Sales", width=14),
    Column("returns", "本期退货 Returns", width=14),
    Column("receipts", "本期收款 Receipts", width=14),
    Column("write_offs", "坏账核销 Write-offs", width=14),
    Column("closing", "期末余额 Closing", width=14),
]
BUCKET_HEADERS = [
    ("not_due", "未到期 Not due"),
    ("d1_30", "逾期1-30天 1-30 days"),
    ("d31_60", "逾期31-60天 31-60 days"),
    ("d61_90", "逾期61-90天 61-90 days"),
    ("over_90", "逾期90天以上 Over 90 days"),
]


def month_end_columns() -> list[Column]:
    return [
        *MONTH_END_COLUMNS,
        *[Column(key, header, width=16) for key, header in BUCKET_HEADERS],
        Column("unapplied", "预收未核销 Unapplied", width=14),
    ]


def month_end_values(row) -> list:
    """One customer's (or the totals') figures in the order of `month_end_columns`."""
    return [
        row.opening,
        row.sales,
        row.returns,
        row.receipts,
        row.write_offs,
        row.closing,
        *[row.buckets[key] for key, _header in BUCKET_HEADERS],
        row.unapplied,
    ]


def month_end_xlsx_response(rows: list, totals, first_day: dt.date) -> FileResponse:
    def lines() -> Iterator[list]:
        for row in rows:
            customer = row.customer  # a `ledger_customers` row
            yield [customer.code, customer.name, selectors.salesperson_name(customer), *month_end_values(row)]
        yield ["合计 Total", "", "", *month_end_values(totals)]

    month = f"{first_day:%Y-%m}"
    return xlsx_response(
        filename=f"累计应收账款明细表-{month}.xlsx",
        fallback_filename=f"receivables-month-end-{month}.xlsx",
        title=f"应收明细 {month}",
        columns=month_end_columns(),
        rows=lines(),
    )
