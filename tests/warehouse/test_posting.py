from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from salesdesk.core import events
from salesdesk.core.errors import Conflict, FieldErrors
from salesdesk.orders.models import OrderStatus
from salesdesk.warehouse import services
from salesdesk.warehouse.models import (
    Outbound,
    OutboundLine,
    OutboundStatus,
    ProductionRequest,
    StockLevel,
    StockMove,
)
from salesdesk.warehouse.selectors import available_for, stock_rows
from tests.warehouse.conftest import released, ship

pytestmark = pytest.mark.django_db


def on_hand(product) -> Decimal:
    return StockLevel.objects.get(product=product).on_hand


def test_posting_moves_stock_raises_the_receivable_and_ships_the_order(
    draft, stocked, assistant, warehouse, customer
):
    order = released(draft, assistant)
    outbound = ship(order, warehouse)
    order.refresh_from_db()
    red, wall = stocked
    assert (on_hand(red), on_hand(wall)) == (Decimal("80"), Decimal("95"))
    assert outbound.status == OutboundStatus.POSTED and outbound.number.startswith("CK")
    assert outbound.amount == Decimal("8211.00")
    assert outbound.due_date == outbound.posting_date  # a cash customer: due on the day
    assert order.status == OrderStatus.SHIPPED
    assert sum(m.quantity for m in StockMove.objects.filter(product=red)) == on_hand(red)


def test_released_orders_reserve_stock_until_they_ship(draft, stocked, assistant, warehouse):
    red, _wall = stocked
    order = released(draft, assistant)
    row = next(r for r in stock_rows() if r.product == red)
    assert (row.on_hand, row.reserved, row.available) == (Decimal("100"), Decimal("20"), Decimal("80"))
    ship(order, warehouse)
    row = next(r for r in stock_rows() if r.product == red)
    assert (row.on_hand, row.reserved, row.available) == (Decimal("80"), Decimal("0"), Decimal("80"))


def test_a_part_shipment_leaves_the_rest_of_each_line_reserved(draft, stocked, assistant, warehouse):
    red, wall = stocked
    order = released(draft, assistant, ship_in_parts=True)
    ship(order, warehouse, {"A-101": "8", "B-220": "0"})
    rows = {row.product: row for row in stock_rows()}
    assert (rows[red].on_hand, rows[red].reserved, rows[red].available) == (
        Decimal("92"),
        Decimal("12"),
        Decimal("80"),
    )
    assert (rows[wall].on_hand, rows[wall].reserved) == (Decimal("100"), Decimal("5"))
    # The review of the order itself counts what the others leave, not what it reserves itself.
    assert available_for([red.pk, wall.pk], exclude_order=order) == {
        red.pk: Decimal("92"),
        wall.pk: Decimal("100"),
    }
    assert available_for([red.pk, wall.pk]) == {red.pk: Decimal("80"), wall.pk: Decimal("95")}


def test_posting_twice_is_refused_and_moves_stock_once(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    outbound = ship(order, warehouse)
    with pytest.raises(Conflict):
        services.outbound_post(outbound=outbound, by=warehouse)
    assert on_hand(stocked[0]) == Decimal("80")


def test_a_part_shipment_needs_the_ship_in_parts_choice(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    with pytest.raises(Conflict) as error:
        ship(order, warehouse, {"A-101": "5", "B-220": "0"})
    assert error.value.code == "not_in_parts"
    assert on_hand(stocked[0]) == Decimal("100")


def test_an_order_shipped_in_two_parts_ends_shipped(draft, stocked, assistant, warehouse):
    order = released(draft, assistant, ship_in_parts=True)
    ship(order, warehouse, {"A-101": "5", "B-220": "5"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    ship(order, warehouse, {"A-101": "15", "B-220": "0"})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_shipping_more_than_is_open_is_refused(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    with pytest.raises(FieldErrors):
        ship(order, warehouse, {"A-101": "21", "B-220": "5"})
    assert Outbound.objects.filter(status=OutboundStatus.POSTED).count() == 0


def test_stock_never_goes_below_zero(draft, product, other_product, assistant, warehouse):
    services.stock_inbound(product=product, quantity=Decimal("3"), by=warehouse)
    services.stock_inbound(product=other_product, quantity=Decimal("10"), by=warehouse)
    order = released(draft, assistant)
    with pytest.raises(Conflict) as error:
        ship(order, warehouse)
    assert error.value.code == "stock_short" and "A-101" in str(error.value.message)
    assert on_hand(product) == Decimal("3") and not StockMove.objects.filter(kind="sale_out").exists()


def test_the_database_refuses_negative_stock_even_behind_the_services_back(product, warehouse):
    services.stock_inbound(product=product, quantity=Decimal("1"), by=warehouse)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product).update(on_hand=Decimal("-1"))


def test_a_posted_outbound_refuses_every_change(draft, stocked, assistant, warehouse):
    outbound = ship(released(draft, assistant), warehouse)
    outbound = Outbound.objects.get(pk=outbound.pk)
    outbound.notes = "changed"
    with pytest.raises(PermissionError):
        outbound.save()
    with pytest.raises(PermissionError):
        outbound.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Outbound.objects.filter(pk=outbound.pk).update(amount=Decimal("1"))
    with pytest.raises(DatabaseError), transaction.atomic():
        OutboundLine.objects.filter(outbound=outbound).update(quantity=Decimal("1"))
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMove.objects.filter(outbound=outbound).update(quantity=Decimal("-1"))
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Outbound.objects.filter(pk=outbound.pk).delete()
    assert Outbound.objects.get(pk=outbound.pk).amount == Decimal("8211.00")


def test_posting_calls_every_subscriber_inside_the_transaction(draft, stocked, assistant, warehouse):
    seen = []

    def boom(*, outbound, by, lines=None):
        seen.append(outbound.number)
        raise RuntimeError("a later app failed")

    events.subscribe(events.OUTBOUND_POSTED, boom)
    try:
        order = released(draft, assistant)
        with pytest.raises(RuntimeError):
            ship(order, warehouse)
    finally:
        events._SUBSCRIBERS[events.OUTBOUND_POSTED].remove(boom)
    assert len(seen) == 1
    assert not Outbound.objects.filter(status=OutboundStatus.POSTED).exists()  # all or nothing
    assert on_hand(stocked[0]) == Decimal("100")


def test_a_shortfall_at_registration_asks_production_for_the_rest(
    draft, product, other_product, assistant, warehouse
):
    services.stock_inbound(product=product, quantity=Decimal("12"), by=warehouse)
    services.stock_inbound(product=other_product, quantity=Decimal("10"), by=warehouse)
    order = released(draft, assistant)
    check = order.checks.get(code="stock")
    assert check.result == "passed" and "A-101 8" in check.reason
    request = ProductionRequest.objects.get()
    assert (request.product, request.quantity) == (product, Decimal("8"))


def test_shortfalls_of_two_orders_add_to_one_production_request(
    draft, customer, product, other_product, assistant, warehouse
):
    from salesdesk.orders import services as order_services

    services.stock_inbound(product=product, quantity=Decimal("12"), by=warehouse)
    services.stock_inbound(product=other_product, quantity=Decimal("10"), by=warehouse)
    released(draft, assistant)
    second = order_services.order_create(
        by=assistant,
        customer=customer,
        channel="phone",
        ship_method="pickup",
        collection_method="cash",
        lines=[order_services.LineInput(product=product, quantity=Decimal("10"))],
    )
    order_services.order_register(order=second, by=assistant)
    request = ProductionRequest.objects.get()
    assert request.quantity == Decimal("18")
    assert request.demands.count() == 2


def test_a_review_that_lost_the_race_for_a_request_since_withdrawn_opens_its_own(
    draft, product, other_product, assistant, warehouse, monkeypatch
):
    """Another review opened the product's request first (the insert fails), and that request
    was gone again when this one looked for it: it tries once more, and opens its own."""
    from salesdesk.orders import services as order_services

    services.stock_inbound(product=other_product, quantity=Decimal("10"), by=warehouse)
    create, lost = ProductionRequest.objects.create, []

    def first_lost(**fields):
        if not lost:
            lost.append(fields["product"])
            raise IntegrityError("one_open_request_per_product")
        return create(**fields)

    monkeypatch.setattr(ProductionRequest.objects, "create", first_lost)
    order = order_services.order_register(order=draft, by=assistant)
    assert lost == [product] and order.status == OrderStatus.REGISTERED
    request = ProductionRequest.objects.get()
    assert (request.product, request.quantity) == (product, Decimal("20"))


def test_a_review_that_never_finds_nor_opens_a_request_is_refused_and_changes_nothing(
    draft, product, other_product, assistant, warehouse, monkeypatch
):
    from salesdesk.orders import services as order_services

    services.stock_inbound(product=other_product, quantity=Decimal("10"), by=warehouse)

    def always_lost(**fields):
        raise IntegrityError("one_open_request_per_product")

    monkeypatch.setattr(ProductionRequest.objects, "create", always_lost)
    with pytest.raises(Conflict, match="A-101"):
        order_services.order_register(order=draft, by=assistant)
    draft.refresh_from_db()
    assert draft.status == OrderStatus.DRAFT and not draft.number
    assert not ProductionRequest.objects.exists()
