"""Every report, and the charts, make as many queries with 30 busy customers as with 3."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from salesdesk.reports.base import REPORTS
from salesdesk.reports.views_charts import VIEW as CHARTS
from tests.access.busy_world import BusyWorld, assert_counts_stay_fixed, clients_for, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("assistant", "salesperson", "warehouse", "finance", "manager")


def this_month(report) -> str:
    today = timezone.localdate()
    period = {"date_from": f"{today.replace(day=1):%Y-%m-%d}", "date_to": f"{today:%Y-%m-%d}"}
    return urlencode({key: value for key, value in period.items() if key in report.filters})


def urls(world: BusyWorld, role: str) -> list[str]:  # noqa: F811  (a plain argument)
    user = getattr(world, role)
    pages = [reverse("reports:index")]
    if user.has_perm(CHARTS):
        pages.append(reverse("reports:charts"))
    for report in REPORTS.values():
        if user.has_perm(report.permission):
            pages.append(reverse("reports:report", args=[report.name]) + "?" + this_month(report))
    return pages


def test_report_pages_make_a_fixed_number_of_queries(request, world):  # noqa: F811
    counted = assert_counts_stay_fixed(world, clients_for(request, ROLES), urls)
    # every report is counted for the manager, and the warehouse still has some to open
    assert sum(role == "manager" for role, _ in counted) == len(REPORTS) + 2
    assert sum(role == "warehouse" for role, _ in counted) > 1
