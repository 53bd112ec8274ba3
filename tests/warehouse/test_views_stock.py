"""The warehouse's pages: queue, shipping and posting, stock, production requests, outbounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.orders import services as order_services
from salesdesk.orders.models import OrderStatus
from salesdesk.receivables import services_credits as credits
from salesdesk.warehouse import services
from salesdesk.warehouse.models import (
    MoveKind,
    Outbound,
    OutboundStatus,
    ProductionRequest,
    ProductionStatus,
    StockLevel,
    StockMove,
)
from salesdesk.workbench.selectors import workbench_items
from tests.conftest import client_for
from tests.factories import days_ago, make_customer
from tests.warehouse.conftest import released, ship

pytestmark = pytest.mark.django_db

PRICES = ["349.6", "243.8", "8211", "8,211", "6,992", "6992"]  # the draft's prices and amounts


def on_hand(product) -> Decimal:
    return StockLevel.objects.get(product=product).on_hand


def ship_url(order) -> str:
    return reverse("warehouse:order-ship", args=[order.reference])


def ship_data(order, quantities: dict[str, str], seen: int = 0, notes: str = "") -> dict:
    data = {"seen_posted": str(seen), "notes": notes}
    for line in order.lines.select_related("product"):
        data[f"line_{line.pk}"] = quantities.get(line.product.model_code, "0")
    return data


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def receive(product, quantity: str, by) -> None:
    services.stock_inbound(product=product, quantity=Decimal(quantity), by=by)


# --- the queue ------------------------------------------------------------------------


def test_the_queue_shows_released_orders_with_lines_and_instructions_but_no_price(
    draft, stocked, assistant, warehouse
):
    order = order_services.order_update(order=draft, by=assistant, warehouse_instructions="先打电话再送")
    order = released(order, assistant)
    response = client_for(warehouse).get(reverse("warehouse:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert order.number in html and "先打电话再送" in html
    assert "A-101" in html and "B-220" in html
    assert ship_url(order) in html
    assert [p for p in PRICES if p in html] == []


def test_the_queue_leaves_out_orders_not_released_or_shipped_in_full(draft, stocked, assistant, warehouse):
    registered = order_services.order_register(order=draft, by=assistant)
    html = client_for(warehouse).get(reverse("warehouse:queue")).content.decode()
    assert registered.number not in html
    shipped = ship(order_services.order_release(order=registered, by=assistant), warehouse)
    html = client_for(warehouse).get(reverse("warehouse:queue")).content.decode()
    assert shipped.order.number not in html


def test_the_queue_filtered_by_day_leaves_out_later_ship_dates(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    client = client_for(warehouse)
    before = (order.ship_date - dt.timedelta(days=1)).isoformat()
    assert order.number not in client.get(reverse("warehouse:queue"), {"day": before}).content.decode()
    same = order.ship_date.isoformat()
    assert order.number in client.get(reverse("warehouse:queue"), {"day": same}).content.decode()
    assert client.get(reverse("warehouse:queue"), {"day": "2026-02-30"}).status_code == 200


def _orders(n: int, customer, products, assistant) -> None:
    for _i in range(n):
        order = order_services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="cash",
            lines=[order_services.LineInput(product=p, quantity=Decimal("1")) for p in products],
        )
        released(order, assistant)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_queue_and_stock_pages_make_a_fixed_number_of_queries(customer, stocked, assistant, warehouse):
    client = client_for(warehouse)
    client.get(reverse("warehouse:queue"))  # session and permission caches
    urls = [reverse(n) for n in ("warehouse:queue", "warehouse:stock-list", "warehouse:outbound-list")]
    urls.append(reverse("warehouse:production-list"))
    _orders(2, customer, stocked, assistant)
    few = [queries(client, url) for url in urls]
    _orders(8, customer, stocked, assistant)
    assert [queries(client, url) for url in urls] == few


# --- shipping and posting -------------------------------------------------------------


def test_the_shipping_page_proposes_the_open_quantity_but_no_more_than_is_on_hand(
    draft, product, other_product, assistant, warehouse
):
    receive(product, "12", warehouse)
    receive(other_product, "50", warehouse)
    order = released(draft, assistant, ship_in_parts=True)
    response = client_for(warehouse).get(ship_url(order))
    form = response.context["form"]
    proposed = {name: form[name].value() for name in form.fields if name.startswith("line_")}
    lines = {line.product.model_code: line.pk for line in order.lines.select_related("product")}
    assert proposed == {f"line_{lines['A-101']}": Decimal("12"), f"line_{lines['B-220']}": Decimal("5")}
    assert [p for p in PRICES if p in response.content.decode()] == []


def test_posting_from_the_shipping_page_moves_stock_and_ships_the_order(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    client = client_for(warehouse)
    response = client.post(ship_url(order), ship_data(order, {"A-101": "20", "B-220": "5"}, notes="司机老陈"))
    outbound = Outbound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("warehouse:outbound-detail", args=[outbound.number])
    assert outbound.status == OutboundStatus.POSTED and outbound.notes == "司机老陈"
    assert (on_hand(stocked[0]), on_hand(stocked[1])) == (Decimal("80"), Decimal("95"))
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    detail = client.get(response["Location"]).content.decode()
    assert outbound.number in detail and "A-101" in detail
    assert [p for p in PRICES if p in detail] == []


def test_a_part_shipment_posts_what_leaves_and_leaves_the_rest_open(draft, stocked, assistant, warehouse):
    order = released(draft, assistant, ship_in_parts=True)
    client = client_for(warehouse)
    client.post(ship_url(order), ship_data(order, {"A-101": "8", "B-220": "0"}))
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    assert on_hand(stocked[0]) == Decimal("92") and on_hand(stocked[1]) == Decimal("100")
    form = client.get(ship_url(order)).context["form"]
    assert sorted(form[n].value() for n in form.fields if n.startswith("line_")) == [
        Decimal("5"),
        Decimal("12"),
    ]
    assert form["seen_posted"].value() == 1


def test_an_order_can_ship_in_three_parts(draft, stocked, assistant, warehouse):
    order = released(draft, assistant, ship_in_parts=True)
    client = client_for(warehouse)
    for seen, part in enumerate([{"A-101": "5"}, {"A-101": "5"}, {"A-101": "10", "B-220": "5"}]):
        response = client.post(ship_url(order), ship_data(order, part, seen=seen))
        assert response.status_code == 302, response.context["form"].errors
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and Outbound.objects.count() == 3
    assert on_hand(stocked[0]) == Decimal("80")


def test_a_part_shipment_of_an_order_waiting_for_all_is_refused_and_says_why(
    draft, stocked, assistant, warehouse
):
    order = released(draft, assistant)
    response = client_for(warehouse).post(
        ship_url(order), ship_data(order, {"A-101": "5", "B-220": "5"}), follow=True
    )
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert order.number in messages_of(response)[0][1]
    assert not Outbound.objects.exists()  # not even a draft is left behind
    assert on_hand(stocked[0]) == Decimal("100")


def test_shipping_more_than_is_on_hand_is_refused_with_the_product_named(
    draft, product, other_product, assistant, warehouse
):
    receive(product, "10", warehouse)
    receive(other_product, "10", warehouse)
    order = released(draft, assistant, ship_in_parts=True)
    response = client_for(warehouse).post(
        ship_url(order), ship_data(order, {"A-101": "15", "B-220": "5"}), follow=True
    )
    (level, text), *_rest = messages_of(response)
    assert level == "error" and "A-101" in text
    assert not Outbound.objects.exists()
    assert on_hand(product) == Decimal("10") and on_hand(other_product) == Decimal("10")


def test_shipping_more_than_is_open_is_shown_on_that_line(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    response = client_for(warehouse).post(ship_url(order), ship_data(order, {"A-101": "20", "B-220": "6"}))
    assert response.status_code == 200
    b220 = order.lines.get(product__model_code="B-220")
    assert response.context["form"].errors.keys() == {f"line_{b220.pk}"}
    assert not Outbound.objects.exists()


def test_a_page_drawn_before_a_colleague_posted_is_refused(draft, stocked, assistant, warehouse, manager):
    order = released(draft, assistant, ship_in_parts=True)
    stale = ship_data(order, {"A-101": "10", "B-220": "0"}, seen=0)
    client_for(manager).post(ship_url(order), stale)  # the colleague, first
    response = client_for(warehouse).post(ship_url(order), stale, follow=True)
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert Outbound.objects.count() == 1
    assert on_hand(stocked[0]) == Decimal("90")  # moved once, not twice


def test_posting_an_order_already_shipped_in_full_says_so(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    data = ship_data(order, {"A-101": "20", "B-220": "5"})
    client = client_for(warehouse)
    client.post(ship_url(order), data, follow=True)
    response = client.post(ship_url(order), data, follow=True)
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert Outbound.objects.count() == 1 and on_hand(stocked[0]) == Decimal("80")


@pytest.mark.parametrize("value", ["-1", "abc", "NaN", "Infinity", "1e400", "1.2345", "", "佛山\x00"])
def test_a_bad_quantity_is_shown_on_the_form_and_nothing_is_posted(
    draft, stocked, assistant, warehouse, value
):
    order = released(draft, assistant)
    response = client_for(warehouse).post(ship_url(order), ship_data(order, {"A-101": value, "B-220": "5"}))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Outbound.objects.exists()


def test_nothing_entered_is_refused(draft, stocked, assistant, warehouse):
    order = released(draft, assistant)
    response = client_for(warehouse).post(ship_url(order), ship_data(order, {}))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Outbound.objects.exists()


def test_the_shipping_page_of_an_order_not_released_posts_nothing(draft, stocked, assistant, manager):
    order = order_services.order_register(order=draft, by=assistant)
    client = client_for(manager)
    assert client.get(ship_url(order)).context["can_ship"] is False
    client.post(ship_url(order), ship_data(order, {"A-101": "20", "B-220": "5"}))
    assert not Outbound.objects.exists()


# --- stock ----------------------------------------------------------------------------


def test_the_stock_page_shows_on_hand_reserved_and_available(draft, stocked, assistant, warehouse):
    released(draft, assistant)
    response = client_for(assistant).get(reverse("warehouse:stock-list"))
    rows = {row.product.model_code: row for row in response.context["rows"]}
    assert (rows["A-101"].on_hand, rows["A-101"].reserved, rows["A-101"].available) == (
        Decimal("100"),
        Decimal("20"),
        Decimal("80"),
    )


def test_the_stock_page_searches_by_code_or_name(stocked, warehouse):
    client = client_for(warehouse)
    by_code = client.get(reverse("warehouse:stock-list"), {"q": "b-22"}).context["rows"]
    by_name = client.get(reverse("warehouse:stock-list"), {"q": "红色"}).context["rows"]
    assert [r.product.model_code for r in by_code] == ["B-220"]
    assert [r.product.model_code for r in by_name] == ["A-101"]
    assert client.get(reverse("warehouse:stock-list"), {"q": "红\x00"}).status_code in {200, 400}


def test_goods_in_against_a_production_request_completes_it(
    draft, product, other_product, assistant, warehouse
):
    receive(other_product, "10", warehouse)
    released(draft, assistant)  # 20 wanted, none on hand
    request = ProductionRequest.objects.get(product=product)
    response = client_for(warehouse).post(
        reverse("warehouse:stock-inbound"),
        {"product": product.pk, "quantity": "20", "request": request.pk, "reason": "一车间"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("warehouse:stock-moves", args=[product.pk])
    request.refresh_from_db()
    assert request.status == ProductionStatus.DONE and on_hand(product) == Decimal("20")
    assert StockMove.objects.get(production_request=request).reason == "一车间"


def test_goods_in_against_another_products_request_is_refused_on_that_field(
    draft, product, other_product, assistant, warehouse
):
    released(draft, assistant)
    request = ProductionRequest.objects.get(product=product)
    response = client_for(warehouse).post(
        reverse("warehouse:stock-inbound"),
        {"product": other_product.pk, "quantity": "5", "request": request.pk},
    )
    assert response.status_code == 200 and response.context["form"].errors.keys() == {"request"}
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()


def test_the_goods_in_form_is_prefilled_from_a_production_request(draft, product, assistant, warehouse):
    released(draft, assistant)
    request = ProductionRequest.objects.get(product=product)
    form = (
        client_for(warehouse).get(reverse("warehouse:stock-inbound"), {"request": request.pk}).context["form"]
    )
    assert (form["product"].value(), form["request"].value(), form["quantity"].value()) == (
        product.pk,
        request.pk,
        request.quantity,
    )


def test_goods_in_for_a_product_production_was_asked_for_counts_against_that_request(
    draft, product, other_product, assistant, warehouse
):
    receive(other_product, "10", warehouse)
    released(draft, assistant)
    request = ProductionRequest.objects.get(product=product)
    client = client_for(warehouse)
    form = client.get(reverse("warehouse:stock-inbound"), {"product": product.pk}).context["form"]
    assert form["request"].value() == request.pk
    form = client.get(reverse("warehouse:stock-inbound"), {"product": other_product.pk}).context["form"]
    assert form["request"].value() in (None, "")


@pytest.mark.parametrize(
    ("field", "value"),
    [("quantity", "0"), ("quantity", "-3"), ("quantity", "x"), ("product", "999999"), ("reason", "x" * 201)],
)
def test_bad_goods_in_is_shown_and_nothing_moves(product, warehouse, field, value):
    data = {"product": product.pk, "quantity": "5", field: value}
    response = client_for(warehouse).post(reverse("warehouse:stock-inbound"), data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not StockMove.objects.exists()


def test_a_stock_count_sets_on_hand_and_records_the_difference_with_its_reason(stocked, warehouse):
    product = stocked[0]
    response = client_for(warehouse).post(
        reverse("warehouse:stock-adjust"), {"product": product.pk, "counted": "97", "reason": "盘点少 3 桶"}
    )
    assert response.status_code == 302
    move = StockMove.objects.get(kind=MoveKind.ADJUSTMENT)
    assert (move.quantity, move.reason, on_hand(product)) == (Decimal("-3"), "盘点少 3 桶", Decimal("97"))


@pytest.mark.parametrize(
    ("data", "field"),
    [({"counted": "100"}, "counted"), ({"reason": ""}, "reason"), ({"counted": "-1"}, "counted")],
)
def test_a_count_that_changes_nothing_or_says_no_reason_is_refused(stocked, warehouse, data, field):
    product = stocked[0]
    post = {"product": product.pk, "counted": "90", "reason": "盘点"} | data
    response = client_for(warehouse).post(reverse("warehouse:stock-adjust"), post)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert on_hand(product) == Decimal("100")


def test_the_stock_ledger_shows_each_move_with_the_balance_after_it(draft, stocked, assistant, warehouse):
    product = stocked[0]
    ship(released(draft, assistant), warehouse)
    services.stock_adjust(product=product, counted=Decimal("79"), by=warehouse, reason="破损 1 桶")
    response = client_for(assistant).get(reverse("warehouse:stock-moves", args=[product.pk]))
    moves = response.context["moves"]
    assert [(m.quantity, m.balance) for m in moves] == [
        (Decimal("-1"), Decimal("79")),
        (Decimal("-20"), Decimal("80")),
        (Decimal("100"), Decimal("100")),
    ]
    assert [p for p in PRICES if p in response.content.decode()] == []


def test_the_stock_ledger_balance_runs_on_across_pages(product, warehouse):
    for _i in range(60):
        receive(product, "1", warehouse)
    client = client_for(warehouse)
    first = client.get(reverse("warehouse:stock-moves", args=[product.pk])).context["moves"]
    second = client.get(reverse("warehouse:stock-moves", args=[product.pk]), {"page": 2}).context["moves"]
    assert (first[0].balance, first[-1].balance) == (Decimal("60"), Decimal("11"))
    assert (second[0].balance, second[-1].balance) == (Decimal("10"), Decimal("1"))


# --- production requests --------------------------------------------------------------


@pytest.fixture
def short(draft, product, other_product, assistant, warehouse):
    """A released order whose A-101 (20) production must make; B-220 is in stock."""
    receive(other_product, "10", warehouse)
    order = released(draft, assistant)
    return order, ProductionRequest.objects.get(product=product)


def test_the_production_page_lists_the_orders_waiting_only_to_those_who_see_them(
    short, other_assistant, warehouse
):
    order, request = short
    mine = client_for(warehouse).get(reverse("warehouse:production-list")).content.decode()
    assert order.number in mine and f'id="request-{request.pk}"' in mine
    theirs = client_for(other_assistant).get(reverse("warehouse:production-list"))
    listed = theirs.context["requests"]
    assert [r.pk for r in listed] == [request.pk] and listed[0].visible_demands == []
    assert order.number not in theirs.content.decode()
    assert order.customer.name not in theirs.content.decode()


def test_an_assistant_confirms_the_production_date_and_the_order_page_shows_it(short, assistant):
    order, request = short
    day = timezone.localdate() + dt.timedelta(days=5)
    client = client_for(assistant)
    response = client.post(
        reverse("warehouse:production-confirm", args=[request.pk]),
        {"date": day.isoformat(), "note": "二车间"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#request-{request.pk}")
    request.refresh_from_db()
    assert (request.status, request.confirmed_date, request.note) == (
        ProductionStatus.CONFIRMED,
        day,
        "二车间",
    )
    panel = client.get(reverse("warehouse:order-shipments", args=[order.number]), HTTP_HX_REQUEST="true")
    assert f"{day:%Y-%m-%d}" in panel.content.decode()


@pytest.mark.parametrize("day", ["2020-01-01", "2026-02-30", "", "<script>"])
def test_a_production_date_in_the_past_or_not_a_date_is_refused(short, assistant, day):
    _order, request = short
    response = client_for(assistant).post(
        reverse("warehouse:production-confirm", args=[request.pk]), {"date": day}, follow=True
    )
    assert [level for level, _text in messages_of(response)] == ["error"]
    request.refresh_from_db()
    assert request.status == ProductionStatus.REQUESTED


def test_receiving_production_goods_from_the_production_page(short, warehouse, product):
    order, request = short
    client = client_for(warehouse)
    client.post(reverse("warehouse:production-receive", args=[request.pk]), {f"r{request.pk}-quantity": "8"})
    request.refresh_from_db()
    assert request.status == ProductionStatus.REQUESTED and on_hand(product) == Decimal("8")
    client.post(reverse("warehouse:production-receive", args=[request.pk]), {f"r{request.pk}-quantity": "12"})
    request.refresh_from_db()
    assert request.status == ProductionStatus.DONE and on_hand(product) == Decimal("20")
    page = client.get(reverse("warehouse:production-list")).content.decode()
    assert f'id="request-{request.pk}"' not in page  # done: off the open list
    done = client.get(reverse("warehouse:production-list"), {"status": "done"}).content.decode()
    assert f'id="request-{request.pk}"' in done


def test_a_bad_received_quantity_is_refused_with_a_message(short, warehouse, product):
    _order, request = short
    response = client_for(warehouse).post(
        reverse("warehouse:production-receive", args=[request.pk]),
        {f"r{request.pk}-quantity": "-5"},
        follow=True,
    )
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert not StockMove.objects.filter(product=product).exists()


# --- outbounds ------------------------------------------------------------------------


def test_the_outbound_list_shows_the_days_outbounds_and_amounts_only_to_who_sees_prices(
    draft, stocked, assistant, warehouse
):
    outbound = ship(released(draft, assistant), warehouse)
    for_warehouse = client_for(warehouse).get(reverse("warehouse:outbound-list")).content.decode()
    assert outbound.number in for_warehouse and "8,211.00" not in for_warehouse
    for_assistant = client_for(assistant).get(reverse("warehouse:outbound-list")).content.decode()
    assert outbound.number in for_assistant and "8,211.00" in for_assistant
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    earlier = client_for(warehouse).get(reverse("warehouse:outbound-list"), {"day": yesterday})
    assert outbound.number not in earlier.content.decode()


def test_the_outbound_list_of_all_days_shows_a_proposed_write_off_nobody_posted_yet(
    draft, stocked, assistant, warehouse
):
    outbound = ship(released(draft, assistant), warehouse)
    proposal = credits.write_off_request(
        customer=outbound.customer, by=assistant, items=[credits.WriteOffInput(outbound)], reason="无法收回"
    )
    # Its poster is nobody yet: naming them failed the whole page.
    response = client_for(assistant).get(reverse("warehouse:outbound-list"), {"day": ""})
    assert response.status_code == 200
    # Looked for as the row's link text: a reference as short as "D2" can turn up in the page's
    # random tokens above the table.
    row = next(r for r in response.content.decode().split("<tr>") if f">{proposal.reference}</a>" in r)
    assert "<td>—</td>" in row


def test_the_outbound_detail_shows_amounts_to_an_assistant(draft, stocked, assistant, warehouse):
    outbound = ship(released(draft, assistant), warehouse)
    html = (
        client_for(assistant)
        .get(reverse("warehouse:outbound-detail", args=[outbound.number]))
        .content.decode()
    )
    assert "8,211.00" in html and "349.6" in html


def test_an_outbound_of_another_assistants_customer_is_not_found(
    draft, stocked, assistant, warehouse, other_assistant
):
    outbound = ship(released(draft, assistant), warehouse)
    client = client_for(other_assistant)
    assert client.get(reverse("warehouse:outbound-detail", args=[outbound.number])).status_code == 404
    assert client.get(reverse("warehouse:delivery-note", args=[outbound.number])).status_code == 404
    assert outbound.number not in client.get(reverse("warehouse:outbound-list")).content.decode()


# --- the order page -------------------------------------------------------------------


def test_the_order_page_loads_the_shipments_panel_and_the_panel_shows_what_shipped(
    draft, stocked, assistant, warehouse
):
    order = released(draft, assistant, ship_in_parts=True)
    outbound = ship(order, warehouse, {"A-101": "8", "B-220": "5"})
    client = client_for(assistant)
    page = client.get(reverse("orders:order-detail", args=[order.number])).content.decode()
    panel_url = reverse("warehouse:order-shipments", args=[order.number])
    assert f'hx-get="{panel_url}"' in page
    panel = client.get(panel_url, HTTP_HX_REQUEST="true")
    progress = {p.product.model_code: (p.shipped, p.open) for p in panel.context["order"].progress}
    assert progress == {"A-101": (Decimal("8"), Decimal("12")), "B-220": (Decimal("5"), Decimal("0"))}
    assert outbound.number in panel.content.decode()
    assert "<html" not in panel.content.decode()  # a fragment for htmx
    assert "<html" in client.get(panel_url).content.decode()  # a page without it


def test_the_assistant_switches_an_order_to_ship_in_parts(draft, stocked, assistant):
    order = released(draft, assistant)
    url = reverse("orders:order-ship-in-parts", args=[order.number])
    response = client_for(assistant).post(url, {"ship_in_parts": "1"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.ship_in_parts is True
    client_for(assistant).post(url, {"ship_in_parts": "0"})
    order.refresh_from_db()
    assert order.ship_in_parts is False


@pytest.mark.parametrize("value", ["", "yes", "2", "' OR 1=1 --"])
def test_a_ship_in_parts_answer_that_is_neither_is_refused(draft, stocked, assistant, value):
    order = released(draft, assistant)
    order_services.order_set_ship_in_parts(order=order, by=assistant, ship_in_parts=True)
    response = client_for(assistant).post(
        reverse("orders:order-ship-in-parts", args=[order.number]), {"ship_in_parts": value}, follow=True
    )
    assert [level for level, _text in messages_of(response)] == ["error"]
    order.refresh_from_db()
    assert order.ship_in_parts is True


def test_the_ship_in_parts_switch_is_not_offered_once_everything_shipped(
    draft, stocked, assistant, warehouse
):
    order = released(draft, assistant)
    ship(order, warehouse)
    page = client_for(assistant).get(reverse("orders:order-detail", args=[order.number])).content.decode()
    assert reverse("orders:order-ship-in-parts", args=[order.number]) not in page


# --- admin ----------------------------------------------------------------------------


def test_the_admin_shows_a_posted_outbound_but_cannot_change_or_delete_it(
    draft, stocked, assistant, warehouse
):
    outbound = ship(released(draft, assistant), warehouse)
    admin = User.objects.create_superuser("root", password="a-long-test-password-1")
    client = client_for(admin)
    change = reverse("admin:warehouse_outbound_change", args=[outbound.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"notes": "改过"}).status_code == 403
    assert (
        client.post(
            reverse("admin:warehouse_outbound_delete", args=[outbound.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:warehouse_outbound_add")).status_code == 403
    for model in ("stockmove", "stocklevel", "productionrequest", "outbound", "shipment"):
        assert client.get(reverse(f"admin:warehouse_{model}_changelist")).status_code == 200
    outbound.refresh_from_db()
    assert outbound.notes == "" and outbound.status == OutboundStatus.POSTED


# --- the workbench --------------------------------------------------------------------


def section(user, key: str):
    return next((s for s in workbench_items(user=user) if s.key == key), None)


def test_the_warehouse_workbench_lists_todays_queue_by_slot_linking_to_the_shipping_page(
    draft, stocked, assistant, warehouse
):
    order = order_services.order_register(order=draft, by=assistant)
    order = order_services.order_release(
        order=order, by=assistant, ship_date=timezone.localdate(), ship_slot="pm", note="客户催"
    )
    items = section(warehouse, "warehouse_today").items
    assert [i.url for i in items] == [ship_url(order)]
    assert order.number in items[0].title and order.get_ship_slot_display() in items[0].title
    assert section(assistant, "warehouse_today") is None


def test_an_assistant_sees_shortfalls_of_own_orders_with_the_production_date(
    short, assistant, other_assistant, warehouse
):
    order, request = short
    items = section(assistant, "stock_shortfalls").items
    assert len(items) == 1 and order.number in items[0].title
    assert items[0].url.endswith(f"#request-{request.pk}")  # no date yet: where the date is entered
    day = timezone.localdate() + dt.timedelta(days=4)
    services.production_confirm(request=request, by=warehouse, date=day)
    items = section(assistant, "stock_shortfalls").items
    assert f"{day:%Y-%m-%d}" in items[0].detail
    assert items[0].url == reverse("orders:order-detail", args=[order.number])
    assert section(other_assistant, "stock_shortfalls").items == []


def test_a_customer_of_another_assistant_is_not_in_the_shortfalls(
    product, assistant, other_assistant, other_salesperson
):
    theirs = make_customer(
        by=other_assistant, assistant=other_assistant, salesperson=other_salesperson, name="中山客户"
    )
    catalog_services.price_set(
        customer=theirs,
        product=product,
        unit_price=Decimal("350"),
        valid_from=days_ago(3),
        by=other_assistant,
    )
    order = order_services.order_create(
        by=other_assistant,
        customer=theirs,
        channel="phone",
        ship_method="pickup",
        collection_method="cash",
        lines=[order_services.LineInput(product=product, quantity=Decimal("3"))],
    )
    released(order, other_assistant)
    assert section(assistant, "stock_shortfalls").items == []
    assert len(section(other_assistant, "stock_shortfalls").items) == 1
