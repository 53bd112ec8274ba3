"""Catalogue pages: agreed and rebate prices on a customer, products, carriers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesdesk.catalog import services
from salesdesk.catalog.models import Carrier, CarrierStatus, CustomerPrice, Product, RebatePrice
from tests.conftest import client_for
from tests.factories import CarrierFactory, ProductFactory, days_ago, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(assistant, salesperson):
    return make_customer(by=assistant, salesperson=salesperson, rebate=True)


@pytest.fixture
def product(db):
    return ProductFactory(model_code="A-101", standard_price=Decimal("380"))


def price_post(product, price: str = "349.6", valid_from: str = "2026-03-01") -> dict:
    return {"product": product.pk, "unit_price": price, "valid_from": valid_from, "note": "年度调价"}


def test_setting_a_price_on_the_customer_page_shows_it_in_force(customer, product, assistant):
    url = reverse("catalog:price-create", args=[customer.code])
    response = client_for(assistant).post(url, price_post(product, valid_from=str(days_ago(1))))
    assert response.status_code == 200
    assert "349.6000" in response.content.decode()
    assert CustomerPrice.objects.get().created_by == assistant


def test_a_price_change_lists_the_rebates_that_may_need_to_change(customer, product, assistant):
    # given a rebate in force on the product
    services.rebate_set(
        customer=customer,
        product=product,
        rebate_unit_price=Decimal("12"),
        valid_from=days_ago(30),
        by=assistant,
        payee_name="黄先生",
    )

    # when the selling price changes
    url = reverse("catalog:price-create", args=[customer.code])
    response = client_for(assistant).post(url, price_post(product, valid_from=str(days_ago(1))))

    # then the page asks to review the rebate
    html = response.content.decode()
    assert 'data-testid="rebates-to-review"' in html
    assert "12.0000" in html.split('data-testid="rebates-to-review"')[1].split("</div>")[0]


def test_a_second_price_on_the_same_day_shows_the_error_on_valid_from(customer, product, assistant):
    client = client_for(assistant)
    url = reverse("catalog:price-create", args=[customer.code])
    client.post(url, price_post(product))
    response = client.post(url, price_post(product, price="300"))
    assert response.status_code == 200
    assert response.context["price_form"].errors["valid_from"]
    assert CustomerPrice.objects.count() == 1


def test_an_htmx_request_gets_only_the_prices_panel(customer, product, assistant):
    url = reverse("catalog:price-create", args=[customer.code])
    response = client_for(assistant).post(url, price_post(product, price="-1"), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="customer-prices"' in html and "<html" not in html


def rebate_post(product, amount: str = "12") -> dict:
    return {
        "product": product.pk,
        "rebate_unit_price": amount,
        "valid_from": "2026-03-01",
        "payee_name": "黄先生",
        "payee_bank": "中国工商银行佛山分行",
        "payee_account": "6222 0000 1234 5678",
    }


def test_setting_a_rebate_through_the_page(customer, product, assistant):
    url = reverse("catalog:rebate-create", args=[customer.code])
    assert client_for(assistant).post(url, rebate_post(product)).status_code == 200
    assert RebatePrice.objects.get().rebate_unit_price == Decimal("12.0000")


def test_a_rebate_without_the_commission_permission_is_refused(customer, product, salesperson):
    url = reverse("catalog:rebate-create", args=[customer.code])
    response = client_for(salesperson).post(url, rebate_post(product))
    assert response.status_code == 403
    assert not RebatePrice.objects.exists()


def test_a_rebate_above_the_users_limit_shows_the_error_on_the_amount(customer, product, assistant):
    assistant.profile.max_rebate_per_unit = Decimal("10")
    assistant.profile.save()
    url = reverse("catalog:rebate-create", args=[customer.code])
    response = client_for(assistant).post(url, rebate_post(product, "10.5"))
    assert response.context["rebate_form"].errors["rebate_unit_price"]
    assert not RebatePrice.objects.exists()


def test_the_manager_creates_a_product_through_the_form(manager):
    data = {
        "model_code": "D-500",
        "name": "环氧地坪漆",
        "unit": "组",
        "standard_price": "520",
        "is_new": "on",
    }
    response = client_for(manager).post(reverse("catalog:product-create"), data)
    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog:product-detail", args=[product.pk])
    assert (product.standard_price, product.is_new) == (Decimal("520.0000"), True)


def test_a_price_change_shows_in_the_product_history(manager, product):
    client = client_for(manager)
    data = {
        "model_code": "A-101",
        "name": product.name,
        "unit": "桶",
        "standard_price": "395.5",
        "active": "on",
    }
    assert client.post(reverse("catalog:product-edit", args=[product.pk]), data).status_code == 302
    html = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert "380.0000</del> → 395.5000" in html


def test_suspending_a_carrier_needs_a_reason(manager):
    carrier = CarrierFactory(name="联昊通")
    client = client_for(manager)
    response = client.post(reverse("catalog:carrier-suspend", args=[carrier.pk]), {"reason": ""}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.ACTIVE


def test_suspending_and_reinstating_a_carrier_through_the_page(manager):
    # given
    carrier = CarrierFactory(name="联昊通")
    client = client_for(manager)

    # when suspended with a reason
    response = client.post(
        reverse("catalog:carrier-suspend", args=[carrier.pk]), {"reason": "代收货款逾期 10 天"}, follow=True
    )

    # then the carrier page says so, and the workbench lists it
    assert "代收货款逾期 10 天" in response.content.decode()
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.SUSPENDED
    assert "联昊通" in client.get(reverse("workbench:home")).content.decode()

    # when reinstated, it is active again
    client.post(reverse("catalog:carrier-reinstate", args=[carrier.pk]))
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.ACTIVE


def test_the_manager_adds_a_carrier(manager):
    data = {"name": "申通", "kind": "courier", "service_area": "外省文件", "return_deadline_days": "7"}
    response = client_for(manager).post(reverse("catalog:carrier-create"), data)
    assert response.status_code == 302
    assert Carrier.objects.get().name == "申通"
