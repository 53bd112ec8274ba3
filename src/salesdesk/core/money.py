"""Money and quantities: Decimal only, rounded half-up at line level, then summed."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
UNIT_PRICE_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.001")

# Field shapes shared by every app, so a money column looks the same everywhere.
AMOUNT = {"max_digits": 14, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 14, "decimal_places": 4}
QUANTITY = {"max_digits": 14, "decimal_places": 3}


# The largest values those columns hold. SQLite would store a larger one and fail to read it back;
# PostgreSQL refuses it in the middle of a posting.
MAX_AMOUNT = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("99999999999.999")


def too_large(value: Decimal, limit: Decimal = MAX_AMOUNT) -> bool:
    """Whether `value` (an amount, or a quantity against MAX_QUANTITY) is beyond what its column holds."""
    return abs(value) > limit


def to_amount(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_unit_price(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """A line's amount: quantity × unit price, rounded to the cent once."""
    return to_amount(Decimal(quantity) * Decimal(unit_price))


def total(amounts: Iterable[Decimal]) -> Decimal:
    return to_amount(sum(amounts, Decimal("0")))


def quantity_text(quantity: Decimal) -> str:
    """A quantity as people write it: 20, 2.5 — not 20.000, nor the 2E+1 of normalize()."""
    return f"{Decimal(quantity).normalize():f}"
