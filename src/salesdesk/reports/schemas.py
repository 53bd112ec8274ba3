"""What the API accepts and answers about reports: the filters every report understands, and one
report as a table — its columns, one page of rows, the totals over every row and their count.

Cells leave as JSON: amounts and quantities as decimal strings, days and times in ISO 8601.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from salesdesk.core.schemas import BlankAsNone, OptionalQueryDate, Text

# Report names are lower-case words joined by underscores; nothing else is looked up.
REPORT_NAME = r"^[a-z][a-z0-9_]{0,63}$"
MAX_LIMIT = 1000

# A user id from a filter box: "" means no filter.
OptionalQueryUserId = Annotated[Annotated[int, Field(ge=1, le=2**62)] | None, BlankAsNone]
# What a cell may hold once serialised.
Cell = str | int | float | bool | None


class FiltersQuery(Schema):
    date_from: OptionalQueryDate = Field(
        None, description="From this day (YYYY-MM-DD); with no dates a monthly report covers this month."
    )
    date_to: OptionalQueryDate = Field(None, description="Up to and including this day (YYYY-MM-DD).")
    customer: Text(100) = Field("", description="A customer's code (GS00001), or part of its name.")
    salesperson: OptionalQueryUserId = Field(None, description="The salesperson's user id.")
    assistant: OptionalQueryUserId = Field(None, description="The sales assistant's user id.")
    product: Text(100) = Field("", description="A product's model code, or part of its name.")


class ReportQuery(FiltersQuery):
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Rows on this page (at most 1000).")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Rows skipped before this page.")


class ReportListItem(Schema):
    name: str = Field(description="What names the report in /reports/{name}.")
    title: str
    filters: list[str] = Field(description="The filters this report takes; any other is refused.")
    default_period: str = Field(description='"month" when no dates mean this month so far; "" otherwise.')


class ColumnOut(Schema):
    field: str
    header: str


class FiltersOut(Schema):
    """The filters the rows were drawn with, the default period filled in."""

    date_from: dt.date | None
    date_to: dt.date | None
    customer: str
    salesperson: int | None
    assistant: int | None
    product: str


class ReportOut(Schema):
    name: str
    title: str
    filters: FiltersOut
    columns: list[ColumnOut]
    rows: list[list[Cell]] = Field(description="This page's rows, each cell in the order of `columns`.")
    totals: dict[str, str] = Field(
        description="Column field → total over every row the filters select, not only this page."
    )
    count: int = Field(description="How many rows the filters select.")
