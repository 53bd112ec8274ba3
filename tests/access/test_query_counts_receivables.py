"""Receivables pages make as many queries with 30 busy customers as with 3: no query per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access.busy_world import BusyWorld, assert_counts_stay_fixed, clients_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("assistant", "salesperson", "finance", "manager")  # the warehouse sees no money


def urls(world: BusyWorld, role: str) -> list[str]:  # noqa: F811  (a plain argument)
    # The first customer's account grows too: a part of its big order is shipped and paid per customer added.
    return [
        reverse("receivables:ledger"),
        reverse("receivables:customer-ar", args=[world.customers[0].code]),
        reverse("receivables:receipt-list"),
        reverse("receivables:finance-list"),
        reverse("receivables:credit-list"),
        reverse("receivables:invoice-due"),
        reverse("receivables:invoice-list"),
        reverse("receivables:slip-list"),
        reverse("receivables:statement-list"),
        reverse("receivables:month-end"),
        reverse("receivables:collection"),
    ]


def test_receivables_pages_make_a_fixed_number_of_queries(request, world):  # noqa: F811
    assert_counts_stay_fixed(world, clients_for(request, ROLES), urls)
