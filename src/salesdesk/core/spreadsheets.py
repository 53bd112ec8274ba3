"""Reading and writing .xlsx files: columns by header, typed cells, streamed downloads.

Generic on purpose: which columns a sheet has and what a value means belong to the app
that imports or exports it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from salesdesk.core.errors import DomainError
from salesdesk.core.xlsx_writer import stream_xlsx

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# A small zip can unpack to gigabytes of XML; refuse before openpyxl starts parsing.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COLUMNS = 100
# Sheets often carry formatting far below the data: this many empty rows mean the data ended.
EMPTY_ROWS_ENDING_DATA = 1000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a text cell starting with these as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "无", "不"}


class SpreadsheetError(DomainError):
    """The file as a whole cannot be used (not xlsx, too big, columns missing)."""

    def __init__(self, message):
        super().__init__(message, code="spreadsheet", field="file")


class CellError(ValueError):
    """One cell's value cannot be read as what its column needs."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the field it fills and the headers people write for it.

    `header` is what exports write (Chinese); `aliases` are also accepted on import.
    """

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    number_format: str | None = None
    width: int = 14

    def matches(self, header: str) -> bool:
        return _normal(header) in {_normal(self.header), *(_normal(a) for a in self.aliases)}


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row number Excel shows, so people find it in their file
    values: dict[str, Any]


@dataclass(frozen=True)
class Sheet:
    columns: list[Column]  # the known columns the file has, in its order
    ignored_headers: list[str]
    rows: list[SheetRow]


def _normal(header: str) -> str:
    # "客户名称 *", "Name", " 客户名称(必填) " all name the same column.
    text = re.sub(r"[\s*＊]|[(（]必填[)）]", "", str(header))
    return text.lower()


# --- reading --------------------------------------------------------------------------


def check_upload(name: str, size: int) -> None:
    if not name.lower().endswith(".xlsx"):
        raise SpreadsheetError(_("Choose an Excel file saved as .xlsx."))
    if size > MAX_BYTES:
        raise SpreadsheetError(_("The file is larger than 5 MB; split it into smaller files."))


def read_sheet(source: str | Path | IO[bytes], columns: Sequence[Column]) -> Sheet:
    """The first sheet's rows, keyed by field, with their Excel row numbers."""
    _check_package(source)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(_unreadable()) from exc
    try:
        sheet = workbook.active or workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        return _read_rows(rows, columns)
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(_unreadable()) from exc
    finally:
        workbook.close()


def _unreadable() -> str:
    return _("The file could not be read as an Excel workbook; save it again from Excel as .xlsx.")


def _check_package(source) -> None:
    if hasattr(source, "seek"):
        size = source.seek(0, 2)
        source.seek(0)
    else:
        size = Path(source).stat().st_size if Path(source).is_file() else 0
    if size > MAX_BYTES:
        raise SpreadsheetError(_("The file is larger than 5 MB; split it into smaller files."))
    try:
        with zipfile.ZipFile(source) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError(_unreadable()) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(_("The file is too large once unpacked; split it into smaller files."))
    if hasattr(source, "seek"):
        source.seek(0)


def _read_rows(rows: Iterable[tuple], columns: Sequence[Column]) -> Sheet:
    header_at, positions, ignored = None, {}, []
    data: list[SheetRow] = []
    empty_run = 0
    for number, values in enumerate(rows, start=1):
        if all(_blank(v) for v in values):
            empty_run += 1
            if header_at is not None and empty_run >= EMPTY_ROWS_ENDING_DATA:
                break
            continue
        empty_run = 0
        if header_at is None:
            header_at = number
            positions, ignored = _map_headers(values, columns)
            continue
        if len(data) >= MAX_ROWS:
            raise SpreadsheetError(
                _("The sheet has more than %(n)s rows; split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
            )
        cells = {col.field: values[i] if i < len(values) else None for i, col in positions.items()}
        data.append(SheetRow(number, cells))
    if header_at is None:
        raise SpreadsheetError(_("The sheet is empty."))
    if not data:
        raise SpreadsheetError(_("The sheet has a header row but no data rows."))
    return Sheet([positions[i] for i in sorted(positions)], ignored, data)


def _map_headers(values: tuple, columns: Sequence[Column]) -> tuple[dict[int, Column], list[str]]:
    positions: dict[int, Column] = {}
    ignored = []
    for i, value in enumerate(values):
        if _blank(value):
            continue
        column = next((c for c in columns if c.matches(str(value))), None)
        if column is None:
            ignored.append(str(value).strip())
        elif column in positions.values():
            raise SpreadsheetError(_("The column %(c)s appears twice.") % {"c": column.header})
        else:
            positions[i] = column
    missing = [c.header for c in columns if c.required and c not in positions.values()]
    if missing:
        raise SpreadsheetError(
            _("The first row must name the columns; missing: %(c)s.") % {"c": "、".join(missing)}
        )
    return positions, ignored


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cells ----------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into Excel comes back as 13800138000.0
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    text = str(value).strip()
    # Undo what `xlsx_response` did to a value that looked like a formula.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def cell_decimal(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("must be a number"))
    if isinstance(value, float):
        value = repr(value)  # the shortest text that is this float: 0.1, not 0.1000000000000000055
    text = str(value).strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(_("must be a number")) from exc
    if not number.is_finite():
        raise CellError(_("must be a number"))
    return number


def cell_int(value: Any) -> int | None:
    try:
        number = cell_decimal(value)
    except CellError as exc:
        raise CellError(_("must be a whole number")) from exc
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("must be a whole number"))
    return int(number)


def cell_bool(value: Any, default: bool = False) -> bool:
    if _blank(value):
        return default
    if isinstance(value, bool):
        return value
    word = cell_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("must be 是 or 否"))


def cell_date(value: Any) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return from_excel(value).date()  # a date cell that lost its date format
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("must be a date like 2025-03-01"))


def cell_choice(value: Any, choices: dict[str, str]) -> str:
    """The stored value for a cell that may hold a code or any of its labels."""
    if _blank(value):
        return ""
    text = cell_text(value)
    wanted = {_normal(k): v for k, v in choices.items()}
    if _normal(text) in wanted:
        return wanted[_normal(text)]
    raise CellError(_("unknown value %(v)s") % {"v": text})


def cell_display(value: Any) -> str:
    """A cell as the preview shows it: what the person typed, without Excel's float noise."""
    if isinstance(value, float):
        return cell_text(value) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# --- writing --------------------------------------------------------------------------


def xlsx_response(
    *, filename: str, fallback_filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """An .xlsx download sent while its rows are read, so a large export starts at once and
    stays in bounded memory (see core.xlsx_writer)."""
    cells = ([_value(value) for value in row] for row in rows)
    content = stream_xlsx(
        title=_sheet_title(title),
        header=[column.header for column in columns],
        widths=[column.width for column in columns],
        formats=[column.number_format for column in columns],
        rows=cells,
    )
    response = StreamingHttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback_filename)
    return response


def content_disposition(filename: str, fallback: str) -> str:
    """`attachment` with an ASCII name for old clients and the real one per RFC 5987."""
    safe = re.sub(r'[\x00-\x1f\x7f"\\/:*?<>|]', "_", filename)
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(safe, safe='')}"


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "Sheet1"


def _value(value: Any) -> Any:
    return neutralise_formula(value) if isinstance(value, str) else value


def neutralise_formula(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text
