"""Clerks posting at the same moment, in real threads on separate connections: stock moves
once per piece of goods, never twice, never below zero.

Runs on SQLite (IMMEDIATE transactions queue the writers) and on PostgreSQL (row locks).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesdesk.core.errors import Conflict, DomainError, FieldErrors
from salesdesk.orders import services as order_services
from salesdesk.orders.models import OrderStatus, SalesOrder
from salesdesk.warehouse import services
from salesdesk.warehouse.models import Outbound, OutboundStatus, StockLevel, StockMove
from salesdesk.warehouse.selectors import order_lines_with_shipped
from tests.core.test_concurrency import race
from tests.warehouse.conftest import released

pytestmark = pytest.mark.django_db(transaction=True)


def quantities(order, wanted: dict[str, str]) -> list[services.ShipQuantity]:
    return [
        services.ShipQuantity(order_line=line, quantity=Decimal(wanted[line.product.model_code]))
        for line in order_lines_with_shipped(order)
        if wanted.get(line.product.model_code, "0") != "0"
    ]


def post(order, by, wanted: dict[str, str], seen: int | None = None):
    fresh = SalesOrder.objects.get(pk=order.pk)  # each clerk has the order from their own page
    return services.outbound_ship(order=fresh, by=by, quantities=quantities(fresh, wanted), seen_posted=seen)


def outcome(results) -> tuple[list[Outbound], list[DomainError]]:
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert unexpected == [], unexpected
    return (
        [r for r in results if isinstance(r, Outbound)],
        [r for r in results if isinstance(r, DomainError)],
    )


def on_hand(product) -> Decimal:
    return StockLevel.objects.get(product=product).on_hand


def test_two_clerks_posting_the_whole_order_at_once_ship_it_once(
    draft, stocked, assistant, warehouse, manager
):
    # given a released order and two clerks on its shipping page
    order = released(draft, assistant)
    clerks = [warehouse, manager]

    # when both press Post at the same moment
    results = race(lambda i: post(order, clerks[i], {"A-101": "20", "B-220": "5"}), threads=2)

    # then one outbound is posted and the other clerk is told the order has shipped
    posted, refused = outcome(results)
    assert len(posted) == 1 and len(refused) == 1
    assert isinstance(refused[0], Conflict) and refused[0].code == "already_shipped"
    red, wall = stocked
    assert (on_hand(red), on_hand(wall)) == (Decimal("80"), Decimal("95"))
    assert StockMove.objects.filter(kind="sale_out").count() == 2  # one per line, once
    assert Outbound.objects.count() == 1  # no draft left behind by the refused clerk
    assert SalesOrder.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_many_part_posts_at_once_never_ship_more_than_was_ordered(draft, stocked, assistant, warehouse):
    # given an order that ships in parts: 20 of A-101 open
    order = released(draft, assistant, ship_in_parts=True)

    # when 8 clerks each post 5 of A-101 at the same moment, from pages that did not check
    results = race(lambda i: post(order, warehouse, {"A-101": "5"}))

    # then exactly four fit; the others are told only 0 is left; stock moved by 20, once each
    posted, refused = outcome(results)
    assert (len(posted), len(refused)) == (4, 4), [str(r.message) for r in refused]
    assert all(isinstance(r, FieldErrors) for r in refused)
    assert on_hand(stocked[0]) == Decimal("80")
    assert sum(m.quantity for m in StockMove.objects.filter(kind="sale_out")) == Decimal("-20")
    numbers = [o.number for o in posted]
    assert len(set(numbers)) == 4 and Outbound.objects.filter(status=OutboundStatus.POSTED).count() == 4
    assert SalesOrder.objects.get(pk=order.pk).status == OrderStatus.PARTLY_SHIPPED


def test_pages_drawn_at_the_same_moment_post_once_even_for_part_quantities(
    draft, stocked, assistant, warehouse, manager
):
    # given two clerks who opened the shipping page before anything was posted
    order = released(draft, assistant, ship_in_parts=True)
    clerks = [warehouse, manager]

    # when both post the same part shipment (the same goods on the same cart) at once
    results = race(lambda i: post(order, clerks[i], {"A-101": "8"}, seen=0), threads=2)

    # then the second is told a colleague posted meanwhile, and the goods leave stock once
    posted, refused = outcome(results)
    assert len(posted) == 1 and len(refused) == 1 and refused[0].code == "changed_meanwhile"
    assert on_hand(stocked[0]) == Decimal("92")


def test_two_orders_racing_for_the_last_units_never_take_stock_below_zero(
    customer, product, assistant, warehouse, manager
):
    # given 10 on hand and two released orders wanting 10 each
    services.stock_inbound(product=product, quantity=Decimal("10"), by=warehouse)
    orders = []
    for _i in range(2):
        order = order_services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="cash",
            lines=[order_services.LineInput(product=product, quantity=Decimal("10"))],
        )
        orders.append(released(order, assistant))
    clerks = [warehouse, manager]

    # when both are posted at the same moment
    results = race(lambda i: post(orders[i], clerks[i], {"A-101": "10"}), threads=2)

    # then one ships and the other is told the stock is short; nothing is half-written
    posted, refused = outcome(results)
    assert len(posted) == 1 and len(refused) == 1 and refused[0].code == "stock_short"
    assert on_hand(product) == Decimal("0")
    assert Outbound.objects.count() == 1
    assert sum(m.quantity for m in StockMove.objects.filter(product=product)) == Decimal("0")
