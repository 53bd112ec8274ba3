"""Commission pages make as many queries with 30 busy customers as with 3: no query per accrual."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesdesk.commissions.models import CommissionStatement
from tests.access.busy_world import BusyWorld, assert_counts_stay_fixed, clients_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("assistant", "salesperson", "finance", "manager")  # the warehouse sees no money


def urls(world: BusyWorld, role: str) -> list[str]:  # noqa: F811  (a plain argument)
    # The first customer's statement holds a commission per part of its big order: it grows too.
    first = CommissionStatement.objects.filter(customer=world.customers[0]).latest("id")
    return [
        reverse("commissions:accrual-list"),
        reverse("commissions:missed"),
        reverse("commissions:statement-list"),
        reverse("commissions:statement-detail", args=[first.number]),
    ]


def test_commission_pages_make_a_fixed_number_of_queries(request, world):  # noqa: F811
    assert_counts_stay_fixed(world, clients_for(request, ROLES), urls)
