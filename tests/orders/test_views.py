from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.orders import services
from salesdesk.orders.models import OrderStatus, SalesOrder
from tests.conftest import client_for
from tests.orders.conftest import pickup_order

pytestmark = pytest.mark.django_db


def entry(customer, carrier, lines, action="register", **header):
    data = {
        "customer": customer.code,
        "channel": "phone",
        "ship_method": "express",
        "carrier": carrier.pk,
        "collection_method": "cod",
        "salesperson": "",
        "warehouse_instructions": "",
        "action": action,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        **header,
    }
    for i, (product, quantity, price) in enumerate(lines):
        data.update(
            {f"lines-{i}-product": product, f"lines-{i}-quantity": quantity, f"lines-{i}-unit_price": price}
        )
    return data


def test_a_phone_order_entered_in_the_form_is_registered_with_agreed_prices(assistant, customer, carrier):
    client = client_for(assistant)
    response = client.post(
        "/orders/new/", entry(customer, carrier, [("a-101", "20", ""), ("B-220 外墙乳胶漆", "5", "")])
    )
    order = SalesOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    assert order.status == OrderStatus.REGISTERED
    assert sum(line.amount for line in order.lines.all()) == Decimal("8211.00")
    page = client.get(response["Location"]).content.decode()
    assert order.number in page and "8,211.00" in page


def test_saving_a_draft_gives_no_number_and_the_draft_can_be_changed(assistant, customer, carrier):
    client = client_for(assistant)
    client.post("/orders/new/", entry(customer, carrier, [("A-101", "1", "")], action="draft"))
    order = SalesOrder.objects.get()
    assert order.number is None and order.status == OrderStatus.DRAFT
    assert client.get(f"/orders/D{order.pk}/edit/").status_code == 200
    data = entry(customer, carrier, [("A-101", "3", "")])
    data["lines-INITIAL_FORMS"] = "1"
    response = client.post(f"/orders/D{order.pk}/edit/", data)
    order.refresh_from_db()
    assert response.status_code == 302 and order.status == OrderStatus.REGISTERED
    assert order.lines.get().quantity == Decimal("3.000")


@pytest.mark.parametrize(
    "lines",
    [
        [("NOPE-1", "1", "")],
        [("A-101", "-1", "")],
        [("A-101", "abc", "")],
        [("A-101", "1", "-5")],
        [("A-101", "1e30", "")],
        [("A-101", "1", "99999999999999999")],
        [("<script>alert(1)</script>", "1", "")],
        [("A-101\x00", "1", "")],
        [("' OR 1=1 --", "1", "")],
    ],
)
def test_bad_lines_show_a_form_error_and_write_nothing(assistant, customer, carrier, lines):
    response = client_for(assistant).post("/orders/new/", entry(customer, carrier, lines))
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert SalesOrder.objects.count() == 0


def test_another_assistants_customer_cannot_be_ordered_for(other_assistant, customer, carrier):
    response = client_for(other_assistant).post(
        "/orders/new/", entry(customer, carrier, [("A-101", "1", "")])
    )
    assert response.status_code == 200 and SalesOrder.objects.count() == 0


def test_override_release_and_tracking_through_the_pages(
    customer, carrier, product, other_assistant, assistant
):
    order = services.order_register(
        order=services.order_create(
            by=other_assistant,
            customer=customer,
            channel="phone",
            ship_method="express",
            carrier=carrier,
            collection_method="cod",
            lines=[services.LineInput(product=product, quantity=Decimal("1"), unit_price=Decimal("300"))],
        ),
        by=other_assistant,
    )
    client = client_for(assistant)
    tracking = client.get(f"/orders/{order.number}/tracking/").content.decode()
    assert "300.0000" in tracking  # the held check's reason tells the customer why it waits
    client.post(f"/orders/{order.number}/override/", {"code": "agreed_price", "reason": "老客户特价"})
    client.post(f"/orders/{order.number}/release/", {})
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED and order.ship_date is not None
    tracking = client.get(f"/orders/{order.number}/tracking/").content.decode()
    assert f"{order.ship_date:%Y-%m-%d}" in tracking


def test_other_salespeoples_orders_answer_404(draft, other_salesperson, other_assistant):
    for user in (other_salesperson, other_assistant):
        assert client_for(user).get(f"/orders/D{draft.pk}/").status_code == 404


def test_the_warehouse_sees_released_orders_without_prices(draft, assistant, warehouse):
    order = services.order_release(order=services.order_register(order=draft, by=assistant), by=assistant)
    client = client_for(warehouse)
    assert client.get(f"/orders/D{draft.pk}/").status_code == 404  # by draft reference: not a number
    for url in (
        f"/orders/{order.number}/",
        "/orders/",
        "/orders/register/",
        f"/orders/{order.number}/tracking/",
    ):
        page = client.get(url).content.decode()
        assert "349.6" not in page and "6992" not in page, url
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get("/orders/register/export.xlsx").streaming_content))
    )
    assert "金额" not in [c.value for c in workbook.active[1]]


def test_sales_register_export_lists_the_orders_of_the_period(draft, assistant):
    order = services.order_register(order=draft, by=assistant)
    response = client_for(assistant).get("/orders/register/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "登记号" and rows[1][0] == order.number and rows[1][-1] == 8211


def test_the_register_of_a_month_runs_from_its_first_local_midnight_to_the_next(assistant, customer, product):
    # Shanghai is eight hours ahead: 2026-11-30 23:59 there is 15:59 UTC, 2026-12-01 00:00 is 16:00.
    local = timezone.get_current_timezone()
    times = {
        "last of October": dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=local),
        "first of November": dt.datetime(2026, 11, 1, 0, 0, tzinfo=local),
        "last of November": dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=local),
        "first of December": dt.datetime(2026, 12, 1, 0, 0, tzinfo=local),
    }
    numbers = {}
    for name, at in times.items():
        order = services.order_register(order=pickup_order(assistant, customer, product, "1"), by=assistant)
        SalesOrder.objects.filter(pk=order.pk).update(registered_at=at)
        numbers[name] = order.number
    client = client_for(assistant)

    def listed(**period):
        return [o.number for o in client.get("/orders/register/", period).context["page"].object_list]

    assert listed(year=2026, month=11) == [numbers["first of November"], numbers["last of November"]]
    assert listed(year=2026, month=12) == [numbers["first of December"]]
    assert listed(year=2026, month=10) == [numbers["last of October"]]
    assert len(listed(year=2026)) == 4 and listed(year=2027) == []


def test_customer_panel_gives_agreed_prices_and_repeat_button(assistant, customer, draft):
    page = client_for(assistant).get(f"/orders/customer-panel/?customer={customer.code}").content.decode()
    assert '"A-101": "349.6000"' in page and "orders/repeat/" in page


def test_parse_endpoint_proposes_lines(assistant, product, other_product):
    answer = (
        client_for(assistant).post("/orders/parse/", {"text": "A-101 红色 20桶，B-220 5桶，明天要"}).json()
    )
    assert [(line["product"], line["quantity"]) for line in answer["lines"]] == [
        ("A-101", "20"),
        ("B-220", "5"),
    ]
    assert answer["requested_date"] is not None


def test_order_list_makes_the_same_number_of_queries_for_3_or_30_orders(assistant, customer, product):
    def make(n):
        for _ in range(n):
            pickup_order(assistant, customer, product, "1")

    client = client_for(assistant)
    make(3)
    with CaptureQueriesContext(connection) as few:
        client.get("/orders/")
    make(27)
    with CaptureQueriesContext(connection) as many:
        client.get("/orders/")
    assert len(many) == len(few)
