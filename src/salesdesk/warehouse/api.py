"""The warehouse over the JSON API (v1): stock and goods in, production requests, outbounds
and their posting (过账), shipments with cash on delivery and signed notes; samples live in
`api_samples` and come in through this router.

Posting and stock writes are the warehouse's and the manager's; assistants prepare outbounds
and record shipments for their own customers. The warehouse sees every outbound, without money.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import DataError
from django.db.models import Prefetch
from django.db.models.functions import Upper
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from salesdesk.catalog.models import Carrier, Product
from salesdesk.catalog.selectors import product_list
from salesdesk.core.api import RowId, fields_as_sent, require
from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed
from salesdesk.core.roles import Role, role_of, scope_to_user, sees_prices
from salesdesk.core.schemas import ERRORS, page_of, username_of
from salesdesk.orders.models import SalesOrder
from salesdesk.orders.selectors import order_get_for_user
from salesdesk.warehouse import selectors, services
from salesdesk.warehouse.api_samples import router as samples_router
from salesdesk.warehouse.models import (
    Outbound,
    OutboundKind,
    ProductionDemand,
    ProductionRequest,
    ProductionStatus,
    Shipment,
    StockLevel,
)
from salesdesk.warehouse.schemas import (
    OUTBOUND_REFERENCE,
    OutboundIn,
    OutboundLineIn,
    OutboundOut,
    OutboundView,
    OutboundWarehouseOut,
    ProductionPage,
    ProductionQuery,
    ReturnedIn,
    ShipmentIn,
    ShipmentOut,
    ShipmentView,
    ShipmentWarehouseOut,
    StockInboundIn,
    StockPage,
    StockQuery,
    StockRowOut,
)

router = Router(tags=["warehouse"])
router.add_router("", samples_router)

OutboundReference = Path(..., pattern=OUTBOUND_REFERENCE, max_length=20)

# Who does what. Posting moves stock and raises a receivable; goods in change stock.
POSTING_ROLES = {Role.WAREHOUSE, Role.MANAGER}
OUTBOUND_ROLES = {Role.WAREHOUSE, Role.MANAGER, Role.ASSISTANT}
SHIPPING_ROLES = {Role.WAREHOUSE, Role.MANAGER, Role.ASSISTANT}
# Cash coming back is money: ticked off by those who may see it, not by the warehouse.
COD_ROLES = {Role.ASSISTANT, Role.MANAGER, Role.FINANCE}
# Signed notes come back to the warehouse (drivers) or to the desk, and finance checks them.
NOTE_ROLES = {Role.WAREHOUSE, Role.ASSISTANT, Role.MANAGER, Role.FINANCE}

# Services name some fields as the pages do; the API answers with the names it was sent.
_SENT_NAMES = {"request": "production_request"}
MAX_ON_HAND = Decimal("99999999999.999")  # a quantity column: 14 digits, 3 after the point


def _require_role(request: HttpRequest, roles: set[Role]) -> None:
    if role_of(request.user) not in roles:
        raise NotAllowed(_("You do not have permission to do this."))


def _require_permission(request: HttpRequest, perm: str, roles: set[Role]) -> None:
    # The permission where it is granted (a role's group, or one person by the manager);
    # the role otherwise, so the warehouse and the manager keep it either way.
    if not request.user.has_perm(perm) and role_of(request.user) not in roles:
        raise NotAllowed(_("You do not have permission to do this."))


# --- Stock and production ---------------------------------------------------------------------


def _stock_out(row: selectors.StockRow) -> StockRowOut:
    return StockRowOut(
        product=row.product.model_code,
        product_name=row.product.name,
        unit=row.product.unit,
        on_hand=row.on_hand,
        reserved=row.reserved,
        available=row.available,
    )


@router.get("/stock", response={200: StockPage, **ERRORS}, tags=["stock"])
def stock_list(request: HttpRequest, query: Query[StockQuery]):
    """Per product: on hand, reserved by released orders, and what is left to promise."""
    require(request, "catalog.view_product")
    # Page the products in the database, then read stock for that page only.
    products = product_list(q=query.q, active_only=True)
    ids = list(products.values_list("pk", flat=True)[query.offset : query.offset + query.limit])
    rows = selectors.stock_rows(product_ids=ids) if ids else []
    return {"count": products.count(), "items": [_stock_out(row) for row in rows]}


def _active_product(model_code: str) -> Product:
    # The exact code first, then the same code in other letter case, as on the order form.
    candidates = list(
        Product.objects.annotate(code_upper=Upper("model_code"))
        .filter(active=True, code_upper=model_code.upper())
        .order_by("model_code")
    )
    found = next((p for p in candidates if p.model_code == model_code), None) or next(iter(candidates), None)
    if found is None:
        raise DomainError(
            _("No active product with the model code %(code)s.") % {"code": model_code}, field="product"
        )
    return found


def _production_request(request_id: int | None) -> ProductionRequest | None:
    if request_id is None:
        return None
    production = ProductionRequest.objects.filter(pk=request_id).first()
    if production is None:
        raise DomainError(
            _("No production request with the id %(id)s.") % {"id": request_id}, field="production_request"
        )
    if production.status not in {ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED}:
        raise DomainError(
            _("Production request %(id)s is %(status)s: goods in no longer count against it.")
            % {"id": request_id, "status": production.get_status_display()},
            field="production_request",
        )
    return production


@router.post("/stock/inbound", response={201: StockRowOut, **ERRORS}, tags=["stock"])
def stock_inbound(request: HttpRequest, payload: StockInboundIn):
    """Goods in from production (生产入库); naming the production request closes it once filled."""
    _require_permission(request, "warehouse.change_stocklevel", POSTING_ROLES)
    product = _active_product(payload.product)
    production = _production_request(payload.production_request)
    # On hand must still fit its column: SQLite would store more and then fail to read it back.
    held = StockLevel.objects.filter(product=product).values_list("on_hand", flat=True).first()
    if (held or 0) + payload.quantity > MAX_ON_HAND:
        raise DomainError(_("That quantity is too large for the stock of one product."), field="quantity")
    try:
        with fields_as_sent(_SENT_NAMES):
            services.stock_inbound(
                product=product,
                quantity=payload.quantity,
                by=request.user,
                request=production,
                reason=payload.reason,
            )
    except DataError:  # on hand would no longer fit its column
        raise DomainError(
            _("That quantity is too large for the stock of one product."), field="quantity"
        ) from None
    return Status(201, _stock_out(selectors.stock_rows(product_ids=[product.pk])[0]))


def _production_out(production: ProductionRequest) -> dict[str, Any]:
    return {
        "id": production.pk,
        "product": production.product.model_code,
        "product_name": production.product.name,
        "unit": production.product.unit,
        "quantity": production.quantity,
        "needed_by": production.needed_by,
        "status": production.status,
        "status_label": production.get_status_display(),
        "confirmed_date": production.confirmed_date,
        "note": production.note,
        "waiting": [
            {
                "order": demand.order_line.order.reference,
                "customer": demand.order_line.order.customer.code,
                "customer_name": demand.order_line.order.customer.name,
                "position": demand.order_line.position,
                "quantity": demand.quantity,
            }
            for demand in production.waiting
        ],
    }


@router.get("/production-requests", response={200: ProductionPage, **ERRORS}, tags=["stock"])
def production_request_list(request: HttpRequest, query: Query[ProductionQuery]):
    """What production must make, by when, and which of the user's orders wait for it."""
    require(request, "catalog.view_product")
    waiting = scope_to_user(
        ProductionDemand.objects.select_related("order_line__order__customer").order_by(
            "order_line__order__number", "order_line__position"
        ),
        request.user,
        "order_line__order__customer",
    )
    rows = (
        selectors.production_requests(open_only=query.open_only)
        .prefetch_related(None)
        .prefetch_related(Prefetch("demands", queryset=waiting, to_attr="waiting"))
    )
    return page_of(rows, query, _production_out)


# --- Outbounds ----------------------------------------------------------------------------------


def _shipment_data(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "outbound": shipment.outbound.reference,
        "carrier": shipment.carrier_id,
        "carrier_name": shipment.carrier.name if shipment.carrier_id else None,
        "tracking_number": shipment.tracking_number,
        "driver": shipment.driver,
        "route": shipment.route,
        "shipped_on": shipment.shipped_on,
        "note_required": shipment.note_required,
        "note_due": shipment.note_due,
        "note_returned_on": shipment.note_returned_on,
        "created_by": username_of(shipment.created_by),
        "cod_amount": shipment.cod_amount,
        "cod_due": shipment.cod_due,
        "cod_returned_on": shipment.cod_returned_on,
    }


def shipment_out(user, shipment: Shipment) -> ShipmentOut | ShipmentWarehouseOut:
    """A shipment; the warehouse's schema leaves out what the courier collects."""
    data = _shipment_data(shipment)
    schema = ShipmentOut if sees_prices(user) else ShipmentWarehouseOut
    return schema.model_validate(data)


def outbound_out(user, outbound: Outbound) -> OutboundOut | OutboundWarehouseOut:
    """The whole outbound; the warehouse's schema drops amounts, prices, due date and COD."""
    lines = outbound.lines.select_related("product", "order_line").order_by("id")
    shipments = outbound.shipments.select_related("outbound", "carrier", "created_by").order_by(
        "shipped_on", "id"
    )
    data = {
        "reference": outbound.reference,
        "number": outbound.number,
        "kind": outbound.kind,
        "status": outbound.status,
        "status_label": outbound.get_status_display(),
        "order": outbound.order.reference if outbound.order_id else None,
        "customer": outbound.customer.code,
        "customer_name": outbound.customer.name,
        "posting_date": outbound.posting_date,
        "posted_at": outbound.posted_at,
        "posted_by": username_of(outbound.posted_by),
        "notes": outbound.notes,
        "created_by": username_of(outbound.created_by),
        "created_at": outbound.created_at,
        "amount": outbound.amount,
        "due_date": outbound.due_date,
        "lines": [
            {
                "order_line": line.order_line_id,
                "position": line.order_line.position if line.order_line_id else None,
                "product": line.product.model_code,
                "product_name": line.product.name,
                "unit": line.product.unit,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for line in lines
        ],
        "shipments": [_shipment_data(shipment) for shipment in shipments],
    }
    schema = OutboundOut if sees_prices(user) else OutboundWarehouseOut
    return schema.model_validate(data)


def _outbound(request: HttpRequest, reference: str) -> Outbound:
    """By number, or by D<id> also once posted: a retried post then hears 409, not 404."""
    if reference[:1] in {"D", "d"}:
        found = scope_to_user(Outbound.objects.filter(pk=int(reference[1:])), request.user, "customer")
        number = found.values_list("number", flat=True).first()
        if number:
            reference = number
    outbound = selectors.outbound_get_for_user(user=request.user, reference=reference)
    if outbound.kind != OutboundKind.SALE:  # a return or write-off has its own addresses
        raise Http404(_("No such outbound."))
    return outbound


def _answer(request: HttpRequest, outbound: Outbound) -> OutboundOut | OutboundWarehouseOut:
    # Read back through the scoped lookup, so the answer shows what the user may see.
    return outbound_out(request.user, _outbound(request, outbound.reference))


def _order(request: HttpRequest, reference: str) -> SalesOrder:
    try:
        return order_get_for_user(user=request.user, reference=reference)
    except Http404:
        raise DomainError(_("No order %(ref)s among yours.") % {"ref": reference}, field="order") from None


def _ship_quantities(order: SalesOrder, lines: list[OutboundLineIn]) -> list[services.ShipQuantity]:
    """Each line named by position or id becomes that order line; all unknown ones at once."""
    order_lines = list(order.lines.select_related("product"))
    by_id = {line.pk: line for line in order_lines}
    by_position = {line.position: line for line in order_lines}
    quantities, errors = [], {}
    for i, item in enumerate(lines):
        if item.order_line is not None:
            line, field = by_id.get(item.order_line), f"lines.{i}.order_line"
        else:
            line, field = by_position.get(item.position), f"lines.{i}.position"
        if line is None:
            errors[field] = [_("Order %(ref)s has no such line.") % {"ref": order.reference}]
            continue
        quantities.append(services.ShipQuantity(order_line=line, quantity=item.quantity))
    if errors:
        raise FieldErrors(errors)
    return quantities


@router.post("/outbounds", response={201: OutboundView, **ERRORS}, tags=["outbounds"])
def outbound_create(request: HttpRequest, payload: OutboundIn):
    """A draft outbound (D<id>) for what is about to leave on a released order; nothing moves yet."""
    _require_role(request, OUTBOUND_ROLES)
    if payload.kind != OutboundKind.SALE:
        raise DomainError(
            _("Only sales outbounds can be entered here: returns and bad debts come with receivables."),
            field="kind",
        )
    order = _order(request, payload.order)
    with fields_as_sent(_SENT_NAMES):
        outbound = services.outbound_create(
            order=order,
            by=request.user,
            quantities=_ship_quantities(order, payload.lines),
            notes=payload.notes,
        )
    return Status(201, _answer(request, outbound))


@router.get("/outbounds/{reference}", response={200: OutboundView, **ERRORS}, tags=["outbounds"])
def outbound_detail(request: HttpRequest, reference: str = OutboundReference):
    require(request, "customers.view_customer")
    return outbound_out(request.user, _outbound(request, reference))


@router.post("/outbounds/{reference}/post", response={200: OutboundView, **ERRORS}, tags=["outbounds"])
def outbound_post(request: HttpRequest, reference: str = OutboundReference):
    """过账: stock leaves, the receivable is raised, the order ships; once only (409 after)."""
    _require_permission(request, "warehouse.post_outbound", POSTING_ROLES)
    with fields_as_sent(_SENT_NAMES):
        outbound = services.outbound_post(outbound=_outbound(request, reference), by=request.user)
    return _answer(request, outbound)


# --- Shipments ----------------------------------------------------------------------------------


def _carrier(carrier_id: int | None) -> Carrier | None:
    carrier = Carrier.objects.filter(pk=carrier_id).first() if carrier_id else None
    if carrier_id and carrier is None:
        raise DomainError(_("No carrier with the id %(id)s.") % {"id": carrier_id}, field="carrier")
    return carrier


def _shipment(request: HttpRequest, shipment_id: int) -> Shipment:
    shipment = (
        scope_to_user(Shipment.objects.all(), request.user, "outbound__customer")
        .select_related("outbound", "carrier", "created_by")
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None:
        raise Http404(_("No such shipment."))
    return shipment


@router.post("/shipments", response={201: ShipmentView, **ERRORS}, tags=["shipments"])
def shipment_create(request: HttpRequest, payload: ShipmentIn):
    """快递记录本: how a posted outbound travelled, and the COD money and signed note due back."""
    _require_role(request, SHIPPING_ROLES)
    try:
        outbound = _outbound(request, payload.outbound)
    except Http404:
        raise DomainError(
            _("No outbound %(ref)s among yours.") % {"ref": payload.outbound}, field="outbound"
        ) from None
    fields = payload.model_dump(include={"tracking_number", "driver", "route", "cod_amount", "note_required"})
    with fields_as_sent(_SENT_NAMES):
        shipment = services.shipment_record(
            outbound=outbound,
            by=request.user,
            shipped_on=payload.shipped_on,
            carrier=_carrier(payload.carrier),
            **fields,
        )
    return Status(201, shipment_out(request.user, _shipment(request, shipment.pk)))


@router.post(
    "/shipments/{shipment_id}/cod-returned", response={200: ShipmentView, **ERRORS}, tags=["shipments"]
)
def shipment_cod_returned(request: HttpRequest, payload: ReturnedIn = None, shipment_id: int = RowId):
    """The courier paid over the cash it collected: ticked off once."""
    _require_role(request, COD_ROLES)
    shipment = _shipment(request, shipment_id)
    services.shipment_cod_returned(shipment=shipment, by=request.user, on=(payload or ReturnedIn()).on)
    return shipment_out(request.user, _shipment(request, shipment_id))


@router.post(
    "/shipments/{shipment_id}/note-returned", response={200: ShipmentView, **ERRORS}, tags=["shipments"]
)
def shipment_note_returned(request: HttpRequest, payload: ReturnedIn = None, shipment_id: int = RowId):
    """The signed delivery note came back: ticked off once."""
    _require_role(request, NOTE_ROLES)
    shipment = _shipment(request, shipment_id)
    services.shipment_note_returned(shipment=shipment, by=request.user, on=(payload or ReturnedIn()).on)
    return shipment_out(request.user, _shipment(request, shipment_id))
