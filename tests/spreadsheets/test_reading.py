import datetime as dt
import io
from decimal import Decimal

import pytest

from salesdesk.core import spreadsheets
from salesdesk.core.spreadsheets import (
    CellError,
    Column,
    SpreadsheetError,
    cell_bool,
    cell_date,
    cell_decimal,
    cell_int,
    cell_text,
    read_sheet,
)
from tests.spreadsheets.conftest import xlsx

COLUMNS = [
    Column("name", "客户名称", ("name",), required=True),
    Column("city", "城市", ("city",)),
]


def test_headers_are_found_by_chinese_or_english_name_and_rows_keep_their_excel_number():
    # given a title-less sheet with an English header, a blank row and an unknown column
    data = xlsx(
        [["Name", "城市 ", "备用"], ["佛山美家", "佛山", "x"], [None, None, None], ["广州彩虹", None, ""]]
    )
    # when
    sheet = read_sheet(io.BytesIO(data), COLUMNS)
    # then
    assert [c.field for c in sheet.columns] == ["name", "city"]
    assert sheet.ignored_headers == ["备用"]
    assert [(r.number, r.values) for r in sheet.rows] == [
        (2, {"name": "佛山美家", "city": "佛山"}),
        (4, {"name": "广州彩虹", "city": None}),
    ]


def test_a_file_that_is_not_a_workbook_is_refused_with_a_clear_message():
    with pytest.raises(SpreadsheetError, match="could not be read as an Excel workbook"):
        read_sheet(io.BytesIO("name,city\n佛山美家,佛山\n".encode()), COLUMNS)


def test_a_damaged_workbook_is_refused_with_a_clear_message():
    damaged = xlsx([["客户名称"], ["佛山美家"]])[:2000]
    with pytest.raises(SpreadsheetError, match="could not be read"):
        read_sheet(io.BytesIO(damaged), COLUMNS)


def test_an_upload_not_named_xlsx_is_refused():
    with pytest.raises(SpreadsheetError, match=r"\.xlsx"):
        spreadsheets.check_upload("客户.xls", 1000)


def test_a_file_over_5_mb_is_refused():
    with pytest.raises(SpreadsheetError, match="5 MB"):
        spreadsheets.check_upload("客户.xlsx", 5 * 1024 * 1024 + 1)
    with pytest.raises(SpreadsheetError, match="5 MB"):
        read_sheet(io.BytesIO(b"PK" + b"\0" * (5 * 1024 * 1024)), COLUMNS)


def test_more_than_5000_data_rows_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    with pytest.raises(SpreadsheetError, match="more than 3 rows"):
        read_sheet(io.BytesIO(xlsx([["客户名称"], ["a"], ["b"], ["c"], ["d"]])), COLUMNS)


def test_exactly_5000_rows_are_read():
    rows = [["客户名称"], *([f"客户{i}"] for i in range(5000))]
    assert len(read_sheet(io.BytesIO(xlsx(rows)), COLUMNS).rows) == 5000


def test_a_missing_required_column_is_named_in_chinese():
    with pytest.raises(SpreadsheetError, match="missing: 客户名称"):
        read_sheet(io.BytesIO(xlsx([["城市"], ["佛山"]])), COLUMNS)


def test_a_column_given_twice_is_refused():
    with pytest.raises(SpreadsheetError, match="客户名称 appears twice"):
        read_sheet(io.BytesIO(xlsx([["客户名称", "name"], ["a", "b"]])), COLUMNS)


def test_an_empty_sheet_is_refused():
    with pytest.raises(SpreadsheetError, match="empty"):
        read_sheet(io.BytesIO(xlsx([])), COLUMNS)


def test_cells_are_read_as_decimals_without_float_noise():
    assert cell_decimal(12.3) == Decimal("12.3")
    assert cell_decimal(0.1) == Decimal("0.1")
    assert cell_decimal("¥1,234.50") == Decimal("1234.50")
    assert cell_decimal(None) is None
    with pytest.raises(CellError, match="must be a number"):
        cell_decimal("十二")
    with pytest.raises(CellError, match="must be a number"):
        cell_decimal("NaN")


def test_whole_numbers_dates_and_yes_no_cells_accept_what_people_type():
    assert cell_int(30.0) == 30
    with pytest.raises(CellError, match="whole number"):
        cell_int("7.5")
    assert cell_date(dt.datetime(2025, 3, 1)) == dt.date(2025, 3, 1)
    assert cell_date("2025/3/1") == dt.date(2025, 3, 1)
    assert cell_date("2025年3月1日") == dt.date(2025, 3, 1)
    assert cell_date(45717) == dt.date(2025, 3, 1)
    with pytest.raises(CellError, match="date"):
        cell_date("下个月")
    assert [cell_bool("是"), cell_bool("否"), cell_bool("yes"), cell_bool(None, True)] == [
        True,
        False,
        True,
        True,
    ]
    with pytest.raises(CellError):
        cell_bool("也许")


def test_a_phone_number_typed_as_a_number_reads_as_its_digits():
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text("  佛山 ") == "佛山"


def test_text_protected_against_formulas_reads_back_as_written():
    assert cell_text("'=SUM(A1)") == "=SUM(A1)"
    assert cell_text("'普通") == "'普通"
