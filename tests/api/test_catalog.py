"""Products, agreed prices, rebate prices and carriers over the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.catalog import services
from salesdesk.catalog.models import Carrier, CarrierStatus, CustomerPrice, Product, RebatePrice
from tests.api.conftest import make_customer, make_product

# --- Products -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_manager_adds_a_product_and_its_price_comes_back_as_a_decimal_string(api_as, manager):
    response = api_as(manager).post(
        "/products",
        {
            "model_code": "KD-205",
            "name": "外墙弹性乳胶漆",
            "specification": "18L",
            "standard_price": "349.6",
            "is_new": True,
            "selling_points": "耐候十年",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["standard_price"] == "349.6000"
    assert body["unit"] == "桶" and body["active"] is True and body["is_new"] is True
    assert Product.objects.get(model_code="KD-205").standard_price == Decimal("349.6000")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["assistant", "salesperson", "finance", "warehouse"])
def test_only_the_manager_adds_products(request, api_as, role):
    user = request.getfixturevalue(role)

    response = api_as(user).post("/products", {"model_code": "X-1", "name": "试样", "standard_price": "1"})

    assert response.status_code == 403
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_duplicate_model_code_is_refused_on_that_field(api_as, manager, product):
    response = api_as(manager).post(
        "/products", {"model_code": product.model_code, "name": "重复", "standard_price": "1"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "model_code"
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_the_product_list_filters_new_and_active_products_and_searches(api_as, assistant, manager):
    make_product(manager, "KD-101", name="水性木器清漆")
    make_product(manager, "KD-102", name="新款外墙漆", is_new=True)
    make_product(manager, "KD-103", name="停产底漆", active=False)
    client = api_as(assistant)

    def codes(**params) -> list[str]:
        return [p["model_code"] for p in client.get("/products", params).json()["items"]]

    assert codes() == ["KD-101", "KD-102", "KD-103"]
    assert codes(new_only="true") == ["KD-102"]
    assert codes(active_only="true") == ["KD-101", "KD-102"]
    assert codes(q="外墙") == ["KD-102"]
    assert client.get("/products").json()["items"][0]["standard_price"] == "349.6000"


@pytest.mark.django_db
def test_the_warehouse_sees_products_without_their_price(api_as, warehouse, product):
    body = api_as(warehouse).get("/products").json()

    assert body["count"] == 1
    assert "standard_price" not in body["items"][0]
    assert body["items"][0]["model_code"] == product.model_code


# --- Agreed prices --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_assistant_agrees_a_price_and_sees_the_rebates_that_may_need_to_follow(
    api_as, manager, assistant, own_customer, product
):
    services.rebate_set(
        customer=own_customer,
        product=product,
        rebate_unit_price=Decimal("12.5"),
        valid_from=dt.date(2026, 1, 1),
        by=manager,
        payee_name="黄经理",
    )

    response = api_as(assistant).post(
        f"/customers/{own_customer.code}/prices",
        {"product": product.model_code, "unit_price": 320.5, "valid_from": "2026-03-01", "note": "年度协议"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["price"]["unit_price"] == "320.5000"
    assert body["price"]["product"] == "KD-101"
    assert body["price"]["valid_from"] == "2026-03-01"
    assert [(r["product"], r["rebate_unit_price"]) for r in body["rebates_to_review"]] == [
        ("KD-101", "12.5000")
    ]
    assert CustomerPrice.objects.get().unit_price == Decimal("320.5000")


@pytest.mark.django_db
def test_a_price_without_a_start_date_starts_today(api_as, assistant, own_customer, product):
    response = api_as(assistant).post(
        f"/customers/{own_customer.code}/prices", {"product": product.model_code, "unit_price": "300"}
    )

    assert response.status_code == 201
    assert response.json()["price"]["valid_from"] == timezone.localdate().isoformat()


@pytest.mark.django_db
def test_the_prices_in_force_on_a_day_are_the_latest_started_by_then(
    api_as, assistant, own_customer, product
):
    for day, price in [("2026-01-01", "300"), ("2026-03-01", "320"), ("2026-06-01", "340")]:
        services.price_set(
            customer=own_customer,
            product=product,
            unit_price=Decimal(price),
            valid_from=dt.date.fromisoformat(day),
            by=assistant,
        )
    client = api_as(assistant)

    in_april = client.get(f"/customers/{own_customer.code}/prices", {"on": "2026-04-15"}).json()
    history = client.get(f"/customers/{own_customer.code}/prices", {"history": "true"}).json()

    assert [(p["unit_price"], p["valid_from"]) for p in in_april["items"]] == [("320.0000", "2026-03-01")]
    assert [p["unit_price"] for p in history["items"]] == ["340.0000", "320.0000", "300.0000"]
    assert client.get(f"/customers/{own_customer.code}/prices", {"on": "2025-12-31"}).json()["count"] == 0


@pytest.mark.django_db
def test_a_second_price_on_the_same_start_date_is_a_conflict(api_as, assistant, own_customer, product):
    client = api_as(assistant)
    payload = {"product": product.model_code, "unit_price": "300", "valid_from": "2026-03-01"}
    client.post(f"/customers/{own_customer.code}/prices", payload)

    response = client.post(f"/customers/{own_customer.code}/prices", {**payload, "unit_price": "310"})

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "valid_from"
    assert CustomerPrice.objects.get().unit_price == Decimal("300.0000")


@pytest.mark.django_db
def test_a_price_for_an_inactive_product_is_refused_on_the_product_field(
    api_as, assistant, manager, own_customer
):
    make_product(manager, "KD-999", active=False)

    response = api_as(assistant).post(
        f"/customers/{own_customer.code}/prices", {"product": "KD-999", "unit_price": "1"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "product"


@pytest.mark.django_db
def test_a_salesperson_reads_prices_but_may_not_agree_them(api_as, salesperson, own_customer, product):
    client = api_as(salesperson)

    assert client.get(f"/customers/{own_customer.code}/prices").status_code == 200
    response = client.post(
        f"/customers/{own_customer.code}/prices", {"product": product.model_code, "unit_price": "1"}
    )
    assert response.status_code == 403
    assert CustomerPrice.objects.count() == 0


@pytest.mark.django_db
def test_another_assistants_customer_answers_404_when_setting_a_price(
    api_as, assistant, others_customer, product
):
    response = api_as(assistant).post(
        f"/customers/{others_customer.code}/prices", {"product": product.model_code, "unit_price": "1"}
    )

    assert response.status_code == 404
    assert CustomerPrice.objects.count() == 0


# --- Rebate prices --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_assistant_with_the_commission_permission_sets_a_rebate_price(
    api_as, assistant, own_customer, product
):
    response = api_as(assistant).post(
        f"/customers/{own_customer.code}/rebates",
        {
            "product": product.model_code,
            "rebate_unit_price": "8.8",
            "valid_from": "2026-02-01",
            "payee_name": "黄经理",
            "payee_bank": "工商银行佛山分行",
            "payee_account": "6222020000000000",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rebate_unit_price"] == "8.8000"
    assert body["payee_name"] == "黄经理"
    rebates = api_as(assistant).get(f"/customers/{own_customer.code}/rebates", {"on": "2026-02-01"}).json()
    assert [r["rebate_unit_price"] for r in rebates["items"]] == ["8.8000"]
    assert RebatePrice.objects.get().rebate_unit_price == Decimal("8.8000")


@pytest.mark.django_db
def test_a_rebate_price_needs_the_commission_permission(api_as, other_assistant, manager, product):
    customer = make_customer(other_assistant, rebate=True)

    response = api_as(other_assistant).post(
        f"/customers/{customer.code}/rebates",
        {"product": product.model_code, "rebate_unit_price": "5", "payee_name": "张三"},
    )

    assert response.status_code == 403
    assert RebatePrice.objects.count() == 0


@pytest.mark.django_db
def test_a_rebate_above_the_users_limit_is_refused_on_that_field(api_as, assistant, own_customer, product):
    assistant.profile.max_rebate_per_unit = Decimal("5")
    assistant.profile.save()

    response = api_as(assistant).post(
        f"/customers/{own_customer.code}/rebates",
        {"product": product.model_code, "rebate_unit_price": "5.0001", "payee_name": "张三"},
    )

    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "rebate_unit_price"
    assert RebatePrice.objects.count() == 0


@pytest.mark.django_db
def test_a_rebate_for_a_customer_without_rebates_is_refused(api_as, assistant, salesperson, product):
    customer = make_customer(salesperson, assistant=assistant, rebate=False)

    response = api_as(assistant).post(
        f"/customers/{customer.code}/rebates",
        {"product": product.model_code, "rebate_unit_price": "5", "payee_name": "张三"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer"


# --- Carriers -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_manager_adds_a_carrier_and_everyone_with_a_role_lists_it(api_as, manager, warehouse):
    response = api_as(manager).post(
        "/carriers",
        {
            "name": "联昊通",
            "service_area": "珠三角及省内包裹",
            "can_collect_cod": True,
            "can_return_notes": True,
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "courier"
    assert response.json()["return_deadline_days"] == 7
    listed = api_as(warehouse).get("/carriers").json()
    assert [c["name"] for c in listed["items"]] == ["联昊通"]


@pytest.mark.django_db
def test_a_suspended_carrier_leaves_the_selectable_list_until_reinstated(api_as, manager):
    carrier = services.carrier_create(by=manager, name="申通", kind="courier")
    client = api_as(manager)

    suspended = client.post(f"/carriers/{carrier.pk}/suspend", {"reason": "代收货款逾期未回"})

    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["suspended_reason"] == "代收货款逾期未回"
    assert client.get("/carriers", {"active_only": "true"}).json()["count"] == 0
    assert client.get("/carriers").json()["count"] == 1

    reinstated = client.post(f"/carriers/{carrier.pk}/reinstate", {"note": "已结清"})

    assert reinstated.status_code == 200
    assert reinstated.json()["status"] == "active"
    assert client.get("/carriers", {"active_only": "true"}).json()["count"] == 1


@pytest.mark.django_db
def test_suspending_a_carrier_twice_is_a_conflict(api_as, manager):
    carrier = services.carrier_create(by=manager, name="平安达")
    client = api_as(manager)
    client.post(f"/carriers/{carrier.pk}/suspend", {"reason": "回单逾期"})

    assert client.post(f"/carriers/{carrier.pk}/suspend", {"reason": "再次"}).status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["assistant", "salesperson", "finance", "warehouse"])
def test_only_the_manager_adds_suspends_or_reinstates_carriers(request, api_as, manager, role):
    carrier = services.carrier_create(by=manager, name="源伟丰")
    client = api_as(request.getfixturevalue(role))

    assert client.post("/carriers", {"name": "新快递"}).status_code == 403
    assert client.post(f"/carriers/{carrier.pk}/suspend", {"reason": "x"}).status_code == 403
    assert client.post(f"/carriers/{carrier.pk}/reinstate", {}).status_code == 403
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.ACTIVE
    assert Carrier.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_carrier_answers_404(api_as, manager):
    assert api_as(manager).post("/carriers/424242/suspend", {"reason": "x"}).status_code == 404
