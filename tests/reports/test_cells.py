"""Cells made from what the database holds (`reports.cells`): a SQLite float written to its
column's places must be the decimal that was stored, digit for digit, and add up exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.core.money import CENT, QUANTITY_PLACES, UNIT_PRICE_PLACES
from salesdesk.reports.cells import Cells, Made

# Every column a long report reads: 14 digits at most (max_digits), with its places.
COLUMNS = [(CENT, 12), (QUANTITY_PLACES, 11), (UNIT_PRICE_PLACES, 10)]


@st.composite
def stored(draw) -> tuple[Decimal, Decimal]:
    places, whole_digits = draw(st.sampled_from(COLUMNS))
    exponent = places.as_tuple().exponent
    units = draw(st.integers(-(10 ** (whole_digits - exponent)) + 1, 10 ** (whole_digits - exponent) - 1))
    return Decimal(units).scaleb(exponent), places


@given(stored())
def test_a_float_held_by_sqlite_gives_back_the_stored_decimal(value_places):
    value, places = value_places
    held = float(value)  # what SQLite answers for a decimal column

    assert Cells("sqlite", as_text=False).number(places)(held) == value
    assert Cells("sqlite", as_text=True).number(places)(held) == format(value, "f")
    assert str(Cells("sqlite", as_text=False).number(places)(held)) == str(value)


AMOUNTS = st.integers(-(10**14) + 1, 10**14 - 1).map(lambda cents: Decimal(cents).scaleb(-2))


@given(st.lists(AMOUNTS, max_size=40))
def test_floats_add_up_to_the_exact_sum_of_their_decimals(amounts):
    cells = Cells("sqlite", as_text=True)
    units = cells.units(CENT)

    added = sum(units(float(amount)) for amount in amounts)

    assert cells.total(added, CENT, any_rows=bool(amounts)) == sum(amounts, Decimal("0"))


def test_postgresql_decimals_and_days_pass_as_they_are_or_as_their_text():
    typed, text = Cells("postgresql", as_text=False), Cells("postgresql", as_text=True)
    amount, day = Decimal("-1325.50"), dt.date(2026, 10, 1)

    assert typed.number(CENT)(amount) is amount and typed.day()(day) is day
    assert (text.number(CENT)(amount), text.day()(day)) == ("-1325.50", "2026-10-01")
    assert text.total(Decimal("13.000"), QUANTITY_PLACES, any_rows=True) == Decimal("13.000")


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_no_rows_add_up_to_plain_zero_and_none_stays_none(vendor):
    cells = Cells(vendor, as_text=True)

    assert str(cells.total(0, QUANTITY_PLACES, any_rows=False)) == "0"
    assert cells.number(CENT)(None) is None
    assert Cells(vendor, as_text=False).day()("2026-10-01") == dt.date(2026, 10, 1)


def test_stored_values_are_made_once_and_the_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(Made, "LIMIT", 3)
    made = []
    amounts = Made(lambda stored: made.append(stored) or Decimal(stored).quantize(Decimal("0.01")))
    assert amounts["1.5"] == Decimal("1.50") and amounts["1.5"] == Decimal("1.50")
    assert made == ["1.5"]  # the second read of a value makes nothing
    for n in range(10):
        assert amounts[str(n)] == Decimal(n).quantize(Decimal("0.01"))
    assert len(amounts) <= 4 + 1  # past the limit it starts afresh, None always known
    assert amounts[None] is None
