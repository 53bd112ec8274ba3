"""Each role's workbench on a busy day: the right kinds of items, only the user's own customers,
and every item a link that opens for that user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urldefrag

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from salesdesk.calls import services as calls
from salesdesk.catalog import services as catalog_services
from salesdesk.commissions import services as commission_services
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer
from salesdesk.orders import services as order_services
from salesdesk.orders.models import OrderStatus
from salesdesk.receivables import services_credits as credits
from salesdesk.receivables import services_documents as documents
from salesdesk.warehouse import services as warehouse_services
from salesdesk.workbench.selectors import FIGURES, workbench_items
from tests.commissions.conftest import pay_off
from tests.conftest import client_for
from tests.factories import days_ago, make_customer
from tests.orders.conftest import carrier, customer, draft, other_product, pickup_order, product  # noqa: F401
from tests.receivables.conftest import another_customer, debtor, sell  # noqa: F401
from tests.warehouse.conftest import stocked  # noqa: F401

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def sections_of(user, now: dt.datetime | None = None) -> dict:
    return {s.key: s for s in workbench_items(user=user, now=now)}


def everything_shown(user) -> str:
    return "\n".join(f"{i.title} {i.detail} {i.url}" for s in workbench_items(user=user) for i in s.items)


def failed_checks(order) -> str:
    """The reasons an order is held, as the review wrote them when it was registered."""
    return "；".join(c.reason for c in order.checks.all() if c.result == "failed")


def held_order(by, customer, product, quantity: str = "1"):  # noqa: F811
    order = order_services.order_register(order=pickup_order(by, customer, product, quantity), by=by)
    assert order.status == OrderStatus.ON_HOLD
    return order


@pytest.fixture
def busy_day(
    debtor,  # noqa: F811
    product,  # noqa: F811
    other_product,  # noqa: F811
    carrier,  # noqa: F811
    assistant,
    salesperson,
    other_assistant,
    other_salesperson,
    warehouse,
    finance,
    manager,
):
    """One customer of `assistant`/`salesperson` with something of every kind to do, and one of
    `other_assistant`/`other_salesperson` with work of its own that must not show to the first."""
    today = timezone.localdate()
    # Ours: a rebate customer on 30 days' credit, invoiced on today's date each month.
    Customer.objects.filter(pk=debtor.pk).update(
        rebate=True,
        invoice_required=True,
        invoice_day=today.day,
        invoice_title=debtor.name,
        tax_id="91440606MA4UXXXX1X",
    )
    debtor.refresh_from_db()
    catalog_services.rebate_set(
        customer=debtor,
        product=product,
        rebate_unit_price=Decimal("12.50"),
        valid_from=days_ago(60),
        by=manager,
        payee_name="黄先生",
        payee_bank="中国工商银行佛山分行",
        payee_account="6222 0000 1234 5678",
    )
    # 5 × A-101 at the standard 380.00, 45 days ago: 1,900.00 fifteen days overdue, its commission waiting.
    overdue = sell(debtor, product, "5", by=assistant, warehouse=warehouse, day=days_ago(45))
    # 2 × A-101 at the agreed 349.60, paid today: its commission goes on this month's statement.
    paid = sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_ago(10), approver=manager)
    receipt = pay_off(paid, assistant)
    (rebates,) = commission_services.statements_build(month=today, by=assistant)
    # 3 × B-220 at 243.80 posted today, sent cash on delivery with a signed note.
    cod_sale = sell(debtor, other_product, "3", by=assistant, warehouse=warehouse, approver=manager)
    warehouse_services.shipment_record(
        outbound=cod_sale,
        by=warehouse,
        carrier=carrier,
        tracking_number="LHT-001",
        shipped_on=today,
        cod_amount=cod_sale.amount,
        note_required=True,
    )
    held = held_order(assistant, debtor, product)  # the overdue money holds it
    statement = documents.statement_create(
        customer=debtor, by=assistant, period_from=days_ago(60), period_to=today
    )
    call = calls.call_log(
        by=assistant, customer=debtor, contact_name="黄志明", phone="13800138001", need="问色卡"
    )
    calls.follow_up_raise(call=call, by=assistant, question="红色色卡还有吗？", assigned_to=assistant)
    write_off = credits.write_off_request(
        customer=debtor,
        by=finance,
        items=[credits.WriteOffInput(overdue, Decimal("10.00"))],
        reason="零头，客户不认",
    )
    # A second, cash customer: one order released for this afternoon, one short of stock to release,
    # and a credit-term application waiting for the manager.
    cash = another_customer(assistant, salesperson)
    to_ship = order_services.order_register(
        order=pickup_order(assistant, cash, other_product, "1"), by=assistant
    )
    to_ship = order_services.order_release(
        order=to_ship, by=assistant, ship_date=today, ship_slot="pm", note="客户催"
    )
    short = order_services.order_register(
        order=pickup_order(assistant, cash, other_product, "150"), by=assistant
    )
    assert short.status == OrderStatus.REGISTERED
    application = customer_services.credit_application_submit(customer=cash, by=assistant, credit_days=15)
    # A customer still missing its address: only the manager may let its order through.
    unfinished = make_customer(
        by=assistant, assistant=assistant, salesperson=salesperson, name="江门未完客户", address=""
    )
    for_manager = held_order(assistant, unfinished, product)
    # Theirs: a cash customer with its own overdue sale, held order and follow-up.
    theirs = make_customer(
        by=other_assistant,
        assistant=other_assistant,
        salesperson=other_salesperson,
        name="中山别家装修队",
        address="",
    )
    catalog_services.price_set(
        customer=theirs,
        product=product,
        unit_price=Decimal("350.00"),
        valid_from=days_ago(60),
        by=other_assistant,
    )
    sell(theirs, product, "1", by=other_assistant, warehouse=warehouse, day=days_ago(45), approver=manager)
    their_held = held_order(other_assistant, theirs, product)
    their_call = calls.call_log(
        by=other_assistant, customer=theirs, contact_name="苏国强", phone="13612300003"
    )
    calls.follow_up_raise(
        call=their_call, by=other_assistant, question="别家的问题", assigned_to=other_assistant
    )
    return SimpleNamespace(**locals())


def test_the_assistant_has_an_item_of_every_kind_on_a_busy_day(busy_day, assistant):
    day = busy_day
    shown = sections_of(assistant)
    held = {i.url: i.detail for i in shown["orders_on_hold"].items}
    assert held == {
        reverse("orders:order-detail", args=[order.number]): failed_checks(order)
        for order in (day.held, day.for_manager)
    }
    assert [i.url for i in shown["orders_to_release"].items] == [
        reverse("orders:order-detail", args=[day.short.number])
    ]
    [shortfall] = shown["stock_shortfalls"].items
    assert day.short.number in shortfall.title
    [cod] = shown["returns_due"].items
    assert cod.title == day.carrier.name and "state=outstanding" in cod.url
    assert reverse("receivables:invoice-create", args=[day.debtor.code]) in [
        i.url for i in shown["invoices_due"].items
    ]
    assert [i.url for i in shown["statements"].items] == [
        reverse("receivables:statement-detail", args=[day.statement.number])
    ]
    [owed] = shown["receivables_due"].items
    assert (
        owed.url == reverse("receivables:customer-ar", args=[day.debtor.code]) and "1,900.00" in owed.detail
    )
    assert [i.title for i in shown["follow_ups"].items] == ["红色色卡还有吗？"]
    assert reverse("receivables:receipt-detail", args=[day.receipt.number]) in [
        i.url for i in shown["receipts_for_finance"].items
    ]
    assert "warehouse_today" not in shown and "day_at_a_glance" not in shown


def test_the_express_cut_off_flags_registered_express_orders_from_half_an_hour_before(draft, assistant):  # noqa: F811
    order = order_services.order_register(order=draft, by=assistant)
    assert order.status == OrderStatus.REGISTERED and order.ship_method == "express"
    wednesday = dt.date(2026, 3, 4)

    def at(day: dt.date, hour: int, minute: int) -> dict:
        with translation.override("en"):
            return sections_of(assistant, dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI))

    early = at(wednesday, 10, 59)
    assert early["express_cutoff"].items == [] and len(early["orders_to_release"].items) == 1
    near = at(wednesday, 11, 10)
    [item] = near["express_cutoff"].items
    assert item.url == reverse("orders:order-detail", args=[order.number])
    assert "before 11:30" in item.detail and "20 minutes" in item.detail
    assert near["orders_to_release"].items == []  # listed once, where it is urgent
    [late] = at(wednesday, 11, 45)["express_cutoff"].items
    assert "Past the 11:30 cut-off" in late.detail
    saturday = at(dt.date(2026, 3, 7), 11, 10)  # nothing ships on a day off
    assert saturday["express_cutoff"].items == [] and len(saturday["orders_to_release"].items) == 1


def test_a_pickup_order_is_never_flagged_at_the_cut_off(busy_day, assistant):
    noon = dt.datetime.combine(dt.date(2026, 3, 4), dt.time(11, 20), tzinfo=SHANGHAI)
    shown = sections_of(assistant, noon)
    assert shown["express_cutoff"].items == []
    assert len(shown["orders_to_release"].items) == 1


def test_month_end_shows_in_its_window_only(busy_day, assistant, finance):
    def month_end(user, day: dt.date) -> list[str]:
        with translation.override("en"):
            moment = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI)
            return [i.title for i in sections_of(user, moment)["month_end"].items]

    assert month_end(finance, dt.date(2026, 3, 15)) == []
    assert "Cumulative AR detail for 2026-03" in month_end(finance, dt.date(2026, 3, 29))
    assert "Cumulative AR detail for 2026-02" in month_end(finance, dt.date(2026, 3, 5))
    assert month_end(finance, dt.date(2026, 3, 6)) == []
    # The assistant also gathers last month's commission statements.
    assert "Commission statements for 2026-02" in month_end(assistant, dt.date(2026, 3, 2))


def test_the_salesperson_sees_their_customers_orders_money_and_commissions(busy_day, salesperson):
    day = busy_day
    with translation.override("en"):
        shown = sections_of(salesperson)
    orders = {i.url: i.detail for i in shown["customer_orders"].items}
    held_url = reverse("orders:order-detail", args=[day.held.number])
    assert orders[held_url] == "On hold: " + failed_checks(day.held)
    assert orders[reverse("orders:order-detail", args=[day.short.number])] == "Registered"
    released = orders[reverse("orders:order-detail", args=[day.to_ship.number])]
    assert released.startswith("Released to warehouse") and "Afternoon" in released
    assert reverse("orders:order-detail", args=[day.for_manager.number]) in orders
    assert len(orders) == 4  # shipped orders are not open
    [owed] = shown["receivables_due"].items
    assert "1,900.00 overdue" in owed.detail
    # 5 × 12.50 waits for the overdue sale; the paid sale's 2 × 12.50 is on the submitted statement.
    [commission] = shown["commissions"].items
    assert commission.detail == "On a statement 25.00 · Waiting for the customer's payment 62.50"
    assert commission.url == reverse("commissions:accrual-list") + f"?customer={day.debtor.code}"
    # Held orders are read inside the open orders, not twice.
    assert "orders_on_hold" not in shown and "orders_to_release" not in shown


def test_finance_sees_receipts_commission_statements_to_approve_and_month_end(busy_day, finance):
    day = busy_day
    with translation.override("en"):
        shown = sections_of(finance)
    assert reverse("receivables:receipt-detail", args=[day.receipt.number]) in [
        i.url for i in shown["receipts_for_finance"].items
    ]
    [statement] = shown["commission_statements"].items
    assert statement.url == reverse("commissions:statement-detail", args=[day.rebates.number])
    assert statement.detail == "to approve"
    assert "month_end" in shown
    assert shown["write_offs"].items == []  # its own proposal waits for the manager


def test_finance_sees_the_write_offs_it_may_approve_alone(busy_day, assistant, finance, manager):
    day = busy_day

    def propose(sale, amount: str):
        items = [credits.WriteOffInput(sale, Decimal(amount))]
        return credits.write_off_request(customer=day.debtor, by=assistant, items=items, reason="零头")

    credits.write_off_approve(write_off=propose(day.overdue, "300.00"), by=manager)
    small = propose(day.cod_sale, "300.00")
    over = propose(day.overdue, "300.00")  # 600.00 off the same sale with the one approved before

    def listed(user) -> list[str]:
        return [i.url for i in sections_of(user)["write_offs"].items]

    def url(write_off) -> str:
        return reverse("receivables:write-off-detail", args=[write_off.pk])

    # Finance: not its own proposal, nor one over the limit; the manager: all three.
    assert listed(finance) == [url(small)]
    assert listed(manager) == [url(day.write_off), url(small), url(over)]
    # What the list offers is what approving allows.
    assert credits.write_off_refusal(write_off=small, by=finance) is None
    assert "500" in credits.write_off_refusal(write_off=over, by=finance)


def test_the_manager_sees_approvals_waiting_and_the_day_in_figures(busy_day, manager):
    day = busy_day
    with translation.override("en"):
        shown = sections_of(manager)
    assert [i.url for i in shown["credit_applications"].items] == [
        reverse("customers:customer-detail", args=[day.cash.code]) + "#credit"
    ]
    assert [i.url for i in shown["write_offs"].items] == [
        reverse("receivables:write-off-detail", args=[day.write_off.pk])
    ]
    # Only the order the assistant and salesperson cannot let through themselves.
    assert [i.url for i in shown["overrides"].items] == [
        reverse("orders:order-detail", args=[day.for_manager.number]),
        reverse("orders:order-detail", args=[day.their_held.number]),
    ]
    assert shown["overrides"].items[0].detail == failed_checks(day.for_manager)
    their_reasons = failed_checks(day.their_held).split("；")
    assert len(their_reasons) == 2  # missing data, and money overdue that their salesperson may accept
    assert shown["overrides"].items[1].detail == their_reasons[0]
    assert [i.detail for i in shown["commission_statements"].items] == ["to approve"]
    glance = shown["day_at_a_glance"]
    assert glance.kind == FIGURES
    figures = [i.detail for i in glance.items]
    # Six orders registered today (two held of ours, one held of theirs, one released, one short,
    # the COD sale); that sale of 3 × 243.80 posted and still with the carrier; the payment of
    # 2 × 349.60 entered; overdue 1,900.00 of ours and 350.00 of theirs.
    assert figures == ["6", "1, 731.40", "1, 699.20", "1, 731.40", "2,250.00"]


def test_the_warehouse_sees_its_queue_and_never_money(busy_day, warehouse):
    shown = sections_of(warehouse)
    assert set(shown) == {"warehouse_today", "suspended_carriers"}
    [order] = shown["warehouse_today"].items
    assert order.url == reverse("warehouse:order-ship", args=[busy_day.to_ship.number])
    assert "." not in everything_shown(warehouse).replace(busy_day.cash.name, "")


@pytest.mark.parametrize("role", ["assistant", "salesperson"])
def test_nothing_of_another_users_customers_shows(request, busy_day, role):
    day = busy_day
    shown = everything_shown(request.getfixturevalue(role))
    for trace in (day.theirs.name, day.theirs.code, day.their_held.number, "别家的问题"):
        assert trace not in shown
    assert day.debtor.name in shown
    theirs = everything_shown(request.getfixturevalue(f"other_{role}"))
    assert day.debtor.name not in theirs and day.theirs.name in theirs


@pytest.mark.parametrize("role", ["assistant", "salesperson", "warehouse", "finance", "manager"])
def test_every_item_opens_for_its_user(request, busy_day, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    urls = {urldefrag(i.url).url for s in workbench_items(user=user) for i in s.items}
    assert urls
    answers = {url: client.get(url).status_code for url in urls}
    assert answers == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("role", ["assistant", "salesperson", "warehouse", "finance", "manager"])
def test_the_page_behind_every_section_opens_for_its_user(request, busy_day, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    urls = {s.key: s.more_url for s in workbench_items(user=user) if s.more_url}
    assert urls
    answers = {key: client.get(url).status_code for key, url in urls.items()}
    assert answers == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("role", ["assistant", "salesperson", "warehouse", "finance", "manager"])
def test_the_page_shows_every_section_of_the_role(request, busy_day, role):
    user = request.getfixturevalue(role)
    page = client_for(user).get(reverse("workbench:home")).content.decode()
    for section in workbench_items(user=user):
        assert f'data-section="{section.key}"' in page
        for item in section.items:
            assert f'href="{item.url.replace("&", "&amp;")}"' in page


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("workbench:home")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["assistant", "salesperson", "warehouse", "finance", "manager"])
def test_the_page_makes_as_many_queries_for_many_items_as_for_few(request, busy_day, role):
    day = busy_day
    client = client_for(request.getfixturevalue(role))
    client.get(reverse("workbench:home"))  # caches warmed
    few = page_queries(client)
    # given three more of each: held orders, orders to release, follow-ups, incomplete customers
    for n in range(3):
        held_order(day.assistant, day.unfinished, day.product)
        order_services.order_register(
            order=pickup_order(day.assistant, day.cash, day.other_product, "1"), by=day.assistant
        )
        calls.follow_up_raise(
            call=day.call, by=day.assistant, question=f"问题 {n}", assigned_to=day.assistant
        )
        make_customer(
            by=day.assistant,
            assistant=day.assistant,
            salesperson=day.salesperson,
            name=f"新客户 {n}",
            address="",
        )
    assert page_queries(client) == few


def test_held_orders_past_the_limit_are_read_one_more_than_shown(debtor, product, assistant, warehouse):  # noqa: F811
    sell(debtor, product, "5", by=assistant, warehouse=warehouse, day=days_ago(45))  # overdue: holds
    orders = [held_order(assistant, debtor, product) for _ in range(3)]

    def held(limit: int):
        return next(s for s in workbench_items(user=assistant, limit=limit) if s.key == "orders_on_hold")

    assert [i.url for i in held(2).items] == [
        reverse("orders:order-detail", args=[o.number]) for o in reversed(orders[1:])
    ]
    assert held(2).more and held(2).more_url == reverse("orders:order-list") + "?status=on_hold"
    assert len(held(3).items) == 3 and not held(3).more
