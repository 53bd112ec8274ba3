from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.core.errors import Conflict, DomainError, FieldErrors
from salesdesk.warehouse import services
from salesdesk.warehouse.models import ProductionRequest, ProductionStatus, Shipment, StockLevel
from tests.warehouse.conftest import released, ship

pytestmark = pytest.mark.django_db


def test_stock_beyond_what_a_quantity_holds_is_refused_on_the_quantity(product, warehouse):
    with pytest.raises(DomainError) as error:
        services.stock_inbound(product=product, quantity=Decimal("99999999999.999") + 1, by=warehouse)
    assert error.value.field == "quantity" and not StockLevel.objects.filter(on_hand__gt=0).exists()


def test_goods_in_fulfil_the_open_production_request_of_their_product(
    draft, product, other_product, assistant, warehouse
):
    services.stock_inbound(product=other_product, quantity=Decimal("10"), by=warehouse)
    released(draft, assistant)  # A-101 is short by 20: production is asked for it
    services.stock_inbound(product=product, quantity=Decimal("20"), by=warehouse)  # no request named
    production = ProductionRequest.objects.get(product=product)
    assert production.status == ProductionStatus.DONE
    with pytest.raises(Conflict):  # a closed request takes no more goods
        services.stock_inbound(product=product, quantity=Decimal("1"), by=warehouse, request=production)


def test_an_order_short_of_stock_ships_in_two_parts_the_second_after_production(
    draft, product, other_product, assistant, warehouse
):
    from salesdesk.orders.models import OrderStatus

    services.stock_inbound(product=product, quantity=Decimal("12"), by=warehouse)
    services.stock_inbound(product=other_product, quantity=Decimal("10"), by=warehouse)
    order = released(draft, assistant, ship_in_parts=True)
    ship(order, warehouse, {"A-101": "12", "B-220": "5"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    with pytest.raises(Conflict):  # nothing left on hand for the rest
        ship(order, warehouse, {"A-101": "8", "B-220": "0"})
    services.stock_inbound(product=product, quantity=Decimal("8"), by=warehouse)
    ship(order, warehouse, {"A-101": "8", "B-220": "0"})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_a_draft_for_more_than_is_open_is_refused_naming_the_line_entered(
    draft, stocked, assistant, warehouse
):
    order = released(draft, assistant)
    lines = list(order.lines.order_by("position"))
    with pytest.raises(FieldErrors) as errors:
        services.outbound_create(
            order=order,
            by=warehouse,
            quantities=[
                services.ShipQuantity(lines[0], Decimal("0")),
                services.ShipQuantity(lines[1], Decimal("6")),
            ],
        )
    assert list(errors.value.errors) == ["lines[1].quantity"]


def test_cod_cannot_collect_more_than_the_outbound_and_returns_cannot_be_in_the_future(
    draft, stocked, assistant, warehouse, carrier
):
    outbound = ship(released(draft, assistant), warehouse)
    today = timezone.localdate()
    first = services.shipment_record(
        outbound=outbound,
        by=assistant,
        shipped_on=today,
        carrier=carrier,
        tracking_number="LHT1",
        cod_amount=Decimal("8000"),
    )
    with pytest.raises(DomainError) as error:
        services.shipment_record(
            outbound=outbound,
            by=assistant,
            shipped_on=today,
            carrier=carrier,
            tracking_number="LHT2",
            cod_amount=Decimal("211.01"),
        )
    assert error.value.field == "cod_amount" and Shipment.objects.count() == 1
    with pytest.raises(DomainError) as error:
        services.shipment_cod_returned(shipment=first, by=assistant, on=today + dt.timedelta(days=1))
    assert error.value.field == "returned_on"
