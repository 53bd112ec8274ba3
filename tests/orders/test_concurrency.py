"""Several clients registering and releasing orders at the same moment."""

from __future__ import annotations

import pytest
from django.utils import timezone

from salesdesk.core.errors import Conflict
from salesdesk.core.roles import Role
from salesdesk.orders import services
from salesdesk.orders.models import OrderStatus, SalesOrder
from tests.conftest import make_user
from tests.core.test_concurrency import THREADS, race
from tests.factories import ProductFactory, make_customer
from tests.orders.conftest import pickup_order


@pytest.mark.django_db(transaction=True)
def test_orders_registered_at_the_same_moment_get_distinct_consecutive_register_numbers():
    # given eight drafts
    assistant = make_user("assistant", Role.ASSISTANT, grants=("quote_price",))
    customer = make_customer(by=assistant, assistant=assistant)
    product = ProductFactory(model_code="A-101")
    drafts = [pickup_order(assistant, customer, product, "1") for _ in range(THREADS)]
    # when every client registers one at once
    results = race(lambda i: services.order_register(order=drafts[i], by=assistant).number)
    # then the register has no gap and no twin
    assert [r for r in results if isinstance(r, Exception)] == []
    year = timezone.localdate().year
    assert sorted(results) == [f"XS{year}-{n:05d}" for n in range(1, THREADS + 1)]


@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_the_same_draft_register_it_once():
    assistant = make_user("assistant", Role.ASSISTANT, grants=("quote_price",))
    salesperson = make_user("sales", Role.SALESPERSON)
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    product = ProductFactory(model_code="A-101")
    draft = pickup_order(assistant, customer, product, "1")
    results = race(lambda i: services.order_register(order=draft, by=assistant), threads=4)
    assert sum(isinstance(r, SalesOrder) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, SalesOrder))
    draft.refresh_from_db()
    assert draft.status == OrderStatus.REGISTERED and draft.number.endswith("-00001")
