"""Samples over the JSON API (v1): the sample dispatch record (样品发放记录) and its steps.

Anyone who sees the customer may request a sample; the warehouse, the assistants and the
manager move it on; whoever asked for it may also cancel it. A sample of a customer outside
the user's scope answers 404. Samples carry no money, so every role gets the same answer.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from salesdesk.catalog.models import Carrier
from salesdesk.catalog.selectors import active_products_for_codes
from salesdesk.core.api import RowId, fields_as_sent, require
from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed
from salesdesk.core.roles import scope_to_user
from salesdesk.core.schemas import ERRORS, page_of, username_of
from salesdesk.customers.models import Customer
from salesdesk.warehouse import selectors_samples as selectors
from salesdesk.warehouse import services_samples as services
from salesdesk.warehouse.models import SampleDispatch
from salesdesk.warehouse.schemas import (
    SampleCancelIn,
    SampleDeliveredIn,
    SampleDispatchIn,
    SampleIn,
    SampleLineIn,
    SampleOut,
    SamplePage,
    SampleQuery,
    SampleSendIn,
)

router = Router(tags=["samples"])


def sample_out(sample: SampleDispatch) -> dict[str, Any]:
    return {
        "id": sample.pk,
        "reference": sample.reference,
        "status": sample.status,
        "status_label": sample.get_status_display(),
        "customer": sample.customer.code,
        "customer_name": sample.customer.name,
        "requested_by": username_of(sample.requested_by),
        "requested_on": sample.requested_on,
        "sent_to_factory_on": sample.sent_to_factory_on,
        "carrier": sample.carrier_id,
        "carrier_name": sample.carrier.name if sample.carrier_id else None,
        "tracking_number": sample.tracking_number,
        "dispatched_on": sample.dispatched_on,
        "delivered_on": sample.delivered_on,
        "cancel_reason": sample.cancel_reason,
        "note": sample.note,
        # Lines come prefetched on lists; sorted here so a list and a detail read alike.
        "lines": [
            {
                "product": line.product.model_code,
                "product_name": line.product.name,
                "unit": line.product.unit,
                "quantity": line.quantity,
            }
            for line in sorted(sample.lines.all(), key=lambda line: line.pk)
        ],
        "created_by": username_of(sample.created_by),
        "created_at": sample.created_at,
    }


def _sample(request: HttpRequest, sample_id: int) -> SampleDispatch:
    return selectors.sample_get_for_user(user=request.user, pk=sample_id)


def _answer(request: HttpRequest, sample: SampleDispatch) -> dict[str, Any]:
    # Read back through the scoped lookup, so the answer shows what the user may see.
    fresh = _sample(request, sample.pk)
    prefetch_related_objects([fresh], "lines__product")
    return sample_out(fresh)


def _require_steps(request: HttpRequest) -> None:
    if not services.may_move_samples(request.user):
        raise NotAllowed(_("Only the warehouse, an assistant or a manager moves a sample to its next step."))


def _customer(user, code: str) -> Customer:
    customer = scope_to_user(Customer.objects.all(), user).filter(code=code.upper()).first()
    if customer is None:
        raise DomainError(
            _("No customer with the code %(code)s: save the customer first.") % {"code": code},
            field="customer",
        )
    return customer


def _requested_by(username: str | None) -> User | None:
    if username is None:
        return None
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise DomainError(_("No active user %(username)s.") % {"username": username}, field="requested_by")
    return person


def _line_inputs(lines: list[SampleLineIn]) -> list[services.SampleLineInput]:
    """Model codes become products; every unknown one is named at once."""
    inputs, errors = [], {}
    for i, (line, product) in enumerate(
        zip(lines, active_products_for_codes([x.product for x in lines]), strict=True)
    ):
        if product is None:
            errors[f"lines.{i}.product"] = [
                _("No active product with the model code %(code)s.") % {"code": line.product}
            ]
            continue
        inputs.append(services.SampleLineInput(product=product, quantity=line.quantity))
    if errors:
        raise FieldErrors(errors)
    return inputs


@router.get("/samples", response={200: SamplePage, **ERRORS})
def sample_list(request: HttpRequest, query: Query[SampleQuery]):
    """The user's customers' samples: those still on the way first, the longest waiting on top."""
    require(request, "customers.view_customer")
    filters = selectors.SampleFilter(
        q=query.q,
        status=query.status,
        customer=query.customer,
        date_from=query.date_from,
        date_to=query.date_to,
    )
    return page_of(selectors.sample_list(user=request.user, filters=filters), query, sample_out)


@router.post("/samples", response={201: SampleOut, **ERRORS})
def sample_request(request: HttpRequest, payload: SampleIn):
    """Fill in the sample record for a customer: products, quantities, who asks for it."""
    require(request, "customers.view_customer")
    with fields_as_sent():
        sample = services.sample_request(
            customer=_customer(request.user, payload.customer),
            by=request.user,
            lines=_line_inputs(payload.lines),
            requested_by=_requested_by(payload.requested_by),
            note=payload.note,
        )
    return Status(201, _answer(request, sample))


@router.get("/samples/{sample_id}", response={200: SampleOut, **ERRORS})
def sample_detail(request: HttpRequest, sample_id: int = RowId):
    require(request, "customers.view_customer")
    return _answer(request, _sample(request, sample_id))


@router.post("/samples/{sample_id}/send-to-factory", response={200: SampleOut, **ERRORS})
def sample_send_to_factory(request: HttpRequest, payload: SampleSendIn = None, sample_id: int = RowId):
    """The record was faxed to the factory (default today)."""
    _require_steps(request)
    sample = services.sample_send_to_factory(
        sample=_sample(request, sample_id),
        by=request.user,
        sent_to_factory_on=(payload or SampleSendIn()).sent_to_factory_on,
    )
    return _answer(request, sample)


@router.post("/samples/{sample_id}/dispatch", response={200: SampleOut, **ERRORS})
def sample_dispatch(request: HttpRequest, payload: SampleDispatchIn, sample_id: int = RowId):
    """The sample left with a courier (an active one), with its tracking number."""
    _require_steps(request)
    sample = _sample(request, sample_id)
    carrier = Carrier.objects.filter(pk=payload.carrier).first()
    if carrier is None:
        raise DomainError(_("No carrier with the id %(id)s.") % {"id": payload.carrier}, field="carrier")
    sample = services.sample_dispatch(
        sample=sample,
        by=request.user,
        carrier=carrier,
        tracking_number=payload.tracking_number,
        dispatched_on=payload.dispatched_on,
    )
    return _answer(request, sample)


@router.post("/samples/{sample_id}/deliver", response={200: SampleOut, **ERRORS})
def sample_delivered(request: HttpRequest, payload: SampleDeliveredIn = None, sample_id: int = RowId):
    """The customer has the sample (default today)."""
    _require_steps(request)
    sample = services.sample_delivered(
        sample=_sample(request, sample_id),
        by=request.user,
        delivered_on=(payload or SampleDeliveredIn()).delivered_on,
    )
    return _answer(request, sample)


@router.post("/samples/{sample_id}/cancel", response={200: SampleOut, **ERRORS})
def sample_cancel(request: HttpRequest, payload: SampleCancelIn, sample_id: int = RowId):
    """Withdraw a sample that has not left yet; who asked for it may do so too."""
    require(request, "customers.view_customer")
    sample = services.sample_cancel(
        sample=_sample(request, sample_id), by=request.user, reason=payload.reason
    )
    return _answer(request, sample)
