"""Reports over the JSON API (v1): which reports the user may open, one report as a page of rows
with totals over all of them, and the same report as an .xlsx download of every row.

Every report registered in `reports.base.REPORTS` is served here without knowing it: the
report checks nothing itself about who asks beyond its scope, so the permission it names is
checked before it runs. An unknown name answers 404; a report the user may not open, 403.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from salesdesk.core.api import file_answer, require
from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed
from salesdesk.core.schemas import ERRORS
from salesdesk.core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response
from salesdesk.reports.base import REPORTS, Filters, Report, ReportResult
from salesdesk.reports.schemas import (
    MAX_LIMIT,
    REPORT_NAME,
    FiltersQuery,
    ReportListItem,
    ReportOut,
    ReportQuery,
)

router = Router(tags=["reports"])

ReportName = Path(..., pattern=REPORT_NAME, max_length=64)
FILTER_FIELDS = tuple(f.name for f in dataclasses.fields(Filters))


# --- Which report, drawn with which filters -----------------------------------------------------


def _report(request: HttpRequest, name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise Http404(_("Not found."))
    require(request, report.permission)
    return report


def _filters(report: Report, query: FiltersQuery) -> Filters:
    """The query's filters, the default period filled in; a filter the report lacks is refused.

    Ignoring it would answer every row as if the filter had been applied.
    """
    given = {name: getattr(query, name) for name in FILTER_FIELDS}
    unknown = [
        name for name, value in given.items() if value not in (None, "") and name not in report.filters
    ]
    if unknown:
        message = _("This report cannot be filtered by this; it takes: %(names)s.") % {
            "names": ", ".join(report.filters) or "-"
        }
        raise FieldErrors({name: [message] for name in unknown})
    wants_default = given["date_from"] is None and given["date_to"] is None
    if report.default_period == "month" and "date_from" in report.filters and wants_default:
        today = timezone.localdate()
        given.update(date_from=today.replace(day=1), date_to=today)
    _check_period(given["date_from"], given["date_to"])
    return Filters(**given)


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    # Each date is held to the years salesdesk takes by its schema (IsoDate).
    if start and end and start > end:
        raise DomainError(_("The end date is before the start date."), field="date_to")


@contextmanager
def _refused_as_403() -> Iterator[None]:
    # A report may refuse a user while it runs or while its rows are read (say the warehouse
    # asking for money); the API answers that with its 403, not a server error.
    try:
        yield
    except PermissionDenied:
        raise NotAllowed(_("You do not have permission to do this.")) from None


# --- Cells as JSON ------------------------------------------------------------------------------


def _decimal(value: Decimal) -> str:
    return format(value, "f")  # never 1E+3: always the digits people read


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # lazy translated text and anything else that prints itself


def _json_cell(value: Any) -> Any:
    # A cell orjson does not write itself. Amounts and days first, by their exact type and without
    # `_cell`'s chain of tests: a long report has tens of thousands of each.
    kind = type(value)
    if kind is Decimal:
        return format(value, "f")  # as `_decimal`
    if kind is dt.date:
        return value.isoformat()
    return _cell(value)


def _page(rows: Iterable[Sequence[Any]], offset: int, limit: int) -> tuple[list[Sequence[Any]], int]:
    """This page's rows and how many there are, reading every row once and keeping only the page."""
    page: list[Sequence[Any]] = []
    count = 0
    for row in rows:
        if offset <= count < offset + limit:
            page.append(tuple(row))  # a plain tuple (the same one, if it is): orjson writes no named tuple
        count += 1
    return page, count


def report_json(report: Report, user, filters: Filters, offset: int, limit: int) -> bytes:
    """The report as `GET /reports/{name}` answers it (`ReportOut`): one page of rows, totals and count.

    Written by orjson straight from the report's rows, not through the schema's validation and
    the standard encoder: a month's sales detail has a quarter of a million cells, and every one
    is already a str, int, bool or None, or leaves through `_cell` (amounts, days, lazy text) —
    the types `Cell` allows, by construction.
    """
    result = report.run(user, filters)
    if result.page is not None and limit <= MAX_LIMIT:
        part = result.page(offset, limit, as_text=True)
        rows, count = [tuple(row) for row in part.rows], part.count
        result.totals.update(part.totals)
    else:  # more than a page (bench/reports_vs_sql.py asks for every row): read once
        rows, count = _page(result.text_rows() if result.text_rows else result.rows, offset, limit)
    payload = {
        "name": report.name,
        "title": str(report.title),
        "filters": dataclasses.asdict(filters),
        "columns": [{"field": column.field, "header": str(column.header)} for column in result.columns],
        "rows": rows,
        # Read once every row is consumed: a report may add its totals up as the rows go by.
        "totals": {field: _decimal(Decimal(total)) for field, total in result.totals.items()},
        "count": count,
    }
    # Days and times pass to `_cell` too: it gives an aware time in local time, as the pages show it.
    return orjson.dumps(payload, default=_json_cell, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _for_sheet(result: ReportResult) -> Iterator[list[Any]]:
    """The rows as the sheet writer takes them, then the totals row, as the report page exports it.

    The first row is read before the workbook is opened, so a report that refuses the user on
    it answers 403 without leaving a half-written workbook behind.
    """
    rows = iter(result.rows)
    first = next(rows, None)
    return itertools.chain(
        [] if first is None else [_sheet_row(first)], map(_sheet_row, rows), _totals_row(result)
    )


def _totals_row(result: ReportResult) -> Iterator[list[Any]]:
    if result.totals:  # complete only once the last row has been read: hence a generator
        label = [_("Total"), *([None] * (len(result.columns) - 1))]
        yield [result.totals.get(column.field, label[i]) for i, column in enumerate(result.columns)]


def _sheet_row(row: Sequence[Any]) -> list[Any]:
    # The sheet writer types cells by their Python type; lazy text must reach it as text.
    return [str(value) if isinstance(value, Promise) else value for value in row]


# --- Endpoints ----------------------------------------------------------------------------------


@router.get("/reports", response={200: list[ReportListItem], **ERRORS})
def report_list(request: HttpRequest):
    """The reports this user may open, each with the filters it takes."""
    return [
        {
            "name": report.name,
            "title": str(report.title),
            "filters": list(report.filters),
            "default_period": report.default_period,
        }
        for report in REPORTS.values()
        if request.user.has_perm(report.permission)
    ]


# Before the table: "/reports/sales_outbound.xlsx" would match it too.
@router.get(
    "/reports/{name}.xlsx",
    response=ERRORS,
    openapi_extra=file_answer(XLSX_CONTENT_TYPE, "The report as an Excel workbook, streamed."),
)
def report_xlsx(request: HttpRequest, query: Query[FiltersQuery], name: str = ReportName):
    """The report as an Excel workbook (.xlsx) of every row the filters select, streamed.

    Same filters and permission as `GET /reports/{name}`; no paging. The same workbook as the
    report page's export: its column headers, amounts as numbers and days as dates, and a last
    row of totals when the report adds any up.
    """
    report = _report(request, name)
    filters = _filters(report, query)
    title = str(report.title)
    period = "_".join(f"{day:%Y%m%d}" for day in (filters.date_from, filters.date_to) if day) or "all"
    with _refused_as_403():
        result = report.run(request.user, filters)
        return xlsx_response(
            filename=f"{title}-{period}.xlsx",
            fallback_filename=f"{report.name}-{period}.xlsx",
            title=title,
            columns=result.columns,
            rows=_for_sheet(result),
        )


@router.get("/reports/{name}", response={200: ReportOut, **ERRORS})
def report_table(request: HttpRequest, query: Query[ReportQuery], name: str = ReportName):
    """One report (SPEC section 8): its columns, a page of rows, totals over every row and the count.

    Rows are those the user may see, as on the report's page. `limit` and `offset` page the
    rows; `totals` and `count` cover all of them. The whole report, unpaged, is
    `GET /reports/{name}.xlsx` with the same filters.
    """
    report = _report(request, name)
    filters = _filters(report, query)
    with _refused_as_403():
        body = report_json(report, request.user, filters, query.offset, query.limit)
    return HttpResponse(body, content_type="application/json; charset=utf-8")
