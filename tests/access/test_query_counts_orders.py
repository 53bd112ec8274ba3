"""Order pages make as many queries with 30 busy customers as with 3: no query per order."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.access.busy_world import BusyWorld, assert_counts_stay_fixed, clients_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("assistant", "salesperson", "warehouse", "finance", "manager")


def urls(world: BusyWorld, role: str) -> list[str]:  # noqa: F811  (a plain argument)
    today = timezone.localdate()
    big = world.big_order.reference
    return [
        reverse("orders:order-list"),
        reverse("orders:order-list") + "?" + urlencode({"q": "佛山客户"}),
        reverse("orders:order-detail", args=[big]),
        reverse("orders:order-tracking", args=[big]),
        reverse("orders:sales-register") + f"?year={today.year}&month={today.month}",
        reverse("orders:order-find") + "?" + urlencode({"q": "佛山客户"}),
    ]


def test_order_pages_make_a_fixed_number_of_queries(request, world):  # noqa: F811
    assert_counts_stay_fixed(world, clients_for(request, ROLES), urls)
