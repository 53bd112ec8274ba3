"""What the API accepts and answers about calls (来电记录) and their follow-ups."""

import datetime as dt

from ninja import Field, Schema
from pydantic import StrictInt

from salesdesk.core.schemas import (
    InputSchema,
    IsoDate,
    IsoDateTime,
    OptionalQueryDate,
    PageQuery,
    Text,
    username_of,
)
from salesdesk.customers.models import CustomerSeries
from salesdesk.customers.schemas import ContactIn, CustomerFieldsIn

# A customer is named by its code in requests, as people name it.
CustomerCodeIn = Text(16)


class CallQuery(PageQuery):
    day: OptionalQueryDate = Field(None, description="Only calls answered on this day.")
    q: Text(100) = ""


class CallIn(InputSchema):
    at: IsoDateTime = Field(None, description="When the call came in; default now.")
    company: Text(120) = ""
    contact_name: Text(50) = ""
    phone: Text(40) = ""
    address: Text(200) = ""
    need: Text(5000) = ""
    customer: CustomerCodeIn | None = Field(None, description="The caller's customer code, if known.")
    duration_minutes: StrictInt | None = Field(None, ge=0, le=600)
    notes: Text(5000) = ""


class FollowUpIn(InputSchema):
    question: Text(2000, min_length=1)
    assigned_to: Text(150, min_length=1) = Field(..., description="Username of who will answer it.")
    due_on: IsoDate | None = None


class ResolveIn(InputSchema):
    resolution: Text(2000, min_length=1)


class CallToCustomerIn(CustomerFieldsIn):
    """The series, and any master data the call did not record (name and address come from it)."""

    series: CustomerSeries
    contacts: list[ContactIn] = Field(
        None, max_length=20, description="Default: the caller's contact name and phone."
    )


class FollowUpOut(Schema):
    id: int
    call: int
    question: str
    assigned_to: str
    due_on: dt.date | None
    status: str
    resolution: str
    resolved_by: str | None
    resolved_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_call(obj) -> int:
        return obj.call_id

    @staticmethod
    def resolve_assigned_to(obj) -> str:
        return username_of(obj.assigned_to)

    @staticmethod
    def resolve_resolved_by(obj) -> str | None:
        return username_of(obj.resolved_by)

    @staticmethod
    def resolve_created_by(obj) -> str:
        return username_of(obj.created_by)


class CallOut(Schema):
    id: int
    at: dt.datetime
    answered_by: str
    company: str
    contact_name: str
    phone: str
    address: str
    need: str
    customer: str | None
    customer_name: str | None
    duration_minutes: int | None
    notes: str
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_answered_by(obj) -> str:
        return username_of(obj.answered_by)

    @staticmethod
    def resolve_customer(obj) -> str | None:
        return obj.customer.code if obj.customer_id else None

    @staticmethod
    def resolve_customer_name(obj) -> str | None:
        return obj.customer.name if obj.customer_id else None

    @staticmethod
    def resolve_follow_ups(obj) -> list:
        return list(obj.follow_ups.all())


class CallPage(Schema):
    count: int
    items: list[CallOut]
