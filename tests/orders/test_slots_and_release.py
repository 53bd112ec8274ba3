from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from salesdesk.core.errors import Conflict, DomainError
from salesdesk.core.models import CalendarDay
from salesdesk.orders import services
from salesdesk.orders.models import OrderStatus
from salesdesk.orders.slots import ship_slot_for
from tests.orders.conftest import at_local, pickup_order

pytestmark = pytest.mark.django_db

FRIDAY = (2026, 11, 27)


def test_order_registered_at_11_29_ships_the_same_morning():
    assert ship_slot_for(at_local(*FRIDAY, 11, 29)) == (dt.date(*FRIDAY), "am")


def test_order_registered_at_11_31_ships_the_same_afternoon():
    assert ship_slot_for(at_local(*FRIDAY, 11, 31)) == (dt.date(*FRIDAY), "pm")


def test_order_registered_on_saturday_ships_on_monday_morning():
    assert ship_slot_for(at_local(2026, 11, 28, 9, 0)) == (dt.date(2026, 11, 30), "am")


def test_holidays_are_skipped_and_a_worked_weekend_counts(db):
    CalendarDay.objects.create(date=dt.date(2026, 10, 1), is_workday=False, name="国庆节")
    CalendarDay.objects.create(date=dt.date(2026, 10, 2), is_workday=False, name="国庆节")
    CalendarDay.objects.create(date=dt.date(2026, 10, 10), is_workday=True, name="调休上班")
    assert ship_slot_for(at_local(2026, 9, 30, 15, 0)) == (dt.date(2026, 9, 30), "pm")
    assert ship_slot_for(at_local(2026, 10, 1, 9, 0)) == (dt.date(2026, 10, 5), "am")
    assert ship_slot_for(at_local(2026, 10, 10, 10, 0)) == (dt.date(2026, 10, 10), "am")


def test_cutoff_is_a_setting(settings):
    settings.SALESDESK = {**settings.SALESDESK, "EXPRESS_CUTOFF": "10:00"}
    assert ship_slot_for(at_local(*FRIDAY, 10, 30)) == (dt.date(*FRIDAY), "pm")


def _register_at(order, by, when):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return services.order_register(order=order, by=by)


def test_release_uses_the_slot_of_the_registration_time(draft, assistant):
    order = _register_at(draft, assistant, at_local(*FRIDAY, 11, 29))
    with mock.patch("django.utils.timezone.now", return_value=at_local(*FRIDAY, 11, 40)):
        order = services.order_release(order=order, by=assistant)
    assert (order.status, order.ship_date, order.ship_slot) == (OrderStatus.RELEASED, dt.date(*FRIDAY), "am")


def test_another_slot_needs_a_note_and_is_recorded(draft, assistant):
    order = _register_at(draft, assistant, at_local(*FRIDAY, 11, 29))
    with mock.patch("django.utils.timezone.now", return_value=at_local(*FRIDAY, 11, 40)):
        with pytest.raises(DomainError) as error:
            services.order_release(order=order, by=assistant, ship_slot="pm")
        assert error.value.field == "ship_slot_note"
        order = services.order_release(order=order, by=assistant, ship_slot="pm", note="客户要求下午到")
    assert (order.ship_slot, order.ship_slot_note) == ("pm", "客户要求下午到")


def test_a_held_order_cannot_be_released(customer, product, other_assistant):

    order = services.order_register(
        order=pickup_order(other_assistant, customer, product, "1", "1"),
        by=other_assistant,
    )
    with pytest.raises(Conflict):
        services.order_release(order=order, by=other_assistant)


def test_express_order_without_carrier_cannot_be_released(customer, product, assistant):
    from decimal import Decimal

    order = services.order_register(
        order=services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="express",
            collection_method="cod",
            lines=[services.LineInput(product=product, quantity=Decimal("1"))],
        ),
        by=assistant,
    )
    with pytest.raises(DomainError) as error:
        services.order_release(order=order, by=assistant)
    assert error.value.field == "carrier"
