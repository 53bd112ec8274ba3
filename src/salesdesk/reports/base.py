"""What every report is: filters, columns, rows within the user's scope, totals — one shape that
the page, the print view, the .xlsx export and the API all draw from (SPEC section 8).

A report is registered once with `register`; pages and API look it up by name in `REPORTS`.
Rows are produced lazily (an iterator), so an export of a long period streams instead of
building the whole table in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from salesdesk.core.spreadsheets import Column


@dataclass(frozen=True)
class Filters:
    """The filters every report understands; a report ignores those that do not apply to it."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    customer: str = ""  # a customer code, or part of a name
    salesperson: int | None = None  # a user id
    assistant: int | None = None  # a user id
    product: str = ""  # a model code, or part of a name


@dataclass
class ReportPage:
    """Some rows of a report, with the count and the totals of all its rows."""

    rows: list[Sequence[Any]]
    count: int
    totals: dict[str, Decimal]


@dataclass
class ReportResult:
    columns: Sequence[Column]
    rows: Iterator[Sequence[Any]]  # values in the order of `columns`; consumed once
    # Column field → total, for the columns that add up; filled in as rows are consumed when
    # the report computes totals on the fly, or up front when it needs them for the page.
    totals: dict[str, Decimal] = field(default_factory=dict)
    # `page(offset, limit, as_text=False)`, for a report long enough that a page should not read
    # every row: the database counts and adds up, and only the page's rows are read. The same
    # numbers as `rows` and `totals`; None when a page reads the rows. `as_text`: every cell as
    # the API writes it (text, int or None), so its JSON writer has nothing to convert.
    page: Callable[..., ReportPage] | None = None
    # `text_rows()`: every row with its cells as text, as `page(..., as_text=True)` gives them,
    # for a report too long to write cell by cell through the API's converter; it fills
    # `totals` as `rows` does. None when the API converts `rows`.
    text_rows: Callable[[], Iterator[Sequence[Any]]] | None = None


@dataclass(frozen=True)
class Report:
    name: str  # in URLs and the API: /reports/<name>/
    title: object  # lazy translatable text, Chinese-first through the catalogue
    run: Callable[[User, Filters], ReportResult]
    # Who may open it: a permission codename ("receivables.view_receipt"), checked before `run`.
    permission: str
    # Which filters the report's form shows.
    filters: tuple[str, ...] = ("date_from", "date_to", "customer", "salesperson", "assistant", "product")
    # The default period when none is given: "month" (this month so far) or "" (no dates).
    default_period: str = "month"


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    REPORTS[report.name] = report
    return report
