"""What the API accepts and answers about customers, and the value types every app's API shares.

Input types mirror the columns (lengths, digits, choices), so a bad request is refused
field by field with 422 before anything reaches the database. Money leaves as a decimal
string with its fixed places, never as a float.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StringConstraints,
    Tag,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from salesdesk.core.money import to_amount, to_unit_price
from salesdesk.customers.models import CustomerSeries, CustomerStatus, ReceiptSeal, Settlement
from salesdesk.customers.selectors import customer_missing_fields

# --- Value types shared by every app's API ---------------------------------------------


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


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]


def _blank_as_none(value: Any) -> Any:
    return None if value == "" else value


# Query strings send "" for an empty filter box; that means "no filter".
OptionalQueryDate = Annotated[IsoDate | None, BeforeValidator(_blank_as_none)]


def _not_negative_zero(value: Decimal) -> Decimal:
    return abs(value)  # "-0" passes ge=0 and would be stored and shown as -0.00


# Money arrives as a JSON string or number; the places match the column exactly.
AmountIn = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=2), AfterValidator(_not_negative_zero)
]
UnitPriceIn = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=4), AfterValidator(_not_negative_zero)
]


def _decimal_string(places: Callable[[Decimal], Decimal], example: str) -> Any:
    return Annotated[
        Decimal,
        PlainSerializer(lambda value: str(places(value)), return_type=str),
        WithJsonSchema({"type": "string", "format": "decimal", "example": example}),
    ]


AmountOut = _decimal_string(to_amount, "50000.00")
UnitPriceOut = _decimal_string(to_unit_price, "349.6000")


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


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


def page_of(rows: QuerySet, page: PageQuery, out: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of a list answer: the total count, then this page's rows serialised by `out`."""
    return {
        "count": rows.count(),
        "items": [out(row) for row in rows[page.offset : page.offset + page.limit]],
    }


def full_or_reduced(full: type, reduced: type) -> Any:
    """An answer that is `full`, or `reduced` for a user who may not see money.

    The view picks the class; the tag makes serialisation follow that choice (a plain
    union could match the reduced schema to a full object, or the full one to a model
    row). Anything that is not explicitly `full` is shown reduced.
    """

    def audience(value: Any) -> str:
        return "full" if isinstance(value, full) else "reduced"

    return Annotated[
        Annotated[full, Tag("full")] | Annotated[reduced, Tag("reduced")],
        Discriminator(audience),
    ]


def username_of(user) -> str | None:
    # Also takes the username itself: a built answer is validated once more on its way out.
    return user if user is None or isinstance(user, str) else user.get_username()


# --- Customers ------------------------------------------------------------------------


class CustomerQuery(PageQuery):
    q: Text(100) = ""
    series: Annotated[CustomerSeries | None, BeforeValidator(_blank_as_none)] = None
    status: Annotated[CustomerStatus | None, BeforeValidator(_blank_as_none)] = None


class ContactIn(InputSchema):
    id: StrictInt | None = Field(None, ge=1, le=2**62, description="Keep this existing contact (on update).")
    name: Text(50, min_length=1)
    phone: Text(40, min_length=1)
    role: Text(50) = ""


class ContactOut(Schema):
    id: int
    name: str
    phone: str
    role: str


Username = Annotated[Text(150) | None, Field(description="A username; null or empty clears it.")]


class CustomerFieldsIn(InputSchema):
    """Every field a user may set. Unset fields keep the model default (create) or stay (update).

    A field declared without None but defaulting to None may be left out, yet not sent as
    null: only the columns that can be empty accept null.
    """

    name: Text(120, min_length=1) = None
    region: Text(50) = None
    province: Text(20) = None
    city: Text(30) = None
    address: Text(200) = None
    salesperson: Username = None
    assistant: Username = None
    credit_days: StrictInt = Field(None, ge=0, le=365)
    credit_limit: AmountIn | None = None
    invoice_required: StrictBool = None
    invoice_day: StrictInt | None = Field(None, ge=1, le=31)
    invoice_title: Text(120) = None
    tax_id: Text(30) = None
    rebate: StrictBool = None
    shipping_notes: Text(2000) = None
    settlement: choice_or_blank(Settlement) = None
    receipt_seal: choice_or_blank(ReceiptSeal) = None
    contract_terms: Text(5000) = None
    contract_valid_from: IsoDate | None = None
    contract_valid_to: IsoDate | None = None
    prepayment_exception_by: Username = None
    prepayment_exception_note: Text(200) = None
    status: CustomerStatus = None
    notes: Text(2000) = None


class CustomerCreateIn(CustomerFieldsIn):
    series: CustomerSeries
    name: Text(120, min_length=1)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=20)


class CustomerPatchIn(CustomerFieldsIn):
    contacts: list[ContactIn] = Field(
        None, max_length=20, description="When given, replaces the customer's contacts."
    )


class MissingFieldOut(Schema):
    field: str
    label: str


class _CustomerShared(Schema):
    code: str
    name: str
    region: str
    province: str
    city: str
    address: str
    shipping_notes: str
    status: str
    contacts: list[ContactOut]


class CustomerWarehouseOut(_CustomerShared):
    """What the warehouse sees: where the goods go and whom to call, no money."""


class CustomerOut(_CustomerShared):
    series: str
    salesperson: str | None
    assistant: str | None
    credit_days: int
    credit_limit: AmountOut | None
    invoice_required: bool
    invoice_day: int | None
    invoice_title: str
    tax_id: str
    rebate: bool
    settlement: str
    receipt_seal: str
    contract_terms: str
    contract_valid_from: dt.date | None
    contract_valid_to: dt.date | None
    prepayment_exception_by: str | None
    prepayment_exception_note: str
    notes: str
    created_at: dt.datetime
    missing_fields: list[MissingFieldOut]

    @staticmethod
    def resolve_salesperson(obj) -> str | None:
        return username_of(obj.salesperson)

    @staticmethod
    def resolve_assistant(obj) -> str | None:
        return username_of(obj.assistant)

    @staticmethod
    def resolve_prepayment_exception_by(obj) -> str | None:
        return username_of(obj.prepayment_exception_by)

    @staticmethod
    def resolve_missing_fields(obj) -> list:
        return obj.missing_fields if isinstance(obj, CustomerOut) else customer_missing_fields(obj)


CustomerView = full_or_reduced(CustomerOut, CustomerWarehouseOut)


class CustomerPage(Schema):
    count: int
    items: list[CustomerView]


# --- Credit-term applications ---------------------------------------------------------


class CreditApplicationIn(InputSchema):
    credit_days: StrictInt = Field(..., ge=1, le=365)
    reason: Text(1000) = ""


class DecisionIn(InputSchema):
    note: Text(200) = ""


class CreditApplicationOut(Schema):
    id: int
    customer: str
    credit_days: int
    reason: str
    status: str
    applicant: str
    applied_at: dt.datetime
    approver: str | None
    decided_on: dt.date | None
    decision_note: str

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code

    @staticmethod
    def resolve_applicant(obj) -> str:
        return obj.applicant.get_username()

    @staticmethod
    def resolve_approver(obj) -> str | None:
        return username_of(obj.approver)
