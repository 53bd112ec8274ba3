"""Reads about stock, the warehouse's queue, outbounds and shipments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from salesdesk.catalog.models import Product
from salesdesk.core.roles import scope_to_user
from salesdesk.orders.models import OrderLine, OrderStatus, SalesOrder
from salesdesk.warehouse.models import (
    Outbound,
    OutboundKind,
    OutboundLine,
    OutboundStatus,
    ProductionRequest,
    ProductionStatus,
    Shipment,
)

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=3))
OPEN_ORDER_STATUSES = [OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED]


def _shipped_subquery(line_ref: str = "pk"):
    return Coalesce(
        Subquery(
            OutboundLine.objects.filter(
                order_line=OuterRef(line_ref),
                outbound__status=OutboundStatus.POSTED,
                outbound__kind=OutboundKind.SALE,
            )
            .values("order_line")
            .annotate(total=Sum("quantity"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=3),
        ),
        ZERO,
    )


def order_lines_with_shipped(order: SalesOrder) -> QuerySet[OrderLine]:
    """The order's lines, each with `shipped` (posted sales) so `quantity - shipped` is open."""
    return order.lines.select_related("product").annotate(shipped=_shipped_subquery()).order_by("position")


def reserved_by_product(
    product_ids: list[int] | None = None, *, exclude_order: SalesOrder | None = None
) -> dict[int, Decimal]:
    """What released orders still owe per product: reserved stock."""
    lines = OrderLine.objects.filter(order__status__in=OPEN_ORDER_STATUSES)
    if product_ids is not None:
        lines = lines.filter(product_id__in=product_ids)
    if exclude_order is not None:
        lines = lines.exclude(order=exclude_order)
    reserved: dict[int, Decimal] = {}
    for product_id, quantity, shipped in lines.annotate(shipped=_shipped_subquery()).values_list(
        "product_id", "quantity", "shipped"
    ):
        reserved[product_id] = reserved.get(product_id, Decimal("0")) + max(quantity - shipped, Decimal("0"))
    return reserved


@dataclass
class StockRow:
    product: Product
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def stock_rows(*, q: str = "", product_ids: list[int] | None = None) -> list[StockRow]:
    products = Product.objects.filter(active=True).select_related("stock").order_by("model_code")
    if q:
        products = products.filter(Q(model_code__icontains=q) | Q(name__icontains=q))
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
    products = list(products)
    reserved = reserved_by_product([p.pk for p in products])
    return [
        StockRow(
            p, getattr(getattr(p, "stock", None), "on_hand", Decimal("0")), reserved.get(p.pk, Decimal("0"))
        )
        for p in products
    ]


def available_for(product_ids: list[int], *, exclude_order: SalesOrder | None = None) -> dict[int, Decimal]:
    on_hand = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "stock__on_hand"))
    reserved = reserved_by_product(product_ids, exclude_order=exclude_order)
    return {pk: (on_hand.get(pk) or Decimal("0")) - reserved.get(pk, Decimal("0")) for pk in product_ids}


def warehouse_queue(*, user, day: dt.date | None = None) -> QuerySet[SalesOrder]:
    """Released orders still to ship, by ship date and slot (the warehouse's day)."""
    qs = scope_to_user(SalesOrder.objects.filter(status__in=OPEN_ORDER_STATUSES), user, "customer")
    if day is not None:
        qs = qs.filter(ship_date__lte=day)
    return (
        qs.select_related("customer", "carrier")
        .prefetch_related("lines__product")
        .order_by("ship_date", "ship_slot", "registered_at")
    )


def outbound_list(*, user, day: dt.date | None = None, kind: str = "") -> QuerySet[Outbound]:
    qs = scope_to_user(Outbound.objects.all(), user, "customer")
    if day is not None:
        qs = qs.filter(posting_date=day)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("customer", "order", "posted_by").order_by("-posted_at", "-id")


def outbound_get_for_user(*, user, reference: str) -> Outbound:
    qs = scope_to_user(Outbound.objects.all(), user, "customer").select_related(
        "customer", "order", "posted_by"
    )
    reference = (reference or "").strip()
    if reference[:1] in {"D", "d"} and reference[1:].isascii() and reference[1:].isdigit():
        outbound = qs.filter(pk=int(reference[1:]), number__isnull=True).first()
    else:
        outbound = qs.filter(number=reference).first()
    if outbound is None:
        raise Http404(_("No such outbound."))
    return outbound


def production_requests(*, open_only: bool = True) -> QuerySet[ProductionRequest]:
    qs = ProductionRequest.objects.select_related("product").prefetch_related(
        "demands__order_line__order__customer"
    )
    if open_only:
        qs = qs.filter(status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED])
    return qs.order_by("needed_by", "id")


def shipments_for_order(order: SalesOrder) -> QuerySet[Shipment]:
    return (
        Shipment.objects.filter(outbound__order=order, outbound__status=OutboundStatus.POSTED)
        .select_related("carrier", "outbound")
        .order_by("shipped_on", "id")
    )
