"""Report pages: the list, a report with its filters, a page of rows and totals of every row,
the print view and the .xlsx export — each only with the user's customers, refused without
the report's permission, and in a fixed number of queries."""

# The receivables fixtures are shared with tests/receivables, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.catalog import services as catalog_services
from salesdesk.customers.models import Customer
from salesdesk.warehouse import services as warehouse_services
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundLine, OutboundStatus
from tests.conftest import client_for
from tests.orders.conftest import carrier, customer, other_product, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import another_customer, debtor, receive, sell  # noqa: F401
from tests.reports.test_definitions import OUTSIDER, REPORT_NAMES, ago, world  # noqa: F401
from tests.warehouse.conftest import stocked  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

MONEY_REPORTS = [name for name in REPORT_NAMES if name not in {"sales_register", "courier_log"}]


def wide() -> dict:
    """The last ninety days up to today, read when the test runs: a constant taken when the module
    was collected goes stale when the suite runs past midnight."""
    return {"date_from": ago(90), "date_to": ago(0)}


def english(user) -> Client:
    """A logged-in client that chose English, so headers read the same whatever the catalogue says."""
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_url(name: str) -> str:
    return reverse("reports:report", args=[name])


def sheet_rows(response) -> list[tuple]:
    assert response.streaming
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def long_sale(customer, product, lines: int, by) -> Outbound:
    """A posted sale of `lines` lines of 1 × 10.00 each, written directly: many rows, quickly."""
    today = timezone.localdate()
    outbound = Outbound.objects.create(customer=customer, kind=OutboundKind.SALE, created_by=by)
    OutboundLine.objects.bulk_create(
        OutboundLine(
            outbound=outbound,
            product=product,
            quantity=Decimal("1"),
            unit_price=Decimal("10"),
            amount=Decimal("10"),
        )
        for _ in range(lines)
    )
    Outbound.objects.filter(pk=outbound.pk).update(
        status=OutboundStatus.POSTED, number="CK-LONG", posting_date=today, due_date=today, amount=10 * lines
    )
    return outbound


# --- the list and who may open what ------------------------------------------------------------


def test_the_index_lists_every_report_to_the_assistant_and_two_to_the_warehouse(assistant, warehouse):
    page = client_for(assistant).get(reverse("reports:index"))
    assert page.status_code == 200
    html = page.content.decode()
    for name in REPORT_NAMES:
        assert f'href="{page_url(name)}"' in html

    html = client_for(warehouse).get(reverse("reports:index")).content.decode()
    assert [name for name in REPORT_NAMES if f'href="{page_url(name)}"' in html] == [
        "sales_register",
        "courier_log",
    ]


def test_an_unknown_report_is_not_found(assistant):
    client = client_for(assistant)
    assert client.get(page_url("no_such_report")).status_code == 404
    assert client.get(reverse("reports:report-xlsx", args=["no_such_report"])).status_code == 404
    assert client.get(reverse("reports:report-print", args=["no_such_report"])).status_code == 404


@pytest.mark.parametrize("name", MONEY_REPORTS)
def test_the_warehouse_may_not_open_a_report_with_money(name, warehouse):
    client = client_for(warehouse)
    assert client.get(page_url(name)).status_code == 403
    assert client.get(reverse("reports:report-xlsx", args=[name])).status_code == 403
    assert client.get(reverse("reports:report-print", args=[name])).status_code == 403


def test_the_warehouse_reads_the_courier_log_without_money(world, warehouse, assistant):
    page = english(warehouse).get(page_url("courier_log"), wide())
    assert page.status_code == 200
    html = page.content.decode()
    assert "LHT-001" in html and "1,325.00" not in html and "COD amount" not in html

    rows = sheet_rows(english(warehouse).get(reverse("reports:report-xlsx", args=["courier_log"]), wide()))
    assert "COD amount" not in rows[0] and any("LHT-001" in row for row in rows)
    assert not any(1325 in row for row in rows)
    # The assistant sees the money the courier collects, and its total.
    rows = sheet_rows(english(assistant).get(reverse("reports:report-xlsx", args=["courier_log"]), wide()))
    assert "COD amount" in rows[0] and rows[-1][rows[0].index("COD amount")] == 1325


# --- the page ----------------------------------------------------------------------------------


def test_a_report_page_shows_its_rows_and_totals(world, assistant):
    page = client_for(assistant).get(page_url("sales_outbound"), wide())

    assert page.status_code == 200
    html = page.content.decode()
    for outbound in ("sale1", "sale2", "return", "write_off"):
        assert world[outbound].number in html
    assert "3,325.00" in html  # 3800 + 1325 − 760 − 1040
    assert 'data-testid="report-totals"' in html
    query = f"date_from={ago(90):%Y-%m-%d}&amp;date_to={ago(0):%Y-%m-%d}"
    assert f'href="{reverse("reports:report-xlsx", args=["sales_outbound"])}?{query}"' in html
    assert f'href="{reverse("reports:report-print", args=["sales_outbound"])}?{query}"' in html


def test_a_report_opens_on_this_month(assistant):
    page = client_for(assistant).get(page_url("sales_outbound"))
    form = page.context["form"]
    assert form["date_from"].value() == timezone.localdate().replace(day=1)
    assert form["date_to"].value() == timezone.localdate()


def test_totals_cover_every_row_not_only_the_page(debtor, product, assistant):
    long_sale(debtor, product, 120, assistant)
    client = client_for(assistant)

    first = client.get(page_url("sales_detail"))
    third = client.get(page_url("sales_detail"), {"page": "3"})
    beyond = client.get(page_url("sales_detail"), {"page": "99"})

    assert len(first.context["rows"]) == 50 and len(third.context["rows"]) == 20
    assert len(beyond.context["rows"]) == 20 and beyond.context["page"].number == 3
    assert first.context["page"].paginator.count == 120
    for response in (first, third):
        totals = [cell["text"] for cell in response.context["totals"]]
        assert "120" in totals and "1,200.00" in totals


def test_a_wrong_filter_is_said_beside_its_field_and_exports_go_back_to_the_page(world, assistant):
    client = client_for(assistant)
    bad = {"date_from": ago(0), "date_to": ago(10)}

    page = client.get(page_url("sales_outbound"), {**bad, "customer": world["debtor"].code})

    assert page.status_code == 200
    assert page.context["form"].errors["date_to"]
    exported = client.get(reverse("reports:report-xlsx", args=["sales_outbound"]), bad)
    assert exported.status_code == 302 and exported["Location"].startswith(page_url("sales_outbound"))
    printed = client.get(
        reverse("reports:report-print", args=["sales_outbound"]), {"date_from": "31/31/2020"}
    )
    assert printed.status_code == 302


def test_the_salesperson_choice_lists_only_the_assistants_own_people(world, assistant, other_salesperson):
    client = client_for(assistant)
    form = client.get(page_url("sales_outbound")).context["form"]
    assert [u.username for u in form.fields["salesperson"].queryset] == ["sales"]
    assert [u.username for u in form.fields["assistant"].queryset] == ["assistant"]

    page = client.get(page_url("sales_outbound"), {**wide(), "salesperson": other_salesperson.pk})
    assert page.context["form"].errors["salesperson"]
    assert OUTSIDER not in page.content.decode()


# --- scope, in the page and in the export ------------------------------------------------------


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_another_assistants_customer_is_in_neither_page_nor_export(world, name, assistant, finance):
    mine = client_for(assistant)
    assert OUTSIDER not in mine.get(page_url(name), wide()).content.decode()
    assert OUTSIDER not in mine.get(reverse("reports:report-print", args=[name]), wide()).content.decode()
    rows = sheet_rows(mine.get(reverse("reports:report-xlsx", args=[name]), wide()))
    assert not any(OUTSIDER in row for row in rows)
    # Finance sees everyone: the outsider is there to be left out.
    rows = sheet_rows(client_for(finance).get(reverse("reports:report-xlsx", args=[name]), wide()))
    assert any(OUTSIDER in row for row in rows)


# --- export and print ---------------------------------------------------------------------------


def test_the_sales_detail_export_streams_every_line_and_the_totals(debtor, product, assistant):
    long_sale(debtor, product, 300, assistant)

    response = english(assistant).get(reverse("reports:report-xlsx", args=["sales_detail"]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response)
    header, lines, totals = rows[0], rows[1:-1], rows[-1]
    assert len(lines) == 300 and all(line[1] == "CK-LONG" for line in lines)
    assert totals[0] == "Total"
    assert totals[header.index("quantity")] == 300 and totals[header.index("amount")] == 3000


def test_the_export_holds_the_same_rows_and_totals_as_the_page(world, assistant):
    rows = sheet_rows(english(assistant).get(reverse("reports:report-xlsx", args=["summary"]), wide()))
    header = rows[0]
    assert header[:4] == ("customer code", "customer", "salesperson", "opening balance")
    by_code = {row[0]: row for row in rows[1:-1]}
    assert set(by_code) == {world["debtor"].code, world["second"].code}
    assert by_code[world["debtor"].code][header.index("closing balance")] == 1325
    assert rows[-1][0] == "Total" and rows[-1][header.index("closing balance")] == 825


def test_the_print_view_shows_every_row_the_filters_and_no_navigation(world, assistant, salesperson):
    response = english(assistant).get(
        reverse("reports:report-print", args=["sales_outbound"]),
        {**wide(), "product": "B-220", "salesperson": salesperson.pk},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "sd-navbar" not in html and 'class="d-flex gap-2 no-print"' in html
    assert world["sale2"].number in html and world["sale1"].number not in html
    assert response.context["printed_filters"] == [
        ("from", f"{ago(90):%Y-%m-%d}"),
        ("to", f"{ago(0):%Y-%m-%d}"),
        ("salesperson", "王强"),
        ("product", "B-220"),
    ]
    assert "1,325.00" in [cell["text"] for cell in response.context["totals"]]


def test_the_print_view_stops_at_its_limit_and_says_to_export(debtor, product, assistant, monkeypatch):
    from salesdesk.reports import views

    monkeypatch.setattr(views, "PRINT_LIMIT", 10)
    long_sale(debtor, product, 25, assistant)

    response = client_for(assistant).get(reverse("reports:report-print", args=["sales_detail"]))

    assert len(response.context["rows"]) == 10 and response.context["left_out"] == 15
    assert 'data-testid="print-limit"' in response.content.decode()
    assert "250.00" in [cell["text"] for cell in response.context["totals"]]


# --- a fixed number of queries -----------------------------------------------------------------


def trade(customer, *, product, assistant, warehouse, manager, carrier):
    """A customer with a price, a rebate, a sale shipped by courier and some money received."""
    Customer.objects.filter(pk=customer.pk).update(rebate=True)
    customer.refresh_from_db()
    catalog_services.price_set(
        customer=customer, product=product, unit_price=Decimal("300"), valid_from=ago(1), by=manager
    )
    catalog_services.rebate_set(
        customer=customer,
        product=product,
        rebate_unit_price=Decimal("5"),
        valid_from=ago(1),
        by=manager,
        payee_name="黄先生",
    )
    sale = sell(customer, product, "2", by=assistant, warehouse=warehouse, approver=manager)
    warehouse_services.shipment_record(
        outbound=sale, by=warehouse, shipped_on=ago(0), carrier=carrier, tracking_number=f"T-{sale.pk}"
    )
    receive(customer, assistant, "100", note="先付一部分")


def _queries(client, name: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url(name), wide())
    assert response.status_code == 200
    return len(captured)


def test_each_report_page_makes_as_many_queries_for_three_customers_as_for_one(
    debtor, product, assistant, salesperson, warehouse, manager, carrier
):
    trade(debtor, product=product, assistant=assistant, warehouse=warehouse, manager=manager, carrier=carrier)
    client = client_for(assistant)
    client.get(page_url("summary"))  # the session and permission caches warm up
    one = {name: _queries(client, name) for name in REPORT_NAMES}
    for name in ("江门新美建材有限公司", "珠海鸿图涂装有限公司"):
        more = another_customer(assistant, salesperson, name=name)
        trade(
            more, product=product, assistant=assistant, warehouse=warehouse, manager=manager, carrier=carrier
        )

    three = {name: _queries(client, name) for name in REPORT_NAMES}

    assert three == one
    rows = client.get(page_url("summary"), wide()).context["rows"]
    assert len(rows) == 3
