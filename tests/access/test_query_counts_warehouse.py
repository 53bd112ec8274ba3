"""Warehouse pages make as many queries with 30 busy customers as with 3: no query per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access.busy_world import BusyWorld, assert_counts_stay_fixed, clients_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("assistant", "salesperson", "warehouse", "finance", "manager")


def urls(world: BusyWorld, role: str) -> list[str]:  # noqa: F811  (a plain argument)
    pages = [
        reverse("warehouse:queue"),
        reverse("warehouse:outbound-list"),
        reverse("warehouse:stock-list"),
        reverse("warehouse:courier-log"),
        reverse("warehouse:order-shipments", args=[world.big_order.reference]),
    ]
    if role != "salesperson":  # the stock ledger is not the salespeople's
        pages.append(reverse("warehouse:stock-moves", args=[world.product.pk]))
    if role != "warehouse":  # COD is money
        pages.append(reverse("receivables:cod-list"))
    return pages


def test_warehouse_pages_make_a_fixed_number_of_queries(request, world):  # noqa: F811
    assert_counts_stay_fixed(world, clients_for(request, ROLES), urls)
