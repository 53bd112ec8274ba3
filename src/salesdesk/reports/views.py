"""Report pages: the list of reports, each report with its filters, a page of rows and the totals
of every row, printed whole, or taken as .xlsx (SPEC section 8).

Every view checks the report's permission, reads the filters and runs the report; the report
scopes its rows to the user, so the page, the print view and the export show the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesdesk.core.money import quantity_text, to_amount
from salesdesk.core.pages import query_without_page, require_perm
from salesdesk.core.people import name_of
from salesdesk.core.spreadsheets import Column, xlsx_response
from salesdesk.reports import views_charts
from salesdesk.reports.base import REPORTS, Filters, Report, ReportResult
from salesdesk.reports.definitions import GROUPS, MONEY, QUANTITY, UNIT_PRICE
from salesdesk.reports.forms import FILTER_FIELDS, ReportFilterForm

AREA = {"active_area": "reports"}
PAGE_SIZE = 50
PRINT_LIMIT = 5000  # beyond this a printout helps nobody: the export holds everything
NUMBER_FORMATS = {MONEY, QUANTITY, UNIT_PRICE}


def index(request: HttpRequest) -> HttpResponse:
    """The reports the user may open, grouped as the work is."""
    groups = []
    for key, label, names in GROUPS:
        reports = [REPORTS[name] for name in names if request.user.has_perm(REPORTS[name].permission)]
        if reports:
            groups.append({"key": key, "label": label, "reports": reports})
    may_see_charts = request.user.has_perm(views_charts.VIEW)
    return render(request, "reports/index.html", {**AREA, "groups": groups, "may_see_charts": may_see_charts})


def _report(request: HttpRequest, name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise Http404(_("No such report."))
    require_perm(request, report.permission)
    return report


def _default_filters(report: Report) -> dict[str, dt.date]:
    if report.default_period != "month" or "date_from" not in report.filters:
        return {}
    today = timezone.localdate()
    return {"date_from": today.replace(day=1), "date_to": today}


def _filters(request: HttpRequest, report: Report) -> tuple[Filters, ReportFilterForm]:
    """The filters asked for, or the report's default period when none is given."""
    if not request.GET.keys() & set(FILTER_FIELDS):
        defaults = _default_filters(report)
        return Filters(**defaults), ReportFilterForm(report=report, user=request.user, initial=defaults)
    form = ReportFilterForm(request.GET, report=report, user=request.user)
    form.is_valid()
    return form.filters(), form


# --- cells as the page shows them ------------------------------------------------------------


def _is_number(column: Column) -> bool:
    return column.number_format in NUMBER_FORMATS


def _text(value: Any, column: Column) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal) and column.number_format == QUANTITY:
        return quantity_text(value)
    if isinstance(value, Decimal) and column.number_format == UNIT_PRICE and value != to_amount(value):
        return f"{value.normalize():,f}"
    if isinstance(value, Decimal):
        return f"{to_amount(value):,}"
    return str(value)


def _cells(row: Sequence, columns: Sequence[Column]) -> list[dict]:
    return [{"text": _text(v, c), "num": _is_number(c)} for v, c in zip(row, columns, strict=True)]


def _totals(result: ReportResult) -> list[dict]:
    """The totals row, aligned with the columns; empty when the report adds nothing up."""
    if not result.totals:
        return []
    cells = [{"text": _text(result.totals.get(c.field), c), "num": _is_number(c)} for c in result.columns]
    cells[0]["text"] = cells[0]["text"] or _("Total")
    return cells


def _page_of(result: ReportResult, wanted: str | None) -> tuple[list[Sequence], Page]:
    """One page of rows, and the report's totals over every row.

    A page past the end shows the last one, as Django's paginator does.
    """
    try:
        number = max(int(wanted or 1), 1)
    except ValueError:
        number = 1
    if result.page is None:
        return _page_by_reading(result.rows, number)
    part = result.page((number - 1) * PAGE_SIZE, PAGE_SIZE)
    page = Paginator(range(part.count), PAGE_SIZE).get_page(number)
    if page.number != number:
        part = result.page((page.number - 1) * PAGE_SIZE, PAGE_SIZE)
    result.totals.update(part.totals)
    return part.rows, page


def _page_by_reading(rows: Iterable[Sequence], number: int) -> tuple[list[Sequence], Page]:
    """The page of a report that adds its totals up as its rows pass: every row is read."""
    first = (number - 1) * PAGE_SIZE
    kept: list[Sequence] = []
    last: list[Sequence] = []
    count = 0
    for count, row in enumerate(rows, start=1):
        if (count - 1) % PAGE_SIZE == 0:
            last = []
        last.append(row)
        if first < count <= first + PAGE_SIZE:
            kept.append(row)
    page = Paginator(range(count), PAGE_SIZE).get_page(number)
    return (kept or last), page


def _context(report: Report, form: ReportFilterForm, result: ReportResult, rows, **extra) -> dict:
    return {
        **AREA,
        "report": report,
        "form": form,
        "headers": [{"text": c.header, "num": _is_number(c)} for c in result.columns],
        "rows": [_cells(row, result.columns) for row in rows],
        "totals": _totals(result),
        **extra,
    }


# --- pages ---------------------------------------------------------------------------------


def report_page(request: HttpRequest, name: str) -> HttpResponse:
    """A report: its filters, 50 rows a page, and the totals of every row the filters keep."""
    report = _report(request, name)
    filters, form = _filters(request, report)
    result = report.run(request.user, filters)
    rows, page = _page_of(result, request.GET.get("page"))
    context = _context(report, form, result, rows, page=page, query=query_without_page(request))
    return render(request, "reports/report.html", context)


def _with_errors(request: HttpRequest, report: Report, form: ReportFilterForm) -> HttpResponse | None:
    """Filters with a mistake go back to the page, which shows it beside the field."""
    if form.is_bound and form.errors:
        return redirect(f"{reverse('reports:report', args=[report.name])}?{query_without_page(request)}")
    return None


def _period_text(filters: Filters) -> str:
    return "_".join(f"{day:%Y%m%d}" for day in (filters.date_from, filters.date_to) if day) or "all"


def report_xlsx(request: HttpRequest, name: str) -> HttpResponse:
    """The whole filtered report as .xlsx, written row by row, with the totals row last."""
    report = _report(request, name)
    filters, form = _filters(request, report)
    if (back := _with_errors(request, report, form)) is not None:
        return back
    result = report.run(request.user, filters)

    def rows():
        yield from result.rows
        if result.totals:  # filled in once the last row has been read
            label = [_("Total"), *([None] * (len(result.columns) - 1))]
            yield [result.totals.get(c.field, label[i]) for i, c in enumerate(result.columns)]

    title = str(report.title)
    period = _period_text(filters)
    return xlsx_response(
        filename=f"{title}-{period}.xlsx",
        fallback_filename=f"{report.name}-{period}.xlsx",
        title=title,
        columns=result.columns,
        rows=rows(),
    )


def _printed_filters(form: ReportFilterForm, filters: Filters) -> list[tuple[str, str]]:
    """The filters in force, as the printout states them on top."""
    chosen = [pk for pk in (filters.salesperson, filters.assistant) if pk]
    people = {u.pk: name_of(u) for u in User.objects.filter(pk__in=chosen)} if chosen else {}
    values = {
        "date_from": f"{filters.date_from:%Y-%m-%d}" if filters.date_from else "",
        "date_to": f"{filters.date_to:%Y-%m-%d}" if filters.date_to else "",
        "customer": filters.customer,
        "salesperson": people.get(filters.salesperson, ""),
        "assistant": people.get(filters.assistant, ""),
        "product": filters.product,
    }
    return [(str(form.fields[name].label), values[name]) for name in form.fields if values[name]]


def report_print(request: HttpRequest, name: str) -> HttpResponse:
    """Every row on paper (up to 5,000), the filters on top, no navigation."""
    report = _report(request, name)
    filters, form = _filters(request, report)
    if (back := _with_errors(request, report, form)) is not None:
        return back
    result = report.run(request.user, filters)
    rows = list(islice(result.rows, PRINT_LIMIT))
    left_out = sum(1 for _row in result.rows)  # read to the end, so the totals cover every row
    context = _context(
        report,
        form,
        result,
        rows,
        printed_filters=_printed_filters(form, filters),
        left_out=left_out,
        limit=PRINT_LIMIT,
        query=query_without_page(request),
        printed_at=timezone.localtime(),
    )
    return render(request, "reports/report_print.html", context)
