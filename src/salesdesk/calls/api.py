"""Calls (来电记录) and their follow-ups over the JSON API (v1).

A call about a customer follows that customer's scope; a call from someone not yet a
customer is seen by whoever answered it and by those who may turn it into a customer.
Outside that, a call or follow-up answers 404, like one that does not exist.
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from salesdesk.calls import selectors, services
from salesdesk.calls.models import CallRecord
from salesdesk.calls.schemas import (
    CallIn,
    CallOut,
    CallPage,
    CallQuery,
    CallToCustomerIn,
    FollowUpIn,
    FollowUpOut,
    ResolveIn,
)
from salesdesk.core.api import RowId, require
from salesdesk.core.errors import DomainError
from salesdesk.core.roles import scope_to_user
from salesdesk.core.schemas import ERRORS, page_of
from salesdesk.customers.api import customer_out, with_people
from salesdesk.customers.models import Customer
from salesdesk.customers.schemas import CustomerView

router = Router(tags=["calls"])

# Logging and reading calls is everyday work for every role that talks to customers.
_CALLS_PERM = "customers.view_customer"


# The people named on follow-ups, fetched once for all calls rather than once per row.
_FOLLOW_UP_PEOPLE = ("follow_ups__assigned_to", "follow_ups__resolved_by", "follow_ups__created_by")


def _call(request: HttpRequest, call_id: int) -> CallRecord:
    require(request, _CALLS_PERM)
    call = selectors.call_get_for_user(user=request.user, pk=call_id)
    prefetch_related_objects([call], *_FOLLOW_UP_PEOPLE)
    return call


def _customer_in_scope(user, code: str | None) -> Customer | None:
    if not code:
        return None
    customer = scope_to_user(Customer.objects.all(), user).filter(code=code.upper()).first()
    if customer is None:
        raise DomainError(_("No customer with the code %(code)s.") % {"code": code}, field="customer")
    return customer


@router.get("/calls", response={200: CallPage, **ERRORS})
def call_list(request: HttpRequest, query: Query[CallQuery]):
    """The calls the user may see, newest first, filtered by day and search text."""
    require(request, _CALLS_PERM)
    calls = selectors.call_list(user=request.user, day=query.day, q=query.q)
    cut_from = selectors.call_list(user=request.user, day=query.day, q=query.q, to_cut=True)
    return page_of(calls, query, lambda call: call, shown=_with_follow_up_people, cut_from=cut_from)


def _with_follow_up_people(calls: QuerySet[CallRecord]) -> QuerySet[CallRecord]:
    return selectors.call_rows(calls).prefetch_related(*_FOLLOW_UP_PEOPLE)


@router.post("/calls", response={201: CallOut, **ERRORS})
def call_log(request: HttpRequest, payload: CallIn):
    """Log an answered call; `customer` links it to a customer the user may see."""
    require(request, _CALLS_PERM)
    fields = payload.model_dump(exclude_unset=True, exclude={"customer"})
    customer = _customer_in_scope(request.user, payload.customer)
    call = services.call_log(by=request.user, customer=customer, **fields)
    return Status(201, _call(request, call.pk))


@router.get("/calls/{call_id}", response={200: CallOut, **ERRORS})
def call_detail(request: HttpRequest, call_id: int = RowId):
    return _call(request, call_id)


@router.post("/calls/{call_id}/follow-ups", response={201: FollowUpOut, **ERRORS})
def follow_up_raise(request: HttpRequest, payload: FollowUpIn, call_id: int = RowId):
    """A question nobody at the phone could answer, passed to a named colleague (千万不能放之不理)."""
    call = _call(request, call_id)
    assignee = User.objects.filter(username=payload.assigned_to, is_active=True).first()
    if assignee is None:
        raise DomainError(
            _("No active user %(username)s.") % {"username": payload.assigned_to}, field="assigned_to"
        )
    follow_up = services.follow_up_raise(
        call=call, by=request.user, question=payload.question, assigned_to=assignee, due_on=payload.due_on
    )
    return Status(201, follow_up)


@router.post("/follow-ups/{follow_up_id}/resolve", response={200: FollowUpOut, **ERRORS})
def follow_up_resolve(request: HttpRequest, payload: ResolveIn, follow_up_id: int = RowId):
    """Close a follow-up with how it was answered: its assignee, its author or a manager."""
    require(request, _CALLS_PERM)
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=follow_up_id)
    return services.follow_up_resolve(follow_up=follow_up, by=request.user, resolution=payload.resolution)


@router.post("/calls/{call_id}/customer", response={201: CustomerView, **ERRORS})
def call_to_customer(request: HttpRequest, payload: CallToCustomerIn, call_id: int = RowId):
    """Save the caller as a new customer, carrying over company, address, contact and phone."""
    require(request, "customers.add_customer")
    call = _call(request, call_id)
    fields = with_people(payload.model_dump(exclude_unset=True, exclude={"series", "contacts"}))
    if payload.contacts is not None:
        fields["contacts"] = [c.model_dump(exclude={"id"}) for c in payload.contacts]
    customer = services.call_to_customer(call=call, by=request.user, series=payload.series, **fields)
    return Status(201, customer_out(request.user, customer))
