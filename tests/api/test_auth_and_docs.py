"""Bearer tokens guard every endpoint; the contract is published as OpenAPI with its docs page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from salesdesk.core.models import ApiToken
from salesdesk.customers.models import Customer
from tests.api.conftest import ApiClient, token_for
from tests.conftest import client_for


@pytest.mark.django_db
def test_a_correct_password_gets_a_token_that_opens_the_api(assistant):
    token = token_for(assistant)

    response = ApiClient(token).get("/customers")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


@pytest.mark.django_db
def test_a_wrong_password_gets_no_token(assistant):
    response = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "assistant", "password": "wrong-password-123"}),
        content_type="application/json",
    )

    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "__all__"


@pytest.mark.django_db
def test_a_username_with_a_nul_character_is_refused_before_it_reaches_the_database(assistant):
    response = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "assist\x00ant", "password": "x"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "username"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/customers", "/customers/GS00001", "/products", "/carriers", "/customers/GS00001/prices"]
)
def test_a_request_without_a_token_is_refused_with_401(path):
    response = ApiClient().get(path)

    assert response.status_code == 401
    body = response.json()
    assert body["detail"] and body["errors"][0]["field"] == "__all__"


@pytest.mark.django_db
def test_a_made_up_token_is_refused_with_401(assistant):
    response = ApiClient("not-a-real-token").get("/customers")

    assert response.status_code == 401


@pytest.mark.django_db
def test_an_expired_token_is_refused_with_401(assistant):
    token = token_for(assistant)
    ApiToken.objects.filter(user=assistant).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = ApiClient(token).get("/customers")

    assert response.status_code == 401


@pytest.mark.django_db
def test_the_token_of_a_deactivated_user_is_refused_with_401(assistant):
    token = token_for(assistant)
    assistant.is_active = False
    assistant.save()

    response = ApiClient(token).get("/customers")

    assert response.status_code == 401


@pytest.mark.django_db
def test_a_write_without_a_token_is_refused_and_writes_nothing():
    response = ApiClient().post("/customers", {"series": "GS", "name": "佛山美家"})

    assert response.status_code == 401
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_the_openapi_document_is_valid_json_listing_every_master_data_path():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    expected = {
        "/api/v1/auth/token": {"post"},
        "/api/v1/customers": {"get", "post"},
        "/api/v1/customers/{code}": {"get", "patch"},
        "/api/v1/customers/{code}/credit-applications": {"post"},
        "/api/v1/credit-applications/{application_id}/approve": {"post"},
        "/api/v1/credit-applications/{application_id}/reject": {"post"},
        "/api/v1/products": {"get", "post"},
        "/api/v1/customers/{code}/prices": {"get", "post"},
        "/api/v1/customers/{code}/rebates": {"get", "post"},
        "/api/v1/carriers": {"get", "post"},
        "/api/v1/carriers/{carrier_id}/suspend": {"post"},
        "/api/v1/carriers/{carrier_id}/reinstate": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    referenced = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', response.content.decode()))
    assert referenced and referenced <= set(document["components"]["schemas"])


@pytest.mark.django_db
def test_the_openapi_document_says_money_is_a_decimal_string():
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]

    price = schemas["ProductOut"]["properties"]["standard_price"]
    assert price["type"] == "string" and price["format"] == "decimal"
    assert "standard_price" not in schemas["ProductWarehouseOut"]["properties"]


@pytest.mark.django_db
def test_the_api_docs_page_answers_without_a_session():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nope", 404),
        ("get", "/api/v1/customers/", 404),  # the trailing slash: no such address
        ("delete", "/api/v1/customers/GS00001", 405),
        ("put", "/api/v1/customers/GS00001", 405),
    ],
)
def test_an_address_or_method_the_api_does_not_have_answers_in_its_error_shape(
    assistant, method, path, status
):
    client = Client()
    answer = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {token_for(assistant)}")
    assert answer.status_code == status
    body = answer.json()
    assert body["detail"] and body["errors"][0]["field"] == "__all__"
    if status == 405:
        assert "GET" in answer["Allow"]


@pytest.mark.django_db
def test_a_page_that_does_not_exist_is_still_a_page(assistant):
    answer = client_for(assistant).get("/no-such-page/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")
