"""The warehouse handles goods, not money: no page it can open shows a price or a limit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesdesk.catalog import services as catalog_services
from tests.access.test_page_matrix import MATRIX, ROLES, page_text, url_of
from tests.conftest import client_for
from tests.factories import AGREED_PRICE, REBATE_PRICE, STANDARD_PRICE, build_world

WAREHOUSE = ROLES.index("warehouse")
# Money that exists in the world below, in the forms a page would print it.
MONEY = [AGREED_PRICE, "349.60", STANDARD_PRICE, "412.34", REBATE_PRICE, "17.89", "88888", "398.7600"]


@pytest.fixture
def world(assistant, salesperson, other_assistant, other_salesperson, manager):
    world = build_world(
        assistant=assistant,
        salesperson=salesperson,
        other_assistant=other_assistant,
        other_salesperson=other_salesperson,
        manager=manager,
    )
    # a standard price change, so that product history has old and new prices in it
    catalog_services.product_update(product=world["product"], by=manager, standard_price=Decimal("398.76"))
    catalog_services.product_update(
        product=world["product"], by=manager, standard_price=Decimal(STANDARD_PRICE)
    )
    return world


WAREHOUSE_PAGES = sorted(
    {
        (name, obj or "")
        for method, name, obj, expected in MATRIX
        if method == "GET" and expected[WAREHOUSE] == 200
    }
)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "obj"), WAREHOUSE_PAGES)
def test_no_page_the_warehouse_opens_shows_money(world, warehouse, name, obj):
    response = client_for(warehouse).get(url_of(world, name, obj or None))
    assert response.status_code == 200
    html = page_text(response)
    assert [m for m in MONEY if m in html] == []


@pytest.mark.django_db
def test_the_same_pages_do_show_prices_to_an_assistant(world, assistant):
    # a control: the strings searched for above really are on the pages of someone who may see them
    client = client_for(assistant)
    prices = client.get(reverse("catalog:customer-prices", args=[world["own"].code])).content.decode()
    assert AGREED_PRICE in prices and REBATE_PRICE in prices
    product = client.get(reverse("catalog:product-detail", args=[world["product"].pk])).content.decode()
    assert STANDARD_PRICE in product
