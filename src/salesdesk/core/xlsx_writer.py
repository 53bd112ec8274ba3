"""An .xlsx workbook of one sheet, written while it is sent.

openpyxl builds the whole file before its first byte can leave: a three-year export kept the
browser (and a proxy in front, which gives up after a minute of silence) waiting for minutes.
Here each batch of rows becomes XML, is deflated into the zip and handed to the response at
once; the parts that describe the workbook go first, as they depend on the columns only. Memory stays
that of one batch, whatever the number of rows.

Only what exports need: inline strings, numbers, booleans, dates with a number format per
column, column widths and a frozen header row.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from openpyxl.utils import get_column_letter

ROWS_PER_CHUNK = 500
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Characters XML 1.0 cannot carry; a pasted control character would make the file unreadable.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DEFAULT_FORMATS = {
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
    "decimal": "#,##0.00",
    "number": None,
}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
)
ROOT_RELS = (
    f'{XML_HEAD}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
    f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    f'{XML_HEAD}<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/styles" Target="styles.xml"/></Relationships>'
)


class _Pipe:
    """Where the zip writes: bytes wait here until the response takes them."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class _Styles:
    """Number formats per column and kind of value, each with its cell style index."""

    def __init__(self, formats: Sequence[str | None]) -> None:
        self.codes: list[str] = []
        self.per_column = [
            {kind: self._index(fmt or default) for kind, default in DEFAULT_FORMATS.items()}
            for fmt in formats
        ]

    def _index(self, code: str | None) -> int:
        if code is None:
            return 0
        if code not in self.codes:
            self.codes.append(code)
        return self.codes.index(code) + 1

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{164 + i}" formatCode={quoteattr(c)}/>' for i, c in enumerate(self.codes)
        )
        xfs = "".join(
            f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            for i in range(len(self.codes))
        )
        return (
            f'{XML_HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="{len(self.codes)}">{formats}</numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.codes) + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
            f'xfId="0"/>{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def _text(value: str) -> str:
    text = escape(NOT_IN_XML.sub("", value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{text}</t></is>"


def _serial(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        return repr((value - EXCEL_EPOCH) / dt.timedelta(days=1))
    return str((value - EXCEL_EPOCH.date()).days)


def _cell(ref: str, value: Any, styles: dict[str, int]) -> str:
    """One cell's XML; values that are not numbers, dates or booleans are written as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        kind = "datetime" if isinstance(value, dt.datetime) else "date"
        return f'<c r="{ref}" s="{styles[kind]}"><v>{_serial(value)}</v></c>'
    if isinstance(value, Decimal) and value.is_finite():
        return f'<c r="{ref}" s="{styles["decimal"]}"><v>{value:f}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        style = f' s="{styles["number"]}"' if styles["number"] else ""
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr">{_text(str(value))}</c>'


def _sheet_head(widths: Sequence[int]) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'
    )


def _rows_xml(header: Sequence[str], rows: Iterable[Sequence], styles: _Styles) -> Iterator[str]:
    """The sheet's rows as XML, a batch at a time."""
    letters = [get_column_letter(i) for i in range(1, len(header) + 1)]
    cells = "".join(
        f'<c r="{c}1" t="inlineStr">{_text(str(h))}</c>' for c, h in zip(letters, header, strict=True)
    )
    batch = [f'<row r="1">{cells}</row>']
    for number, row in enumerate(rows, start=2):
        cells = "".join(
            _cell(f"{c}{number}", v, s) for c, v, s in zip(letters, row, styles.per_column, strict=True)
        )
        batch.append(f'<row r="{number}">{cells}</row>')
        if len(batch) >= ROWS_PER_CHUNK:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def stream_xlsx(
    *,
    title: str,
    header: Sequence[str],
    widths: Sequence[int],
    formats: Sequence[str | None],
    rows: Iterable[Sequence],
) -> Iterator[bytes]:
    """The bytes of the workbook, in pieces as they are ready. `formats` holds each column's
    number format; a column without one gets the usual format for dates and amounts."""
    styles = _Styles(formats)
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as package:
        # Everything but the rows first, so that the sheet can run to the end of the file.
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr(
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            f'<sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", styles.xml())
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_sheet_head(widths).encode())
            for xml in _rows_xml(header, rows, styles):
                sheet.write(xml.encode())
                if data := pipe.take():
                    yield data
            sheet.write(b"</sheetData></worksheet>")
    yield pipe.take()
