"""Value types, the error answer and paging that every app's API shares.

Input types mirror the columns (lengths, digits, choices), so a bad request is refused
field by field with 422 before anything reaches the database. Money leaves as a decimal
string with its fixed places, never as a float.
"""

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    Tag,
    WithJsonSchema,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from salesdesk.core.calendar import within_reach
from salesdesk.core.money import QUANTITY_PLACES, to_amount, to_unit_price
from salesdesk.core.pages import CutOnIds


def _storable(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded at all:
    # both would fail at the database, after the request was accepted.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", _("Text must not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError(
            "unicode", _("Text contains characters that are not valid Unicode.")
        ) from None
    return value


def Text(max_length: int, *, min_length: int = 0) -> Any:
    """A trimmed string that fits a column of `max_length` characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_storable),
    ]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: Any) -> Any:
    # Pydantic would also take a number of seconds since 1970 as a date; people mean a day.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", _("Give the date as YYYY-MM-DD."))
    return value


def _in_range(day: dt.date) -> dt.date:
    if not within_reach(day):
        raise PydanticCustomError("date_range", _("Choose a date between 2000 and 2100."))
    return day


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text), AfterValidator(_in_range)]


def _iso_datetime(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else None
    if isinstance(value, str) and len(value) <= 40 and _ISO_DATE.match(value):
        with contextlib.suppress(ValueError):  # 2026-02-30T10:00 and the like stay refused
            moment = dt.datetime.fromisoformat(value)
    if moment is None:
        raise PydanticCustomError(
            "datetime_format", _("Give the time as YYYY-MM-DDTHH:MM, with an offset if not local.")
        )
    # Far-off years overflow when shifted between time zones; no call or order is that far off.
    if not within_reach(moment.date()):
        raise PydanticCustomError("datetime_range", _("Give a time between the years 2000 and 2100."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # a time without an offset is local (Asia/Shanghai)
    return moment


IsoDateTime = Annotated[
    dt.datetime, PlainValidator(_iso_datetime), WithJsonSchema({"type": "string", "format": "date-time"})
]


def blank_as_none(value: Any) -> Any:
    return None if value == "" else value


class _BlankAsNone:
    """Query strings send "" for an empty filter box; that means "no filter", and the schema says so
    (an "" the API takes must not be documented as invalid)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(blank_as_none, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        json_schema = dict(handler(schema))
        branches = json_schema.pop("anyOf", None) or [{k: json_schema.pop(k) for k in list(json_schema)}]
        return {**json_schema, "anyOf": [*branches, {"type": "string", "maxLength": 0}]}


BlankAsNone = _BlankAsNone()

OptionalQueryDate = Annotated[IsoDate | None, BlankAsNone]


def _not_negative_zero(value: Decimal) -> Decimal:
    return abs(value)  # "-0" passes ge=0 and would be stored and shown as -0.00


# Money arrives as a JSON string or number; the places match the column exactly.
AmountIn = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=2), AfterValidator(_not_negative_zero)
]
UnitPriceIn = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=4), AfterValidator(_not_negative_zero)
]
QuantityIn = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3)]


def _decimal_string(places: Callable[[Decimal], Decimal], example: str) -> Any:
    return Annotated[
        Decimal,
        PlainSerializer(lambda value: str(places(value)), return_type=str),
        WithJsonSchema({"type": "string", "format": "decimal", "example": example}),
    ]


AmountOut = _decimal_string(to_amount, "50000.00")
UnitPriceOut = _decimal_string(to_unit_price, "349.6000")
QuantityOut = _decimal_string(lambda value: Decimal(value).quantize(QUANTITY_PLACES), "20.000")


def choice_or_blank(choices: type) -> Any:
    """One of a model's choices, or "" where the column may be left empty."""
    return Literal[tuple(["", *choices.values])]  # type: ignore[valid-type]


class InputSchema(Schema):
    # An unknown field is a typo or a field the client may not set (code, created_by):
    # refusing it is kinder than silently ignoring it.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError]


ERRORS = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    """An `ErrorOut`: the message, and each field's; a message about the whole request is `__all__`'s."""
    return {"detail": detail, "errors": errors or [{"field": "__all__", "message": detail}]}


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


def page_of(
    rows: QuerySet,
    page: PageQuery,
    out: Callable[[Any], Any],
    *,
    shown: Callable[[QuerySet], QuerySet] | None = None,
    cut_from: QuerySet | None = None,
) -> dict[str, Any]:
    """One page of a list answer: the total count, then this page's rows serialised by `out`.

    With `shown`, `rows` only selects and orders, and `shown` adds what each row carries, for the
    page's rows alone (`core.pages.CutOnIds`).
    """
    listed = rows if shown is None else CutOnIds(rows, shown, cut_from)
    cut = listed[page.offset : page.offset + page.limit]
    return {"count": rows.count(), "items": [out(row) for row in cut]}


def full_or_reduced(full: type, reduced: type) -> Any:
    """An answer that is `full`, or `reduced` for a user who may not see money.

    The view picks the class; the tag makes serialisation follow that choice (a plain
    union could match the reduced schema to a full object, or the full one to a model
    row). Anything that is not explicitly `full` is shown reduced.
    """

    def audience(value: Any) -> str:
        return "full" if isinstance(value, full) else "reduced"

    # The reduced answer carries nothing beyond its own fields: the schema says so, or a full answer
    # would match both branches of the documented oneOf.
    reduced.model_config["json_schema_extra"] = {"additionalProperties": False}

    return Annotated[
        Annotated[full, Tag("full")] | Annotated[reduced, Tag("reduced")],
        Discriminator(audience),
    ]


def username_of(user) -> str | None:
    # Also takes the username itself: a built answer is validated once more on its way out.
    return user if user is None or isinstance(user, str) else user.get_username()
