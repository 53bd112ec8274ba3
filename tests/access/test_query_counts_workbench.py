"""Each role's workbench makes as many queries with 30 busy customers as with 3."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access.busy_world import BusyWorld, assert_counts_stay_fixed, clients_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("assistant", "salesperson", "warehouse", "finance", "manager")


def urls(world: BusyWorld, role: str) -> list[str]:  # noqa: F811  (a plain argument)
    return [reverse("workbench:home")]


def test_every_roles_workbench_makes_a_fixed_number_of_queries(request, world):  # noqa: F811
    assert_counts_stay_fixed(world, clients_for(request, ROLES), urls)
