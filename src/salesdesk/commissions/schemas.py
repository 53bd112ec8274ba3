"""What the API accepts and answers about commissions: accruals with their state and why,
what would be missed, the monthly statements per payee, their approval and their payment.

Everything here is money, so there is no reduced schema for the warehouse: it gets 403 instead.
Statements are named by their numbers (YJ2026-00001); a month is written YYYY-MM.
"""

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from salesdesk.commissions.models import StatementStatus
from salesdesk.commissions.selectors import State
from salesdesk.core.calendar import FIRST_DAY, LAST_DAY
from salesdesk.core.schemas import (
    AmountOut,
    BlankAsNone,
    InputSchema,
    IsoDate,
    PageQuery,
    QuantityOut,
    Text,
    UnitPriceOut,
    choice_or_blank,
)

STATEMENT_NUMBER = r"^YJ[0-9]{4}-[0-9]{5,9}$"
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _month(value: Any) -> Any:
    """ "2026-03" → 2026-03-01, the first day of the month, as the statements store it."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if match is None or not 1 <= int(match[2]) <= 12 or not FIRST_DAY.year <= int(match[1]) <= LAST_DAY.year:
        raise PydanticCustomError("month_format", _("Give the month as YYYY-MM."))
    return dt.date(int(match[1]), int(match[2]), 1)


Month = Annotated[
    dt.date,
    BeforeValidator(_month),
    WithJsonSchema(
        {"type": "string", "pattern": r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", "example": "2026-03"}
    ),
]
# Query strings send "" for an empty filter box; that means "no filter".
OptionalQueryMonth = Annotated[Month | None, BlankAsNone]

AccrualState = Literal["", State.WAITING, State.PAYABLE, State.ON_STATEMENT, State.PAID, State.CANCELLED]


class _CustomerQuery(PageQuery):
    customer: Text(16) = Field("", description="Only this customer's (its code, GS00001).")


# --- Accruals -----------------------------------------------------------------------------


class AccrualQuery(_CustomerQuery):
    status: AccrualState = Field(
        "",
        description="waiting (the customer has not paid the outbound), payable, on_statement, paid "
        "or cancelled (returned before it was paid).",
    )
    month: OptionalQueryMonth = Field(None, description="Posted in this month (YYYY-MM).")


class MissedQuery(_CustomerQuery):
    pass


class AccrualOut(Schema):
    id: int
    outbound: str = Field(description="The posted outbound it belongs to (CK… for a sale, TH… for a return).")
    posting_date: dt.date
    customer: str
    customer_name: str
    salesperson: str | None
    product: str
    product_name: str
    quantity: QuantityOut = Field(description="Negative for a return.")
    rebate_unit_price: UnitPriceOut
    amount: AmountOut = Field(description="Negative for a return: it takes back commission.")
    takes_back: str | None = Field(description="For a return: the sale whose commission it takes back.")
    payee_name: str
    payee_bank: str
    payee_account: str
    state: str = Field(description="waiting, payable, on_statement, paid or cancelled.")
    state_label: str
    reason: str = Field(description="Why it is not payable yet; empty otherwise.")
    statement: str | None = Field(description="The statement it is on, while that one counts.")


class AccrualPage(Schema):
    count: int
    items: list[AccrualOut]


# --- Statements ---------------------------------------------------------------------------


class CommissionStatementQuery(_CustomerQuery):
    status: choice_or_blank(StatementStatus) = Field(
        "", description="submitted, approved, paid or returned (sent back)."
    )
    month: OptionalQueryMonth = Field(None, description="The month it closes (YYYY-MM).")


class BuildIn(InputSchema):
    month: Month = Field(..., description="The month to close (YYYY-MM): what is payable by its last day.")


class SendBackIn(InputSchema):
    reason: Text(300, min_length=1) = Field(..., description="Why the statement goes back.")


class PayIn(InputSchema):
    paid_on: IsoDate | None = Field(None, description="The day the money went out; default today.")
    reference: Text(60, min_length=1) = Field(..., description="The bank slip or voucher number.")


class PayoutOut(Schema):
    paid_on: dt.date
    reference: str
    amount: AmountOut
    paid_by: str
    created_at: dt.datetime


class CommissionStatementLineOut(Schema):
    accrual: int
    outbound: str
    posting_date: dt.date
    product: str
    product_name: str
    quantity: QuantityOut
    rebate_unit_price: UnitPriceOut
    amount: AmountOut
    takes_back: str | None = Field(description="For a return: the sale whose commission it takes back.")


class CommissionStatementOut(Schema):
    number: str
    month: str = Field(description="The month it closes, YYYY-MM.")
    customer: str
    customer_name: str
    payee_name: str
    payee_bank: str
    payee_account: str
    total: AmountOut
    status: str
    status_label: str
    created_by: str
    created_at: dt.datetime
    decided_by: str | None = Field(description="Who in finance approved it or sent it back.")
    decided_at: dt.datetime | None
    return_reason: str
    payout: PayoutOut | None
    confirmed_by: str | None = Field(description="Who confirmed with the customer that the money arrived.")
    confirmed_at: dt.datetime | None


class CommissionStatementDetailOut(CommissionStatementOut):
    payee_id_number: str
    lines: list[CommissionStatementLineOut] = Field(
        description="The accruals it pays; a sent-back statement shows those it held."
    )


class CommissionStatementPage(Schema):
    count: int
    items: list[CommissionStatementOut]
