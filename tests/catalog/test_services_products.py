from decimal import Decimal

import pytest

from salesdesk.catalog import selectors, services
from salesdesk.core.errors import DomainError, FieldErrors
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_product_is_created_with_its_history(manager):
    product = services.product_create(
        by=manager, model_code="D-500", name="环氧地坪漆", standard_price=Decimal("520"), is_new=True
    )
    assert product.standard_price == Decimal("520")
    assert product.history.get().history_user == manager


def test_model_codes_are_unique(manager):
    ProductFactory(model_code="A-101")
    with pytest.raises(FieldErrors) as refused:
        services.product_create(by=manager, model_code="A-101", name="重复", standard_price=Decimal("1"))
    assert "model_code" in refused.value.errors


def test_unknown_product_fields_are_refused(manager):
    with pytest.raises(DomainError) as refused:
        services.product_create(
            by=manager, model_code="X", name="x", standard_price=Decimal("1"), colour="red"
        )
    assert refused.value.field == "colour"


def test_a_price_change_is_kept_in_the_products_history(manager):
    product = ProductFactory(standard_price=Decimal("380.0000"))
    services.product_update(product=product, by=manager, standard_price=Decimal("395.5"))
    prices = list(product.history.order_by("history_date").values_list("standard_price", flat=True))
    assert prices == [Decimal("380.0000"), Decimal("395.5000")]


def test_the_product_list_filters_new_and_active_products(db):
    ProductFactory(model_code="A-101", is_new=False)
    ProductFactory(model_code="D-500", is_new=True)
    ProductFactory(model_code="Z-999", is_new=True, active=False)
    assert [p.model_code for p in selectors.product_list(new_only=True, active_only=True)] == ["D-500"]
    assert [p.model_code for p in selectors.product_list(q="a-1")] == ["A-101"]
