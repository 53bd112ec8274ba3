from decimal import Decimal

import pytest

from salesdesk.catalog import services
from tests.conftest import client_for
from tests.factories import ProductFactory, days_ago, make_customer

pytestmark = pytest.mark.django_db


def test_price_management_searches_by_customer_or_model_code(assistant):
    foshan = make_customer(by=assistant, name="佛山美家", assistant=assistant)
    zhongshan = make_customer(by=assistant, name="中山雅居", assistant=assistant)
    red = ProductFactory(model_code="A-101")
    wall = ProductFactory(model_code="B-220")
    for customer, product, price in ((foshan, red, "349.6000"), (zhongshan, wall, "243.8000")):
        services.price_set(
            customer=customer,
            product=product,
            unit_price=Decimal(price),
            valid_from=days_ago(1),
            by=assistant,
        )
    client = client_for(assistant)
    by_customer = client.get("/catalog/prices/", {"q": "佛山"}).content.decode()
    assert "349.6000" in by_customer and "243.8000" not in by_customer
    by_code = client.get("/catalog/prices/", {"q": "b-220"}).content.decode()
    assert "243.8000" in by_code and "349.6000" not in by_code
