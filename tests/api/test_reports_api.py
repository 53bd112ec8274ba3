"""Reports over the API: any registered report as a page of rows with totals over all of them and
as an .xlsx of every row, refused to users without its permission, with its filters checked."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.core.spreadsheets import Column
from salesdesk.reports.base import REPORTS, Filters, Report, ReportResult, register

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
    assert 'filename="test_tiny-2026-03-01_2026-03-31.xlsx"' in response["Content-Disposition"]
    rows = workbook_rows(response)
    assert rows[0] == ("单号", "日期", "金额", "备注", "序号")
    assert len(rows) == 1 + ROWS
    number, day, amount, note, position = rows[1]
    assert (number, day.date(), amount, note, position) == ("R0001", dt.date(2026, 3, 2), 1.25, None, 1)
    assert sum(Decimal(str(row[2])) for row in rows[1:]) == TINY_TOTAL
    assert tiny.calls[-1][1] == Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))


def test_the_openapi_description_names_the_xlsx_address(api_as, assistant):
    schema = api_as(assistant).get("/openapi.json").json()

    assert "/api/v1/reports/{name}.xlsx" in schema["paths"]
    assert ".xlsx" in schema["paths"]["/api/v1/reports/{name}"]["get"]["description"]
