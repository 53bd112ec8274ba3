"""What the API accepts and answers about customers and credit-term applications."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from salesdesk.core.schemas import (
    AmountIn,
    AmountOut,
    BlankAsNone,
    InputSchema,
    IsoDate,
    PageQuery,
    Text,
    choice_or_blank,
    full_or_reduced,
    username_of,
)
from salesdesk.customers.models import CustomerSeries, CustomerStatus, ReceiptSeal, Settlement
from salesdesk.customers.selectors import customer_missing_fields

# --- Customers ------------------------------------------------------------------------


class CustomerQuery(PageQuery):
    q: Text(100) = ""
    series: Annotated[CustomerSeries | None, BlankAsNone] = None
    status: Annotated[CustomerStatus | None, BlankAsNone] = None
    incomplete: bool = Field(False, description="Only customers whose master data lacks something.")


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
