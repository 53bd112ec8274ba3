"""What the API accepts and answers about sales orders, their review and their tracking.

The warehouse gets its own answer schemas, without prices, amounts or review reasons (which
quote prices and balances), so money cannot reach it through a field someone forgot.
"""

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from salesdesk.catalog.schemas import ModelCode
from salesdesk.core.schemas import (
    AmountOut,
    BlankAsNone,
    InputSchema,
    IsoDate,
    OptionalQueryDate,
    PageQuery,
    QuantityIn,
    QuantityOut,
    Text,
    UnitPriceIn,
    UnitPriceOut,
    choice_or_blank,
    full_or_reduced,
)
from salesdesk.orders.models import Channel, CollectionMethod, OrderStatus, ShipMethod, ShipSlot
from salesdesk.orders.services import MAX_LINES

RowIdIn = Annotated[StrictInt, Field(ge=1, le=2**62)]

# --- Requests -------------------------------------------------------------------------


class OrderQuery(PageQuery):
    q: Text(100) = Field("", description="Part of a register number, customer code or name.")
    status: Annotated[OrderStatus | None, BlankAsNone] = None
    date_from: OptionalQueryDate = None
    date_to: OptionalQueryDate = None
    customer: Text(16) = Field("", description="Only this customer's orders (its code).")


class LineIn(InputSchema):
    product: ModelCode = Field(..., description="The model code (型号).")
    quantity: QuantityIn
    unit_price: UnitPriceIn | None = Field(
        None, description="Default: the agreed price in force, else the standard price."
    )
    requested_date: IsoDate | None = None
    notes: Text(200) = ""


class OrderIn(InputSchema):
    customer: Text(16, min_length=1) = Field(..., description="The customer code (GS00001).")
    channel: Channel
    ship_method: ShipMethod
    carrier: RowIdIn | None = Field(None, description="The carrier's id; needed before release.")
    collection_method: CollectionMethod
    salesperson: Text(150) | None = Field(None, description="A username; default the customer's.")
    warehouse_instructions: Text(2000) = ""
    call: RowIdIn | None = Field(None, description="The call the order was taken on.")
    lines: list[LineIn] = Field(..., min_length=1, max_length=MAX_LINES)
    # Sent as "register"; the attribute has another name because every class has a `register`.
    register_now: StrictBool = Field(
        False, alias="register", description="Also register it now: its number and its review."
    )


class OverrideIn(InputSchema):
    code: Text(20, min_length=1) = Field(..., description="The failed check, e.g. agreed_price.")
    reason: Text(500, min_length=1)


class ReleaseIn(InputSchema):
    ship_date: IsoDate | None = Field(None, description="Default: as the registration time gives it.")
    ship_slot: choice_or_blank(ShipSlot) = ""
    note: Text(200) = Field("", description="Why it ships in another slot than the default.")


class CancelIn(InputSchema):
    reason: Text(500, min_length=1)


class ParseIn(InputSchema):
    text: Text(5000, min_length=1)


# --- Answers --------------------------------------------------------------------------


class _LineShared(Schema):
    position: int
    product: str
    product_name: str
    unit: str
    quantity: QuantityOut
    requested_date: dt.date | None
    notes: str


class LineWarehouseOut(_LineShared):
    pass


class LineOut(_LineShared):
    unit_price: UnitPriceOut
    amount: AmountOut
    agreed_price: UnitPriceOut | None


class _CheckShared(Schema):
    code: str
    label: str
    result: str
    overridden_by: str


class CheckWarehouseOut(_CheckShared):
    """The outcome only: the reasons quote prices, balances and credit terms."""


class CheckOut(_CheckShared):
    reason: str
    override_reason: str
    can_override: bool


class _OrderHeader(Schema):
    reference: str = Field(description="The register number, or D<id> for a draft.")
    number: str | None
    status: str
    status_label: str
    customer: str
    customer_name: str
    salesperson: str | None
    channel: str
    ship_method: str
    carrier: int | None
    carrier_name: str | None
    collection_method: str
    registered_at: dt.datetime | None
    ship_date: dt.date | None
    ship_slot: str
    created_at: dt.datetime


class OrderSummaryWarehouseOut(_OrderHeader):
    pass


class OrderSummaryOut(_OrderHeader):
    total: AmountOut


class _OrderDetail(_OrderHeader):
    assistant: str | None
    warehouse_instructions: str
    call: int | None
    ship_slot_note: str
    created_by: str


class OrderWarehouseOut(_OrderDetail):
    lines: list[LineWarehouseOut]
    checks: list[CheckWarehouseOut]


class OrderOut(_OrderDetail):
    lines: list[LineOut]
    total: AmountOut
    checks: list[CheckOut]


OrderView = full_or_reduced(OrderOut, OrderWarehouseOut)
OrderSummaryView = full_or_reduced(OrderSummaryOut, OrderSummaryWarehouseOut)


class OrderPage(Schema):
    count: int
    items: list[OrderSummaryView]


class StatusChangeOut(Schema):
    at: dt.datetime
    from_status: str
    to_status: str
    by: str | None
    note: str


class TrackingOut(Schema):
    """催货: what a chasing customer needs to hear, in one answer."""

    reference: str
    status: str
    status_label: str
    ship_method: str
    carrier_name: str | None
    expected: str = Field(description="Ship date and slot, once released.")
    waiting: list[str] = Field(description="What the order still waits for, and why.")
    shipped: list[dict[str, Any]]
    history: list[StatusChangeOut]


class ProposedLineOut(Schema):
    product: str
    name: str
    quantity: str = Field(description="As read from the text; check it before ordering.")
    source: str


class ParseOut(Schema):
    requested_date: dt.date | None
    lines: list[ProposedLineOut]
    unrecognised: list[str]
