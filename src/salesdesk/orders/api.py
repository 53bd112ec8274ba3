"""Sales orders over the JSON API (v1): take down, register and review, override, release,
cancel, and "where is my order" (催货).

Reading orders needs the customer view permission, changing them the customer change
permission, as on the pages. Scope comes from the selectors: an order outside the user's
scope answers 404, and the warehouse sees released orders only, without money.
"""

from dataclasses import asdict
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from salesdesk.calls.models import CallRecord
from salesdesk.calls.selectors import call_get_for_user
from salesdesk.catalog.models import Carrier, Product
from salesdesk.catalog.selectors import active_products_for_codes
from salesdesk.core.api import fields_as_sent, links, require
from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.forms import users_with_role
from salesdesk.core.money import total
from salesdesk.core.roles import Role, scope_to_user, sees_prices
from salesdesk.core.schemas import ERRORS, page_of, username_of
from salesdesk.customers.models import Customer
from salesdesk.orders import review, selectors, services
from salesdesk.orders.models import CheckResult, SalesOrder
from salesdesk.orders.parsing import parse_order_text
from salesdesk.orders.schemas import (
    CancelIn,
    LineIn,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderQuery,
    OrderSummaryOut,
    OrderSummaryWarehouseOut,
    OrderView,
    OrderWarehouseOut,
    OverrideIn,
    ParseIn,
    ParseOut,
    ReleaseIn,
    TrackingOut,
)

router = Router(tags=["orders"])

# A register number (XS2026-00001) or a draft's D<id>; ASCII digits only, so nothing
# else is ever looked up.
OrderReference = Path(..., pattern=r"^(XS[0-9]{4}-[0-9]{5,9}|[Dd][0-9]{1,18})$", max_length=20)

# Services name some fields as the pages do; the API answers with the names it was sent.
_SENT_NAMES = {"ship_slot_note": "note"}
# What a shipment row from the warehouse may carry that the warehouse itself must not see.
_MONEY_KEYS = {"unit_price", "amount", "total", "agreed_price", "price", "cod_amount"}
# Registering turns a draft's D<id> into its register number: the next step takes the new one.
_BY_REFERENCE = {"reference": "reference"}


def _require_orders(request: HttpRequest, *, write: bool = False) -> None:
    # Taking orders is the assistants' and salespeople's work; the warehouse only reads.
    require(request, "customers.change_customer" if write else "customers.view_customer")


def _header(order: SalesOrder) -> dict[str, Any]:
    return {
        "reference": order.reference,
        "number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),
        "customer": order.customer.code,
        "customer_name": order.customer.name,
        "salesperson": username_of(order.salesperson),
        "channel": order.channel,
        "ship_method": order.ship_method,
        "carrier": order.carrier_id,
        "carrier_name": order.carrier.name if order.carrier_id else None,
        "collection_method": order.collection_method,
        "registered_at": order.registered_at,
        "ship_date": order.ship_date,
        "ship_slot": order.ship_slot,
        "created_at": order.created_at,
    }


def summary_out(user, order: SalesOrder) -> OrderSummaryOut | OrderSummaryWarehouseOut:
    schema = OrderSummaryOut if sees_prices(user) else OrderSummaryWarehouseOut
    return schema.model_validate({**_header(order), "total": order.total})


def order_out(user, order: SalesOrder) -> OrderOut | OrderWarehouseOut:
    """The whole order with its review; the warehouse's schema drops every money field."""
    lines = list(selectors.order_lines(order))
    data = {
        **_header(order),
        "assistant": username_of(order.assistant),
        "warehouse_instructions": order.warehouse_instructions,
        "call": order.call_id,
        "ship_slot_note": order.ship_slot_note,
        "created_by": username_of(order.created_by),
        "lines": [
            {
                "position": line.position,
                "product": line.product.model_code,
                "product_name": line.product.name,
                "unit": line.product.unit,
                "quantity": line.quantity,
                "requested_date": line.requested_date,
                "notes": line.notes,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "agreed_price": line.agreed_price,
            }
            for line in lines
        ],
        "total": total(line.amount for line in lines),
        "checks": [asdict(row) for row in selectors.order_review(order, user)],
    }
    schema = OrderOut if sees_prices(user) else OrderWarehouseOut
    return schema.model_validate(data)


def _order(request: HttpRequest, reference: str) -> SalesOrder:
    return selectors.order_get_for_user(user=request.user, reference=reference)


def _answer(request: HttpRequest, order: SalesOrder) -> OrderOut | OrderWarehouseOut:
    # Read back through the scoped selector, so the answer shows what the user may see.
    return order_out(request.user, _order(request, order.reference))


def _customer(user, code: str) -> Customer:
    customer = scope_to_user(Customer.objects.all(), user).filter(code=code.upper()).first()
    if customer is None:
        raise DomainError(
            _("No customer with the code %(code)s: save the customer first.") % {"code": code},
            field="customer",
        )
    return customer


def _carrier(carrier_id: int | None) -> Carrier | None:
    carrier = Carrier.objects.filter(pk=carrier_id).first() if carrier_id else None
    if carrier_id and carrier is None:
        raise DomainError(_("No carrier with the id %(id)s.") % {"id": carrier_id}, field="carrier")
    return carrier


def _salesperson(username: str | None) -> User | None:
    person = users_with_role(Role.SALESPERSON).filter(username=username).first() if username else None
    if username and person is None:
        raise DomainError(
            _("No active user %(username)s with the role %(role)s.")
            % {"username": username, "role": Role.SALESPERSON.label},
            field="salesperson",
        )
    return person


def _call(user, call_id: int | None) -> CallRecord | None:
    if not call_id:
        return None
    try:
        return call_get_for_user(user=user, pk=call_id)
    except Http404:
        raise DomainError(_("No call with the id %(id)s.") % {"id": call_id}, field="call") from None


def _line_inputs(lines: list[LineIn]) -> list[services.LineInput]:
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
        inputs.append(services.LineInput(product=product, **line.model_dump(exclude={"product"})))
    if errors:
        raise FieldErrors(errors)
    return inputs


@router.get("/orders", response={200: OrderPage, **ERRORS})
def order_list(request: HttpRequest, query: Query[OrderQuery]):
    """The orders the user may see, newest first, with their totals (not for the warehouse)."""
    _require_orders(request)
    filters = selectors.OrderFilter(
        q=query.q,
        status=query.status or "",
        date_from=query.date_from,
        date_to=query.date_to,
        customer=query.customer.upper(),
    )
    orders = selectors.order_search(user=request.user, filters=filters)
    return page_of(orders, query, lambda order: summary_out(request.user, order), shown=selectors.order_rows)


@router.post(
    "/orders",
    response={201: OrderView, **ERRORS},
    openapi_extra=links(
        201,
        orders_api_order_detail=_BY_REFERENCE,
        orders_api_order_register=_BY_REFERENCE,
        orders_api_order_release=_BY_REFERENCE,
        orders_api_order_cancel=_BY_REFERENCE,
        orders_api_order_tracking=_BY_REFERENCE,
    ),
)
def order_create(request: HttpRequest, payload: OrderIn):
    """Take an order down as a draft, or with `register` enter it in the sales register too.

    A registered order answers with its review: an order on hold lists the failing checks.
    """
    _require_orders(request, write=True)
    user = request.user
    header = payload.model_dump(
        include={"channel", "ship_method", "collection_method", "warehouse_instructions"}
    )
    with fields_as_sent(_SENT_NAMES), transaction.atomic():
        order = services.order_create(
            by=user,
            customer=_customer(user, payload.customer),
            lines=_line_inputs(payload.lines),
            call=_call(user, payload.call),
            carrier=_carrier(payload.carrier),
            salesperson=_salesperson(payload.salesperson),
            **header,
        )
        if payload.register_now:
            order = services.order_register(order=order, by=user)
    return Status(201, _answer(request, order))


@router.post("/orders/parse", response={200: ParseOut, **ERRORS})
def order_parse(request: HttpRequest, payload: ParseIn):
    """Proposed lines from the text of an SMS or chat message; nothing is saved."""
    _require_orders(request)
    products = {p.model_code: p for p in Product.objects.filter(active=True)}
    parsed = parse_order_text(payload.text, list(products), timezone.localdate())
    return {
        "requested_date": parsed.requested_date,
        "lines": [
            {
                "product": line.model_code,
                "name": products[line.model_code].name,
                "quantity": str(line.quantity),
                "source": line.source,
            }
            for line in parsed.lines
        ],
        "unrecognised": parsed.unrecognised,
    }


@router.get("/orders/{reference}", response={200: OrderView, **ERRORS})
def order_detail(request: HttpRequest, reference: str = OrderReference):
    _require_orders(request)
    return order_out(request.user, _order(request, reference))


@router.post(
    "/orders/{reference}/register",
    response={200: OrderView, **ERRORS},
    openapi_extra=links(
        200,
        orders_api_order_release=_BY_REFERENCE,
        orders_api_order_override=_BY_REFERENCE,
        orders_api_order_review_again=_BY_REFERENCE,
        orders_api_order_tracking=_BY_REFERENCE,
    ),
)
def order_register(request: HttpRequest, reference: str = OrderReference):
    """Give a draft its register number (XS2026-00001) and review it; see `checks`."""
    _require_orders(request, write=True)
    with fields_as_sent(_SENT_NAMES):
        order = services.order_register(order=_order(request, reference), by=request.user)
    return _answer(request, order)


@router.post("/orders/{reference}/override", response={200: OrderView, **ERRORS})
def order_override(request: HttpRequest, payload: OverrideIn, reference: str = OrderReference):
    """Accept a failed check with a reason, if you are allowed to (recorded by name)."""
    _require_orders(request, write=True)
    with fields_as_sent(_SENT_NAMES):
        order = services.order_override(
            order=_order(request, reference), by=request.user, code=payload.code, reason=payload.reason
        )
    return _answer(request, order)


@router.post("/orders/{reference}/review", response={200: OrderView, **ERRORS})
def order_review_again(request: HttpRequest, reference: str = OrderReference):
    """Run the review of an order on hold again, after its master data or prices were fixed."""
    _require_orders(request, write=True)
    with fields_as_sent(_SENT_NAMES):
        order = services.order_review_again(order=_order(request, reference), by=request.user)
    return _answer(request, order)


@router.post(
    "/orders/{reference}/release",
    response={200: OrderView, **ERRORS},
    openapi_extra=links(200, orders_api_order_tracking=_BY_REFERENCE, orders_api_order_cancel=_BY_REFERENCE),
)
def order_release(request: HttpRequest, payload: ReleaseIn = None, reference: str = OrderReference):
    """Send a registered order to the warehouse with its ship slot (before 11:30: the morning)."""
    _require_orders(request, write=True)
    payload = payload or ReleaseIn()
    with fields_as_sent(_SENT_NAMES):
        order = services.order_release(
            order=_order(request, reference),
            by=request.user,
            ship_date=payload.ship_date,
            ship_slot=payload.ship_slot,
            note=payload.note,
        )
    return _answer(request, order)


@router.post("/orders/{reference}/cancel", response={200: OrderView, **ERRORS})
def order_cancel(request: HttpRequest, payload: CancelIn, reference: str = OrderReference):
    _require_orders(request, write=True)
    with fields_as_sent(_SENT_NAMES):
        order = services.order_cancel(
            order=_order(request, reference), by=request.user, reason=payload.reason
        )
    return _answer(request, order)


def _waiting_for(user, tracking: selectors.Tracking) -> list[str]:
    if sees_prices(user):
        return tracking.waiting
    # A failing check's reason quotes prices or balances: the warehouse hears only which check.
    labels = {}
    for row in tracking.order.checks.filter(result=CheckResult.FAILED):
        check = review.check_by_code(row.code)
        label = str(check.label) if check else row.code
        labels[f"{label}: {row.reason}"] = label
    return [labels.get(reason, reason) for reason in tracking.waiting]


@router.get("/orders/{reference}/tracking", response={200: TrackingOut, **ERRORS})
def order_tracking(request: HttpRequest, reference: str = OrderReference):
    """催货: status, when it ships and how, what has shipped, what still waits and why."""
    _require_orders(request)
    user = request.user
    tracking = selectors.order_tracking(user=user, reference=reference)
    order = tracking.order
    shipped = tracking.shipped
    if not sees_prices(user):
        shipped = [{k: v for k, v in item.items() if k not in _MONEY_KEYS} for item in shipped]
    return {
        "reference": order.reference,
        "status": order.status,
        "status_label": tracking.status_label,
        "ship_method": order.ship_method,
        "carrier_name": order.carrier.name if order.carrier_id else None,
        "expected": tracking.expected,
        "waiting": _waiting_for(user, tracking),
        "shipped": shipped,
        "history": [
            {
                "at": change.at,
                "from_status": change.from_status,
                "to_status": change.to_status,
                "by": username_of(change.by),
                "note": change.note,
            }
            for change in tracking.history
        ],
    }
