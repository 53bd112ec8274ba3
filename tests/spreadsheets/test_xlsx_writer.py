"""The .xlsx written while it is sent: its first bytes leave before the rows are all read, and
spreadsheet programs read back the values, formats and layout the exports ask for."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from salesdesk.core.spreadsheets import Column, xlsx_response
from salesdesk.core.xlsx_writer import ROWS_PER_CHUNK, stream_xlsx


def test_the_first_bytes_leave_before_every_row_has_been_read():
    read = []

    def rows():
        for i in range(ROWS_PER_CHUNK * 10):
            read.append(i)
            yield [f"row {i}", Decimal(i)]

    chunks = stream_xlsx(title="t", header=["a", "b"], widths=[10, 10], formats=[None, None], rows=rows())
    first = next(chunks)

    assert first.startswith(b"PK") and len(read) < ROWS_PER_CHUNK * 10
    rest = b"".join(chunks)
    sheet = load_workbook(io.BytesIO(first + rest), read_only=True).active
    assert sum(1 for _row in sheet.iter_rows()) == ROWS_PER_CHUNK * 10 + 1


def test_values_come_back_typed_with_the_columns_number_formats(settings):
    columns = [
        Column("name", "客户名称", width=30),
        Column("amount", "amount"),
        Column("price", "price", number_format="#,##0.00##"),
        Column("day", "day"),
        Column("at", "at"),
        Column("count", "count"),
        Column("paid", "paid"),
    ]
    at = dt.datetime(2026, 3, 1, 1, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 in Shanghai
    row = ["=SUM(A1) 美家\x01 ", Decimal("1325.50"), Decimal("12.3456"), dt.date(2026, 2, 28), at, 7, True]
    response = xlsx_response(
        filename="销售明细.xlsx",
        fallback_filename="sales.xlsx",
        title="销售明细",
        columns=columns,
        rows=[row, [None] * 7],
    )

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    assert response.streaming and "sales.xlsx" in response["Content-Disposition"]
    assert sheet.title == "销售明细" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["客户名称", "amount", "price", "day", "at", "count", "paid"]
    values = [c.value for c in sheet[2]]
    assert values == [
        "'=SUM(A1) 美家 ",  # a formula neutralised, the control character dropped, the space kept
        1325.5,
        12.3456,
        dt.datetime(2026, 2, 28),
        dt.datetime(2026, 3, 1, 9, 30),
        7,
        True,
    ]
    formats = [c.number_format for c in sheet[2]]
    assert formats[1:5] == ["#,##0.00", "#,##0.00##", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"]
    assert [c.value for c in sheet[3]] == [None] * 7
    assert sheet.column_dimensions["A"].width == 30
