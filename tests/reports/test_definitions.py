"""Each report of SPEC section 8 run on one scenario and checked against a hand calculation:
its rows, its totals, its filters, and only the customers the user may see."""

# The receivables fixtures are shared with tests/receivables, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from salesdesk.catalog import services as catalog_services
from salesdesk.customers.models import Customer
from salesdesk.receivables import selectors as receivable_selectors
from salesdesk.receivables import services_credits as credits
from salesdesk.reports.base import REPORTS, Filters
from salesdesk.warehouse import services as warehouse_services
from tests.commissions.conftest import paid_statement, pay_off, rebate_customer, take_back  # noqa: F401
from tests.factories import make_customer
from tests.orders.conftest import carrier, customer, other_product, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import another_customer, debtor, on_day, receive, sell  # noqa: F401
from tests.warehouse.conftest import stocked  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")
REPORT_NAMES = [
    "sales_outbound",
    "sales_receipts",
    "rebate_settings",
    "customer_prices",
    "summary",
    "sales_detail",
    "sales_register",
    "courier_log",
    "ar_detail",
    "ar_aging",
    "commission_statement",
]
OUTSIDER = "中山市外人涂料店"


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def run(name: str, user, **filters) -> tuple[list[dict], dict]:
    """A report's rows as dicts by column field, and its totals (read after the rows), in English."""
    with translation.override("en"):
        result = REPORTS[name].run(user, Filters(**filters))
        rows = [dict(zip([c.field for c in result.columns], row, strict=True)) for row in result.rows]
    return rows, result.totals


def outsider_world(other_assistant, other_salesperson, product, warehouse, manager, carrier):
    """A customer of another assistant and salesperson with something in every report."""
    outsider = make_customer(
        by=other_assistant, assistant=other_assistant, salesperson=other_salesperson, name=OUTSIDER
    )
    Customer.objects.filter(pk=outsider.pk).update(rebate=True)
    outsider.refresh_from_db()
    catalog_services.price_set(
        customer=outsider, product=product, unit_price=Decimal("380"), valid_from=ago(50), by=manager
    )
    catalog_services.rebate_set(
        customer=outsider,
        product=product,
        rebate_unit_price=Decimal("9"),
        valid_from=ago(50),
        by=manager,
        payee_name="外人",
    )
    sale = sell(
        outsider, product, "3", by=other_assistant, warehouse=warehouse, day=ago(20), approver=manager
    )
    day = ago(20)
    with on_day(day):
        warehouse_services.shipment_record(
            outbound=sale, by=warehouse, shipped_on=day, carrier=carrier, tracking_number="WR-999"
        )
        receive(outsider, other_assistant, "1000", note="先付一部分")
    return outsider


@pytest.fixture
def world(
    debtor, product, other_product, assistant, salesperson, other_assistant, other_salesperson, warehouse,
    manager, finance, carrier,
):  # fmt: skip
    """The debtor's quarter, by hand:

    today−75  sale 1: 10 × A-101 at the standard 380 = 3800.00 (due today−45), by courier
    today−40  sale 2:  5 × B-220 at the standard 265 = 1325.00 (due today−10), own delivery, COD
    today−39  return of 2 × A-101 from sale 1 = −760.00, applied to sale 1 (open 3040.00)
    today−5   receipt 2000.00, oldest first: all on sale 1 (open 1040.00), difference −1040.00
    today     the rest of sale 1 written off: −1040.00
    balance 1325.00, all of it sale 2, 10 days overdue (1–30).

    A second customer of the same assistant paid 500.00 in advance (today−3): balance −500.00.
    """
    sale1 = sell(debtor, product, "10", by=assistant, warehouse=warehouse, day=ago(75), approver=manager)
    sale2 = sell(debtor, other_product, "5", by=assistant, warehouse=warehouse, day=ago(40), approver=manager)
    with on_day(sale1.posting_date):
        warehouse_services.shipment_record(
            outbound=sale1,
            by=warehouse,
            shipped_on=sale1.posting_date,
            carrier=carrier,
            tracking_number="LHT-001",
            note_required=True,
        )
    with on_day(sale2.posting_date):
        warehouse_services.shipment_record(
            outbound=sale2,
            by=assistant,
            shipped_on=sale2.posting_date,
            driver="老陈",
            cod_amount=Decimal("1325.00"),
        )
    with on_day(ago(39)):
        back = credits.return_post(
            original=sale1,
            by=assistant,
            lines=[credits.ReturnLineInput(sale1.lines.get(), Decimal("2"))],
            reason="颜色不对",
            agreed_by=salesperson,
        )
    with on_day(ago(5)):
        receipt = receive(debtor, assistant, "2000", note="先付一部分")
    write_off = credits.write_off_request(
        customer=debtor, by=finance, reason="客户只认一部分", items=[credits.WriteOffInput(sale1)]
    )
    write_off = credits.write_off_approve(write_off=write_off, by=manager)
    second = another_customer(assistant, salesperson)
    with on_day(ago(3)):
        prepaid = receive(second, assistant, "500", note="预付货款")
    Customer.objects.filter(pk=debtor.pk).update(rebate=True)  # from now on: nothing posted after
    debtor.refresh_from_db()
    # Prices: A-101 agreed at 349.60 from today−30 (fixture), 339.00 from today−5; rebates 12.50
    # from today−60, 15.00 from today−10.
    catalog_services.price_set(
        customer=debtor, product=product, unit_price=Decimal("339"), valid_from=ago(5), by=assistant
    )
    for price, start in (("12.5", 60), ("15", 10)):
        catalog_services.rebate_set(
            customer=debtor,
            product=product,
            rebate_unit_price=Decimal(price),
            valid_from=ago(start),
            by=manager,
            payee_name="黄先生",
            payee_account="6222 0001",
        )
    outsider = outsider_world(other_assistant, other_salesperson, product, warehouse, manager, carrier)
    return {
        "debtor": debtor,
        "second": second,
        "outsider": outsider,
        "sale1": sale1,
        "sale2": sale2,
        "return": back,
        "receipt": receipt,
        "prepaid": prepaid,
        "write_off": write_off,
    }


def test_the_world_is_as_calculated_by_hand(world):
    assert world["sale1"].amount == Decimal("3800.00")
    assert world["sale2"].amount == Decimal("1325.00")
    assert world["return"].amount == Decimal("-760.00")
    assert world["receipt"].difference == Decimal("-1040.00")
    assert world["write_off"].amount == Decimal("-1040.00")
    assert receivable_selectors.balance(world["debtor"]) == Decimal("1325.00")
    assert receivable_selectors.balance(world["second"]) == Decimal("-500.00")


# --- sales --------------------------------------------------------------------------------------


def test_sales_outbound_lists_sales_returns_and_write_offs_of_the_period(world, assistant):
    rows, totals = run("sales_outbound", assistant, date_from=ago(90), date_to=ago(0))

    assert [(r["posting_date"], r["number"], r["amount"]) for r in rows] == [
        (ago(75), world["sale1"].number, Decimal("3800.00")),
        (ago(40), world["sale2"].number, Decimal("1325.00")),
        (ago(39), world["return"].number, Decimal("-760.00")),
        (ago(0), world["write_off"].number, Decimal("-1040.00")),
    ]
    first = rows[0]
    assert (first["customer_code"], first["salesperson"], first["assistant"]) == (
        world["debtor"].code,
        "王强",
        "李敏",
    )
    assert first["order"] == world["sale1"].order.number
    assert totals == {"amount": Decimal("3325.00")}


def test_sales_outbound_filters_by_period_product_and_customer(world, assistant, salesperson):
    rows, totals = run("sales_outbound", assistant, date_from=ago(45), date_to=ago(38))
    assert [r["number"] for r in rows] == [world["sale2"].number, world["return"].number]
    assert totals == {"amount": Decimal("565.00")}

    rows, _totals = run("sales_outbound", assistant, date_from=ago(90), product="b-220")
    assert [r["number"] for r in rows] == [world["sale2"].number]
    rows, _totals = run("sales_outbound", assistant, date_from=ago(90), product="木器漆")
    assert [r["number"] for r in rows] == [world["sale1"].number, world["return"].number]

    rows, _totals = run("sales_outbound", assistant, date_from=ago(90), customer=world["debtor"].code.lower())
    assert len(rows) == 4
    rows, _totals = run("sales_outbound", assistant, date_from=ago(90), customer="新美")
    assert rows == []
    rows, _totals = run("sales_outbound", assistant, date_from=ago(90), salesperson=salesperson.pk)
    assert len(rows) == 4
    rows, totals = run("sales_outbound", assistant, date_from=ago(90), assistant=salesperson.pk)
    assert rows == [] and totals == {"amount": ZERO}


def test_sales_detail_signs_returned_lines_and_adds_up_quantity_and_amount(world, assistant):
    rows, totals = run("sales_detail", assistant, date_from=ago(90), date_to=ago(0))

    assert [(r["model_code"], r["quantity"], r["unit_price"], r["amount"]) for r in rows] == [
        ("A-101", Decimal("10"), Decimal("380"), Decimal("3800.00")),
        ("B-220", Decimal("5"), Decimal("265"), Decimal("1325.00")),
        ("A-101", Decimal("-2"), Decimal("380"), Decimal("-760.00")),
    ]
    assert rows[2]["number"] == world["return"].number
    assert totals == {"quantity": Decimal("13"), "amount": Decimal("4365.00")}
    rows, totals = run("sales_detail", assistant, date_from=ago(90), product="A-101")
    assert totals == {"quantity": Decimal("8"), "amount": Decimal("3040.00")}


def test_sales_register_lists_the_orders_registered_in_the_period(world, assistant, warehouse):
    rows, totals = run("sales_register", assistant, date_from=ago(90), date_to=ago(0))

    assert [(r["number"], r["total"]) for r in rows] == [
        (world["sale1"].order.number, Decimal("3800.00")),
        (world["sale2"].order.number, Decimal("1325.00")),
    ]
    assert timezone.localtime(rows[0]["registered_at"]).date() == ago(75)
    assert (rows[0]["salesperson"], rows[0]["assistant"], rows[0]["ship_method"]) == (
        "王强",
        "李敏",
        "Customer pick-up",
    )
    assert totals == {"total": Decimal("5125.00")}
    rows, _totals = run("sales_register", assistant, date_from=ago(90), product="B-220")
    assert [r["number"] for r in rows] == [world["sale2"].order.number]
    # The warehouse reads the register without amounts.
    rows, totals = run("sales_register", warehouse, date_from=ago(90), customer=world["debtor"].code)
    assert len(rows) == 2 and "total" not in rows[0] and totals == {}


def test_courier_log_shows_shipments_and_cod_only_to_those_who_see_money(world, assistant, warehouse):
    rows, totals = run("courier_log", assistant, date_from=ago(90), date_to=ago(0))

    assert [(r["shipped_on"], r["carrier"], r["tracking_number"], r["cod_amount"]) for r in rows] == [
        (ago(75), "联昊通", "LHT-001", Decimal("0.00")),
        (ago(40), "Own delivery: 老陈", "", Decimal("1325.00")),
    ]
    assert rows[0]["note_required"] == "yes" and rows[1]["note_required"] == ""
    assert totals == {"cod_amount": Decimal("1325.00")}

    rows, totals = run("courier_log", warehouse, date_from=ago(90), customer=world["debtor"].code)
    assert len(rows) == 2 and "cod_amount" not in rows[0] and totals == {}


# --- money --------------------------------------------------------------------------------------


def test_sales_receipts_show_what_was_applied_and_the_difference(world, assistant):
    rows, totals = run("sales_receipts", assistant, date_from=ago(90), date_to=ago(0))

    assert [(r["number"], r["amount"], r["applied"], r["difference"]) for r in rows] == [
        (world["receipt"].number, Decimal("2000.00"), Decimal("2000.00"), Decimal("-1040.00")),
        (world["prepaid"].number, Decimal("500.00"), ZERO, Decimal("500.00")),
    ]
    assert (rows[0]["method"], rows[0]["note"], rows[0]["entered_late"]) == (
        "Bank transfer",
        "先付一部分",
        "",
    )
    assert totals == {
        "amount": Decimal("2500.00"),
        "applied": Decimal("2000.00"),
        "difference": Decimal("-540.00"),
    }


def test_summary_per_customer_with_totals_equal_to_the_balances(world, assistant):
    rows, totals = run("summary", assistant, date_from=ago(90), date_to=ago(0))

    by_code = {r["customer_code"]: r for r in rows}
    debtor = by_code[world["debtor"].code]
    assert [debtor[k] for k in ("opening", "sales", "returns", "receipts", "write_offs", "closing")] == [
        ZERO,
        Decimal("5125.00"),
        Decimal("-760.00"),
        Decimal("2000.00"),
        Decimal("-1040.00"),
        Decimal("1325.00"),
    ]
    assert by_code[world["second"].code]["closing"] == Decimal("-500.00")
    assert set(by_code) == {world["debtor"].code, world["second"].code}
    balances = sum(receivable_selectors.balance(c) for c in (world["debtor"], world["second"]))
    assert totals["closing"] == balances == Decimal("825.00")
    assert totals["receipts"] == Decimal("2500.00")
    # A later period opens with what was owed before it.
    rows, totals = run("summary", assistant, date_from=ago(30), date_to=ago(0), customer=world["debtor"].code)
    assert (rows[0]["opening"], rows[0]["sales"], rows[0]["closing"]) == (
        Decimal("4365.00"),
        ZERO,
        Decimal("1325.00"),
    )


def test_ar_detail_adds_the_aging_at_the_end_of_the_period(world, assistant):
    rows, totals = run("ar_detail", assistant, date_from=ago(90), date_to=ago(0))

    debtor = next(r for r in rows if r["customer_code"] == world["debtor"].code)
    assert (debtor["closing"], debtor["d1_30"], debtor["d31_60"], debtor["unapplied"]) == (
        Decimal("1325.00"),
        Decimal("1325.00"),
        ZERO,
        ZERO,
    )
    balances = sum(receivable_selectors.balance(c) for c in (world["debtor"], world["second"]))
    assert totals["closing"] == balances == Decimal("825.00")
    assert totals["unapplied"] == Decimal("500.00")
    # At the end of an earlier period: sale 1 open 3040.00, 15 days overdue; sale 2 not due.
    rows, totals = run(
        "ar_detail", assistant, date_from=ago(90), date_to=ago(30), customer=world["debtor"].code
    )
    assert (rows[0]["closing"], rows[0]["d1_30"], rows[0]["not_due"]) == (
        Decimal("4365.00"),
        Decimal("3040.00"),
        Decimal("1325.00"),
    )


def test_ar_aging_buckets_less_unapplied_equal_the_balance(world, assistant):
    rows, totals = run("ar_aging", assistant)

    for row in rows:
        customer = Customer.objects.get(code=row["customer_code"])
        buckets = sum(row[k] for k in ("not_due", "d1_30", "d31_60", "d61_90", "over_90"))
        assert buckets - row["unapplied"] == row["balance"] == receivable_selectors.balance(customer)
    assert totals == {
        "balance": Decimal("825.00"),
        "not_due": ZERO,
        "d1_30": Decimal("1325.00"),
        "d31_60": ZERO,
        "d61_90": ZERO,
        "over_90": ZERO,
        "unapplied": Decimal("500.00"),
    }
    rows, totals = run("ar_aging", assistant, date_to=ago(30))
    assert [(r["customer_code"], r["balance"]) for r in rows] == [(world["debtor"].code, Decimal("4365.00"))]
    assert totals["balance"] == receivable_selectors.balance(world["debtor"], as_of=ago(30))


# --- prices -------------------------------------------------------------------------------------


def test_customer_prices_show_the_price_in_force_on_the_day(world, assistant):
    rows, totals = run("customer_prices", assistant)
    assert [(r["model_code"], r["unit_price"], r["valid_from"]) for r in rows] == [
        ("A-101", Decimal("339.0000"), ago(5)),
        ("B-220", Decimal("243.8000"), ago(30)),
    ]
    assert totals == {}
    rows, _totals = run("customer_prices", assistant, date_to=ago(10), product="a-101")
    assert [(r["customer_code"], r["unit_price"]) for r in rows] == [
        (world["debtor"].code, Decimal("349.6000"))
    ]
    rows, _totals = run("customer_prices", assistant, date_to=ago(40))
    assert rows == []


def test_rebate_settings_show_the_rebate_in_force_and_its_payee(world, assistant):
    rows, _totals = run("rebate_settings", assistant)
    assert [(r["model_code"], r["rebate_unit_price"], r["payee"], r["payee_account"]) for r in rows] == [
        ("A-101", Decimal("15.0000"), "黄先生", "6222 0001")
    ]
    rows, _totals = run("rebate_settings", assistant, date_to=ago(20))
    assert [r["rebate_unit_price"] for r in rows] == [Decimal("12.5000")]


# --- commissions --------------------------------------------------------------------------------


def test_commission_statement_shows_each_accrual_its_state_statement_and_payment(
    rebate_customer, product, assistant, salesperson, warehouse, manager, finance
):
    # given: 10 × A-101 (12.50 each) paid for, its commission paid; 4 more, 2 of them returned
    first = sell(
        rebate_customer, product, "10", by=assistant, warehouse=warehouse, day=ago(20), approver=manager
    )
    second = sell(
        rebate_customer, product, "4", by=assistant, warehouse=warehouse, day=ago(10), approver=manager
    )
    take_back(second, "2", by=assistant, agreed_by=salesperson)
    pay_off(first, assistant)
    statement = paid_statement(by=assistant, finance=finance)

    # when
    rows, totals = run("commission_statement", assistant, date_from=ago(30), date_to=ago(0))

    # then
    assert [(r["outbound"], r["quantity"], r["amount"], r["state"], r["statement"]) for r in rows] == [
        (first.number, Decimal("10"), Decimal("125.00"), "Paid", statement.number),
        (second.number, Decimal("4"), Decimal("50.00"), "Waiting for the customer's payment", ""),
        (rows[2]["outbound"], Decimal("-2"), Decimal("-25.00"), "Waiting for the customer's payment", ""),
    ]
    assert rows[0]["paid_on"] == ago(0) and rows[1]["paid_on"] is None
    assert (rows[0]["payee"], rows[0]["rebate_unit_price"]) == ("黄先生", Decimal("12.5000"))
    assert totals == {"amount": Decimal("150.00")}
    rows, totals = run("commission_statement", assistant, date_from=ago(30), date_to=ago(15))
    assert len(rows) == 1 and totals == {"amount": Decimal("125.00")}


# --- scope --------------------------------------------------------------------------------------


def earn_commission(customer, product, assistant, warehouse, manager):
    """One more sale of A-101 today, to the rebate customer (15.00 a unit in force)."""
    return sell(customer, product, "1", by=assistant, warehouse=warehouse, approver=manager)


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_no_report_shows_another_assistants_customer(
    world, name, product, assistant, warehouse, manager, finance
):
    if name == "commission_statement":
        earn_commission(world["debtor"], product, assistant, warehouse, manager)
    mine, _totals = run(name, assistant, date_from=ago(90), date_to=ago(0))
    everyone, _totals = run(name, finance, date_from=ago(90), date_to=ago(0))

    assert mine, "the assistant's own customers fill every report"
    assert not [r for r in mine if OUTSIDER in r.values()]
    assert [r for r in everyone if OUTSIDER in r.values()], "finance sees the other assistant's customer"


def test_a_salesperson_sees_only_own_customers(world, other_salesperson):
    rows, totals = run("sales_outbound", other_salesperson, date_from=ago(90))
    assert [r["customer"] for r in rows] == [OUTSIDER]
    assert totals == {"amount": Decimal("1140.00")}
