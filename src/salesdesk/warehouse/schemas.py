"""What the API accepts and answers about stock, production requests, outbounds, shipments
and samples.

The warehouse gets its own answer schemas for outbounds and shipments, without amounts, unit
prices, due dates or COD amounts, so money cannot reach it through a field someone forgot.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, model_validator

from salesdesk.catalog.schemas import ModelCode
from salesdesk.core.schemas import (
    AmountIn,
    AmountOut,
    InputSchema,
    IsoDate,
    OptionalQueryDate,
    PageQuery,
    QuantityIn,
    QuantityOut,
    Text,
    UnitPriceOut,
    full_or_reduced,
)
from salesdesk.warehouse.models import OutboundKind, SampleStatus
from salesdesk.warehouse.services_samples import MAX_SAMPLE_LINES

RowIdIn = Annotated[StrictInt, Field(ge=1, le=2**62)]
MAX_OUTBOUND_LINES = 200

# An order's register number (XS2026-00001) or a draft's D<id>; an outbound's number
# (CK2026-00001) or a draft's D<id>. ASCII digits only, so nothing else is looked up.
ORDER_REFERENCE = r"^(XS[0-9]{4}-[0-9]{5,9}|[Dd][0-9]{1,18})$"
OUTBOUND_REFERENCE = r"^(CK[0-9]{4}-[0-9]{5,9}|[Dd][0-9]{1,18})$"

# --- Stock and production -------------------------------------------------------------------


class StockQuery(PageQuery):
    q: Text(100) = Field("", description="Part of a model code or product name.")


class StockRowOut(Schema):
    product: str = Field(description="The model code (型号).")
    product_name: str
    unit: str
    on_hand: QuantityOut
    reserved: QuantityOut = Field(description="What released orders still owe.")
    available: QuantityOut = Field(description="On hand less reserved; negative when orders wait.")


class StockPage(Schema):
    count: int
    items: list[StockRowOut]


class StockInboundIn(InputSchema):
    product: ModelCode = Field(..., description="The model code (型号).")
    quantity: QuantityIn
    production_request: RowIdIn | None = Field(None, description="The production request it fills.")
    reason: Text(200) = ""


class ProductionQuery(PageQuery):
    open_only: bool = Field(True, description="Only requests still waiting for goods.")  # a query is text


class WaitingOrderOut(Schema):
    order: str = Field(description="The order's register number.")
    customer: str
    customer_name: str
    position: int
    quantity: QuantityOut = Field(description="How much of this line waits for production.")


class ProductionRequestOut(Schema):
    id: int
    product: str
    product_name: str
    unit: str
    quantity: QuantityOut
    needed_by: dt.date
    status: str
    status_label: str
    confirmed_date: dt.date | None
    note: str
    waiting: list[WaitingOrderOut] = Field(description="The orders, among the user's own, that wait.")


class ProductionPage(Schema):
    count: int
    items: list[ProductionRequestOut]


# --- Outbounds ------------------------------------------------------------------------------


class OutboundLineIn(InputSchema):
    """One order line to ship, named by its position on the order or by its id."""

    position: Annotated[StrictInt, Field(ge=1, le=32767)] | None = None
    order_line: RowIdIn | None = None
    quantity: QuantityIn

    @model_validator(mode="after")
    def _one_way_to_name_the_line(self):
        if (self.position is None) == (self.order_line is None):
            raise ValueError("Give either the line's position or its order_line id, not both.")
        return self


class OutboundIn(InputSchema):
    order: Text(20, min_length=1) = Field(
        ..., pattern=ORDER_REFERENCE, description="The order's register number (XS2026-00001)."
    )
    kind: OutboundKind = Field(
        OutboundKind.SALE, description="Only `sale` for now: returns and bad debts come with receivables."
    )
    lines: list[OutboundLineIn] = Field(..., min_length=1, max_length=MAX_OUTBOUND_LINES)
    notes: Text(500) = ""


class _OutboundLineShared(Schema):
    order_line: int | None
    position: int | None
    product: str
    product_name: str
    unit: str
    quantity: QuantityOut


class OutboundLineWarehouseOut(_OutboundLineShared):
    pass


class OutboundLineOut(_OutboundLineShared):
    unit_price: UnitPriceOut
    amount: AmountOut


class _ShipmentShared(Schema):
    id: int
    outbound: str
    carrier: int | None
    carrier_name: str | None
    tracking_number: str
    driver: str
    route: str
    shipped_on: dt.date
    note_required: bool
    note_due: dt.date | None
    note_returned_on: dt.date | None
    created_by: str


class ShipmentWarehouseOut(_ShipmentShared):
    """The warehouse ships the goods; what the courier collects is not its business."""


class ShipmentOut(_ShipmentShared):
    cod_amount: AmountOut
    cod_due: dt.date | None
    cod_returned_on: dt.date | None


ShipmentView = full_or_reduced(ShipmentOut, ShipmentWarehouseOut)


class _OutboundShared(Schema):
    reference: str = Field(description="The outbound number once posted, D<id> for a draft.")
    number: str | None
    kind: str
    status: str
    status_label: str
    order: str | None
    customer: str
    customer_name: str
    posting_date: dt.date | None
    posted_at: dt.datetime | None
    posted_by: str | None
    notes: str
    created_by: str
    created_at: dt.datetime


class OutboundWarehouseOut(_OutboundShared):
    lines: list[OutboundLineWarehouseOut]
    shipments: list[ShipmentWarehouseOut]


class OutboundOut(_OutboundShared):
    lines: list[OutboundLineOut]
    shipments: list[ShipmentOut]
    amount: AmountOut = Field(description="The receivable it raises once posted; 0.00 for a draft.")
    due_date: dt.date | None


OutboundView = full_or_reduced(OutboundOut, OutboundWarehouseOut)

# --- Shipments ------------------------------------------------------------------------------


class ShipmentIn(InputSchema):
    outbound: Text(20, min_length=1) = Field(
        ..., pattern=OUTBOUND_REFERENCE, description="The posted outbound's number (CK2026-00001)."
    )
    carrier: RowIdIn | None = Field(None, description="The carrier's id; or name the driver.")
    driver: Text(50) = Field("", description="Our own driver, for own delivery.")
    route: Text(50) = ""
    tracking_number: Text(40) = ""
    shipped_on: IsoDate = Field(default_factory=timezone.localdate)
    cod_amount: AmountIn = Field(Decimal("0"), description="Cash the courier collects on delivery.")
    note_required: StrictBool = Field(False, description="The courier returns the signed delivery note.")


class ReturnedIn(InputSchema):
    on: IsoDate | None = Field(None, description="The day it came back; default today.")


# --- Samples --------------------------------------------------------------------------------

SampleStatusFilter = Literal[tuple(["", "open", *SampleStatus.values])]  # type: ignore[valid-type]


class SampleQuery(PageQuery):
    q: Text(100) = Field("", description="Part of a customer code or name, model code or tracking number.")
    status: SampleStatusFilter = Field("", description="A status, or `open` for samples still on the way.")
    customer: Text(16) = ""
    date_from: OptionalQueryDate = None
    date_to: OptionalQueryDate = None


class SampleLineIn(InputSchema):
    product: ModelCode = Field(..., description="The model code (型号).")
    quantity: QuantityIn


class SampleIn(InputSchema):
    customer: Text(16, min_length=1) = Field(..., description="The customer code (GS00001).")
    requested_by: Text(150, min_length=1) | None = Field(
        None,
        description="A salesperson's or assistant's username; default you, or the customer's salesperson.",
    )
    lines: list[SampleLineIn] = Field(..., min_length=1, max_length=MAX_SAMPLE_LINES)
    note: Text(500) = ""


class SampleSendIn(InputSchema):
    sent_to_factory_on: IsoDate | None = Field(None, description="Default today.")


class SampleDispatchIn(InputSchema):
    carrier: RowIdIn = Field(..., description="The courier's id; a suspended one cannot be chosen.")
    tracking_number: Text(40, min_length=1)
    dispatched_on: IsoDate | None = Field(None, description="Default today.")


class SampleDeliveredIn(InputSchema):
    delivered_on: IsoDate | None = Field(None, description="Default today.")


class SampleCancelIn(InputSchema):
    reason: Text(200, min_length=1)


class SampleLineOut(Schema):
    product: str
    product_name: str
    unit: str
    quantity: QuantityOut


class SampleOut(Schema):
    id: int
    reference: str
    status: str
    status_label: str
    customer: str
    customer_name: str
    requested_by: str
    requested_on: dt.date
    sent_to_factory_on: dt.date | None
    carrier: int | None
    carrier_name: str | None
    tracking_number: str
    dispatched_on: dt.date | None
    delivered_on: dt.date | None
    cancel_reason: str
    note: str
    lines: list[SampleLineOut]
    created_by: str
    created_at: dt.datetime


class SamplePage(Schema):
    count: int
    items: list[SampleOut]
