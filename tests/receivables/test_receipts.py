"""Receipts (销售收款): how money settles posted sales, what is refused, and who may do what.

Prices: within the last 30 days the customer's agreed prices hold (A-101 349.60, B-220 243.80).
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.core.models import AuditEvent
from salesdesk.customers.models import Customer
from salesdesk.orders import services as order_services
from salesdesk.orders.models import CheckResult, OrderStatus
from salesdesk.receivables import selectors, services
from salesdesk.receivables.models import Allocation, PaymentMethod, Receipt
from salesdesk.receivables.services import AllocationInput
from salesdesk.receivables.services_credits import ReturnLineInput, return_post
from salesdesk.warehouse import services as stock
from tests.orders.conftest import carrier, draft, pickup_order  # noqa: F401  (shared fixtures)
from tests.receivables.conftest import another_customer, open_of, receive, record_cod, sell
from tests.warehouse.conftest import released, ship

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def days_back(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def written() -> tuple[int, int, int]:
    """Rows a receipt writes: receipts, allocations, and the audit events saying so."""
    return (
        Receipt.objects.count(),
        Allocation.objects.count(),
        AuditEvent.objects.filter(action="receipt.created").count(),
    )


@pytest.fixture
def two_sales(debtor, product, other_product, assistant, warehouse):
    """`later` is entered first but falls due last; `earlier` is entered second and falls due first."""
    later = sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_back(5))
    earlier = sell(debtor, other_product, "3", by=assistant, warehouse=warehouse, day=days_back(20))
    assert (later.amount, earlier.amount) == (Decimal("699.20"), Decimal("731.40"))
    assert later.pk < earlier.pk and earlier.due_date < later.due_date
    return earlier, later


# --- allocation -----------------------------------------------------------------------------


def test_money_settles_the_sale_due_first_not_the_one_entered_first(two_sales, debtor, assistant):
    earlier, later = two_sales

    receipt = receive(debtor, assistant, "1000.00", note="先付一部分")

    settled = {a.sale_id: a.amount for a in receipt.allocations.all()}
    assert settled == {earlier.pk: Decimal("731.40"), later.pk: Decimal("268.60")}
    assert receipt.difference == Decimal("-430.60")  # 1000.00 − (731.40 + 699.20)
    assert (open_of(earlier), open_of(later)) == (Decimal("0"), Decimal("430.60"))
    assert {a.date for a in receipt.allocations.all()} == {today()}
    assert selectors.balance(debtor) == Decimal("430.60")


def test_chosen_sales_are_settled_instead_of_the_oldest(two_sales, debtor, assistant):
    earlier, later = two_sales

    part = receive(
        debtor,
        assistant,
        "300",
        note="只付这一张的一部分",
        allocations=[AllocationInput(later, Decimal("300"))],
    )
    rest = receive(debtor, assistant, "399.20", allocations=[AllocationInput(later)])

    assert [(a.sale_id, a.amount) for a in part.allocations.all()] == [(later.pk, Decimal("300.00"))]
    assert part.difference == Decimal("-399.20")
    # Without an amount a chosen sale is settled for what is open on it: no difference, no note.
    assert [(a.sale_id, a.amount) for a in rest.allocations.all()] == [(later.pk, Decimal("399.20"))]
    assert rest.difference == 0 and rest.note == ""
    assert (open_of(earlier), open_of(later)) == (Decimal("731.40"), Decimal("0"))


def test_chosen_sales_without_amounts_are_settled_in_the_order_chosen_until_the_money_runs_out(
    two_sales, debtor, assistant
):
    earlier, later = two_sales

    receipt = receive(
        debtor,
        assistant,
        "1000",
        note="先付一部分",
        allocations=[AllocationInput(later), AllocationInput(earlier)],
    )

    assert [(a.sale_id, a.amount) for a in receipt.allocations.order_by("id")] == [
        (later.pk, Decimal("699.20")),
        (earlier.pk, Decimal("300.80")),
    ]


def test_a_part_payment_without_a_note_is_refused_and_writes_nothing(two_sales, debtor, assistant):
    before = written()

    with pytest.raises(DomainError) as refused:
        receive(debtor, assistant, "500")

    assert refused.value.field == "note"
    # 500.00 settles only part of the sale due first (731.40): the difference is to that sale.
    assert "231.40" in str(refused.value.message)
    assert written() == before
    assert selectors.balance(debtor) == Decimal("1430.60")


def test_an_overpayment_needs_a_note_and_leaves_credit_on_the_account(debtor, product, assistant, warehouse):
    sale = sell(debtor, product, "2", by=assistant, warehouse=warehouse)
    with pytest.raises(DomainError) as refused:
        receive(debtor, assistant, "1000")
    assert refused.value.field == "note" and "300.80" in str(refused.value.message)

    receipt = receive(debtor, assistant, "1000", note="多付的作为预收")

    assert receipt.difference == Decimal("300.80")
    assert [(a.sale_id, a.amount) for a in receipt.allocations.all()] == [(sale.pk, Decimal("699.20"))]
    ar = selectors.customer_ar(debtor)
    assert (ar.balance, ar.open_total, ar.unapplied) == (Decimal("-300.80"), Decimal("0"), Decimal("300.80"))
    assert [r.unapplied for r in selectors.receipts_with_unapplied(debtor)] == [Decimal("300.80")]


def test_amounts_chosen_beyond_the_money_received_are_refused(two_sales, debtor, assistant):
    earlier, later = two_sales
    before = written()

    with pytest.raises(DomainError) as refused:
        receive(
            debtor,
            assistant,
            "1000",
            note="两张一起付",
            allocations=[AllocationInput(later, Decimal("699.20")), AllocationInput(earlier)],
        )

    assert refused.value.field == "amount"
    assert written() == before


def test_an_amount_beyond_what_is_open_on_the_sale_is_refused(two_sales, debtor, assistant):
    earlier, _later = two_sales

    with pytest.raises(FieldErrors) as refused:
        receive(
            debtor, assistant, "800", note="多付", allocations=[AllocationInput(earlier, Decimal("731.41"))]
        )

    assert list(refused.value.errors) == ["allocations[0].amount"]
    assert Receipt.objects.count() == 0


def _their_sale(debtor, product, assistant, salesperson, warehouse, **_):
    other = another_customer(assistant, salesperson)
    return sell(other, product, "1", by=assistant, warehouse=warehouse)


def _a_return(debtor, product, assistant, salesperson, warehouse, **_):
    sale = sell(debtor, product, "2", by=assistant, warehouse=warehouse)
    lines = [ReturnLineInput(sale.lines.get(), Decimal("1"))]
    return return_post(original=sale, by=assistant, lines=lines, reason="破损", agreed_by=salesperson)


def _a_draft(debtor, product, assistant, salesperson, warehouse, **_):
    order = released(pickup_order(assistant, debtor, product, "3"), assistant)
    line = order.lines.get()
    return stock.outbound_create(
        order=order, by=warehouse, quantities=[stock.ShipQuantity(line, Decimal("3"))]
    )


@pytest.mark.parametrize(
    "build", [_their_sale, _a_return, _a_draft], ids=["other_customer", "return", "draft"]
)
def test_a_receipt_settles_only_this_customers_posted_sales(
    build, two_sales, debtor, product, assistant, salesperson, warehouse
):
    earlier, _later = two_sales
    wrong = build(
        debtor=debtor, product=product, assistant=assistant, salesperson=salesperson, warehouse=warehouse
    )
    before = written()

    with pytest.raises(FieldErrors) as refused:
        receive(
            debtor,
            assistant,
            "900",
            note="付款",
            allocations=[AllocationInput(earlier), AllocationInput(wrong)],
        )

    assert list(refused.value.errors) == ["allocations[1].sale"]
    assert written() == before


def test_a_sale_listed_twice_or_already_settled_is_refused(two_sales, debtor, assistant):
    earlier, later = two_sales
    with pytest.raises(FieldErrors) as refused:
        receive(debtor, assistant, "731.40", allocations=[AllocationInput(earlier), AllocationInput(earlier)])
    assert list(refused.value.errors) == ["allocations[1].sale"]

    receive(debtor, assistant, "731.40", allocations=[AllocationInput(earlier)])
    with pytest.raises(FieldErrors) as refused:
        receive(debtor, assistant, "731.40", note="再付", allocations=[AllocationInput(earlier)])
    assert list(refused.value.errors) == ["allocations[0].sale"]
    assert Receipt.objects.count() == 1


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [1, -367], ids=["tomorrow", "more_than_a_year_back"])
def test_money_received_in_the_future_or_over_a_year_back_is_refused(debtor, assistant, day):
    with pytest.raises(DomainError) as refused:
        receive(debtor, assistant, "100", note="预收", day=today() + dt.timedelta(days=day))

    assert refused.value.field == "received_on"
    assert Receipt.objects.count() == 0


def test_a_receipt_entered_after_the_day_of_the_money_is_flagged_for_finance(
    debtor, product, assistant, warehouse, finance
):
    sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_back(3))

    late = receive(debtor, assistant, "300", note="部分", day=days_back(2))
    on_time = receive(debtor, assistant, "399.20")
    year_back = receive(debtor, assistant, "10", note="旧款", day=days_back(366))

    assert (late.entered_late, on_time.entered_late, year_back.entered_late) == (True, False, True)
    waiting = set(selectors.receipts_for_finance(finance))
    assert late in waiting and year_back in waiting and on_time not in waiting


# --- prepayment (款到发货) ------------------------------------------------------------------


@pytest.fixture
def out_of_province(debtor):
    Customer.objects.filter(pk=debtor.pk).update(province="湖南")
    debtor.refresh_from_db()
    return debtor


def test_a_prepayment_lifts_the_hold_and_settles_the_order_when_it_ships(
    out_of_province, product, assistant, warehouse
):
    customer = out_of_province
    order = order_services.order_register(order=pickup_order(assistant, customer, product, "3"), by=assistant)
    assert order.status == OrderStatus.ON_HOLD
    assert order.checks.get(code="prepayment").result == CheckResult.FAILED

    # Part of the money does not cover the order: it stays held.
    deposit = receive(customer, assistant, "500", order=order, note="先付定金")
    order.refresh_from_db()
    assert deposit.difference == Decimal("-548.80")  # 3 × 349.60 = 1048.80
    assert order.status == OrderStatus.ON_HOLD

    # The rest arrives: the order is reviewed again at once and check 4 passes.
    rest = receive(customer, assistant, "548.80", order=order, note="余款")
    order.refresh_from_db()
    assert order.status == OrderStatus.REGISTERED
    assert order.checks.get(code="prepayment").result == CheckResult.PASSED
    assert not deposit.allocations.exists() and not rest.allocations.exists()
    assert selectors.balance(customer) == Decimal("-1048.80")

    # When the goods leave, the money waiting for this order settles its outbound.
    outbound = ship(order_services.order_release(order=order, by=assistant), warehouse)
    settled = {(a.receipt_id, a.amount) for a in outbound.settled_by.all()}
    assert settled == {(deposit.pk, Decimal("500.00")), (rest.pk, Decimal("548.80"))}
    assert open_of(outbound) == 0
    assert selectors.balance(customer) == 0
    assert selectors.receipts_with_unapplied(customer) == []


def test_a_prepayment_of_exactly_the_order_needs_no_note(out_of_province, product, assistant):
    order = order_services.order_register(
        order=pickup_order(assistant, out_of_province, product, "3"), by=assistant
    )

    receipt = receive(out_of_province, assistant, "1048.80", order=order)

    assert receipt.difference == 0 and receipt.note == ""
    order.refresh_from_db()
    assert order.status == OrderStatus.REGISTERED


def test_a_prepayment_names_an_order_of_this_customer(out_of_province, product, assistant, salesperson):
    other = another_customer(assistant, salesperson)
    theirs = order_services.order_register(order=pickup_order(assistant, other, product, "1"), by=assistant)

    with pytest.raises(DomainError) as refused:
        receive(out_of_province, assistant, "380", order=theirs, note="预付")

    assert refused.value.field == "order"
    assert Receipt.objects.count() == 0


# --- cash on delivery -----------------------------------------------------------------------


@pytest.fixture
def cod_outbound(debtor, draft, assistant, warehouse):
    outbound = ship(released(draft, assistant), warehouse)
    assert outbound.amount == Decimal("8211.00")  # 20 × 349.60 + 5 × 243.80
    return outbound


def test_cod_money_that_comes_back_becomes_a_receipt_in_one_step(cod_outbound, assistant, carrier):
    shipment = record_cod(cod_outbound, assistant, carrier, "8211.00")

    receipt = services.receipt_from_cod(shipment=shipment, by=assistant)

    shipment.refresh_from_db()
    assert shipment.cod_returned_on == today()
    assert (receipt.method, receipt.carrier, receipt.shipment, receipt.reference) == (
        PaymentMethod.COD,
        carrier,
        shipment,
        "LHT0088",
    )
    assert (receipt.amount, receipt.difference) == (Decimal("8211.00"), Decimal("0"))
    assert [(a.sale_id, a.amount) for a in receipt.allocations.all()] == [
        (cod_outbound.pk, Decimal("8211.00"))
    ]
    assert open_of(cod_outbound) == 0

    with pytest.raises(Conflict):
        services.receipt_from_cod(shipment=shipment, by=assistant)
    assert Receipt.objects.count() == 1


def test_cod_money_short_of_the_outbound_needs_a_note_and_changes_nothing_without_one(
    cod_outbound, assistant, carrier
):
    shipment = record_cod(cod_outbound, assistant, carrier, "8000.00")

    with pytest.raises(DomainError) as refused:
        services.receipt_from_cod(shipment=shipment, by=assistant)
    assert refused.value.field == "note"
    shipment.refresh_from_db()
    assert shipment.cod_returned_on is None and Receipt.objects.count() == 0

    receipt = services.receipt_from_cod(shipment=shipment, by=assistant, note="快递只代收了 8000")
    assert receipt.difference == Decimal("-211.00")
    assert open_of(cod_outbound) == Decimal("211.00")


def test_cod_already_ticked_off_by_the_courier_log_still_becomes_one_receipt(
    cod_outbound, assistant, carrier
):
    shipment = record_cod(cod_outbound, assistant, carrier, "8211.00")
    stock.shipment_cod_returned(shipment=shipment, by=assistant, on=today())

    receipt = services.receipt_from_cod(shipment=shipment, by=assistant)

    assert receipt.shipment == shipment and open_of(cod_outbound) == 0


# --- finance tick-offs ----------------------------------------------------------------------


def test_only_finance_checks_a_receipt_and_only_once(debtor, assistant, manager, finance):
    receipt = receive(debtor, assistant, "100", note="预收", day=days_back(1))
    assert receipt in selectors.receipts_for_finance(finance)

    with pytest.raises(NotAllowed):
        services.receipt_mark_checked(receipt=receipt, by=assistant)
    checked = services.receipt_mark_checked(receipt=receipt, by=finance)

    assert checked.finance_checked_by == finance and checked.finance_checked_at is not None
    assert receipt not in selectors.receipts_for_finance(finance)
    with pytest.raises(Conflict):
        services.receipt_mark_checked(receipt=receipt, by=manager)
    assert Receipt.objects.get(pk=receipt.pk).finance_checked_by == finance


def test_only_finance_records_that_the_money_reached_it_and_only_once(debtor, assistant, finance):
    receipt = receive(debtor, assistant, "100", note="预收", day=days_back(2))

    with pytest.raises(NotAllowed):
        services.receipt_reached_finance(receipt=receipt, by=assistant)
    for wrong in (days_back(3), today() + dt.timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            services.receipt_reached_finance(receipt=receipt, by=finance, on=wrong)
        assert refused.value.field == "on"
    assert Receipt.objects.get(pk=receipt.pk).reached_finance_on is None

    done = services.receipt_reached_finance(receipt=receipt, by=finance, on=days_back(1))

    assert done.reached_finance_on == days_back(1)
    assert receipt not in selectors.receipts_not_reconciled(finance)
    with pytest.raises(Conflict):
        services.receipt_reached_finance(receipt=receipt, by=finance)


# --- who may enter receipts -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["warehouse", "salesperson", "other_assistant"])
def test_only_those_who_handle_the_customers_money_enter_its_receipts(debtor, who, request):
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        receive(debtor, user, "100", note="预收")

    assert written() == (0, 0, 0)


@pytest.mark.parametrize("who", ["assistant", "finance", "manager"])
def test_the_assistant_finance_and_the_manager_enter_receipts(debtor, product, warehouse, who, request):
    user = request.getfixturevalue(who)
    sale = sell(debtor, product, "1", by=debtor.assistant, warehouse=warehouse)

    receipt = receive(debtor, user, "349.60")

    assert receipt.created_by == user and open_of(sale) == 0


@pytest.mark.parametrize("amount", [Decimal("0.004"), "abc", Decimal("-5"), "0"])
def test_a_settled_amount_that_is_not_a_positive_sum_of_money_is_refused_beside_it(
    two_sales, debtor, assistant, amount
):
    earlier, _later = two_sales

    with pytest.raises(FieldErrors) as refused:
        receive(debtor, assistant, "100", note="部分", allocations=[AllocationInput(earlier, amount)])

    assert list(refused.value.errors) == ["allocations[0].amount"]
    assert written() == (0, 0, 0)


def test_a_settled_amount_given_as_text_is_read_as_money(two_sales, debtor, assistant):
    earlier, _later = two_sales

    receipt = receive(debtor, assistant, "100", note="部分", allocations=[AllocationInput(earlier, "100.00")])

    assert [(a.sale_id, a.amount) for a in receipt.allocations.all()] == [(earlier.pk, Decimal("100.00"))]
