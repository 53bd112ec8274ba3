"""The API's lists make as many queries with 30 busy customers as with 3: no query per item."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from salesdesk.commissions.models import CommissionStatement
from tests.access.busy_world import BusyWorld, assert_counts_stay_fixed, world  # noqa: F401
from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db

ROLES = ("assistant", "salesperson", "warehouse", "finance", "manager")
API = "/api/v1"


class Bearer:
    """GETs with a role's token, as an integration would."""

    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token_for(user, self.client)}"}

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)


def urls(world: BusyWorld, role: str) -> list[str]:  # noqa: F811  (a plain argument)
    big = world.big_order.reference
    search = urlencode({"q": "佛山客户"})
    paths = [
        "/orders",
        f"/orders?{search}",
        f"/orders/{big}",
        f"/orders/{big}/tracking",
        "/customers",
        f"/customers?{search}",
    ]
    paths += ["/stock", "/workbench"]
    if role != "warehouse":  # money is not the warehouse's
        today = timezone.localdate()
        month = urlencode({"from": f"{today.replace(day=1):%Y-%m-%d}", "to": f"{today:%Y-%m-%d}"})
        statement = CommissionStatement.objects.filter(customer=world.customers[0]).latest("id")
        paths += [
            "/receipts",
            f"/customers/{world.customers[0].code}/ar",
            "/invoices",
            "/receipt-slips",
            "/statements",
            "/commissions/accruals",
            "/commissions/accruals?status=on_statement",
            "/commissions/accruals?status=waiting",
            "/commissions/missed",
            "/write-offs",
            "/commissions/statements",
            f"/commissions/statements/{statement.number}",
            f"/reports/sales_outbound?{month}",
            f"/reports/sales_receipts?{month}",
            "/reports/ar_aging",
            f"/reports/commission_statement?{month}",
        ]
    return [API + path for path in paths]


def test_api_lists_make_a_fixed_number_of_queries(request, world):  # noqa: F811
    clients = {role: Bearer(request.getfixturevalue(role)) for role in ROLES}
    assert_counts_stay_fixed(world, clients, urls)
