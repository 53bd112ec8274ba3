"""What the API accepts and answers about products, agreed and rebate prices, and carriers."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from salesdesk.catalog.models import CarrierKind
from salesdesk.core.schemas import (
    InputSchema,
    IsoDate,
    OptionalQueryDate,
    PageQuery,
    Text,
    UnitPriceIn,
    UnitPriceOut,
    full_or_reduced,
)

# A product is named by its model code (型号) in requests, as people name it.
ModelCode = Text(40, min_length=1)

# --- Products -------------------------------------------------------------------------


class ProductQuery(PageQuery):
    q: Text(100) = ""
    active_only: bool = False
    new_only: bool = False


class ProductIn(InputSchema):
    model_code: ModelCode
    name: Text(120, min_length=1)
    specification: Text(120) = ""
    unit: Text(10, min_length=1) = "桶"
    standard_price: UnitPriceIn
    active: StrictBool = True
    selling_points: Text(2000) = ""
    is_new: StrictBool = False


class _ProductShared(Schema):
    id: int
    model_code: str
    name: str
    specification: str
    unit: str
    active: bool
    selling_points: str
    is_new: bool


class ProductWarehouseOut(_ProductShared):
    """The warehouse handles goods, not money: no standard price."""


class ProductOut(_ProductShared):
    standard_price: UnitPriceOut


ProductView = full_or_reduced(ProductOut, ProductWarehouseOut)


class ProductPage(Schema):
    count: int
    items: list[ProductView]


# --- Agreed prices and rebate prices --------------------------------------------------


class PriceQuery(Schema):
    on: OptionalQueryDate = Field(None, description="The day whose prices are in force; default today.")
    history: bool = Field(False, description="Every row ever agreed, newest first per product.")


class _ProductRow(Schema):
    id: int
    product: str
    product_name: str
    valid_from: dt.date

    @staticmethod
    def resolve_product(obj) -> str:
        return obj.product.model_code

    @staticmethod
    def resolve_product_name(obj) -> str:
        return obj.product.name


class PriceIn(InputSchema):
    product: ModelCode
    unit_price: UnitPriceIn
    valid_from: IsoDate = Field(default_factory=timezone.localdate)
    note: Text(200) = ""


class PriceOut(_ProductRow):
    unit_price: UnitPriceOut
    note: str


class PriceList(Schema):
    count: int
    items: list[PriceOut]


class RebateIn(InputSchema):
    product: ModelCode
    rebate_unit_price: UnitPriceIn
    valid_from: IsoDate = Field(default_factory=timezone.localdate)
    payee_name: Text(50, min_length=1)
    payee_id_number: Text(30) = ""
    payee_bank: Text(100) = ""
    payee_account: Text(40) = ""


class RebateOut(_ProductRow):
    rebate_unit_price: UnitPriceOut
    payee_name: str
    payee_id_number: str
    payee_bank: str
    payee_account: str


class RebateList(Schema):
    count: int
    items: list[RebateOut]


class PriceSetOut(Schema):
    price: PriceOut
    rebates_to_review: list[RebateOut] = Field(
        description="Rebate prices in force for the product: a new selling price may need new rebates."
    )


# --- Carriers -------------------------------------------------------------------------


class CarrierQuery(PageQuery):
    active_only: bool = Field(False, description="Only carriers that may be chosen for a new shipment.")


class CarrierIn(InputSchema):
    name: Text(50, min_length=1)
    kind: CarrierKind = CarrierKind.COURIER
    service_area: Text(200) = ""
    can_collect_cod: StrictBool = False
    can_return_notes: StrictBool = False
    return_deadline_days: StrictInt = Field(7, ge=1, le=365)
    contact: Text(100) = ""


class CarrierOut(Schema):
    id: int
    name: str
    kind: str
    service_area: str
    can_collect_cod: bool
    can_return_notes: bool
    return_deadline_days: int
    contact: str
    status: str
    suspended_reason: str
    suspended_on: dt.date | None


class CarrierPage(Schema):
    count: int
    items: list[CarrierOut]


class SuspendIn(InputSchema):
    reason: Text(200, min_length=1)


class ReinstateIn(InputSchema):
    note: Text(500) = ""
