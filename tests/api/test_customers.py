"""Customers over the API: create, read, list, change, and who may see and do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.customers import services
from salesdesk.customers.models import Contact, Customer
from tests.api.conftest import make_customer

FULL_CUSTOMER = {
    "series": "YW",
    "name": "佛山美家涂料有限公司",
    "region": "珠三角",
    "province": "广东",
    "city": "佛山",
    "address": "禅城区季华路 88 号",
    "salesperson": "sales",
    "assistant": "assistant",
    "credit_days": 0,
    "credit_limit": "50000",
    "invoice_required": True,
    "invoice_day": 25,
    "invoice_title": "佛山美家涂料有限公司",
    "tax_id": "91440604MA4UJ8XX1K",
    "rebate": True,
    "shipping_notes": "上午送货，卸货需叉车",
    "settlement": "monthly",
    "receipt_seal": "kedi_official",
    "contract_terms": "月结 30 天",
    "contract_valid_from": "2026-01-01",
    "contract_valid_to": "2026-12-31",
    "status": "active",
    "notes": "老客户介绍",
    "contacts": [{"name": "黄经理", "phone": "13800138000", "role": "采购"}],
}


@pytest.mark.django_db
def test_an_assistant_creates_a_complete_customer_and_gets_its_code(api_as, assistant, salesperson):
    response = api_as(assistant).post("/customers", FULL_CUSTOMER)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "YW00001"
    assert body["credit_limit"] == "50000.00"
    assert body["salesperson"] == "sales" and body["assistant"] == "assistant"
    assert body["contract_valid_to"] == "2026-12-31"
    assert body["contacts"] == [
        {"id": body["contacts"][0]["id"], "name": "黄经理", "phone": "13800138000", "role": "采购"}
    ]
    assert body["missing_fields"] == []
    customer = Customer.objects.get(code="YW00001")
    assert customer.credit_limit == Decimal("50000.00")
    assert customer.created_by == assistant


@pytest.mark.django_db
def test_a_new_customer_lists_the_master_data_still_missing_by_name(api_as, salesperson):
    response = api_as(salesperson).post("/customers", {"series": "GS", "name": "江门新客户"})

    assert response.status_code == 201
    body = response.json()
    assert body["code"] == "GS00001"
    assert body["salesperson"] == "sales"  # a salesperson's new customer is theirs
    missing = {m["field"]: m["label"] for m in body["missing_fields"]}
    assert {"address", "contacts", "settlement", "assistant"} <= set(missing)
    assert all(missing.values())


@pytest.mark.django_db
def test_money_in_a_json_number_is_kept_exactly(api_as, assistant):
    response = api_as(assistant).post(
        "/customers", {"series": "GS", "name": "中山彩虹", "credit_limit": 1234.5}
    )

    assert response.status_code == 201
    assert response.json()["credit_limit"] == "1234.50"
    assert Customer.objects.get().credit_limit == Decimal("1234.50")


@pytest.mark.django_db
def test_a_customer_is_read_by_its_code(api_as, salesperson, own_customer):
    response = api_as(salesperson).get(f"/customers/{own_customer.code}")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == own_customer.code
    assert body["name"] == "佛山美家涂料"
    assert body["credit_limit"] == "50000.00"
    assert body["rebate"] is True


@pytest.mark.django_db
def test_the_list_shows_a_salesperson_only_their_own_customers(
    api_as, salesperson, own_customer, others_customer
):
    response = api_as(salesperson).get("/customers")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [c["code"] for c in response.json()["items"]] == [own_customer.code]


@pytest.mark.django_db
def test_the_list_shows_an_assistant_only_the_customers_they_look_after(
    api_as, assistant, own_customer, others_customer
):
    codes = [c["code"] for c in api_as(assistant).get("/customers").json()["items"]]

    assert codes == [own_customer.code]


@pytest.mark.django_db
def test_finance_and_the_manager_see_every_customer(api_as, finance, manager, own_customer, others_customer):
    for user in (finance, manager):
        assert api_as(user).get("/customers").json()["count"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("patch", ""), ("get", "/prices"), ("get", "/rebates"), ("post", "/credit-applications")],
)
def test_another_salespersons_customer_answers_404_as_if_it_did_not_exist(
    api_as, salesperson, others_customer, method, suffix
):
    client = api_as(salesperson)
    path = f"/customers/{others_customer.code}{suffix}"
    body = {"name": "改名"} if method == "patch" else {"credit_days": 30}
    response = client.get(path) if method == "get" else getattr(client, method)(path, body)

    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "__all__"
    others_customer.refresh_from_db()
    assert others_customer.name == "广州彩虹建材"


@pytest.mark.django_db
def test_the_list_filters_by_search_text_series_and_status(api_as, manager, salesperson):
    make_customer(salesperson, series="GS", name="佛山美家")
    make_customer(salesperson, series="KD", name="长沙星城代理")
    closed = make_customer(salesperson, series="KD", name="湘潭旧代理")
    services.customer_update(customer=closed, by=manager, status="closed")
    client = api_as(manager)

    assert [c["name"] for c in client.get("/customers", {"q": "美家"}).json()["items"]] == ["佛山美家"]
    assert client.get("/customers", {"series": "KD"}).json()["count"] == 2
    assert [
        c["code"] for c in client.get("/customers", {"series": "KD", "status": "active"}).json()["items"]
    ] == ["KD00001"]
    assert client.get("/customers", {"q": "13800138000"}).json()["count"] == 3  # a contact's phone


@pytest.mark.django_db
def test_the_list_pages_with_limit_and_offset(api_as, manager, salesperson):
    for i in range(5):
        make_customer(salesperson, name=f"客户{i}")
    client = api_as(manager)

    page = client.get("/customers", {"limit": 2, "offset": 2}).json()

    assert page["count"] == 5
    assert [c["code"] for c in page["items"]] == ["GS00003", "GS00004"]


@pytest.mark.django_db
def test_the_customer_list_makes_the_same_number_of_queries_for_3_or_30_customers(
    api_as, manager, salesperson, assistant
):
    client = api_as(manager)

    def add(n: int) -> None:
        for _i in range(n):
            customer = make_customer(salesperson, assistant=assistant, prepayment_exception_by=salesperson)
            services.credit_application_submit(customer=customer, by=assistant, credit_days=30)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/customers", {"limit": 200})
        assert response.status_code == 200
        return len(queries)

    add(3)
    with_3 = count_queries()
    add(27)
    with_30 = count_queries()

    assert with_30 == with_3


@pytest.mark.django_db
def test_a_patch_changes_only_the_fields_sent(api_as, assistant, own_customer):
    response = api_as(assistant).patch(
        f"/customers/{own_customer.code}", {"address": "南海区桂城 1 号", "credit_limit": "80000.5"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["address"] == "南海区桂城 1 号"
    assert response.json()["credit_limit"] == "80000.50"
    own_customer.refresh_from_db()
    assert own_customer.credit_limit == Decimal("80000.50")
    assert own_customer.name == "佛山美家涂料" and own_customer.rebate is True


@pytest.mark.django_db
def test_a_patch_with_null_clears_an_optional_field(api_as, assistant, own_customer):
    response = api_as(assistant).patch(f"/customers/{own_customer.code}", {"credit_limit": None})

    assert response.status_code == 200
    assert response.json()["credit_limit"] is None


@pytest.mark.django_db
def test_a_patch_with_contacts_replaces_the_list_and_keeps_the_ones_sent_by_id(
    api_as, assistant, own_customer
):
    kept = own_customer.contacts.get()
    response = api_as(assistant).patch(
        f"/customers/{own_customer.code}",
        {
            "contacts": [
                {"id": kept.pk, "name": "黄经理", "phone": "13900139000", "role": "老板"},
                {"name": "小陈", "phone": "0757-83838383"},
            ]
        },
    )

    assert response.status_code == 200, response.content
    contacts = response.json()["contacts"]
    assert [(c["name"], c["phone"]) for c in contacts] == [
        ("黄经理", "13900139000"),
        ("小陈", "0757-83838383"),
    ]
    assert contacts[0]["id"] == kept.pk
    assert Contact.objects.filter(customer=own_customer).count() == 2


@pytest.mark.django_db
def test_a_patch_refused_on_a_contact_changes_neither_the_customer_nor_its_contacts(
    api_as, assistant, own_customer
):
    # The name is fine for the schema; the contact's phone is blank, which the service refuses.
    response = api_as(assistant).patch(
        f"/customers/{own_customer.code}",
        {"name": "新名字", "contacts": [{"name": "无电话", "phone": " "}]},
    )

    assert response.status_code == 422
    own_customer.refresh_from_db()
    assert own_customer.name == "佛山美家涂料"
    assert own_customer.contacts.count() == 1


@pytest.mark.django_db
def test_the_series_of_a_customer_cannot_be_changed(api_as, assistant, own_customer):
    response = api_as(assistant).patch(f"/customers/{own_customer.code}", {"series": "KD"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "series"


@pytest.mark.django_db
def test_the_warehouse_sees_where_to_ship_but_no_money(api_as, warehouse, own_customer):
    client = api_as(warehouse)

    one = client.get(f"/customers/{own_customer.code}").json()
    listed = client.get("/customers").json()["items"][0]

    for body in (one, listed):
        assert set(body) == {
            "code",
            "name",
            "region",
            "province",
            "city",
            "address",
            "shipping_notes",
            "status",
            "contacts",
        }
        assert body["contacts"][0]["phone"] == "13800138000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("warehouse", "post", "/customers", {"series": "GS", "name": "仓库建的"}),
        ("finance", "post", "/customers", {"series": "GS", "name": "财务建的"}),
        ("warehouse", "patch", "/customers/{code}", {"name": "仓库改的"}),
        ("finance", "patch", "/customers/{code}", {"name": "财务改的"}),
        ("warehouse", "post", "/customers/{code}/credit-applications", {"credit_days": 30}),
        ("finance", "post", "/customers/{code}/credit-applications", {"credit_days": 30}),
    ],
)
def test_a_role_without_the_permission_gets_403_and_nothing_changes(
    request, api_as, own_customer, role, method, path, body
):
    user = request.getfixturevalue(role)
    before = (Customer.objects.count(), own_customer.credit_applications.count())

    response = getattr(api_as(user), method)(path.format(code=own_customer.code), body)

    assert response.status_code == 403
    assert response.json()["detail"]
    own_customer.refresh_from_db()
    assert own_customer.name == "佛山美家涂料"
    assert (Customer.objects.count(), own_customer.credit_applications.count()) == before


@pytest.mark.django_db
def test_a_user_with_no_role_is_refused_the_customer_list(api_as, own_customer):
    User.objects.create_user(username="nobody", password="a-long-test-password-1")
    nobody = User.objects.get(username="nobody")

    response = api_as(nobody).get("/customers")

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_largest_credit_limit_the_column_holds_is_accepted_exactly(api_as, assistant):
    response = api_as(assistant).post(
        "/customers", {"series": "GS", "name": "大客户", "credit_limit": "999999999999.99"}
    )

    assert response.status_code == 201
    assert response.json()["credit_limit"] == "999999999999.99"
    assert Customer.objects.get().credit_limit == Decimal("999999999999.99")
