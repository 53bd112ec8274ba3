from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from salesdesk.calls import services as call_services
from salesdesk.core.errors import Conflict, FieldErrors
from salesdesk.core.roles import Role
from salesdesk.customers.models import Customer
from salesdesk.orders import services
from tests.conftest import client_for, make_user
from tests.core.test_concurrency import race
from tests.orders.conftest import at_local, pickup_order


@pytest.mark.django_db
def test_a_draft_reference_with_unicode_digits_is_a_404_not_a_500(assistant):
    assert client_for(assistant).get("/orders/D²/").status_code == 404


@pytest.mark.django_db
def test_a_cancelled_orders_checks_cannot_be_overridden(customer, product, other_assistant, assistant):
    order = services.order_register(
        order=pickup_order(other_assistant, customer, product, "1", "1"),
        by=other_assistant,
    )
    services.order_cancel(order=order, by=assistant, reason="客户取消")
    with pytest.raises(Conflict):
        services.order_override(order=order, by=assistant, code="agreed_price", reason="x")


@pytest.mark.django_db
def test_an_order_released_days_after_registration_ships_in_the_next_slot_from_now(draft, assistant):
    with mock.patch("django.utils.timezone.now", return_value=at_local(2026, 11, 23, 10, 0)):
        order = services.order_register(order=draft, by=assistant)
    with mock.patch("django.utils.timezone.now", return_value=at_local(2026, 11, 27, 14, 0)):
        order = services.order_release(order=order, by=assistant)
    assert (order.ship_date, order.ship_slot) == (dt.date(2026, 11, 27), "pm")


@pytest.mark.django_db
def test_the_warehouse_still_sees_a_released_order_that_was_cancelled(draft, assistant, warehouse):
    order = services.order_release(order=services.order_register(order=draft, by=assistant), by=assistant)
    services.order_cancel(order=order, by=assistant, reason="客户取消")
    assert client_for(warehouse).get(f"/orders/{order.number}/").status_code == 200


@pytest.mark.django_db
def test_an_order_total_beyond_what_an_amount_holds_is_refused(customer, product, assistant):
    lines = [
        # each line fits its column (500,000,000,000.00); the three together do not
        services.LineInput(product=product, quantity=Decimal("500000"), unit_price=Decimal("1000000"))
        for _ in range(3)
    ]
    with pytest.raises(FieldErrors) as errors:
        services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="cash",
            lines=lines,
        )
    assert list(errors.value.errors) == ["lines"]


@pytest.mark.django_db(transaction=True)
def test_one_call_saved_as_customer_by_four_clients_at_once_makes_one_customer():
    assistant = make_user("assistant", Role.ASSISTANT)
    call = call_services.call_log(by=assistant, company="江门新光五金", phone="0750-3330001")
    results = race(lambda i: call_services.call_to_customer(call=call, by=assistant, series="YW"), threads=4)
    assert sum(isinstance(r, Customer) for r in results) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Customer)), results
    assert Customer.objects.count() == 1
