"""Shipments, what must come back from couriers and drivers, and the day's checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from salesdesk.catalog import services as catalog_services
from salesdesk.core.errors import Conflict, DomainError
from salesdesk.orders import services as order_services
from salesdesk.warehouse import selectors, services
from salesdesk.warehouse.selectors import CourierLogFilter
from tests.core.sqlite_statistics import load_statistics, plans_of
from tests.core.test_rare import SQLITE_ONLY
from tests.factories import CarrierFactory, days_ago, make_customer
from tests.warehouse.conftest import released, ship

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in their English source text.
    with translation.override("en"):
        yield


TODAY = dt.date(2026, 3, 2)  # a Monday


def order_for(customer, by, lines, *, collection="cod", ship_method="express", carrier=None, parts=False):
    """A released order of `lines` ((product, quantity) pairs); an express one goes by 联昊通."""
    if ship_method == "express" and carrier is None:
        carrier = CarrierFactory(name="联昊通")
    draft = order_services.order_create(
        by=by,
        customer=customer,
        channel="phone",
        ship_method=ship_method,
        carrier=carrier,
        collection_method=collection,
        lines=[order_services.LineInput(product=p, quantity=Decimal(q)) for p, q in lines],
    )
    return released(draft, by, ship_in_parts=parts)


def other_customer(by, products, *, assistant, salesperson, **fields):
    customer = make_customer(
        by=by, name="中山市华艺家具厂", assistant=assistant, salesperson=salesperson, **fields
    )
    for product in products:
        catalog_services.price_set(
            customer=customer, product=product, unit_price=Decimal("300"), valid_from=days_ago(30), by=by
        )
    return customer


@pytest.fixture
def outbound(draft, stocked, assistant, warehouse):
    """The COD order of the orders tests (8,211.00 by 联昊通), posted in full."""
    return ship(released(draft, assistant), warehouse)


def record(outbound, by, *, shipped_on=TODAY, **fields):
    fields.setdefault("carrier", outbound.order.carrier)
    fields.setdefault("tracking_number", "LHT100200300")
    return services.shipment_record(outbound=outbound, by=by, shipped_on=shipped_on, **fields)


# --- due dates and overdue ----------------------------------------------------------------


def test_cod_and_note_are_due_seven_days_after_shipping(outbound, assistant):
    shipment = record(outbound, assistant, cod_amount=Decimal("8211.00"), note_required=True)
    assert shipment.cod_due == shipment.note_due == TODAY + dt.timedelta(days=7)


def test_a_carrier_with_a_longer_deadline_gives_a_later_due_date(outbound, assistant, carrier):
    carrier.return_deadline_days = 10
    carrier.save()
    shipment = record(outbound, assistant, carrier=carrier, cod_amount=Decimal("1"))
    assert shipment.cod_due == TODAY + dt.timedelta(days=10)


def test_on_the_seventh_day_the_money_is_due_and_on_the_eighth_overdue(outbound, assistant):
    record(outbound, assistant, cod_amount=Decimal("8211.00"), note_required=True)
    day7, day8 = TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=8)
    assert list(selectors.overdue_returns(on=day7)) == []
    assert selectors.carriers_flagged(on=day7) == []
    overdue = selectors.overdue_returns(on=day8).get()
    assert (overdue.cod_state, overdue.note_state) == (selectors.OVERDUE, selectors.OVERDUE)
    log = selectors.courier_log(user=assistant, filters=CourierLogFilter(), on=day7).get()
    assert (log.cod_state, log.note_state) == (selectors.DUE, selectors.DUE)


def test_returned_items_are_never_overdue(outbound, assistant):
    shipment = record(outbound, assistant, cod_amount=Decimal("8211.00"), note_required=True)
    services.shipment_cod_returned(shipment=shipment, by=assistant, on=TODAY + dt.timedelta(days=3))
    later = TODAY + dt.timedelta(days=30)
    flagged = selectors.carriers_flagged(on=later)
    assert [(r.cod_overdue, r.notes_overdue) for r in flagged] == [(0, 1)]  # only the note is late
    services.shipment_note_returned(shipment=shipment, by=assistant, on=TODAY + dt.timedelta(days=9))
    assert selectors.carriers_flagged(on=later) == []
    row = selectors.courier_log(user=assistant, filters=CourierLogFilter(), on=later).get()
    assert (row.cod_state, row.note_state) == (selectors.RETURNED, selectors.RETURNED)


def test_a_shipment_without_cod_or_note_owes_nothing(outbound, assistant):
    record(outbound, assistant)
    row = selectors.courier_log(
        user=assistant, filters=CourierLogFilter(), on=TODAY + dt.timedelta(days=60)
    ).get()
    assert (row.cod_state, row.note_state) == (selectors.NOTHING_DUE, selectors.NOTHING_DUE)
    assert selectors.returns_by_carrier(on=TODAY + dt.timedelta(days=60)) == []


def test_ticking_off_twice_is_refused(outbound, assistant):
    shipment = record(outbound, assistant, cod_amount=Decimal("10"))
    services.shipment_cod_returned(shipment=shipment, by=assistant)
    with pytest.raises(Conflict):
        services.shipment_cod_returned(shipment=shipment, by=assistant)
    with pytest.raises(DomainError):
        services.shipment_note_returned(shipment=shipment, by=assistant)  # no note was asked for


def test_flagged_carriers_count_and_sum_their_overdue_items(
    draft, stocked, assistant, warehouse, customer, product, carrier
):
    first = ship(released(draft, assistant), warehouse)
    # 3 × 349.60: room for both COD amounts below, which together may not exceed the outbound
    second = ship(order_for(customer, assistant, [(product, "3")], carrier=carrier), warehouse)
    record(first, assistant, cod_amount=Decimal("8211.00"), shipped_on=TODAY)
    record(
        second,
        assistant,
        cod_amount=Decimal("699.20"),
        note_required=True,
        shipped_on=TODAY + dt.timedelta(days=2),
    )
    in_time = CarrierFactory(name="平安达")
    record(
        second, assistant, carrier=in_time, cod_amount=Decimal("5"), shipped_on=TODAY + dt.timedelta(days=9)
    )
    on = TODAY + dt.timedelta(days=10)
    [flag] = selectors.carriers_flagged(on=on)
    assert (flag.name, flag.cod_overdue, flag.cod_overdue_amount, flag.notes_overdue) == (
        "联昊通",
        2,
        Decimal("8910.20"),
        1,
    )
    assert flag.oldest_overdue == TODAY + dt.timedelta(days=7)
    by_carrier = {r.name: r for r in selectors.returns_by_carrier(on=on)}
    in_time_row = by_carrier["平安达"]
    assert (in_time_row.cod_due, in_time_row.cod_due_amount, in_time_row.overdue) == (1, Decimal("5"), False)
    assert (by_carrier["联昊通"].cod_due, by_carrier["联昊通"].cod_due_amount) == (0, Decimal("0"))
    # A day earlier the second shipment's COD and note were still in time.
    late_first = {r.name: r for r in selectors.returns_by_carrier(on=TODAY + dt.timedelta(days=8))}["联昊通"]
    assert (late_first.cod_overdue, late_first.cod_overdue_amount) == (1, Decimal("8211.00"))
    assert (late_first.cod_due, late_first.cod_due_amount, late_first.notes_due) == (1, Decimal("699.20"), 1)


def test_a_drivers_late_signed_note_flags_the_driver_not_a_carrier(outbound, assistant):
    record(
        outbound, assistant, carrier=None, tracking_number="", driver="老陈", route="顺德", note_required=True
    )
    on = TODAY + dt.timedelta(days=8)
    assert selectors.carriers_flagged(on=on) == []
    [driver] = selectors.drivers_overdue(on=on)
    assert (driver.name, driver.notes_overdue, driver.log_filter) == ("老陈", 1, selectors.OWN_DELIVERY)


def test_a_suspended_carrier_cannot_be_chosen(outbound, assistant, manager, carrier):
    catalog_services.carrier_suspend(carrier=carrier, by=manager, reason="代收货款逾期")
    carrier.refresh_from_db()
    with pytest.raises(DomainError) as error:
        record(outbound, assistant, carrier=carrier, cod_amount=Decimal("1"))
    assert error.value.field == "carrier"
    assert not outbound.shipments.exists()


def test_a_suspended_carrier_stays_flagged_with_its_old_items(outbound, assistant, manager, carrier):
    record(outbound, assistant, cod_amount=Decimal("8211.00"))
    catalog_services.carrier_suspend(carrier=carrier, by=manager, reason="代收货款逾期")
    [flag] = selectors.carriers_flagged(on=TODAY + dt.timedelta(days=8))
    assert flag.suspended


# --- the courier log ----------------------------------------------------------------------


def test_the_courier_log_filters_by_carrier_day_and_state(outbound, assistant):
    courier = record(outbound, assistant, cod_amount=Decimal("8211.00"), shipped_on=TODAY)
    own = record(
        outbound,
        assistant,
        carrier=None,
        driver="老陈",
        note_required=True,
        shipped_on=TODAY - dt.timedelta(days=9),
    )
    on = TODAY + dt.timedelta(days=1)

    def rows(**filters):
        return list(selectors.courier_log(user=assistant, filters=CourierLogFilter(**filters), on=on))

    assert rows() == [own, courier]  # by day
    assert rows(carrier=selectors.OWN_DELIVERY) == [own]
    assert rows(carrier=str(courier.carrier_id)) == [courier]
    assert rows(date_from=TODAY) == [courier]
    assert rows(state=selectors.OVERDUE) == [own]
    assert rows(state=selectors.OUTSTANDING) == [own, courier]
    services.shipment_cod_returned(shipment=courier, by=assistant, on=on)
    assert rows(state=selectors.RETURNED) == [courier]
    assert rows(carrier="99999999999999999999") == [own, courier]  # nonsense filters nothing


# What ANALYZE wrote at scale 1 (see load_statistics): 413 shipments still out of 170,000.
SCALE_ONE = {
    "warehouse_shipment": {
        ("shipped_on",): "168705 201",
        "shipment_cod_out": "225 21",
        "shipment_still_out": "413 104 104",
        ("outbound_id",): "153924 1",
        ("created_by_id",): "106488 1001",
        ("carrier_id",): "104832 1001",
        ("tracking_number",): "458780 2",
    }
}


@SQLITE_ONLY
@pytest.mark.parametrize("state", [selectors.OVERDUE, selectors.OUTSTANDING])
def test_sqlite_finds_what_is_still_out_by_its_partial_index(outbound, assistant, state):
    record(outbound, assistant, cod_amount=Decimal("8211.00"), shipped_on=TODAY - dt.timedelta(days=9))
    load_statistics(SCALE_ONE)
    on = TODAY + dt.timedelta(days=1)
    log = CourierLogFilter(state=state)

    # The first statement finds what is still out; asked as "COD overdue, or a note overdue",
    # SQLite read all 170,000 shipments for it (500 ms).
    def read_log():
        return list(selectors.courier_log(user=assistant, filters=log, on=on))

    log_plans = plans_of(read_log, table="warehouse_shipment")
    assert "USING INDEX shipment_still_out" in log_plans[0]
    late_plans = plans_of(lambda: list(selectors.overdue_returns(on=on)), table="warehouse_shipment")
    assert "USING INDEX shipment_still_out" in late_plans[0]


def test_the_courier_log_totals_add_up(outbound, assistant):
    # two parts of one outbound's 8211.00 collected by two shipments
    a = record(outbound, assistant, cod_amount=Decimal("8110.50"), note_required=True, shipped_on=TODAY)
    record(outbound, assistant, cod_amount=Decimal("100.50"), shipped_on=TODAY - dt.timedelta(days=10))
    services.shipment_cod_returned(shipment=a, by=assistant, on=TODAY)
    qs = selectors.courier_log(user=assistant, filters=CourierLogFilter(), on=TODAY)
    totals = selectors.courier_log_totals(qs, on=TODAY)
    assert totals == selectors.LogTotals(
        shipments=2,
        cod_total=Decimal("8211.00"),
        cod_returned=Decimal("8110.50"),
        cod_outstanding=Decimal("100.50"),
        cod_overdue=Decimal("100.50"),
        notes_required=1,
        notes_returned=0,
        notes_overdue=0,
    )


def test_assistants_and_salespeople_see_only_their_customers_shipments(
    outbound, stocked, assistant, salesperson, other_assistant, other_salesperson, warehouse, manager, carrier
):
    theirs_customer = other_customer(
        manager, stocked, assistant=other_assistant, salesperson=other_salesperson
    )
    theirs = ship(
        order_for(theirs_customer, other_assistant, [(stocked[0], "1")], carrier=carrier), warehouse
    )
    mine = record(
        outbound, assistant, cod_amount=Decimal("8211.00"), shipped_on=TODAY - dt.timedelta(days=20)
    )
    other = record(
        theirs, other_assistant, cod_amount=Decimal("300.00"), shipped_on=TODAY - dt.timedelta(days=20)
    )
    every = CourierLogFilter()
    assert list(selectors.courier_log(user=assistant, filters=every, on=TODAY)) == [mine]
    assert list(selectors.courier_log(user=salesperson, filters=every, on=TODAY)) == [mine]
    assert list(selectors.courier_log(user=other_assistant, filters=every, on=TODAY)) == [other]
    assert set(selectors.courier_log(user=warehouse, filters=every, on=TODAY)) == {mine, other}
    [mine_flag] = selectors.carriers_flagged(on=TODAY, user=assistant)
    assert mine_flag.cod_overdue_amount == Decimal("8211.00")
    [all_flag] = selectors.carriers_flagged(on=TODAY)
    assert all_flag.cod_overdue_amount == Decimal("8511.00")
    assert list(selectors.overdue_returns(on=TODAY, user=other_assistant)) == [other]


# --- defaults of a new shipment -----------------------------------------------------------


def test_a_cod_order_defaults_to_the_outbound_amount_less_what_is_already_collected(outbound, assistant):
    defaults = selectors.shipment_defaults(outbound)
    assert (defaults.cod_amount, defaults.note_required, defaults.carrier_id) == (
        Decimal("8211.00"),
        False,
        outbound.order.carrier_id,
    )
    record(outbound, assistant, cod_amount=Decimal("8000.00"))
    assert selectors.shipment_defaults(outbound).cod_amount == Decimal("211.00")


def test_a_signed_note_order_asks_for_the_note_and_no_money(stocked, assistant, warehouse, customer, carrier):
    order = order_for(customer, assistant, [(stocked[0], "1")], collection="signed_note", carrier=carrier)
    defaults = selectors.shipment_defaults(ship(order, warehouse))
    assert (defaults.cod_amount, defaults.note_required) == (Decimal("0"), True)


def test_a_suspended_order_carrier_is_not_proposed(outbound, manager, carrier):
    catalog_services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期")
    outbound.order.carrier.refresh_from_db()
    assert selectors.shipment_defaults(outbound).carrier_id is None


# --- end of day ---------------------------------------------------------------------------


def test_end_of_day_lists_each_order_of_the_day_shipped_or_why_not(
    draft, stocked, assistant, warehouse, customer, product, other_product, manager
):
    shipped = ship(released(draft, assistant), warehouse)
    waiting = order_for(customer, assistant, [(product, "1")], ship_method="delivery")
    short = order_for(customer, assistant, [(product, "200"), (other_product, "1")], parts=True)
    ship(short, warehouse, {"A-101": "79", "B-220": "1"})
    registered = order_services.order_register(
        order=order_services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="cash",
            lines=[order_services.LineInput(product=product, quantity=Decimal("1"))],
        ),
        by=assistant,
    )
    report = selectors.end_of_day(user=assistant, day=timezone.localdate())
    by_number = {d.order.number: d for d in report.orders}
    assert by_number[shipped.order.number].state == "shipped"
    assert [o.number for o in by_number[shipped.order.number].outbounds] == [shipped.number]
    assert by_number[waiting.number].state == "open"
    assert "not posted yet" in by_number[waiting.number].reasons[0]
    assert any("waits for production" in r for r in by_number[short.number].reasons)
    assert by_number[registered.number].reasons == ["Registered but not released to the warehouse."]
    assert report.exceptions == 3


def test_end_of_day_tells_why_an_order_is_on_hold(stocked, assistant, salesperson, product):
    customer = make_customer(by=assistant, salesperson=salesperson, address="")  # master data missing
    held = order_services.order_register(
        order=order_services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="cash",
            lines=[
                order_services.LineInput(product=product, quantity=Decimal("1"), unit_price=Decimal("380"))
            ],
        ),
        by=assistant,
    )
    assert held.status == "on_hold"
    [day_order] = selectors.end_of_day(user=assistant, day=timezone.localdate()).orders
    assert day_order.reasons and all(r.startswith("On hold") for r in day_order.reasons)


def test_the_warehouse_end_of_day_holds_only_orders_released_to_it(draft, stocked, assistant, warehouse):
    order_services.order_register(order=draft, by=assistant)
    assert selectors.end_of_day(user=warehouse, day=timezone.localdate()).orders == []


# --- tomorrow's round ---------------------------------------------------------------------


def test_the_round_groups_by_driver_then_area_then_address(
    stocked, assistant, salesperson, warehouse, manager
):
    product = stocked[0]
    stops = []
    for name, region, address in (
        ("北滘五金店", "顺德", "北滘镇 2 号"),
        ("大良建材", "顺德", "大良街道 9 号"),
        ("南海装饰", "南海", "桂城 1 号"),
    ):
        customer = other_customer(
            manager, stocked, assistant=assistant, salesperson=salesperson, region=region, address=address
        )
        customer.name = name
        customer.save()
        stops.append(
            order_for(customer, assistant, [(product, "1")], ship_method="delivery", collection="cash")
        )
    posted = ship(stops[2], warehouse)
    day = selectors.next_plan_day(timezone.localdate())
    services.shipment_record(outbound=posted, by=assistant, shipped_on=day, driver="老陈", route="南海")
    plan = selectors.delivery_plan(user=assistant, day=day)
    assert [run.driver for run in plan] == ["老陈", ""]
    assert [r.area for r in plan[1].routes] == ["顺德"]
    assert [s.customer.address for s in plan[1].routes[0].stops] == ["北滘镇 2 号", "大良街道 9 号"]
    assert plan[0].routes[0].stops[0].amount == Decimal("300.00")  # the driver collects cash
    assert plan[1].stop_count == 2


# --- next morning -------------------------------------------------------------------------


def test_next_morning_lists_partial_and_missing_lines(
    stocked, assistant, warehouse, customer, product, other_product
):
    order = order_for(customer, assistant, [(product, "20"), (other_product, "5")], parts=True)
    first = ship(order, warehouse, {"A-101": "15", "B-220": "0"})
    second = ship(order, warehouse, {"A-101": "5", "B-220": "5"})
    record(second, assistant, carrier=order.carrier, shipped_on=timezone.localdate())
    checks = {
        c.outbound.number: c for c in selectors.next_morning_check(user=assistant, day=timezone.localdate())
    }
    one, two = checks[first.number], checks[second.number]
    assert [(line.ordered, line.before, line.this, line.still_open) for line in one.lines] == [
        (Decimal("20"), Decimal("0"), Decimal("15"), Decimal("5")),
        (Decimal("5"), Decimal("0"), Decimal("0"), Decimal("5")),
    ]
    assert one.differences == [
        "A-101: 15 of 20 桶 shipped, 5 still open.",
        "B-220 not in this shipment: 5 桶 still open.",
        "No shipment recorded: enter the carrier or driver in the courier log.",
    ]
    assert [(line.before, line.this, line.still_open) for line in two.lines] == [
        (Decimal("15"), Decimal("5"), Decimal("0")),
        (Decimal("0"), Decimal("5"), Decimal("0")),
    ]
    assert two.differences == []


def test_next_morning_of_a_complete_shipment_has_no_differences(outbound, assistant):
    record(outbound, assistant)
    [check] = selectors.next_morning_check(user=assistant, day=timezone.localdate())
    assert check.differences == []


def test_next_morning_lists_an_outbound_once_on_the_day_it_was_posted_and_on_the_day_it_left(
    outbound, assistant
):
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    for parcel in ("LHT100200301", "LHT100200302"):  # two parcels leave tomorrow
        record(outbound, assistant, shipped_on=tomorrow, tracking_number=parcel)

    def listed(day):
        return [c.outbound.number for c in selectors.next_morning_check(user=assistant, day=day)]

    assert listed(today) == [outbound.number]  # posted today
    assert listed(tomorrow) == [outbound.number]  # shipped tomorrow, in two parcels: one check
    assert listed(today - dt.timedelta(days=1)) == []
    assert listed(today + dt.timedelta(days=2)) == []


def test_next_morning_is_scoped_to_the_users_customers(outbound, other_assistant):
    assert selectors.next_morning_check(user=other_assistant, day=timezone.localdate()) == []


def test_the_check_after_a_weekend_is_for_friday():
    assert selectors.previous_workday(TODAY) == dt.date(2026, 2, 27)
    assert selectors.next_plan_day(dt.date(2026, 2, 27)) == TODAY
