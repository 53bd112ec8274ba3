"""Customers and credit-term applications over the JSON API (v1).

Each endpoint checks the permission, lets its schema refuse bad input, calls one service
or selector and serialises the answer. Scope comes from the selectors: a customer outside
the user's scope answers 404, exactly like one that does not exist.
"""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from salesdesk.core.api import RowId, links, require
from salesdesk.core.errors import FieldErrors
from salesdesk.core.forms import users_with_role
from salesdesk.core.roles import Role, sees_prices
from salesdesk.core.schemas import ERRORS, page_of
from salesdesk.customers import selectors, services
from salesdesk.customers.models import CreditTermApplication, Customer
from salesdesk.customers.schemas import (
    CreditApplicationIn,
    CreditApplicationOut,
    CustomerCreateIn,
    CustomerOut,
    CustomerPage,
    CustomerPatchIn,
    CustomerQuery,
    CustomerView,
    CustomerWarehouseOut,
    DecisionIn,
)

router = Router(tags=["customers"])

# Customer codes are a series and digits (GS00001); anything else cannot name a customer.
CustomerCode = Path(..., pattern=r"^[A-Z]{2}[0-9]{5,14}$", max_length=16)

# The role a username must hold to fill each person field, as on the customer form.
_PERSON_FIELDS = {
    "salesperson": Role.SALESPERSON,
    "assistant": Role.ASSISTANT,
    "prepayment_exception_by": Role.SALESPERSON,
}


def customer_out(user, customer: Customer) -> CustomerOut | CustomerWarehouseOut:
    """The warehouse gets its own schema, so money cannot leak through a forgotten field."""
    schema = CustomerOut if sees_prices(user) else CustomerWarehouseOut
    return schema.model_validate(customer)


def with_people(fields: dict[str, Any]) -> dict[str, Any]:
    """Usernames in the request become users; an unknown one is refused on its field."""
    errors: dict[str, list[str]] = {}
    for field, role in _PERSON_FIELDS.items():
        if field not in fields:
            continue
        username = fields[field]
        user = users_with_role(role).filter(username=username).first() if username else None
        if username and user is None:
            errors[field] = [
                _("No active user %(username)s with the role %(role)s.")
                % {"username": username, "role": role.label}
            ]
        fields[field] = user
    if errors:
        raise FieldErrors(errors)
    return fields


@router.get("/customers", response={200: CustomerPage, **ERRORS})
def customer_list(request: HttpRequest, query: Query[CustomerQuery]):
    """The customers the user may see, filtered and paged (at most 200 per page)."""
    require(request, "customers.view_customer")
    filters = selectors.CustomerFilter(
        q=query.q, series=query.series or "", status=query.status or "", incomplete=query.incomplete
    )
    customers = (
        selectors.customer_list(user=request.user, filters=filters)
        .select_related("prepayment_exception_by")
        .prefetch_related("contacts", "credit_applications")
    )
    return page_of(customers, query, lambda c: customer_out(request.user, c))


@router.post(
    "/customers",
    response={201: CustomerView, **ERRORS},
    openapi_extra=links(
        201,
        customers_api_customer_detail={"code": "code"},
        customers_api_customer_update={"code": "code"},
        customers_api_credit_application_submit={"code": "code"},
        receivables_api_customer_ar={"code": "code"},
        catalog_api_price_list={"code": "code"},
        catalog_api_price_set={"code": "code"},
    ),
)
def customer_create(request: HttpRequest, payload: CustomerCreateIn):
    """Save a new customer; the system gives it its code (GS00001, YW00001, KD00001)."""
    require(request, "customers.add_customer")
    fields = with_people(payload.model_dump(exclude_unset=True, exclude={"series", "contacts"}))
    contacts = [c.model_dump(exclude={"id"}) for c in payload.contacts]
    customer = services.customer_create(by=request.user, series=payload.series, contacts=contacts, **fields)
    return Status(201, customer_out(request.user, customer))


@router.get("/customers/{code}", response={200: CustomerView, **ERRORS})
def customer_detail(request: HttpRequest, code: str = CustomerCode):
    require(request, "customers.view_customer")
    return customer_out(request.user, selectors.customer_get_for_user(user=request.user, code=code))


@router.patch("/customers/{code}", response={200: CustomerView, **ERRORS})
def customer_update(request: HttpRequest, payload: CustomerPatchIn, code: str = CustomerCode):
    """Change the fields sent; `contacts`, when sent, replaces the whole list."""
    require(request, "customers.change_customer")
    customer = selectors.customer_get_for_user(user=request.user, code=code)
    fields = with_people(payload.model_dump(exclude_unset=True, exclude={"contacts"}))
    # The customer and its contacts change together or not at all.
    with transaction.atomic():
        customer = services.customer_update(customer=customer, by=request.user, **fields)
        if payload.contacts is not None:
            contacts = [c.model_dump(exclude_none=True) for c in payload.contacts]
            services.contacts_replace(customer=customer, by=request.user, contacts=contacts)
    return customer_out(request.user, customer)


@router.post(
    "/customers/{code}/credit-applications",
    response={201: CreditApplicationOut, **ERRORS},
    tags=["credit-term applications"],
)
def credit_application_submit(request: HttpRequest, payload: CreditApplicationIn, code: str = CustomerCode):
    """Apply for credit days (《数期申请表》); the general manager decides."""
    require(request, "customers.add_credittermapplication")
    customer = selectors.customer_get_for_user(user=request.user, code=code)
    application = services.credit_application_submit(
        customer=customer, by=request.user, credit_days=payload.credit_days, reason=payload.reason
    )
    return Status(201, application)


def _decide(request: HttpRequest, application_id: int, note: str, *, approve: bool) -> CreditTermApplication:
    require(request, "customers.approve_credittermapplication")
    application = get_object_or_404(
        CreditTermApplication.objects.select_related("customer"), pk=application_id
    )
    selectors.customer_get_for_user(user=request.user, code=application.customer.code)
    return services.credit_application_decide(
        application=application, by=request.user, approve=approve, note=note
    )


@router.post(
    "/credit-applications/{application_id}/approve",
    response={200: CreditApplicationOut, **ERRORS},
    tags=["credit-term applications"],
)
def credit_application_approve(request: HttpRequest, payload: DecisionIn = None, application_id: int = RowId):
    """Approve: the customer gets the credit days applied for. The applicant cannot approve."""
    return _decide(request, application_id, payload.note if payload else "", approve=True)


@router.post(
    "/credit-applications/{application_id}/reject",
    response={200: CreditApplicationOut, **ERRORS},
    tags=["credit-term applications"],
)
def credit_application_reject(request: HttpRequest, payload: DecisionIn = None, application_id: int = RowId):
    return _decide(request, application_id, payload.note if payload else "", approve=False)
