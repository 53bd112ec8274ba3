from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesdesk.catalog import services as catalog_services
from salesdesk.orders import services
from tests.factories import CarrierFactory, ProductFactory, days_ago, make_customer


@pytest.fixture
def product(db):
    return ProductFactory(model_code="A-101", name="水性木器漆 红色", standard_price=Decimal("380.0000"))


@pytest.fixture
def other_product(db):
    return ProductFactory(model_code="B-220", name="外墙乳胶漆", standard_price=Decimal("265.0000"))


@pytest.fixture
def carrier(db):
    return CarrierFactory(name="联昊通")


@pytest.fixture
def customer(assistant, salesperson, product, other_product):
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    for item, price in ((product, "349.6000"), (other_product, "243.8000")):
        catalog_services.price_set(
            customer=customer, product=item, unit_price=Decimal(price), valid_from=days_ago(30), by=assistant
        )
    return customer


@pytest.fixture
def draft(customer, product, other_product, carrier, assistant):
    return services.order_create(
        by=assistant,
        customer=customer,
        channel="phone",
        ship_method="express",
        carrier=carrier,
        collection_method="cod",
        lines=[
            services.LineInput(product=product, quantity=Decimal("20")),
            services.LineInput(product=other_product, quantity=Decimal("5")),
        ],
    )


def at_local(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def pickup_order(by, customer, product, quantity: str = "1", price: str | None = None):
    """A one-line draft picked up and paid in cash: the plainest order a test needs."""
    return services.order_create(
        by=by,
        customer=customer,
        channel="phone",
        ship_method="pickup",
        collection_method="cash",
        lines=[
            services.LineInput(
                product=product, quantity=Decimal(quantity), unit_price=Decimal(price) if price else None
            )
        ],
    )
