"""What the warehouse adds to orders without orders importing it: review check 6 (stock)
and the shipped/waiting part of "where is my order"."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.core import events
from salesdesk.core.money import quantity_text
from salesdesk.orders import review
from salesdesk.orders.models import OrderStatus
from salesdesk.orders.selectors import TRACKING_PROVIDERS
from salesdesk.warehouse.models import OutboundLine, OutboundStatus, ProductionDemand, Shipment
from salesdesk.warehouse.selectors import order_lines_with_shipped
from salesdesk.warehouse.services import recount_open_requests, request_production_for


def _stock(order, by) -> review.Outcome:
    """A shortfall never holds the order: it asks production for the rest and says so.

    Whether the order then ships in parts or waits is the assistant's choice with the customer.
    """
    short = request_production_for(order, by)
    if not short:
        return review.Outcome(True)
    parts = "; ".join(f"{line.product.model_code} {quantity_text(missing)}" for line, missing in short)
    how = _("ships in parts") if order.ship_in_parts else _("waits for the full quantity")
    return review.Outcome(
        True,
        _("Short of stock: %(parts)s — production requested; the order %(how)s.")
        % {"parts": parts, "how": how},
    )


def _nobody(user, order) -> bool:
    return False


review.register_check(review.Check("stock", gettext_lazy("Stock available"), _stock, _nobody))


def _tracking(order, tracking) -> None:
    shipments = (
        Shipment.objects.filter(outbound__order=order, outbound__status=OutboundStatus.POSTED)
        .select_related("carrier", "outbound")
        .prefetch_related(Prefetch("outbound__lines", OutboundLine.objects.select_related("product")))
    )
    for shipment in shipments:
        what = ", ".join(
            f"{line.product.model_code} × {quantity_text(line.quantity)}"
            for line in shipment.outbound.lines.all()
        )
        tracking.shipped.append(
            {
                "date": shipment.shipped_on,
                "what": f"{shipment.outbound.number}: {what}",
                "carrier": shipment.carrier.name
                if shipment.carrier
                else _("own delivery: %(d)s") % {"d": shipment.driver},
                "tracking": shipment.tracking_number,
            }
        )
    if order.status not in {
        OrderStatus.RELEASED,
        OrderStatus.PARTLY_SHIPPED,
        OrderStatus.REGISTERED,
        OrderStatus.ON_HOLD,
    }:
        return
    demands = {
        d.order_line_id: d
        for d in ProductionDemand.objects.filter(
            order_line__order=order, request__status__in=["requested", "confirmed"]
        ).select_related("request")
    }
    for line in order_lines_with_shipped(order):
        left = line.quantity - line.shipped
        if left <= 0:
            continue
        demand = demands.get(line.pk)
        if demand is not None:
            when = demand.request.confirmed_date
            tracking.waiting.append(
                _("%(code)s × %(n)s waits for production, ready %(when)s.")
                % {
                    "code": line.product.model_code,
                    "n": quantity_text(left),
                    "when": f"{when:%Y-%m-%d}" if when else _("date not yet confirmed"),
                }
            )
        elif order.status in {OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED}:
            tracking.waiting.append(
                _("%(code)s × %(n)s is with the warehouse to ship.")
                % {"code": line.product.model_code, "n": quantity_text(left)}
            )


TRACKING_PROVIDERS.append(_tracking)


def _order_changed(*, order, by) -> None:
    """A cancelled order needs nothing made; a changed one is reviewed again, which re-asks."""
    if order.status == OrderStatus.CANCELLED:
        ProductionDemand.objects.filter(order_line__order=order).delete()
    recount_open_requests()


events.subscribe(events.ORDER_CHANGED, _order_changed)
