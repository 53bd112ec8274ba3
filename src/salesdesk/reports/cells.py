"""Cells of a long report made straight from what the database holds, without Django's
converters: a month of the sales detail is 22,000 lines and a quarter of a million cells, and
converting them value by value was most of its time.

SQLite holds a decimal as a float (or an int); PostgreSQL's driver answers Decimal. Our decimal
columns have at most 14 digits (max_digits) and a float keeps 15 significant digits, so a SQLite
number written to its column's places is exactly the decimal that was stored, as Django's own
converter would make it, at a fraction of the cost. SQLite holds a day as ISO text.

Two kinds of cells come out: typed (Decimal and date) for the page, the print view and the
export, which types its cells; text (the digits, the ISO day) for the API, whose JSON writer
then has nothing left to convert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Expression, ExpressionWrapper, F
from django.db.models.functions import Cast


def held(field: str) -> ExpressionWrapper:
    """`field` read as the database holds it: a plain Field has no converter, on either engine."""
    return ExpressionWrapper(F(field), output_field=models.Field())


def held_day(field: str, vendor: str) -> Expression:
    """A day read as the database holds it: SQLite's ISO text (its driver would parse the text of
    every row into a date, where `Cells.day` makes each distinct day once), PostgreSQL's date."""
    return Cast(field, models.CharField()) if vendor == "sqlite" else held(field)


class Made(dict):
    """Each distinct value the database gave, made once by `make`: a month's lines repeat the
    same days, quantities and prices thousands of times.

    Years of lines hold hundreds of thousands of distinct values: past `LIMIT` it starts afresh,
    so an export of any length keeps the same memory."""

    LIMIT = 20_000

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__({None: None})
        self.make = make

    def __missing__(self, stored: Any) -> Any:
        if len(self) > self.LIMIT:
            self.clear()
            self[None] = None
        value = self[stored] = self.make(stored)
        return value


def from_units(units: int | None, places: Decimal) -> Decimal:
    """Whole units of `places` (cents, thousandths) added up, back as a Decimal in `places`;
    nothing added up (None: no rows) is plain zero."""
    return Decimal(units).scaleb(places.as_tuple().exponent) if units is not None else Decimal("0")


def _itself(value: Any) -> Any:
    return value


class Cells:
    """How held values become cells, for one engine (`vendor`) and one kind of cell (`as_text`)."""

    def __init__(self, vendor: str, *, as_text: bool) -> None:
        self.floats = vendor == "sqlite"  # else Decimal and date, from psycopg
        self.as_text = as_text

    def day(self) -> Callable[[Any], Any]:
        """A held day (a date, or SQLite's ISO text) as a cell."""
        if self.as_text:
            return lambda value: value if type(value) is str else value.isoformat()
        return lambda value: value if type(value) is dt.date else dt.date.fromisoformat(value)

    def number(self, places: Decimal) -> Callable[[Any], Any]:
        """A held number as the cell of a column with `places`: made each time, for values that
        nearly all differ (each line's amount); `Made(cells.number(...))` for those that repeat."""
        spec = f".{-places.as_tuple().exponent}f"
        if self.as_text:
            return lambda value: None if value is None else format(value, spec)
        if self.floats:
            return lambda value: None if value is None else Decimal(format(value, spec))
        return _itself  # the column's Decimal, already with its places

    def units(self, places: Decimal) -> Callable[[Any], Any]:
        """What to add up of a held number so that the sum is exact: whole units of `places` of
        a float (each rounded back to the decimal it stands for), a Decimal as it is."""
        if not self.floats:
            return _itself
        scale = 10 ** -places.as_tuple().exponent
        return lambda value: round(value * scale)

    def total(self, added: Any, places: Decimal, *, any_rows: bool) -> Decimal:
        """What `units` added up, back as a Decimal in `places`; no rows add up to plain zero."""
        if not any_rows:
            return Decimal("0")
        if self.floats:
            return from_units(added, places)
        return Decimal(added).quantize(places)
