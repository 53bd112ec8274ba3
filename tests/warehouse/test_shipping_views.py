"""The shipping pages: recording a shipment, ticking off, exports, scope and no money for the warehouse."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from salesdesk.catalog import services as catalog_services
from salesdesk.warehouse import services
from salesdesk.warehouse.models import Shipment
from salesdesk.warehouse.templatetags.shipping import returned_state
from salesdesk.workbench.selectors import workbench_items
from tests.conftest import client_for
from tests.factories import CarrierFactory
from tests.warehouse.conftest import released, ship
from tests.warehouse.test_shipping_selectors import order_for, other_customer

pytestmark = pytest.mark.django_db

SQL = "' OR 1=1 --"
NUL = "LHT\x00123"
# The COD order's money as pages and sheets would show it: outbound 8,211.00, unit price 349.60.
MONEY = ["8,211.00", "8211.00", "8211.0", "349.60", "349.6000", "6,992.00", "243.80"]


@pytest.fixture
def outbound(draft, stocked, assistant, warehouse):
    return ship(released(draft, assistant), warehouse)


def create_url(outbound) -> str:
    return reverse("warehouse:shipping-create", args=[outbound.number])


def shipment_post(chosen, **changes) -> dict:
    data = {
        "carrier": chosen.pk,
        "tracking_number": "LHT100200300",
        "driver": "",
        "route": "顺德",
        "shipped_on": f"{timezone.localdate():%Y-%m-%d}",
        "cod_amount": "8211.00",
    }
    data.update(changes)
    return data


def shows_an_error(response) -> bool:
    html = response.content.decode()
    return "errorlist" in html or "alert-danger" in html


def cod_shipment(outbound, by, *, days_ago: int = 0) -> Shipment:
    return services.shipment_record(
        outbound=outbound,
        by=by,
        carrier=outbound.order.carrier,
        tracking_number="LHT100200300",
        shipped_on=timezone.localdate() - dt.timedelta(days=days_ago),
        cod_amount=Decimal("8211.00"),
        note_required=True,
    )


# --- recording ----------------------------------------------------------------------------


def test_an_assistant_records_a_cod_shipment_with_the_outbound_amount_proposed(outbound, assistant, carrier):
    client = client_for(assistant)
    page = client.get(create_url(outbound)).content.decode()
    assert 'value="8211.00"' in page and "联昊通" in page
    response = client.post(create_url(outbound), shipment_post(carrier))
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.cod_amount, shipment.tracking_number) == (
        carrier,
        Decimal("8211.00"),
        "LHT100200300",
    )
    assert shipment.cod_due == timezone.localdate() + dt.timedelta(days=7)
    assert response.url.startswith(reverse("warehouse:courier-log"))


def test_the_shipment_goes_back_to_the_order_it_was_opened_from(outbound, assistant, carrier):
    order_url = reverse("orders:order-detail", args=[outbound.order.number])
    response = client_for(assistant).post(create_url(outbound), shipment_post(carrier, next=order_url))
    assert response.url == order_url
    response = client_for(assistant).post(
        # the money was already put on the first shipment: this one collects none
        create_url(outbound),
        shipment_post(carrier, next="https://elsewhere.example/", cod_amount="0"),
    )
    assert response.url.startswith(reverse("warehouse:courier-log"))


def test_the_warehouse_never_sees_nor_sets_the_cod_amount(outbound, warehouse, carrier):
    client = client_for(warehouse)
    page = client.get(create_url(outbound)).content.decode()
    assert "cod_amount" not in page
    assert [m for m in MONEY if m in page] == []
    response = client.post(create_url(outbound), shipment_post(carrier, cod_amount="1.00"))
    assert response.status_code == 302
    assert Shipment.objects.get().cod_amount == Decimal("8211.00")  # from the order, not the post


def test_own_delivery_needs_a_driver_and_a_courier_needs_a_tracking_number(outbound, assistant, carrier):
    client = client_for(assistant)
    response = client.post(create_url(outbound), shipment_post(carrier, carrier="", driver=""))
    assert shows_an_error(response)
    response = client.post(create_url(outbound), shipment_post(carrier, tracking_number=" "))
    assert shows_an_error(response)
    assert not Shipment.objects.exists()
    response = client.post(
        create_url(outbound), shipment_post(carrier, carrier="", driver="老陈", cod_amount="0")
    )
    assert response.status_code == 302
    assert Shipment.objects.get().driver == "老陈"


def test_a_suspended_carrier_is_not_offered_and_is_refused(outbound, assistant, manager, carrier):
    late = CarrierFactory(name="源伟丰")
    catalog_services.carrier_suspend(carrier=late, by=manager, reason="代收货款逾期")
    client = client_for(assistant)
    assert "源伟丰" not in client.get(create_url(outbound)).content.decode()
    response = client.post(create_url(outbound), shipment_post(late))
    assert response.status_code == 200 and shows_an_error(response)
    assert not Shipment.objects.exists()


def test_a_carrier_that_collects_no_cod_is_refused_on_the_amount(outbound, assistant):
    documents = CarrierFactory(name="申通", can_collect_cod=False, can_return_notes=False)
    response = client_for(assistant).post(create_url(outbound), shipment_post(documents))
    assert shows_an_error(response) and "申通" in response.content.decode()
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cod_amount", "-1"),
        ("cod_amount", "NaN"),
        ("cod_amount", "1e20"),
        ("cod_amount", "12.345"),
        ("cod_amount", SQL),
        ("shipped_on", "9999-12-31"),
        ("shipped_on", "0001-01-01"),
        ("shipped_on", "2026-02-30"),
        ("shipped_on", ""),
        ("tracking_number", NUL),
        ("tracking_number", "9" * 41),
        ("carrier", SQL),
        ("carrier", "99999999999999999999"),
        ("driver", "长" * 51),
        ("route", NUL),
    ],
    ids=lambda v: str(v)[:20],
)
def test_bad_shipment_input_is_shown_and_nothing_is_written(outbound, assistant, carrier, field, value):
    response = client_for(assistant).post(create_url(outbound), shipment_post(carrier, **{field: value}))
    assert response.status_code == 200
    assert shows_an_error(response)
    assert not Shipment.objects.exists()


def test_a_draft_outbound_cannot_get_a_shipment_yet(draft, stocked, assistant, warehouse, carrier):
    order = released(draft, assistant)
    line = order.lines.first()
    pending = services.outbound_create(
        order=order, by=warehouse, quantities=[services.ShipQuantity(order_line=line, quantity=Decimal("1"))]
    )
    url = reverse("warehouse:shipping-create", args=[pending.reference])
    response = client_for(assistant).post(url, shipment_post(carrier))
    assert response.status_code == 200 and "alert-warning" in response.content.decode()
    assert 'data-testid="shipment-form"' not in response.content.decode()
    assert not Shipment.objects.exists()


# --- ticking off --------------------------------------------------------------------------


def test_cod_money_is_ticked_off_from_the_courier_log(outbound, assistant):
    shipment = cod_shipment(outbound, assistant, days_ago=1)
    client = client_for(assistant)
    log = reverse("warehouse:courier-log") + "?state=outstanding"
    page = client.get(log).content.decode()
    assert reverse("warehouse:shipping-cod-returned", args=[shipment.pk]) in page
    response = client.post(reverse("warehouse:shipping-cod-returned", args=[shipment.pk]), {"next": log})
    assert response.url == f"{log}#shipment-{shipment.pk}"
    shipment.refresh_from_db()
    assert shipment.cod_returned_on == timezone.localdate()
    assert (
        reverse("warehouse:shipping-cod-returned", args=[shipment.pk]) not in client.get(log).content.decode()
    )
    again = client.post(reverse("warehouse:shipping-cod-returned", args=[shipment.pk]), follow=True)
    assert any(m.level_tag == "error" for m in again.context["messages"])


def test_the_warehouse_ticks_off_signed_notes_but_not_money(outbound, assistant, warehouse):
    shipment = cod_shipment(outbound, assistant)
    client = client_for(warehouse)
    assert client.post(reverse("warehouse:shipping-cod-returned", args=[shipment.pk])).status_code == 403
    assert client.post(reverse("warehouse:shipping-note-returned", args=[shipment.pk])).status_code == 302
    shipment.refresh_from_db()
    assert (shipment.cod_returned_on, shipment.note_returned_on) == (None, timezone.localdate())


def test_ticking_off_needs_a_post(outbound, assistant):
    shipment = cod_shipment(outbound, assistant)
    response = client_for(assistant).get(reverse("warehouse:shipping-cod-returned", args=[shipment.pk]))
    assert response.status_code == 405


# --- scope --------------------------------------------------------------------------------


@pytest.fixture
def theirs(stocked, manager, other_assistant, other_salesperson, warehouse, carrier):
    """A COD shipment of another assistant's customer, overdue."""
    customer = other_customer(manager, stocked, assistant=other_assistant, salesperson=other_salesperson)
    posted = ship(order_for(customer, other_assistant, [(stocked[0], "1")], carrier=carrier), warehouse)
    return services.shipment_record(
        outbound=posted,
        by=other_assistant,
        carrier=carrier,
        tracking_number="LHT999",
        shipped_on=timezone.localdate() - dt.timedelta(days=10),
        cod_amount=Decimal("300.00"),
    )


def test_another_assistants_shipments_answer_404_and_are_not_listed(outbound, theirs, assistant, salesperson):
    client = client_for(assistant)
    assert client.get(reverse("warehouse:shipping-create", args=[theirs.outbound.number])).status_code == 404
    assert client.post(reverse("warehouse:shipping-cod-returned", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("warehouse:shipping-note-returned", args=[theirs.pk])).status_code == 404
    panel = reverse("warehouse:shipping-order-panel", args=[theirs.outbound.order.number])
    assert client.get(panel).status_code == 404
    cod_shipment(outbound, assistant)
    for user in (assistant, salesperson):
        for name in ("warehouse:courier-log", "warehouse:carriers-flagged", "warehouse:next-morning"):
            html = client_for(user).get(reverse(name) + "?day=" if "next" in name else reverse(name)).content
            assert "LHT999" not in html.decode() and theirs.outbound.number not in html.decode()
        sheet = sheet_text(client_for(user).get(reverse("warehouse:courier-log-export")))
        assert "LHT100200300" in sheet and "LHT999" not in sheet


def sheet_text(response) -> str:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


# --- money stays away from the warehouse --------------------------------------------------


def money_pages(outbound) -> list[str]:
    order = outbound.order.number
    today = timezone.localdate()
    return [
        reverse("warehouse:courier-log"),
        reverse("warehouse:courier-log-export"),
        reverse("warehouse:carriers-flagged"),
        reverse("warehouse:end-of-day"),
        reverse("warehouse:end-of-day-plan") + f"?day={today:%Y-%m-%d}",
        reverse("warehouse:next-morning") + f"?day={today:%Y-%m-%d}",
        reverse("warehouse:shipping-create", args=[outbound.number]),
        reverse("warehouse:shipping-order-panel", args=[order]),
        reverse("workbench:home"),
    ]


def page_or_sheet(response) -> str:
    assert response.status_code == 200
    if response.streaming:
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        return " ".join([*map(str, cells), *(f"{v:.2f}" for v in cells if isinstance(v, int | float))])
    return response.content.decode()


def test_no_shipping_page_or_export_shows_the_warehouse_money(outbound, assistant, warehouse):
    cod_shipment(outbound, assistant, days_ago=9)  # overdue: on the flagged page too
    client = client_for(warehouse)
    for url in money_pages(outbound):
        text = page_or_sheet(client.get(url))
        assert [m for m in MONEY if m in text] == [], url
        if url.endswith(".xlsx"):
            assert "代收货款" not in text  # not even the column


def test_the_same_pages_show_the_money_to_an_assistant(outbound, assistant):
    # a control: the amounts searched for above really are there for someone who may see them
    cod_shipment(outbound, assistant, days_ago=9)
    client = client_for(assistant)
    for name in ("warehouse:courier-log", "warehouse:carriers-flagged"):
        assert "8,211.00" in client.get(reverse(name)).content.decode()
    sheet = page_or_sheet(client.get(reverse("warehouse:courier-log-export")))
    assert "代收货款" in sheet and "8211.00" in sheet


def test_the_export_has_the_log_columns(outbound, assistant):
    cod_shipment(outbound, assistant, days_ago=9)
    response = client_for(assistant).get(reverse("warehouse:courier-log-export"))
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.iter_rows(values_only=True))
    values = dict(zip(header, row, strict=True))
    assert values["出库单号"] == outbound.number
    assert values["快递公司/司机"] == "联昊通"
    assert values["快递单号"] == "LHT100200300"
    assert values["货款状态"] == "逾期" and values["回单状态"] == "逾期"


# --- pages --------------------------------------------------------------------------------


def test_the_order_page_loads_the_shipping_panel(outbound, assistant, salesperson):
    order_page = client_for(assistant).get(reverse("orders:order-detail", args=[outbound.order.number]))
    panel = reverse("warehouse:shipping-order-panel", args=[outbound.order.number])
    assert panel in order_page.content.decode()
    html = client_for(assistant).get(panel).content.decode()
    assert reverse("warehouse:shipping-create", args=[outbound.number]) in html
    html = client_for(salesperson).get(panel).content.decode()
    assert outbound.number in html
    assert reverse("warehouse:shipping-create", args=[outbound.number]) not in html  # reads only


def test_the_flagged_page_links_the_manager_to_suspend(outbound, assistant, manager, carrier):
    cod_shipment(outbound, assistant, days_ago=8)
    html = client_for(manager).get(reverse("warehouse:carriers-flagged")).content.decode()
    assert 'data-testid="suspend-link"' in html
    assert reverse("catalog:carrier-detail", args=[carrier.pk]) in html
    html = client_for(assistant).get(reverse("warehouse:carriers-flagged")).content.decode()
    assert "联昊通" in html and 'data-testid="suspend-link"' not in html


def test_the_next_morning_page_shows_what_differs_in_full_and_what_matches_a_line_each(
    stocked, assistant, warehouse, customer, product, other_product
):
    from tests.warehouse.test_shipping_selectors import record

    order = order_for(customer, assistant, [(product, "20"), (other_product, "5")], parts=True)
    first = ship(order, warehouse, {"A-101": "15", "B-220": "0"})  # 5 × A-101 still open
    second = ship(order, warehouse, {"A-101": "5", "B-220": "5"})  # the rest: matches
    record(second, assistant, carrier=order.carrier)
    today = timezone.localdate()
    client = client_for(assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("warehouse:next-morning"), {"day": f"{today:%Y-%m-%d}"}).content.decode()
    assert "2 outbounds" in html and "1 with differences to follow up" in html
    card = re.search(
        rf'<section class="card[^"]*" data-outbound="{first.number}" data-differences="3">(.*?)</section>',
        html,
        re.S,
    )
    assert card and "A-101: 15 of 20 桶 shipped, 5 still open." in card.group(1)
    assert second.number not in html[: html.index('data-testid="next-morning-matching"')]
    matching = html[html.index('data-testid="next-morning-matching"') :]
    row = re.search(rf'<tr data-outbound="{second.number}" data-differences="0">(.*?)</tr>', matching, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))
    assert "A-101 × 5 桶" in text and "B-220 × 5 桶" in text and order.number in text
    assert first.number not in matching


@pytest.mark.parametrize(
    "query", ["?day=9999-12-31", "?day=0001-01-02", "?day=x", f"?day={SQL}", "?driver=" + "x" * 80]
)
@pytest.mark.parametrize(
    "name", ["warehouse:end-of-day", "warehouse:end-of-day-plan", "warehouse:next-morning"]
)
def test_odd_days_never_give_a_500(assistant, name, query):
    assert client_for(assistant).get(reverse(name) + query).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=2026-13-01",
        "?carrier=abc",
        "?carrier=99999999999",
        "?state=lost",
        f"?date_to={SQL}",
        "?date_from=2026-03-05&date_to=2026-03-01",
        "?page=999",
    ],
)
def test_odd_log_filters_never_give_a_500(assistant, query):
    for name in ("warehouse:courier-log", "warehouse:courier-log-export"):
        assert client_for(assistant).get(reverse(name) + query).status_code == 200


def test_the_workbench_lists_returns_by_carrier_and_flags_carriers_for_the_manager(
    outbound, assistant, manager, warehouse
):
    cod_shipment(outbound, assistant, days_ago=8)

    def section(user, key):
        return next((s for s in workbench_items(user=user) if s.key == key), None)

    [item] = section(assistant, "returns_due").items
    assert item.title == "联昊通" and "8,211.00" in item.detail and "state=overdue" in item.url
    assert section(assistant, "carriers_flagged") is None
    [flag] = section(manager, "carriers_flagged").items
    assert flag.url == reverse("catalog:carrier-detail", args=[outbound.order.carrier_id])
    assert section(warehouse, "returns_due") is None


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_shipping_pages_make_as_many_queries_for_many_rows_as_for_few(
    stocked, assistant, warehouse, customer, carrier
):
    client = client_for(assistant)
    today = timezone.localdate()
    urls = [
        reverse("warehouse:courier-log"),
        reverse("warehouse:carriers-flagged"),
        reverse("warehouse:end-of-day"),
        reverse("warehouse:end-of-day-plan") + f"?day={today:%Y-%m-%d}",
        reverse("warehouse:next-morning") + f"?day={today:%Y-%m-%d}",
    ]

    def add(n):
        for i in range(n):
            order = order_for(
                customer,
                assistant,
                [(stocked[0], "1"), (stocked[1], "1")],
                carrier=carrier,
                ship_method="express" if i % 2 else "delivery",
            )
            posted = ship(order, warehouse)
            services.shipment_record(
                outbound=posted,
                by=assistant,
                carrier=carrier if i % 2 else None,
                driver="" if i % 2 else "老陈",
                tracking_number=f"T{i}",
                shipped_on=today - dt.timedelta(days=i % 10),
                cod_amount=Decimal("10"),
                note_required=True,
            )

    add(2)
    few = [queries_for(client, url) for url in urls]
    add(8)
    many = [queries_for(client, url) for url in urls]
    assert many == few


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("returned", '<span class="badge text-bg-success">returned 03-05</span>'),
        ("overdue", '<span class="badge text-bg-danger" data-state="overdue">overdue · due 03-09</span>'),
        ("due", '<span class="badge text-bg-warning">due 03-09</span>'),
        ("none", '<span class="text-muted">—</span>'),
    ],
)
def test_a_return_badge_says_where_the_money_or_note_stands(state, expected):
    with translation.override("en"):
        assert returned_state(state, dt.date(2026, 3, 9), dt.date(2026, 3, 5)) == expected
