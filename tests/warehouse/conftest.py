from __future__ import annotations

from decimal import Decimal

import pytest

from salesdesk.orders import services as order_services
from salesdesk.warehouse import services
from tests.orders.conftest import carrier, customer, draft, other_product, product  # noqa: F401  (shared fixtures)


@pytest.fixture
def stocked(product, other_product, warehouse):  # noqa: F811  (fixtures imported above)
    services.stock_inbound(product=product, quantity=Decimal("100"), by=warehouse)
    services.stock_inbound(product=other_product, quantity=Decimal("100"), by=warehouse)
    return product, other_product


def released(order, by, *, ship_in_parts: bool = False):
    order = order_services.order_register(order=order, by=by)
    if ship_in_parts:
        order = order_services.order_set_ship_in_parts(order=order, by=by, ship_in_parts=True)
    return order_services.order_release(order=order, by=by)


def ship(order, by, quantities: dict[str, str] | None = None):
    """Post an outbound for `quantities` by model code (all that is open when None)."""
    from salesdesk.warehouse.selectors import order_lines_with_shipped

    lines = []
    for line in order_lines_with_shipped(order):
        wanted = Decimal(quantities[line.product.model_code]) if quantities else line.quantity - line.shipped
        if wanted:
            lines.append(services.ShipQuantity(order_line=line, quantity=wanted))
    outbound = services.outbound_create(order=order, by=by, quantities=lines)
    return services.outbound_post(outbound=outbound, by=by)
