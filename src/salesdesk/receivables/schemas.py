"""What the API accepts and answers about receivables: a customer's balance and aging, receipts
and what they settle, invoices, receipt slips, statements, returns, exchanges and write-offs.

Everything here is money, so there is no reduced schema for the warehouse: it gets 403 instead.
Documents are named by their numbers (CK2026-00001, SK2026-00001); a draft outbound by D<id>.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictInt

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
    UnitPriceIn,
    UnitPriceOut,
    choice_or_blank,
)
from salesdesk.customers.models import ReceiptSeal
from salesdesk.receivables.models import PaymentMethod, StatementStatus
from salesdesk.warehouse.models import OutboundStatus

RowIdIn = Annotated[StrictInt, Field(ge=1, le=2**62)]
MAX_ITEMS = 200  # outbounds named in one receipt, invoice, return or write-off

# A posted outbound's number (sales CK, returns TH, write-offs HZ) or a draft's D<id>;
# ASCII digits only, so nothing else is looked up.
OUTBOUND_REFERENCE = r"^([A-Z]{2}[0-9]{4}-[0-9]{5,9}|[Dd][0-9]{1,18})$"
ORDER_REFERENCE = r"^(XS[0-9]{4}-[0-9]{5,9}|[Dd][0-9]{1,18})$"
RECEIPT_NUMBER = r"^SK[0-9]{4}-[0-9]{5,9}$"


def _outbound_field(description: str = "The outbound's number (CK2026-00001), or D<id> for a draft."):
    return Field(..., pattern=OUTBOUND_REFERENCE, description=description)


class _CustomerQuery(PageQuery):
    customer: Text(16) = Field("", description="Only this customer's (its code, GS00001).")


# --- A customer's receivables ------------------------------------------------------------


class ARQuery(Schema):
    as_of: OptionalQueryDate = Field(None, description="The day the figures are for; default today.")


class BucketOut(Schema):
    key: str = Field(description="not_due, d1_30, d31_60, d61_90 or over_90.")
    label: str
    amount: AmountOut


class OpenItemOut(Schema):
    number: str
    posting_date: dt.date
    due_date: dt.date | None
    amount: AmountOut
    settled: AmountOut
    open: AmountOut
    days_overdue: int = Field(description="Days past the due date; 0 or less when not yet due.")
    bucket: str


class CustomerAROut(Schema):
    customer: str
    customer_name: str
    as_of: dt.date
    balance: AmountOut = Field(description="Posted outbounds less receipts; negative when paid ahead.")
    overdue: AmountOut
    unapplied: AmountOut = Field(description="Money and credits received but not yet applied to a sale.")
    open_total: AmountOut = Field(description="The open sales: the sum of the buckets.")
    buckets: list[BucketOut]
    open_items: list[OpenItemOut] = Field(description="Posted sales not yet settled, oldest due first.")


# --- Receipts -----------------------------------------------------------------------------


class ReceiptQuery(_CustomerQuery):
    q: Text(100) = Field("", description="Part of a receipt number, customer name or bank reference.")
    date_from: OptionalQueryDate = None
    date_to: OptionalQueryDate = None


class AllocationIn(InputSchema):
    outbound: Text(20, min_length=1) = _outbound_field("The posted sale's number (CK2026-00001).")
    amount: AmountIn | None = Field(None, description="How much of it to settle; default all that is open.")


class ReceiptIn(InputSchema):
    customer: Text(16, min_length=1) = Field(..., description="The customer code (GS00001).")
    received_on: IsoDate = Field(..., description="The day the money came.")
    amount: AmountIn
    method: PaymentMethod
    carrier: RowIdIn | None = Field(None, description="The carrier's id; needed for cash on delivery.")
    reference: Text(60) = Field("", description="Bank or cheque reference.")
    note: Text(500) = Field("", description="Needed when the money differs from what it settles.")
    order: Annotated[Text(20, min_length=1), Field(pattern=ORDER_REFERENCE)] | None = Field(
        None, description="For a prepayment (款到发货): the order it pays for."
    )
    allocations: list[AllocationIn] | None = Field(
        None,
        max_length=MAX_ITEMS,
        description="The sales it settles, in this order; leave out to settle the oldest first.",
    )


class AllocationOut(Schema):
    outbound: str
    posting_date: dt.date | None
    due_date: dt.date | None
    amount: AmountOut
    date: dt.date = Field(description="From this day on the sale is that much less open.")


class ReceiptSummaryOut(Schema):
    number: str
    customer: str
    customer_name: str
    received_on: dt.date
    amount: AmountOut
    method: str
    method_label: str
    carrier: int | None
    carrier_name: str | None
    order: str | None
    reference: str
    note: str
    applied: AmountOut = Field(description="What it has settled so far.")
    unapplied: AmountOut = Field(description="What stays as credit on the customer's account (预收).")
    difference: AmountOut = Field(description="The money less what the documents it settled were open for.")
    entered_late: bool
    finance_checked_at: dt.datetime | None
    reached_finance_on: dt.date | None
    created_by: str
    created_at: dt.datetime


class ReceiptOut(ReceiptSummaryOut):
    allocations: list[AllocationOut]


class ReceiptPage(Schema):
    count: int
    items: list[ReceiptSummaryOut]


# --- Invoices -----------------------------------------------------------------------------


class InvoiceQuery(_CustomerQuery):
    date_from: OptionalQueryDate = Field(None, description="Issued on or after.")
    date_to: OptionalQueryDate = Field(None, description="Issued on or before.")


class InvoiceIn(InputSchema):
    customer: Text(16, min_length=1) = Field(..., description="The customer code (GS00001).")
    number: Text(30, min_length=1) = Field(..., description="The number printed on the invoice.")
    issued_on: IsoDate
    must_reach_by: IsoDate | None = Field(None, description="Default a week after it is issued.")
    outbounds: list[Annotated[Text(20, min_length=1), Field(pattern=OUTBOUND_REFERENCE)]] = Field(
        ..., min_length=1, max_length=MAX_ITEMS, description="The posted outbounds it covers (CK…, TH…)."
    )
    note: Text(500) = ""


class InvoiceMailIn(InputSchema):
    carrier: RowIdIn | None = Field(None, description="The carrier's id.")
    tracking_number: Text(40, min_length=1)
    mailed_on: IsoDate | None = Field(None, description="Default today.")


class DayIn(InputSchema):
    on: IsoDate | None = Field(None, description="Default today.")


class InvoiceItemOut(Schema):
    outbound: str
    kind: str
    posting_date: dt.date | None
    amount: AmountOut


class InvoiceOut(Schema):
    id: int
    number: str
    customer: str
    customer_name: str
    issued_on: dt.date
    must_reach_by: dt.date
    amount: AmountOut
    carrier: int | None
    carrier_name: str | None
    tracking_number: str
    mailed_on: dt.date | None
    received_on: dt.date | None
    note: str
    created_by: str
    created_at: dt.datetime
    outbounds: list[InvoiceItemOut]


class InvoicePage(Schema):
    count: int
    items: list[InvoiceOut]


# --- Receipt slips ------------------------------------------------------------------------


class SlipQuery(_CustomerQuery):
    pass


class SlipIn(InputSchema):
    receipt: Text(20, min_length=1) = Field(..., pattern=RECEIPT_NUMBER, description="SK2026-00001.")
    seal: choice_or_blank(ReceiptSeal) = Field("", description="Default the customer's usual seal.")
    issued_on: IsoDate | None = Field(None, description="Default today.")


class SlipOut(Schema):
    id: int
    number: str
    receipt: str
    customer: str
    customer_name: str
    amount: AmountOut
    received_on: dt.date
    seal: str
    seal_label: str
    issued_on: dt.date
    created_by: str
    created_at: dt.datetime


class SlipPage(Schema):
    count: int
    items: list[SlipOut]


# --- Statements ---------------------------------------------------------------------------


class StatementQuery(_CustomerQuery):
    status: choice_or_blank(StatementStatus) = ""


class StatementIn(InputSchema):
    customer: Text(16, min_length=1) = Field(..., description="The customer code (GS00001).")
    period_from: IsoDate
    period_to: IsoDate


class StatementOut(Schema):
    id: int
    number: str
    customer: str
    customer_name: str
    period_from: dt.date
    period_to: dt.date
    opening: AmountOut = Field(description="As it was when the statement was drawn up.")
    closing: AmountOut = Field(description="As it was when the statement was drawn up.")
    status: str
    status_label: str
    sent_on: dt.date | None
    signed_on: dt.date | None
    created_by: str
    created_at: dt.datetime


class StatementLineOut(Schema):
    date: dt.date
    kind: str = Field(description="sale, return, bad_debt or receipt.")
    number: str
    text: str
    debit: AmountOut = Field(description="Raises what is owed.")
    credit: AmountOut = Field(description="Lowers what is owed.")
    balance: AmountOut


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut] = Field(description="The period's documents as they stand today.")
    closing_now: AmountOut = Field(description="The closing balance from today's documents.")
    difference: AmountOut = Field(
        description="closing_now less closing: documents entered into the period after it was drawn up."
    )


class StatementPage(Schema):
    count: int
    items: list[StatementOut]


# --- Returns and exchanges ----------------------------------------------------------------


class ReturnLineIn(InputSchema):
    line: RowIdIn = Field(..., description="The id of the original outbound's line.")
    quantity: QuantityIn


class NewLineIn(InputSchema):
    product: ModelCode = Field(..., description="The model code (型号).")
    quantity: QuantityIn
    unit_price: UnitPriceIn


class ReturnIn(InputSchema):
    original: Text(20, min_length=1) = _outbound_field("The posted sale it undoes (CK2026-00001).")
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=MAX_ITEMS)
    reason: Text(500, min_length=1)
    agreed_by: Text(150, min_length=1) = Field(
        ..., description="The username of who agreed: the customer's salesperson or a manager."
    )
    new_lines: list[NewLineIn] | None = Field(
        None, max_length=MAX_ITEMS, description="For an exchange (换货): the goods sent instead."
    )
    notes: Text(500) = ""


class CreditLineOut(Schema):
    line: int | None = Field(description="The original outbound's line, for a returned line.")
    product: str
    product_name: str
    quantity: QuantityOut
    unit_price: UnitPriceOut
    amount: AmountOut


class PostedOut(Schema):
    number: str
    kind: str
    posting_date: dt.date
    due_date: dt.date | None
    amount: AmountOut = Field(description="Negative for a return.")
    lines: list[CreditLineOut]


class ReturnOut(PostedOut):
    original: str
    customer: str
    customer_name: str
    reason: str
    agreed_by: str | None
    exchange: PostedOut | None = Field(description="The sale posted instead, for an exchange.")


# --- Write-offs ---------------------------------------------------------------------------


class WriteOffQuery(_CustomerQuery):
    status: choice_or_blank(OutboundStatus) = Field("", description="draft: waiting for the manager.")


class WriteOffItemIn(InputSchema):
    outbound: Text(20, min_length=1) = _outbound_field("The posted sale's number (CK2026-00001).")
    amount: AmountIn | None = Field(None, description="Default all that is open.")


class WriteOffIn(InputSchema):
    customer: Text(16, min_length=1) = Field(..., description="The customer code (GS00001).")
    reason: Text(500, min_length=1)
    items: list[WriteOffItemIn] = Field(..., min_length=1, max_length=MAX_ITEMS)


class RejectIn(InputSchema):
    reason: Text(500, min_length=1)


class WriteOffItemOut(Schema):
    outbound: str
    amount: AmountOut


class WriteOffOut(Schema):
    id: int
    reference: str = Field(description="The write-off number once approved, D<id> while it waits.")
    number: str | None
    status: str
    customer: str
    customer_name: str
    reason: str
    amount: AmountOut = Field(description="What it writes off.")
    posting_date: dt.date | None
    approved_by: str | None
    created_by: str
    created_at: dt.datetime
    items: list[WriteOffItemOut]


class WriteOffPage(Schema):
    count: int
    items: list[WriteOffOut]
