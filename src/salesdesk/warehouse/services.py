"""Writes of the warehouse: stock moves, production requests, outbounds and their posting,
shipments with cash on delivery and signed notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.catalog.models import Carrier, CarrierStatus, Product
from salesdesk.core import events
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.core.money import MAX_QUANTITY, line_amount, quantity_text, too_large, total
from salesdesk.core.numbering import next_value
from salesdesk.core.roles import Role, role_of
from salesdesk.core.workflow import transition
from salesdesk.orders.models import OrderLine, OrderStatus, SalesOrder
from salesdesk.warehouse.models import (
    MoveKind,
    Outbound,
    OutboundKind,
    OutboundLine,
    OutboundStatus,
    ProductionDemand,
    ProductionRequest,
    ProductionStatus,
    Shipment,
    StockLevel,
    StockMove,
)
from salesdesk.warehouse.selectors import available_for, order_lines_with_shipped

name_events(
    {
        "stock.inbound": gettext_lazy("Stock received"),
        "stock.adjusted": gettext_lazy("Stock count adjusted"),
        "production.requested": gettext_lazy("Production requested"),
        "production.confirmed": gettext_lazy("Production date confirmed"),
        "outbound.posted": gettext_lazy("Outbound posted"),
        "shipment.recorded": gettext_lazy("Shipment recorded"),
        "shipment.cod_returned": gettext_lazy("COD money returned"),
        "shipment.note_returned": gettext_lazy("Signed note returned"),
    }
)


MAX_ON_HAND = Decimal("99999999999.999")  # what a quantity column (14 digits, 3 places) holds


def _move(
    *, product: Product, delta: Decimal, kind: str, by, reason: str = "", outbound=None, request=None
) -> StockLevel:
    """Change on-hand by `delta` and write the move, in the caller's transaction."""
    return _moves(
        [(product, delta, None)], kind=kind, by=by, reason=reason, outbound=outbound, request=request
    )[0]


def _moves(items, *, kind: str, by, reason: str = "", outbound=None, request=None) -> list[StockLevel]:
    """Change on-hand of each (product, delta, field) and write the moves, in the caller's transaction.

    The stock rows are locked first, in product order, so two clerks taking the last units queue
    (and cannot deadlock); the one who comes second finds too little and is told so, on `field`.
    The CHECK constraint backs this up.
    """
    ids = sorted({product.pk for product, _delta, _field in items})
    levels = {
        level.product_id: level
        for level in StockLevel.objects.select_for_update().filter(product_id__in=ids).order_by("product_id")
    }
    for product_id in ids:
        if product_id not in levels:
            StockLevel.objects.get_or_create(product_id=product_id)
            levels[product_id] = StockLevel.objects.select_for_update().get(product_id=product_id)
    for product, delta, field in items:
        level = levels[product.pk]
        if level.on_hand + delta > MAX_ON_HAND:
            raise DomainError(
                _("More than %(max)s on hand cannot be recorded; check the quantity.")
                % {"max": quantity_text(MAX_ON_HAND)},
                field="quantity",
            )
        if level.on_hand + delta < 0:
            raise Conflict(
                _("Only %(have)s %(unit)s of %(code)s on hand; %(want)s wanted.")
                % {
                    "have": quantity_text(level.on_hand),
                    "unit": product.unit,
                    "code": product.model_code,
                    "want": quantity_text(-delta),
                },
                code="stock_short",
                field=field or "quantity",
            )
        level.on_hand += delta
    StockLevel.objects.bulk_update(levels.values(), ["on_hand"])  # one statement for all products
    StockMove.objects.bulk_create(
        StockMove(
            product=product,
            quantity=delta,
            kind=kind,
            by=by,
            reason=reason[:200],
            outbound=outbound,
            production_request=request,
        )
        for product, delta, _field in items
    )
    return [levels[product.pk] for product, _delta, _field in items]


def move_stock_for(outbound: Outbound, by) -> None:
    """The stock moves of an outbound posted outside the shipping page: a return comes back in,
    the new goods of an exchange go out. Runs in the caller's transaction; shortfalls name the line."""
    kind = MoveKind.RETURN_IN if outbound.kind == OutboundKind.RETURN else MoveKind.SALE_OUT
    lines = list(outbound.lines.select_related("product").order_by("id"))
    items = [
        (
            line.product,
            line.quantity if kind == MoveKind.RETURN_IN else -line.quantity,
            f"lines[{n}].quantity",
        )
        for n, line in sorted(enumerate(lines), key=lambda pair: (pair[1].product_id, pair[1].pk))
    ]
    _moves(items, kind=kind, by=by, outbound=outbound)


@transaction.atomic
def stock_inbound(
    *, product: Product, quantity: Decimal, by, request: ProductionRequest | None = None, reason: str = ""
) -> StockLevel:
    """Goods in from production (生产入库)."""
    if quantity <= 0:
        raise DomainError(_("The quantity must be more than 0."), field="quantity")
    open_statuses = [ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED]
    if request is not None:
        request = ProductionRequest.objects.select_for_update().get(pk=request.pk)
        if request.product_id != product.pk:
            raise DomainError(_("This production request is for another product."), field="request")
        if request.status not in open_statuses:
            raise Conflict(_("This production request is already closed."), field="request")
    else:
        # Goods of a product that orders wait for fulfil its open request, named or not.
        request = (
            ProductionRequest.objects.select_for_update()
            .filter(product=product, status__in=open_statuses)
            .first()
        )
    level = _move(
        product=product, delta=quantity, kind=MoveKind.PRODUCTION_IN, by=by, reason=reason, request=request
    )
    if request is not None:
        received = sum((m.quantity for m in request.moves.all()), Decimal("0"))
        if received >= request.quantity and request.status in {
            ProductionStatus.REQUESTED,
            ProductionStatus.CONFIRMED,
        }:
            transition(request, to=ProductionStatus.DONE, by=by)
    record_event(
        "stock.inbound", by=by, obj=product, summary=f"{product.model_code} +{quantity_text(quantity)}"
    )
    return level


@transaction.atomic
def stock_adjust(*, product: Product, counted: Decimal, by, reason: str) -> StockLevel:
    """Set on-hand to what was counted, recording the difference and why."""
    if counted < 0:
        raise DomainError(_("A count cannot be negative."), field="counted")
    if not reason.strip():
        raise DomainError(_("Say why the count differs."), field="reason")
    StockLevel.objects.get_or_create(product=product)
    current = StockLevel.objects.select_for_update().get(product=product).on_hand
    if counted == current:
        raise DomainError(_("The count equals the stock on hand; nothing to adjust."), field="counted")
    level = _move(
        product=product, delta=counted - current, kind=MoveKind.ADJUSTMENT, by=by, reason=reason.strip()
    )
    record_event(
        "stock.adjusted",
        by=by,
        obj=product,
        summary=f"{product.model_code} {quantity_text(current)}→{quantity_text(counted)}: {reason[:100]}",
    )
    return level


def request_production_for(order: SalesOrder, by) -> list[tuple[OrderLine, Decimal]]:
    """Review check 6: add what stock cannot cover to each product's open production request.

    Idempotent: reviewing the same order again sets its demands to the current shortfall.
    """
    lines = list(order.lines.all())  # with their products: prefetched by the review
    available = available_for([line.product_id for line in lines], exclude_order=order)
    # The order's open demands in one read, not one per line. A draft being registered has never
    # been reviewed, so it has none to read.
    demands = (
        {}
        if order.status == OrderStatus.DRAFT
        else {
            demand.order_line_id: demand
            for demand in ProductionDemand.objects.filter(
                order_line__order=order, request__status__in=["requested", "confirmed"]
            ).order_by("-id")
        }
    )
    short = []
    for line in lines:
        have = max(available.get(line.product_id, Decimal("0")), Decimal("0"))
        take = min(have, line.quantity)
        available[line.product_id] = have - take
        missing = line.quantity - take
        demand = demands.get(line.pk)
        if missing <= 0:
            if demand is not None:
                demand.delete()
                _recount(demand.request)
            continue
        short.append((line, missing))
        request = _open_request(line, by)
        ProductionDemand.objects.update_or_create(
            request=request, order_line=line, defaults={"quantity": missing}
        )
        _recount(request)
    return short


def _open_request(line: OrderLine, by) -> ProductionRequest:
    needed_by = line.requested_date or timezone.localdate() + dt.timedelta(days=3)
    open_one = ProductionRequest.objects.select_for_update().filter(
        product=line.product, status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED]
    )
    # Two reviews short of the same product may both find none open. The database keeps one open
    # request a product: the second's insert fails, and it adds to the first's. That one may be gone
    # again by then (its order cancelled, its demand recounted to nothing): then look once more.
    for _attempt in range(3):
        request = open_one.first()
        if request is not None:
            break
        try:
            with transaction.atomic():  # a savepoint: the failed insert leaves the review intact
                request = ProductionRequest.objects.create(
                    product=line.product, quantity=Decimal("0.001"), needed_by=needed_by
                )
        except IntegrityError:
            continue
        record_event("production.requested", by=by, obj=request, summary=line.product.model_code)
        return request
    else:
        raise Conflict(
            _("Production requests for %(p)s are changing right now; try again.")
            % {"p": line.product.model_code}
        )
    if needed_by < request.needed_by:
        request.needed_by = needed_by
        request.save(update_fields=["needed_by"])
    return request


def recount_open_requests() -> None:
    for request in ProductionRequest.objects.filter(
        status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED]
    ):
        _recount(request)


def _recount(request: ProductionRequest) -> None:
    demanded = request.demands.aggregate(total=Sum("quantity"))["total"] or Decimal("0")
    if too_large(demanded, MAX_QUANTITY):
        raise DomainError(
            _("The orders waiting for %(p)s want more than one production request holds.")
            % {"p": request.product.model_code},
            field="lines",
        )
    if demanded > 0:
        ProductionRequest.objects.filter(pk=request.pk).update(quantity=demanded)
    elif request.status == ProductionStatus.REQUESTED and not request.moves.exists():
        request.delete()


@transaction.atomic
def production_confirm(*, request: ProductionRequest, by, date: dt.date, note: str = "") -> ProductionRequest:
    """Production gives the date the goods will be ready; orders and tracking show it."""
    if role_of(by) not in {Role.MANAGER, Role.WAREHOUSE, Role.ASSISTANT}:
        raise NotAllowed(_("Only the warehouse, an assistant or a manager records production dates."))
    request = ProductionRequest.objects.select_for_update().get(pk=request.pk)
    if date < timezone.localdate():
        raise DomainError(_("The production date cannot be in the past."), field="date")
    request.confirmed_date, request.confirmed_by, request.note = date, by, note.strip()[:200]
    transition(request, to=ProductionStatus.CONFIRMED, by=by, note=f"{date}")
    record_event("production.confirmed", by=by, obj=request, summary=f"{request.product.model_code} {date}")
    return request


@dataclass
class ShipQuantity:
    order_line: OrderLine
    quantity: Decimal


@transaction.atomic
def outbound_create(*, order: SalesOrder, by, quantities: list[ShipQuantity], notes: str = "") -> Outbound:
    """A draft outbound for what is about to leave; it changes nothing until posted."""
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
    lines, _positions, _everything = _lines_to_ship(order, quantities)
    return _save_draft(order, lines, by, notes)


def _save_draft(order: SalesOrder, lines: list[OutboundLine], by, notes: str) -> Outbound:
    outbound = Outbound.objects.create(
        kind=OutboundKind.SALE, order=order, customer=order.customer, created_by=by, notes=notes[:500]
    )
    for line in lines:
        line.outbound = outbound
    OutboundLine.objects.bulk_create(lines)
    return outbound


def _lines_to_ship(
    order: SalesOrder, quantities: list[ShipQuantity]
) -> tuple[list[OutboundLine], list[int], bool]:
    """The outbound lines (unsaved) for what the clerk entered, checked against what is still open.

    Returns the lines, the position each had on the clerk's page (so an error names the line
    they see), and whether everything open now ships.
    """
    if order.status not in {OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED}:
        raise Conflict(_("Only an order released to the warehouse can ship."), code="not_released")
    wanted = [(i, q) for i, q in enumerate(quantities) if q.quantity]
    if not wanted:
        raise DomainError(_("Enter the quantity that leaves for at least one line."), field="lines")
    order_lines = {line.pk: line for line in order_lines_with_shipped(order)}
    errors, lines = {}, []
    for i, item in wanted:
        order_line = order_lines.get(item.order_line.pk)
        if order_line is None or item.order_line.order_id != order.pk:
            raise DomainError(_("That line belongs to another order."), field=f"lines[{i}]")
        if item.quantity < 0:
            errors[f"lines[{i}].quantity"] = [_("The quantity cannot be negative.")]
            continue
        lines.append(
            OutboundLine(
                order_line=order_line,
                product=order_line.product,
                quantity=item.quantity,
                unit_price=order_line.unit_price,
                amount=line_amount(item.quantity, order_line.unit_price),
            )
        )
    if errors:
        raise FieldErrors(errors)
    positions = [i for i, _item in wanted]
    everything = _check_quantities(order_lines.values(), lines, positions)
    return lines, positions, everything


def _check_quantities(order_lines, lines: list[OutboundLine], positions: list[int]) -> bool:
    """Refuse shipping more than is open; say whether everything open now ships.

    `order_lines` carry `shipped` (order_lines_with_shipped); `positions` maps each outbound line
    back to the line the person entered.
    """
    open_by_line = {line.pk: line.quantity - line.shipped for line in order_lines}
    errors = {}
    for line, i in zip(lines, positions, strict=True):
        remaining = open_by_line.get(line.order_line_id, Decimal("0"))
        if line.quantity > remaining:
            errors[f"lines[{i}].quantity"] = [
                _("Only %(n)s of %(code)s is still to ship.")
                % {"n": quantity_text(remaining), "code": line.product.model_code}
            ]
        open_by_line[line.order_line_id] = remaining - line.quantity
    if errors:
        raise FieldErrors(errors)
    return all(left <= 0 for left in open_by_line.values())


@transaction.atomic
def outbound_post(*, outbound: Outbound, by) -> Outbound:
    """过账: the one event that moves stock out, raises the receivable and accrues commission.

    Locks in one order — order, outbound, stock rows by product — so concurrent posts queue.
    """
    if outbound.kind != OutboundKind.SALE or outbound.order_id is None:
        # Returns and write-offs are posted by their own services, with their own rules.
        raise DomainError(_("Only a sale of an order is posted here."), field="outbound")
    order = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=outbound.order_id)
    )
    outbound = Outbound.objects.select_for_update().get(pk=outbound.pk)
    if outbound.status == OutboundStatus.POSTED:
        raise Conflict(_("Outbound %(n)s is already posted.") % {"n": outbound.number}, code="already_posted")
    if order.status not in {OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED}:
        raise Conflict(_("Only an order released to the warehouse can ship."), code="not_released")
    outbound.order, outbound.customer = order, order.customer
    lines = list(outbound.lines.select_related("product").order_by("id"))
    if not lines:
        raise DomainError(_("The outbound has no lines."), field="lines")
    positions = list(range(len(lines)))
    everything = _check_quantities(order_lines_with_shipped(order), lines, positions)
    return _post(order, outbound, lines, positions, everything, by)


def _post(
    order: SalesOrder,
    outbound: Outbound,
    lines: list[OutboundLine],
    positions: list[int],
    everything: bool,
    by,
) -> Outbound:
    """Post the draft `outbound` with its `lines`: stock out, number, receivable, the order's state,
    and the apps that react to a posting — in the caller's transaction."""
    if not everything and not order.ship_in_parts:
        raise Conflict(
            _("Order %(n)s waits to ship complete. Tick “ship in parts” on the order to send part now.")
            % {"n": order.number},
            code="not_in_parts",
        )
    today = timezone.localdate()
    outbound.number = f"CK{today.year}-{next_value(f'outbound:{today.year}'):05d}"
    outbound.status = OutboundStatus.POSTED
    outbound.posting_date, outbound.posted_at, outbound.posted_by = today, timezone.now(), by
    outbound.amount = total(line.amount for line in lines)
    outbound.due_date = today + dt.timedelta(days=order.customer.credit_days)
    outbound.save(
        update_fields=["number", "status", "posting_date", "posted_at", "posted_by", "amount", "due_date"]
    )
    # Stock rows are locked in product order (see _moves); an error names the clerk's line.
    _moves(
        [
            (line.product, -line.quantity, f"lines[{i}].quantity")
            for line, i in sorted(zip(lines, positions, strict=True), key=lambda pair: pair[0].product_id)
        ],
        kind=MoveKind.SALE_OUT,
        by=by,
        outbound=outbound,
    )
    status = OrderStatus.SHIPPED if everything else OrderStatus.PARTLY_SHIPPED
    # A third part leaves the order partly shipped, as it was: no transition to make.
    if order.status != status:
        transition(order, to=status, by=by, note=outbound.number, changed=())
    events.emit(events.OUTBOUND_POSTED, outbound=outbound, lines=lines, by=by)
    record_event("outbound.posted", by=by, obj=order, summary=outbound.number)
    return outbound


@transaction.atomic
def outbound_ship(
    *,
    order: SalesOrder,
    by,
    quantities: list[ShipQuantity],
    notes: str = "",
    seen_posted: int | None = None,
) -> Outbound:
    """The shipping page's one button: the outbound is created and posted together, or not at all.

    `seen_posted` is how many outbounds the order had when the clerk's page was drawn. If a
    colleague posted in between, the quantities on that page are stale: refuse rather than
    send the same goods twice.
    """
    if not by.has_perm("warehouse.post_outbound"):
        raise NotAllowed(_("Only the warehouse or a manager posts outbounds."))
    # The order row first, as outbound_post locks it: a second clerk waits here, then sees the result.
    locked = SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
    if locked.status in {OrderStatus.SHIPPED, OrderStatus.CLOSED}:
        raise Conflict(
            _("Order %(n)s has already shipped in full; nothing is left to post.") % {"n": locked.number},
            code="already_shipped",
        )
    if seen_posted is not None:
        posted = Outbound.objects.filter(
            order=locked, kind=OutboundKind.SALE, status=OutboundStatus.POSTED
        ).count()
        if posted != seen_posted:
            raise Conflict(
                _(
                    "A colleague posted an outbound for order %(n)s meanwhile. "
                    "Check what is still open, then post again."
                )
                % {"n": locked.number},
                code="changed_meanwhile",
            )
    lines, positions, everything = _lines_to_ship(locked, quantities)
    # Saved as a draft (the database refuses lines added to a posted document) and posted at once,
    # from what was just read: nothing is read back.
    return _post(locked, _save_draft(locked, lines, by, notes), lines, positions, everything, by)


def _due(carrier: Carrier | None, day: dt.date) -> dt.date:
    days = carrier.return_deadline_days if carrier is not None else 7
    return day + dt.timedelta(days=days)


@transaction.atomic
def shipment_record(
    *,
    outbound: Outbound,
    by,
    shipped_on: dt.date,
    carrier: Carrier | None = None,
    tracking_number: str = "",
    driver: str = "",
    route: str = "",
    cod_amount: Decimal = Decimal("0"),
    note_required: bool = False,
) -> Shipment:
    """快递记录本: how a posted outbound travelled, and what must come back by when."""
    outbound = Outbound.objects.select_for_update().get(pk=outbound.pk)
    if outbound.status != OutboundStatus.POSTED:
        raise Conflict(_("Post the outbound before recording its shipment."), code="not_posted")
    if outbound.kind != OutboundKind.SALE:
        raise DomainError(_("Only goods that leave are shipped."), field="outbound")
    if carrier is not None:
        # Re-read under lock: a carrier suspended a moment ago must not be chosen.
        carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
    if carrier is not None and carrier.status != CarrierStatus.ACTIVE:
        raise DomainError(
            _("Carrier %(n)s is suspended and cannot be chosen.") % {"n": carrier.name}, field="carrier"
        )
    if carrier is None and not driver.strip():
        raise DomainError(_("Give the carrier, or the driver for our own delivery."), field="carrier")
    if cod_amount < 0:
        raise DomainError(_("The COD amount cannot be negative."), field="cod_amount")
    if cod_amount > 0 and carrier is not None and not carrier.can_collect_cod:
        raise DomainError(
            _("%(n)s does not collect cash on delivery.") % {"n": carrier.name}, field="cod_amount"
        )
    if note_required and carrier is not None and not carrier.can_return_notes:
        raise DomainError(
            _("%(n)s does not return signed notes.") % {"n": carrier.name}, field="note_required"
        )
    today = timezone.localdate()
    if not today - dt.timedelta(days=366) <= shipped_on <= today + dt.timedelta(days=31):
        raise DomainError(
            _("The shipping date must lie within the last year and the next month."), field="shipped_on"
        )
    collected = outbound.shipments.aggregate(total=Sum("cod_amount"))["total"] or Decimal("0")
    if cod_amount > outbound.amount - collected:
        raise DomainError(
            _("Cash on delivery of at most %(max)s is left to collect for this outbound.")
            % {"max": outbound.amount - collected},
            field="cod_amount",
        )
    shipment = Shipment.objects.create(
        outbound=outbound,
        carrier=carrier,
        tracking_number=tracking_number.strip()[:40],
        driver=driver.strip()[:50],
        route=route.strip()[:50],
        shipped_on=shipped_on,
        cod_amount=cod_amount,
        cod_due=_due(carrier, shipped_on) if cod_amount > 0 else None,
        note_required=note_required,
        note_due=_due(carrier, shipped_on) if note_required else None,
        created_by=by,
    )
    record_event(
        "shipment.recorded",
        by=by,
        obj=outbound.order or outbound,
        summary=f"{carrier or driver} {tracking_number}",
    )
    return shipment


def _returned_on(shipment: Shipment, on: dt.date | None) -> dt.date:
    day = on or timezone.localdate()
    if day > timezone.localdate() or day < shipment.shipped_on:
        raise DomainError(_("It came back between shipping and today."), field="returned_on")
    return day


@transaction.atomic
def shipment_cod_returned(*, shipment: Shipment, by, on: dt.date | None = None) -> Shipment:
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.cod_amount <= 0:
        raise DomainError(_("This shipment has no cash on delivery."), field="cod_amount")
    if shipment.cod_returned_on is not None:
        raise Conflict(_("The COD money was already ticked off."), code="already_returned")
    shipment.cod_returned_on = _returned_on(shipment, on)
    shipment.save(update_fields=["cod_returned_on"])
    record_event("shipment.cod_returned", by=by, obj=shipment.outbound, summary=f"{shipment.cod_amount}")
    return shipment


@transaction.atomic
def shipment_note_returned(*, shipment: Shipment, by, on: dt.date | None = None) -> Shipment:
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if not shipment.note_required:
        raise DomainError(_("This shipment needs no signed note."), field="note_required")
    if shipment.note_returned_on is not None:
        raise Conflict(_("The signed note was already ticked off."), code="already_returned")
    shipment.note_returned_on = _returned_on(shipment, on)
    shipment.save(update_fields=["note_returned_on"])
    record_event("shipment.note_returned", by=by, obj=shipment.outbound)
    return shipment
