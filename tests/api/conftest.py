"""Fixtures for the API tests: a client that carries a bearer token, and some master data."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Product
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer

PASSWORD = "a-long-test-password-1"


class ApiClient:
    """Speaks JSON to /api/v1 as one user, the way an integration would."""

    def __init__(self, token: str | None = None, *, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str):
        return self.client.get(f"/api/v1{path}", params or {}, headers={**self.headers, **headers})

    def post(self, path: str, data: Any = None, **headers: str):
        return self._send("post", path, data, headers)

    def patch(self, path: str, data: Any = None, **headers: str):
        return self._send("patch", path, data, headers)

    def _send(self, method: str, path: str, data: Any, headers: dict[str, str]):
        # A str body goes out as it is, so tests can send what no JSON encoder would write.
        body = data if isinstance(data, str | bytes) else json.dumps(data if data is not None else {})
        send = getattr(self.client, method)
        return send(
            f"/api/v1{path}", body, content_type="application/json", headers={**self.headers, **headers}
        )


def token_for(user, client: Client | None = None) -> str:
    response = (client or Client()).post(
        "/api/v1/auth/token",
        json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api_as():
    """api_as(user) → an ApiClient holding a fresh token of that user."""

    def make(user) -> ApiClient:
        return ApiClient(token_for(user))

    return make


def make_customer(by, *, series: str = "GS", name: str = "佛山美家涂料", **fields: Any) -> Customer:
    fields.setdefault("contacts", [{"name": "黄经理", "phone": "13800138000", "role": "采购"}])
    return customer_services.customer_create(by=by, series=series, name=name, **fields)


def make_product(by, model_code: str = "KD-101", price: str = "349.60", **fields: Any) -> Product:
    fields.setdefault("name", "水性木器清漆")
    return catalog_services.product_create(
        by=by, model_code=model_code, standard_price=Decimal(price), **fields
    )


@pytest.fixture
def own_customer(salesperson, assistant) -> Customer:
    """A customer of `salesperson`, looked after by `assistant`."""
    return make_customer(salesperson, assistant=assistant, credit_limit=Decimal("50000"), rebate=True)


@pytest.fixture
def others_customer(other_salesperson, other_assistant) -> Customer:
    return make_customer(other_salesperson, name="广州彩虹建材", assistant=other_assistant)


@pytest.fixture
def product(manager) -> Product:
    return make_product(manager)
