"""Reports over the API: any registered report as a page of rows with totals over all of them and
as an .xlsx of every row, refused to users without its permission, with its filters checked."""

# The receivables fixtures are shared with tests/receivables, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.core.spreadsheets import XLSX_CONTENT_TYPE, Column
from salesdesk.reports.base import REPORTS, Filters, Report, ReportResult, register
from tests.conftest import client_for
from tests.factories import make_customer
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import debtor, sell  # noqa: F401  (fixtures)
from tests.warehouse.conftest import stocked  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

TINY = "test_tiny"
ROWS = 250
FIRST_DAY = dt.date(2026, 3, 1)


def tiny_amount(i: int) -> Decimal:
    return Decimal(i) + Decimal("0.25")


TINY_TOTAL = sum((tiny_amount(i) for i in range(1, ROWS + 1)), Decimal("0"))  # 31437.50


class TinyRun:
    """A report of 250 numbered rows whose total is added up while they are read, as a real one may."""

    def __init__(self):
        self.calls: list[tuple[object, Filters]] = []
        self.rows_read = 0

    def __call__(self, user, filters: Filters) -> ReportResult:
        self.calls.append((user, filters))
        totals: dict[str, Decimal] = {}

        def rows():
            total = Decimal("0")
            for i in range(1, ROWS + 1):
                self.rows_read += 1
                total += tiny_amount(i)
                yield [f"R{i:04d}", FIRST_DAY + dt.timedelta(days=i % 28), tiny_amount(i), None, i]
            totals["amount"] = total

        columns = [
            Column("number", "单号"),
            Column("day", "日期"),
            Column("amount", "金额"),
            Column("note", "备注"),
            Column("position", "序号"),
        ]
        return ReportResult(columns=columns, rows=rows(), totals=totals)


@pytest.fixture
def tiny():
    run = TinyRun()
    register(
        Report(
            name=TINY,
            title="测试报表",
            run=run,
            permission="receivables.view_receipt",
            filters=("date_from", "date_to", "customer"),
        )
    )
    yield run
    REPORTS.pop(TINY, None)


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def numbers_of(response) -> list[str]:
    return [row[0] for row in response.json()["rows"]]


# --- Which reports ------------------------------------------------------------------------------


def test_the_list_names_the_reports_the_user_may_open(api_as, tiny, assistant, warehouse):
    listed = {item["name"]: item for item in api_as(assistant).get("/reports").json()}

    assert listed[TINY] == {
        "name": TINY,
        "title": "测试报表",
        "filters": ["date_from", "date_to", "customer"],
        "default_period": "month",
    }
    assert TINY not in {item["name"] for item in api_as(warehouse).get("/reports").json()}


def test_reports_need_a_token(tiny):
    from tests.api.conftest import ApiClient

    assert ApiClient().get(f"/reports/{TINY}").status_code == 401
    assert ApiClient().get(f"/reports/{TINY}.xlsx").status_code == 401


# --- One report as JSON -------------------------------------------------------------------------


def test_a_report_answers_columns_a_page_of_rows_totals_over_all_rows_and_the_count(api_as, tiny, assistant):
    response = api_as(assistant).get(f"/reports/{TINY}", {"date_from": "2026-03-01", "date_to": "2026-03-31"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == TINY and body["title"] == "测试报表"
    assert body["columns"] == [
        {"field": "number", "header": "单号"},
        {"field": "day", "header": "日期"},
        {"field": "amount", "header": "金额"},
        {"field": "note", "header": "备注"},
        {"field": "position", "header": "序号"},
    ]
    assert body["count"] == ROWS
    assert len(body["rows"]) == 100  # the default page
    assert body["rows"][0] == ["R0001", "2026-03-02", "1.25", None, 1]
    assert body["totals"] == {"amount": str(TINY_TOTAL)} == {"amount": "31437.50"}
    assert body["filters"]["date_from"] == "2026-03-01" and body["filters"]["date_to"] == "2026-03-31"
    user, filters = tiny.calls[-1]
    assert user == assistant
    assert filters == Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))


def test_a_later_page_holds_its_rows_and_the_totals_still_cover_every_row(api_as, tiny, assistant):
    response = api_as(assistant).get(f"/reports/{TINY}", {"limit": 100, "offset": 200})

    body = response.json()
    assert numbers_of(response) == [f"R{i:04d}" for i in range(201, 251)]
    assert body["count"] == ROWS
    assert body["totals"] == {"amount": "31437.50"}
    assert tiny.rows_read == ROWS  # read once, to the end


def test_a_page_can_be_as_large_as_a_thousand_rows_and_no_larger(api_as, tiny, assistant):
    client = api_as(assistant)

    assert len(client.get(f"/reports/{TINY}", {"limit": 1000}).json()["rows"]) == ROWS
    assert len(client.get(f"/reports/{TINY}", {"limit": 7, "offset": 3}).json()["rows"]) == 7
    assert client.get(f"/reports/{TINY}", {"offset": 400}).json()["rows"] == []
    for bad in ({"limit": 1001}, {"limit": 0}, {"offset": -1}):
        response = client.get(f"/reports/{TINY}", bad)
        assert response.status_code == 422, bad
        assert fields_of(response) == list(bad)


def test_without_dates_a_monthly_report_covers_this_month_so_far(api_as, tiny, assistant):
    today = timezone.localdate()

    body = api_as(assistant).get(f"/reports/{TINY}").json()

    assert (body["filters"]["date_from"], body["filters"]["date_to"]) == (
        today.replace(day=1).isoformat(),
        today.isoformat(),
    )
    assert tiny.calls[-1][1] == Filters(date_from=today.replace(day=1), date_to=today)


def test_blank_filter_boxes_mean_no_filter(api_as, tiny, assistant):
    response = api_as(assistant).get(
        f"/reports/{TINY}", {"date_from": "2026-01-01", "date_to": "", "customer": "", "salesperson": ""}
    )

    assert response.status_code == 200, response.content
    assert tiny.calls[-1][1] == Filters(date_from=dt.date(2026, 1, 1))


# --- Refusals -----------------------------------------------------------------------------------


def test_an_unknown_report_is_not_found(api_as, tiny, assistant):
    client = api_as(assistant)

    assert client.get("/reports/no_such_report").status_code == 404
    assert client.get("/reports/no_such_report.xlsx").status_code == 404
    assert client.get("/reports/no_such_report").json()["errors"][0]["field"] == "__all__"


def test_a_user_without_the_reports_permission_is_refused_before_it_runs(api_as, tiny, warehouse):
    client = api_as(warehouse)

    assert client.get(f"/reports/{TINY}").status_code == 403
    assert client.get(f"/reports/{TINY}.xlsx").status_code == 403
    assert tiny.calls == []


def test_a_report_that_refuses_the_user_while_running_answers_403(api_as, assistant):
    def refusing(user, filters):
        def rows():
            raise PermissionDenied
            yield []

        return ReportResult(columns=[Column("x", "x")], rows=rows())

    register(Report(name="test_refusing", title="x", run=refusing, permission="receivables.view_receipt"))
    try:
        client = api_as(assistant)
        assert client.get("/reports/test_refusing").status_code == 403
        assert client.get("/reports/test_refusing.xlsx").status_code == 403
    finally:
        REPORTS.pop("test_refusing")


def test_a_period_ending_before_it_starts_is_refused_on_the_end_date(api_as, tiny, assistant):
    client = api_as(assistant)
    period = {"date_from": "2026-03-31", "date_to": "2026-03-01"}

    for path in (f"/reports/{TINY}", f"/reports/{TINY}.xlsx"):
        response = client.get(path, period)
        assert response.status_code == 400, path
        assert fields_of(response) == ["date_to"]
    assert tiny.calls == []


def test_a_date_that_is_not_a_day_is_refused_on_its_field(api_as, tiny, assistant):
    client = api_as(assistant)

    for value in ("2026-02-30", "31/03/2026", "1711843200"):
        response = client.get(f"/reports/{TINY}", {"date_from": value})
        assert response.status_code == 422, value
        assert fields_of(response) == ["date_from"]
    assert client.get(f"/reports/{TINY}", {"salesperson": "王强"}).status_code == 422


def test_a_date_far_outside_the_working_years_is_refused_on_its_field(api_as, tiny, assistant):
    response = api_as(assistant).get(f"/reports/{TINY}", {"date_from": "0001-01-01", "date_to": "9999-12-31"})

    assert response.status_code == 422
    assert fields_of(response) == ["date_from", "date_to"]
    assert tiny.calls == []


def test_a_filter_the_report_does_not_take_is_refused_rather_than_ignored(api_as, tiny, assistant):
    response = api_as(assistant).get(f"/reports/{TINY}", {"product": "A-101", "assistant": 3})

    assert response.status_code == 400
    assert sorted(fields_of(response)) == ["assistant", "product"]
    assert tiny.calls == []


# --- The .xlsx of every row ---------------------------------------------------------------------


def workbook_rows(response) -> list[tuple]:
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_the_xlsx_holds_every_row_of_the_filters_with_typed_cells(api_as, tiny, assistant):
    response = api_as(assistant).get(
        f"/reports/{TINY}.xlsx", {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="test_tiny-20260301_20260331.xlsx"' in response["Content-Disposition"]
    rows = workbook_rows(response)
    assert rows[0] == ("单号", "日期", "金额", "备注", "序号")
    assert len(rows) == 1 + ROWS + 1  # the header, every row, the totals
    number, day, amount, note, position = rows[1]
    assert (number, day.date(), amount, note, position) == ("R0001", dt.date(2026, 3, 2), 1.25, None, 1)
    assert rows[ROWS][0] == "R0250"
    assert sum(Decimal(str(row[2])) for row in rows[1:-1]) == TINY_TOTAL
    assert rows[-1][1:3] == (None, 31437.5)
    assert rows[-1][0] in {"Total", "合计"}
    assert tiny.calls[-1][1] == Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))


def test_the_openapi_description_names_the_xlsx_address(api_as, assistant):
    schema = api_as(assistant).get("/openapi.json").json()

    assert "/api/v1/reports/{name}.xlsx" in schema["paths"]
    assert ".xlsx" in schema["paths"]["/api/v1/reports/{name}"]["get"]["description"]
    # Its 200 is documented as the workbook it sends, not left for a client to guess.
    answer = schema["paths"]["/api/v1/reports/{name}.xlsx"]["get"]["responses"]["200"]
    assert answer["content"] == {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}


# --- The real reports ---------------------------------------------------------------------------

MONEY_REPORTS = [
    "sales_outbound",
    "sales_receipts",
    "rebate_settings",
    "customer_prices",
    "summary",
    "sales_detail",
    "ar_detail",
    "ar_aging",
    "commission_statement",
]


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def period() -> dict[str, str]:
    return {"date_from": days_ago(10).isoformat(), "date_to": timezone.localdate().isoformat()}


@pytest.fixture
def sales(debtor, product, other_product, assistant, other_assistant, other_salesperson, warehouse, manager):
    """Two sales to the assistant's customer at the agreed prices (3496.00 and 1219.00), and one of
    760.00 to a customer of another assistant and salesperson, all within the last ten days."""
    mine = [
        sell(debtor, product, "10", by=assistant, warehouse=warehouse, day=days_ago(5), approver=manager),
        sell(
            debtor, other_product, "5", by=assistant, warehouse=warehouse, day=days_ago(3), approver=manager
        ),
    ]
    theirs = make_customer(
        by=other_assistant,
        assistant=other_assistant,
        salesperson=other_salesperson,
        name="广州彩虹建材有限公司",
    )
    other = sell(
        theirs, product, "2", by=other_assistant, warehouse=warehouse, day=days_ago(4), approver=manager
    )
    assert [s.amount for s in [*mine, other]] == [Decimal("3496.00"), Decimal("1219.00"), Decimal("760.00")]
    return mine, other


def test_every_report_answers_its_columns_rows_and_totals_to_the_manager(api_as, manager, sales):
    client = api_as(manager)
    listed = [item["name"] for item in client.get("/reports").json()]

    assert set(MONEY_REPORTS) | {"sales_register", "courier_log"} <= set(listed)
    for name in listed:
        response = client.get(f"/reports/{name}")
        assert response.status_code == 200, (name, response.content)
        body = response.json()
        fields = [column["field"] for column in body["columns"]]
        assert all(len(row) == len(fields) for row in body["rows"]), name
        assert set(body["totals"]) <= set(fields), name
        sheet = client.get(f"/reports/{name}.xlsx")
        assert sheet.status_code == 200, name
        assert len(workbook_rows(sheet)) == 1 + body["count"] + bool(body["totals"]), name


def test_the_sales_outbound_report_totals_the_assistants_outbounds(api_as, assistant, sales):
    (first, second), other = sales

    response = api_as(assistant).get("/reports/sales_outbound", period())

    body = response.json()
    numbers = [row[1] for row in body["rows"]]
    assert numbers == [first.number, second.number]
    assert other.number not in numbers
    assert body["count"] == 2
    assert body["totals"] == {"amount": "4715.00"}


def test_the_totals_are_those_of_the_report_page(api_as, assistant, sales):
    answer = api_as(assistant).get("/reports/sales_outbound", period()).json()
    page = client_for(assistant).get(reverse("reports:report", args=["sales_outbound"]), period())

    shown = [cell["text"].replace(",", "") for cell in page.context["totals"]]
    fields = [column["field"] for column in answer["columns"]]
    assert {field: shown[fields.index(field)] for field in answer["totals"]} == answer["totals"]
    assert answer["totals"] == {"amount": "4715.00"}
    assert [row[1] for row in answer["rows"]] == [row[1]["text"] for row in page.context["rows"]]


def test_the_totals_of_a_short_page_still_cover_the_whole_period(api_as, assistant, sales):
    (first, second), _other = sales

    body = api_as(assistant).get("/reports/sales_outbound", {**period(), "limit": 1, "offset": 1}).json()

    assert [row[1] for row in body["rows"]] == [second.number]
    assert (body["count"], body["totals"]) == (2, {"amount": "4715.00"})


def test_finance_sees_every_customers_outbounds_and_the_other_assistant_only_theirs(
    api_as, finance, other_assistant, sales
):
    (first, second), other = sales

    everyone = api_as(finance).get("/reports/sales_outbound", period()).json()
    theirs = api_as(other_assistant).get("/reports/sales_outbound", period()).json()

    assert sorted(row[1] for row in everyone["rows"]) == sorted([first.number, second.number, other.number])
    assert everyone["totals"] == {"amount": "5475.00"}
    assert [row[1] for row in theirs["rows"]] == [other.number]
    assert theirs["totals"] == {"amount": "760.00"}


def test_filters_by_customer_and_product_narrow_the_rows_and_the_totals(api_as, finance, debtor, sales):
    (first, second), other = sales
    client = api_as(finance)

    by_customer = client.get("/reports/sales_outbound", {**period(), "customer": debtor.code}).json()
    by_product = client.get("/reports/sales_outbound", {**period(), "product": "B-220"}).json()

    assert [row[1] for row in by_customer["rows"]] == [first.number, second.number]
    assert by_customer["totals"] == {"amount": "4715.00"}
    assert [row[1] for row in by_product["rows"]] == [second.number]
    assert by_product["totals"] == {"amount": "1219.00"}


def test_no_report_shows_another_assistants_customer(api_as, assistant, sales):
    _mine, other = sales
    client = api_as(assistant)

    for item in client.get("/reports").json():
        body = client.get(f"/reports/{item['name']}", {"limit": 1000}).content.decode()
        assert "广州彩虹建材有限公司" not in body and other.number not in body, item["name"]
        sheet = client.get(f"/reports/{item['name']}.xlsx")
        cells = {cell for row in workbook_rows(sheet) for cell in row}
        assert "广州彩虹建材有限公司" not in cells and other.number not in cells, item["name"]


@pytest.mark.parametrize("name", MONEY_REPORTS)
def test_the_warehouse_may_not_open_a_report_with_money(api_as, warehouse, name):
    client = api_as(warehouse)

    assert client.get(f"/reports/{name}").status_code == 403
    assert client.get(f"/reports/{name}.xlsx").status_code == 403
    assert name not in {item["name"] for item in client.get("/reports").json()}


def test_the_warehouse_reads_the_sales_register_without_amounts(api_as, warehouse, sales):
    (first, _second), _other = sales

    body = api_as(warehouse).get("/reports/sales_register", period()).json()

    assert body["count"] == 3
    assert "total" not in [column["field"] for column in body["columns"]]
    assert body["totals"] == {}
    assert "3496" not in str(body["rows"])


def test_the_sales_detail_answers_each_number_to_its_places_exactly_as_the_database_holds_it(
    api_as, assistant, sales, debtor, product, warehouse, manager
):
    from salesdesk.warehouse.models import OutboundLine

    (first, second), _other = sales
    # Numbers no float holds exactly, at each column's last place.
    third = sell(
        debtor, product, "1.235", by=assistant, warehouse=warehouse, day=days_ago(1), approver=manager
    )

    body = api_as(assistant).get("/reports/sales_detail", period()).json()

    lines = OutboundLine.objects.filter(outbound__in=[first, second, third]).order_by(
        "outbound__posting_date"
    )
    assert [row[:2] for row in body["rows"]] == [
        [line.outbound.posting_date.isoformat(), line.outbound.number] for line in lines
    ]
    assert [row[-3:] for row in body["rows"]] == [
        [f"{line.quantity:f}", f"{line.unit_price:f}", f"{line.amount:f}"] for line in lines
    ]
    assert body["rows"][0][-3:] == ["10.000", "349.6000", "3496.00"]
    assert body["rows"][-1][-3:] == ["1.235", "349.6000", "431.76"]
    assert body["totals"] == {"quantity": "16.235", "amount": "5146.76"}
