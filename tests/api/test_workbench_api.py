"""GET /api/v1/workbench: the token's user's sections and items, scoped like the page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from salesdesk.workbench.selectors import workbench_items
from tests.workbench.test_roles import (  # noqa: F401  (shared fixtures)
    another_customer,
    busy_day,
    carrier,
    customer,
    debtor,
    other_product,
    product,
    stocked,
)

pytestmark = pytest.mark.django_db


def items_of(body: dict) -> str:
    return "\n".join(f"{i['title']} {i['detail']} {i['url']}" for s in body["sections"] for i in s["items"])


def test_the_workbench_answers_the_users_sections_as_on_the_page(api_as, busy_day, assistant):  # noqa: F811
    response = api_as(assistant).get("/workbench")

    assert response.status_code == 200
    body = response.json()
    assert body["day"] == f"{timezone.localdate():%Y-%m-%d}"
    expected = [
        {
            "key": s.key,
            "title": s.title,
            "kind": s.kind,
            "items": [{"title": i.title, "detail": i.detail, "url": i.url} for i in s.items],
            "more": s.more,
            "more_url": s.more_url,
        }
        for s in workbench_items(user=assistant)
    ]
    assert body["sections"] == expected
    held = next(s for s in body["sections"] if s["key"] == "orders_on_hold")
    assert reverse("orders:order-detail", args=[busy_day.held.number]) in [i["url"] for i in held["items"]]


@pytest.mark.parametrize("role", ["assistant", "salesperson"])
def test_another_users_customers_never_show(request, api_as, busy_day, role):  # noqa: F811
    shown = items_of(api_as(request.getfixturevalue(role)).get("/workbench").json())
    assert busy_day.debtor.name in shown
    for trace in (busy_day.theirs.name, busy_day.theirs.code, busy_day.their_held.number):
        assert trace not in shown


def test_the_warehouse_gets_its_queue_only_and_no_money(api_as, busy_day, warehouse):  # noqa: F811
    body = api_as(warehouse).get("/workbench").json()
    assert [s["key"] for s in body["sections"]] == ["warehouse_today", "suspended_carriers"]
    shown = items_of(body)
    assert busy_day.to_ship.number in shown
    for amount in ("731.40", "699.20", "1,900.00", "349.60"):
        assert amount not in shown


def test_the_manager_gets_the_day_in_figures(api_as, busy_day, manager):  # noqa: F811
    body = api_as(manager).get("/workbench").json()
    glance = body["sections"][0]
    assert glance["key"] == "day_at_a_glance" and glance["kind"] == "figures"
    assert [i["detail"] for i in glance["items"]][-1] == "2,250.00"


def test_this_mornings_reminders_come_with_the_sections(api_as, busy_day, assistant, other_assistant):  # noqa: F811
    client = api_as(assistant)
    assert client.get("/workbench").json()["reminders"] == []
    call_command("daily", stdout=StringIO())

    reminders = client.get("/workbench").json()["reminders"]

    assert {r["url"] for r in reminders} == {
        i["url"]
        for s in client.get("/workbench").json()["sections"]
        if s["kind"] == "tasks"
        for i in s["items"]
    }
    assert all(r["done"] is False for r in reminders)
    theirs = api_as(other_assistant).get("/workbench").json()["reminders"]
    assert not {r["id"] for r in theirs} & {r["id"] for r in reminders}


def test_without_a_token_the_workbench_answers_401(client):
    response = client.get("/api/v1/workbench")
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "__all__"
