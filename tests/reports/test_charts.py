"""The charts: each figure against a hand calculation, against the receivables and warehouse
selectors, and against the reports of the same numbers; scope, access and the page's scripts."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from salesdesk.receivables import selectors as ar
from salesdesk.receivables import services_credits
from salesdesk.receivables.selectors import BUCKETS
from salesdesk.reports import charts
from salesdesk.reports.base import REPORTS, Filters
from salesdesk.warehouse import selectors as warehouse_selectors
from salesdesk.warehouse import services as warehouse_services
from salesdesk.warehouse.models import OutboundKind, OutboundStatus
from tests.conftest import client_for
from tests.factories import CarrierFactory
from tests.orders.conftest import carrier, customer, other_product, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import another_customer, debtor, on_day, receive, sell  # noqa: F401
from tests.warehouse.conftest import stocked  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

KEYS = [key for key, *_rest in BUCKETS]


def month(k: int) -> dt.date:
    """The first day of the month `k` months from this one."""
    return charts.add_months(timezone.localdate().replace(day=1), k)


def day_of(k: int, day: int) -> dt.date:
    return month(k).replace(day=day)


@pytest.fixture
def scene(
    debtor,  # noqa: F811
    product,  # noqa: F811
    other_product,  # noqa: F811
    carrier,  # noqa: F811
    assistant,
    other_assistant,
    salesperson,
    other_salesperson,
    warehouse,
    finance,
    manager,
):
    """Sales in four months, a return, a receipt, a write-off and COD shipments.

    The assistant's customers: `debtor` (salesperson 王强, 30 days' credit) and `cash` (赵磊,
    cash). `outsider` belongs to another assistant. Prices are quoted, so amounts are exact.
    """
    today = timezone.localdate()
    # The days, fixed before any time travel moves "this month".
    d3, d2, d2_return, d2_paid, d1 = (
        day_of(-3, 5),
        day_of(-2, 5),
        day_of(-2, 6),
        day_of(-2, 10),
        day_of(-1, 5),
    )
    cash = another_customer(assistant, other_salesperson, name="江门新美建材有限公司")
    outsider = another_customer(other_assistant, other_salesperson, name="中山市华彩涂料店")
    s1 = sell(debtor, product, "10", by=assistant, warehouse=warehouse, price="400", day=d3)
    s2 = sell(
        debtor,
        other_product,
        "4",
        by=assistant,
        warehouse=warehouse,
        price="250",
        day=d2,
        approver=manager,
    )
    with on_day(d2_return):  # 2 × A-101 of the first sale come back: −800.00
        lines = [services_credits.ReturnLineInput(s1.lines.get(), Decimal("2"))]
        back = services_credits.return_post(
            original=s1, by=assistant, lines=lines, reason="颜色不对", agreed_by=salesperson
        )
    with on_day(d2_paid):  # settles the first sale: open 3200.00 → 1700.00
        receive(debtor, assistant, "1500", note="先付一部分", day=d2_paid)
    s3 = sell(cash, product, "3", by=assistant, warehouse=warehouse, price="400", day=d1)
    s4 = sell(debtor, product, "2", by=assistant, warehouse=warehouse, price="400", approver=manager)
    foreign = sell(
        outsider,
        product,
        "5",
        by=other_assistant,
        warehouse=warehouse,
        price="400",
        day=d1,
        approver=manager,
    )
    # Today 500.00 of the first sale is written off: the AR drops, the sales do not.
    write_off = services_credits.write_off_request(
        customer=debtor,
        by=finance,
        reason="客户经营困难",
        items=[services_credits.WriteOffInput(s1, Decimal("500"))],
    )
    write_off = services_credits.write_off_approve(write_off=write_off, by=manager)
    # COD: 联昊通 holds 1200.00 past its deadline and 800.00 within it; 平安达 brought its money back.
    other_carrier = CarrierFactory(name="平安达")
    with on_day(d1):
        warehouse_services.shipment_record(
            outbound=s3, by=warehouse, shipped_on=d1, carrier=carrier, cod_amount=Decimal("1200")
        )
        warehouse_services.shipment_record(
            outbound=foreign,
            by=warehouse,
            shipped_on=d1,
            carrier=carrier,
            cod_amount=Decimal("2000"),
        )
    with on_day(d2):
        returned = warehouse_services.shipment_record(
            outbound=s2,
            by=warehouse,
            shipped_on=d2,
            carrier=other_carrier,
            cod_amount=Decimal("1000"),
        )
    warehouse_services.shipment_cod_returned(shipment=returned, by=assistant, on=today)
    warehouse_services.shipment_record(
        outbound=s4, by=warehouse, shipped_on=today, carrier=carrier, cod_amount=Decimal("800")
    )
    assert [s1.amount, s2.amount, s3.amount, s4.amount] == [
        Decimal(x) for x in ("4000", "1000", "1200", "800")
    ]
    assert back.amount == Decimal("-800.00") and write_off.amount == Decimal("-500.00")
    return SimpleNamespace(
        today=today, debtor=debtor, cash=cash, outsider=outsider, carrier=carrier, other_carrier=other_carrier
    )


def values(chart: charts.Chart) -> dict[str, list[Decimal]]:
    return {str(s.name): s.data for s in chart.series}


def months_of(chart: charts.Chart) -> dict[str, Decimal]:
    return {label: value for label, value in zip(chart.labels, chart.series[0].data, strict=True) if value}


# --- 1. sales by month -------------------------------------------------------------------------


def test_sales_by_month_are_sales_less_returns_without_write_offs(scene, assistant):
    chart = charts.sales_by_month(assistant, Filters())
    assert len(chart.labels) == 12 and chart.labels[-1] == f"{scene.today:%Y-%m}"
    assert months_of(chart) == {
        f"{month(-3):%Y-%m}": Decimal("4000.00"),
        f"{month(-2):%Y-%m}": Decimal("200.00"),  # 1000.00 sold, 800.00 returned
        f"{month(-1):%Y-%m}": Decimal("1200.00"),  # the other assistant's 2000.00 is not counted
        f"{month(0):%Y-%m}": Decimal("800.00"),  # the 500.00 written off is not a sale taken back
    }
    assert chart.total == Decimal("6200.00")


def test_sales_by_month_and_by_salesperson_stack_to_the_same_months(scene, assistant, manager):
    chart = charts.sales_by_month(assistant, Filters(), by_salesperson=True)
    by_person = {name: sum(data) for name, data in values(chart).items()}
    assert by_person == {"王强": Decimal("5000.00"), "赵磊": Decimal("1200.00")}
    assert {s.stack for s in chart.series} == {"sales"}
    assert chart.total == Decimal("6200.00")
    # The manager sees every customer: 赵磊 also sold 2000.00 through the other assistant.
    everyone = charts.sales_by_month(manager, Filters(), by_salesperson=True)
    assert {name: sum(data) for name, data in values(everyone).items()}["赵磊"] == Decimal("3200.00")


def test_sales_by_month_equal_the_posted_sales_and_returns_of_each_month(scene, assistant):
    from salesdesk.warehouse.models import Outbound

    chart = charts.sales_by_month(assistant, Filters())
    mine = ar.customers_in_scope(assistant)
    for label, value in zip(chart.labels, chart.series[0].data, strict=True):
        year, number = (int(x) for x in label.split("-"))
        documents = Outbound.objects.filter(
            customer__in=mine,
            status=OutboundStatus.POSTED,
            kind__in=[OutboundKind.SALE, OutboundKind.RETURN],
            posting_date__year=year,
            posting_date__month=number,
        )
        assert value == sum((d.amount for d in documents), Decimal("0.00")), label


def test_a_period_and_a_salesperson_narrow_the_sales(scene, assistant, salesperson):
    start, end = month(-2), month(-1) - dt.timedelta(days=1)
    chart = charts.sales_by_month(assistant, Filters(date_from=start, date_to=end))
    assert chart.labels == [f"{month(-2):%Y-%m}"] and chart.total == Decimal("200.00")
    only_his = charts.sales_by_month(assistant, Filters(salesperson=salesperson.pk))
    assert only_his.total == Decimal("5000.00")
    by_code = charts.sales_by_month(assistant, Filters(customer=scene.cash.code))
    assert by_code.total == Decimal("1200.00")


# --- 2. AR aging -----------------------------------------------------------------------------


def test_aging_at_a_past_day_matches_a_hand_calculation(scene, assistant):
    day = day_of(-1, 20)
    chart = charts.ar_aging(assistant, Filters(date_to=day))
    # First sale 4000 − 800 returned − 1500 paid = 1700.00, 44–47 days past its due date;
    # second sale 1000.00 and the cash customer's 1200.00, 13–16 and 15 days past due.
    assert dict(zip(KEYS, chart.series[0].data, strict=True)) == {
        "not_due": Decimal("0.00"),
        "d1_30": Decimal("2200.00"),
        "d31_60": Decimal("1700.00"),
        "d61_90": Decimal("0.00"),
        "over_90": Decimal("0.00"),
    }
    assert chart.total == Decimal("3900.00")
    overdue = charts.overdue_by_salesperson(assistant, Filters(date_to=day))
    assert dict(zip(overdue.labels, overdue.series[0].data, strict=True)) == {
        "王强": Decimal("2700.00"),
        "赵磊": Decimal("1200.00"),
    }


@pytest.mark.parametrize("days_back", [0, 25, 40, 70])
def test_aging_buckets_equal_the_sum_of_each_customers_aging(scene, assistant, manager, days_back):
    day = scene.today - dt.timedelta(days=days_back)
    for user in (assistant, manager):
        chart = charts.ar_aging(user, Filters(date_to=day))
        expected = {key: Decimal("0.00") for key in KEYS}
        for someone in ar.customers_in_scope(user):
            for key, amount in ar.customer_ar(someone, as_of=day).buckets.items():
                expected[key] += amount
        assert dict(zip(KEYS, chart.series[0].data, strict=True)) == expected, (user, day)
        assert chart.total == sum(expected.values())


def test_aging_today_holds_the_write_off_and_the_new_sale(scene, assistant):
    chart = charts.ar_aging(assistant, Filters())
    buckets = dict(zip(KEYS, chart.series[0].data, strict=True))
    assert buckets["not_due"] == Decimal("800.00")  # posted today on 30 days' credit
    # 1700.00 − 500.00 written off + 1000.00 + 1200.00 + 800.00
    assert chart.total == Decimal("4200.00")


def test_aging_by_salesperson_splits_the_same_buckets(scene, assistant):
    day = day_of(-1, 20)
    split = charts.ar_aging(assistant, Filters(date_to=day), by_salesperson=True)
    people = values(split)
    assert people["王强"] == [
        Decimal("0.00"),
        Decimal("1000.00"),
        Decimal("1700.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    assert people["赵磊"] == [
        Decimal("0.00"),
        Decimal("1200.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    assert split.total == Decimal("3900.00")


# --- 3. top customers -----------------------------------------------------------------------


def test_top_customers_by_net_sales_in_the_period(scene, assistant, manager):
    chart = charts.top_customers(assistant, Filters())
    assert chart.labels == [
        f"{scene.debtor.code} {scene.debtor.name}",
        f"{scene.cash.code} {scene.cash.name}",
    ]
    assert chart.series[0].data == [Decimal("5000.00"), Decimal("1200.00")]  # 4000 + 1000 − 800 + 800
    assert chart.total == Decimal("6200.00")
    everyone = charts.top_customers(manager, Filters())
    assert [label.split()[0] for label in everyone.labels] == [
        scene.debtor.code,
        scene.outsider.code,
        scene.cash.code,
    ]
    # In the second month back the debtor only bought 1000.00 and returned 800.00.
    short = charts.top_customers(
        assistant, Filters(date_from=month(-2), date_to=month(-1) - dt.timedelta(days=1))
    )
    assert short.series[0].data == [Decimal("200.00")]


def test_top_customers_keep_the_ten_biggest(scene, assistant, warehouse, manager, product):  # noqa: F811
    for n in range(10):
        extra = another_customer(assistant, None, name=f"小客户{n:02d}")
        sell(extra, product, "1", by=assistant, warehouse=warehouse, price=str(10 + n), approver=manager)
    chart = charts.top_customers(assistant, Filters())
    assert len(chart.labels) == 10
    assert chart.series[0].data[:2] == [Decimal("5000.00"), Decimal("1200.00")]
    assert chart.series[0].data[-1] == Decimal("12.00")  # 10.00 and 11.00 fall off
    assert chart.series[0].data == sorted(chart.series[0].data, reverse=True)


def test_top_customers_level_at_the_cut_are_taken_by_code(scene, assistant, warehouse, manager, product):  # noqa: F811
    # In two series, taken down in turn: by code the YW customers come after every GS one.
    level = [
        another_customer(assistant, None, name=f"同额客户{n:02d}", series="YW" if n % 2 else "GS")
        for n in range(10)
    ]
    for extra in level:
        sell(extra, product, "1", by=assistant, warehouse=warehouse, price="12", approver=manager)
    chart = charts.top_customers(assistant, Filters())
    codes = [label.split()[0] for label in chart.labels]
    # The debtor and the cash customer, then eight of the ten level at 12.00: the first codes.
    assert codes == [scene.debtor.code, scene.cash.code, *sorted(c.code for c in level)[:8]]
    assert chart.series[0].data[2:] == [Decimal("12.00")] * 8


# --- 4. COD by carrier -------------------------------------------------------------------


def test_cod_not_back_per_carrier_with_the_overdue_part(scene, assistant, manager):
    chart = charts.cod_by_carrier(assistant, Filters())
    assert chart.labels == ["联昊通"]  # 平安达's money is back
    within, overdue, shipments, late = (s.data for s in chart.series)
    assert (within, overdue, shipments, late) == ([Decimal("800.00")], [Decimal("1200.00")], [2], [1])
    assert chart.total == Decimal("2000.00")
    # The same figures as the workbench's returns by carrier.
    row = next(
        r
        for r in warehouse_selectors.returns_by_carrier(on=scene.today, user=assistant)
        if r.name == "联昊通"
    )
    assert (row.cod_due_amount, row.cod_overdue_amount, row.cod_overdue) == (within[0], overdue[0], late[0])
    # The manager also counts the other assistant's customer: 2000.00 more, overdue.
    everyone = charts.cod_by_carrier(manager, Filters())
    assert everyone.total == Decimal("4000.00") and everyone.series[1].data == [Decimal("3200.00")]


def test_cod_at_a_past_day_counts_money_that_came_back_later(scene, assistant):
    chart = charts.cod_by_carrier(assistant, Filters(date_to=day_of(-1, 6)))
    # On that day 平安达 still held 1000.00 (back today), overdue; 联昊通 1200.00 within its week.
    assert dict(zip(chart.labels, chart.series[0].data, strict=True)) == {
        "联昊通": Decimal("1200.00"),
        "平安达": Decimal("0.00"),
    }
    assert dict(zip(chart.labels, chart.series[1].data, strict=True))["平安达"] == Decimal("1000.00")
    assert chart.total == Decimal("2200.00")


def test_today_aging_and_cod_read_what_is_open_as_documents_add_up(scene, assistant, manager, monkeypatch):
    # Today both charts read the open items and the COD not yet back; an earlier day adds up the
    # documents. Told that today is an earlier day, the charts must come to the same figures.
    def figures(user):
        cod = charts.cod_by_carrier(user, Filters())
        return charts.aging(user, Filters()), cod.labels, [s.data for s in cod.series]

    from_open = {user: figures(user) for user in (assistant, manager)}
    monkeypatch.setattr(charts, "is_now", lambda day: False)
    for user, expected in from_open.items():
        assert figures(user) == expected, user
    aging, carriers, _series = from_open[manager]
    assert aging.bucket_total("not_due") > 0 and aging.bucket_total("d31_60") > 0 and carriers


# --- against the reports of the same numbers ---------------------------------------------


def _report_totals(name: str, user, filters: Filters) -> tuple[dict, list]:
    report = REPORTS.get(name)
    if report is None:
        pytest.skip(f"the {name} report is not registered yet")
    result = report.run(user, filters)
    rows = list(result.rows)  # totals are complete once the rows are read
    return result.totals, rows


def test_sales_by_month_total_equals_the_sales_outbound_report(scene, assistant):
    # A period without write-offs: the report lists the same outbounds as the chart.
    filters = Filters(date_from=month(-3), date_to=month(0) - dt.timedelta(days=1))
    totals, _rows = _report_totals("sales_outbound", assistant, filters)
    assert charts.sales_by_month(assistant, filters).total == totals["amount"] == Decimal("5400.00")
    # Over the whole year the report also lists the write-off, which the chart leaves out.
    filters = Filters(date_from=month(-11), date_to=scene.today)
    totals, rows = _report_totals("sales_outbound", assistant, filters)
    bad_debt = str(OutboundKind.BAD_DEBT.label)
    written_off = sum((row[-1] for row in rows if row[2] == bad_debt), Decimal("0.00"))
    assert written_off == Decimal("-500.00")
    assert charts.sales_by_month(assistant, filters).total == totals["amount"] - written_off


def test_aging_chart_equals_the_ar_aging_report(scene, assistant, manager):
    for user in (assistant, manager):
        for day in (scene.today, day_of(-1, 20)):
            filters = Filters(date_to=day)
            totals, _rows = _report_totals("ar_aging", user, filters)
            chart = charts.ar_aging(user, filters)
            assert dict(zip(KEYS, chart.series[0].data, strict=True)) == {key: totals[key] for key in KEYS}


# --- pages, JSON, access -----------------------------------------------------------------


def test_chart_data_serves_labels_series_of_decimal_strings_and_total(scene, assistant):
    client = client_for(assistant)
    response = client.get(reverse("reports:chart-data", args=["sales_by_month"]))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == "6200.00"
    assert body["labels"][-1] == f"{scene.today:%Y-%m}"
    assert body["series"][0]["data"][-1] == "800.00"
    split = client.get(
        reverse("reports:chart-data", args=["sales_by_month"]), {"by_salesperson": "on"}
    ).json()
    assert sorted(s["name"] for s in split["series"]) == ["王强", "赵磊"]
    aging = client.get(reverse("reports:chart-data", args=["ar_aging"])).json()
    assert len(aging["labels"]) == 5 and aging["total"] == "4200.00"
    overdue = client.get(reverse("reports:chart-data", args=["overdue_by_salesperson"])).json()
    assert overdue["total"] == "3400.00"  # 1200.00 of the first sale, 1000.00, 1200.00
    assert sorted(overdue["labels"]) == ["王强", "赵磊"]
    top = client.get(reverse("reports:chart-data", args=["top_customers"])).json()
    assert top["series"][0]["data"] == ["5000.00", "1200.00"]
    cod = client.get(reverse("reports:chart-data", args=["cod_by_carrier"])).json()
    assert cod["labels"] == ["联昊通"] and cod["total"] == "2000.00"
    assert [s["data"] for s in cod["series"]] == [["800.00"], ["1200.00"], ["2"], ["1"]]


def test_chart_data_refuses_bad_filters_beside_the_field_and_unknown_charts(scene, assistant, salesperson):
    client = client_for(assistant)
    url = reverse("reports:chart-data", args=["sales_by_month"])
    response = client.get(url, {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "date_to"
    assert client.get(url, {"date_from": "yesterday"}).json()["errors"][0]["field"] == "date_from"
    assert client.get(url, {"date_from": "1990-01-01", "date_to": "2025-01-01"}).status_code == 400
    assert client.get(url, {"salesperson": "999999"}).json()["errors"][0]["field"] == "salesperson"
    assert client.get(reverse("reports:chart-data", args=["payroll"])).status_code == 404


def test_another_assistants_customers_are_not_counted(scene, assistant, other_assistant, other_salesperson):
    theirs = client_for(other_assistant).get(reverse("reports:chart-data", args=["sales_by_month"])).json()
    assert theirs["total"] == "2000.00"
    # 赵磊 is in the assistant's list as the cash customer's salesperson: only that customer counts.
    mine = client_for(assistant).get(
        reverse("reports:chart-data", args=["top_customers"]), {"salesperson": other_salesperson.pk}
    )
    assert mine.json()["total"] == "1200.00"
    # A salesperson sees only their own customers.
    his = client_for(other_salesperson).get(reverse("reports:chart-data", args=["top_customers"])).json()
    assert his["total"] == "3200.00"


@pytest.mark.parametrize("name", ["", "sales_by_month", "ar_aging", "top_customers", "cod_by_carrier"])
def test_the_warehouse_is_refused(warehouse, name):
    url = reverse("reports:chart-data", args=[name]) if name else reverse("reports:charts")
    assert client_for(warehouse).get(url).status_code == 403


def test_the_page_draws_from_json_blocks_with_the_external_script_only(scene, assistant):
    response = client_for(assistant).get(reverse("reports:charts"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="/static/salesdesk/charts.js"' in html
    assert 'src="/static/vendor/echarts-5.6.0/echarts.min.js"' in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    data = json.loads(
        re.search(r'<script id="chart-data-ar_aging" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["total"] == "4200.00"
    # The same numbers in the table under each chart, for reading and printing.
    for name, total in [
        ("sales_by_month", "6,200.00"),
        ("top_customers", "6,200.00"),
        ("cod_by_carrier", "2,000.00"),
    ]:
        footer = re.search(rf'data-testid="total-{name}">(.*?)</tr>', html, re.S).group(1)
        assert total in footer, name
    assert "中山市华彩涂料店" not in html


def test_the_page_shows_a_bad_period_beside_its_field(scene, assistant):
    response = client_for(assistant).get(
        reverse("reports:charts"), {"date_from": "2025-05-01", "date_to": "2025-04-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    (message,) = response.context["form"].errors["date_to"]
    box = re.search(r'<input type="date" name="date_to".*?</div>', html, re.S).group(0)
    assert message in box  # beside the field it is about, in the page's language
    assert 'data-testid="chart-filters-refused"' in html


def test_the_page_makes_the_same_queries_for_more_customers(scene, assistant, warehouse, manager, product):  # noqa: F811
    client = client_for(assistant)
    url = reverse("reports:charts")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"by_salesperson": "on"})
    for n in range(3):
        extra = another_customer(assistant, None, name=f"新客户{n}")
        sell(extra, product, "1", by=assistant, warehouse=warehouse, price="100", approver=manager)
    with CaptureQueriesContext(connection) as after:
        client.get(url, {"by_salesperson": "on"})
    assert len(after) == len(before)


def test_an_end_day_alone_shows_the_twelve_months_up_to_it(assistant):
    response = client_for(assistant).get(
        reverse("reports:chart-data", args=["sales_by_month"]), {"date_to": "2026-03-31"}
    )
    labels = response.json()["labels"]
    assert (labels[0], labels[-1], len(labels)) == ("2025-04", "2026-03", 12)
    page = client_for(assistant).get(reverse("reports:charts"), {"date_to": "2026-03-31"})
    assert "2025-04-01 – 2026-03-31" in page.content.decode()


def test_someone_without_customers_sees_empty_charts_not_an_error(other_assistant):
    response = client_for(other_assistant).get(reverse("reports:charts"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("top_customers", "cod_by_carrier", "overdue_by_salesperson"):
        section = re.search(rf'data-testid="chart-{name}".*?</section>', html, re.S).group(0)
        assert 'data-testid="chart-empty"' in section and "data-chart=" not in section
