"""Invoices (发票), receipt slips (收据) and statements (对账单) at the service layer.

Within the last 30 days the customer's agreed prices hold: A-101 349.60, B-220 243.80.
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.customers.models import Customer, ReceiptSeal
from salesdesk.receivables import selectors
from salesdesk.receivables.models import Invoice, InvoiceItem, ReceiptSlip, Statement, StatementStatus
from salesdesk.receivables.services_credits import (
    ReturnLineInput,
    WriteOffInput,
    return_post,
    write_off_approve,
    write_off_request,
)
from salesdesk.receivables.services_documents import (
    DEFAULT_INVOICE_DAYS,
    invoice_issue,
    invoice_mail,
    invoice_received,
    slip_issue,
    statement_create,
    statement_mark_sent,
    statement_mark_signed,
)
from salesdesk.warehouse import services as stock
from tests.orders.conftest import carrier, pickup_order  # noqa: F401  (shared fixtures)
from tests.receivables.conftest import another_customer, receive, sell
from tests.warehouse.conftest import released

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def days_back(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


# --- invoices -------------------------------------------------------------------------------


@pytest.fixture
def taker(debtor):
    """The customer, now one who takes invoices."""
    Customer.objects.filter(pk=debtor.pk).update(
        invoice_required=True,
        invoice_day=25,
        invoice_title="佛山市美家装饰工程有限公司",
        tax_id="91440606MA4UXXXX1K",
    )
    debtor.refresh_from_db()
    return debtor


@pytest.fixture
def sales(taker, product, other_product, assistant, warehouse):
    first = sell(taker, product, "2", by=assistant, warehouse=warehouse)
    second = sell(taker, other_product, "3", by=assistant, warehouse=warehouse)
    return first, second


def issue(customer, by, outbounds, number: str = "44001234", **more):
    return invoice_issue(
        customer=customer,
        by=by,
        number=number,
        issued_on=more.pop("issued_on", today()),
        outbounds=outbounds,
        **more,
    )


def test_the_reminder_of_invoices_due_leaves_out_by_database_what_the_full_list_would(
    sales, taker, assistant
):
    """`due_by` asks the database for the customers not invoiced this month whose day has come;
    it must name exactly those the month's full list marks so, whatever the day and the date."""
    now = today()
    month_start = now.replace(day=1)
    last = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    dates = [month_start, month_start + dt.timedelta(days=9), last - dt.timedelta(days=1), last]
    dates.append(last + dt.timedelta(days=3))

    def due(by):
        return [row.customer.pk for row in selectors.invoices_due(assistant, now.year, now.month, due_by=by)]

    def expected(by):
        rows = selectors.invoices_due(assistant, now.year, now.month)
        return [row.customer.pk for row in rows if not row.invoiced_this_month and row.due_on <= by]

    for day in [None, 1, 10, last.day - 1, 28, 31]:
        Customer.objects.filter(pk=taker.pk).update(invoice_day=day)
        for by in dates:
            assert due(by) == expected(by), (day, by)
    assert due(last) == [taker.pk]  # the last day of the month: every day has come

    first, _second = sales
    issue(taker, assistant, [first], issued_on=now)  # invoiced this month: the second sale waits
    assert expected(last) == [] and due(last) == []


def test_an_invoice_covers_posted_outbounds_and_must_reach_the_customer_within_a_week(
    sales, taker, assistant
):
    first, second = sales

    invoice = issue(taker, assistant, [first, second])

    assert invoice.amount == Decimal("1430.60")  # 699.20 + 731.40
    assert (
        invoice.must_reach_by
        == today() + dt.timedelta(days=DEFAULT_INVOICE_DAYS)
        == today() + dt.timedelta(7)
    )
    assert sorted(invoice.items.values_list("outbound_id", "amount")) == sorted(
        [(first.pk, Decimal("699.20")), (second.pk, Decimal("731.40"))]
    )
    assert list(selectors.uninvoiced_outbounds(taker)) == []


def test_a_date_named_for_the_invoice_to_arrive_is_kept_and_cannot_precede_the_issue(sales, taker, assistant):
    first, second = sales
    with pytest.raises(FieldErrors) as refused:
        issue(taker, assistant, [first], must_reach_by=days_back(1))
    assert list(refused.value.errors) == ["must_reach_by"]

    invoice = issue(taker, assistant, [first], must_reach_by=today() + dt.timedelta(days=3))
    assert invoice.must_reach_by == today() + dt.timedelta(days=3)


def test_an_outbound_is_invoiced_once_and_an_invoice_number_used_once(sales, taker, assistant):
    first, second = sales
    issue(taker, assistant, [first], number="44001234")

    with pytest.raises(FieldErrors) as refused:
        issue(taker, assistant, [second, first], number="44009999")
    assert list(refused.value.errors) == ["outbounds[1]"]

    with pytest.raises(FieldErrors) as refused:
        issue(taker, assistant, [second], number=" 44001234 ")
    assert list(refused.value.errors) == ["number"]

    assert Invoice.objects.count() == 1 and InvoiceItem.objects.count() == 1


def test_an_outbound_chosen_twice_for_one_invoice_is_named(sales, taker, assistant):
    _first, second = sales
    with pytest.raises(FieldErrors) as refused:
        issue(taker, assistant, [second, second], number="44005555")
    # It was caught as a clash with a colleague: "reload and check".
    assert list(refused.value.errors) == ["outbounds[1]"]
    assert not Invoice.objects.exists()


def test_only_a_customer_who_takes_invoices_gets_one(debtor, product, assistant, warehouse):
    sale = sell(debtor, product, "1", by=assistant, warehouse=warehouse)
    assert not debtor.invoice_required

    with pytest.raises(FieldErrors) as refused:
        issue(debtor, assistant, [sale])

    assert list(refused.value.errors) == ["customer"]
    assert Invoice.objects.count() == 0


def test_only_posted_outbounds_of_the_customer_are_invoiced_and_never_a_write_off(
    sales, taker, product, assistant, salesperson, warehouse, finance, manager
):
    first, second = sales
    order = released(pickup_order(assistant, taker, product, "1"), assistant)
    draft = stock.outbound_create(
        order=order, by=warehouse, quantities=[stock.ShipQuantity(order.lines.get(), Decimal("1"))]
    )
    theirs = sell(another_customer(assistant, salesperson), product, "1", by=assistant, warehouse=warehouse)
    proposal = write_off_request(customer=taker, by=finance, items=[WriteOffInput(second)], reason="客户倒闭")
    written_off = write_off_approve(write_off=proposal, by=manager)

    for wrong in (draft, theirs, written_off):
        with pytest.raises(FieldErrors) as refused:
            issue(taker, assistant, [first, wrong])
        assert list(refused.value.errors) == ["outbounds[1]"], wrong
    assert Invoice.objects.count() == 0
    assert written_off not in selectors.uninvoiced_outbounds(taker)


def test_a_return_is_invoiced_with_its_sale_but_an_invoice_must_come_to_something(
    sales, taker, assistant, salesperson
):
    first, second = sales
    back = return_post(
        original=first,
        by=assistant,
        lines=[ReturnLineInput(first.lines.get(), Decimal("1"))],
        reason="破损",
        agreed_by=salesperson,
    )
    with pytest.raises(DomainError) as refused:
        issue(taker, assistant, [back])
    assert refused.value.field == "outbounds"

    invoice = issue(taker, assistant, [first, back])
    assert invoice.amount == Decimal("349.60")  # 699.20 − 349.60


def test_an_invoice_is_not_issued_in_the_future_nor_for_nothing(sales, taker, assistant):
    first, _second = sales
    with pytest.raises(FieldErrors) as refused:
        issue(taker, assistant, [first], issued_on=today() + dt.timedelta(days=1))
    assert "issued_on" in refused.value.errors
    with pytest.raises(FieldErrors) as refused:
        issue(taker, assistant, [], number="")
    assert sorted(refused.value.errors) == ["number", "outbounds"]


@pytest.mark.parametrize("who", ["salesperson", "warehouse", "other_assistant"])
def test_only_those_handling_the_customer_issue_its_invoices(sales, taker, who, request):
    with pytest.raises(NotAllowed):
        issue(taker, request.getfixturevalue(who), [sales[0]])
    assert Invoice.objects.count() == 0


def test_an_invoice_is_mailed_then_followed_until_the_customer_has_it(sales, taker, assistant, carrier):
    invoice = issue(taker, assistant, list(sales), issued_on=days_back(3))
    with pytest.raises(DomainError) as refused:
        invoice_mail(invoice=invoice, by=assistant, tracking_number=" ", carrier=carrier)
    assert refused.value.field == "tracking_number"
    with pytest.raises(DomainError) as refused:
        invoice_mail(
            invoice=invoice, by=assistant, tracking_number="SF1", carrier=carrier, mailed_on=days_back(4)
        )
    assert refused.value.field == "mailed_on"

    invoice = invoice_mail(
        invoice=invoice, by=assistant, tracking_number="SF1234567", carrier=carrier, mailed_on=days_back(2)
    )
    with pytest.raises(DomainError) as refused:
        invoice_received(invoice=invoice, by=assistant, on=days_back(3))  # before it was mailed
    assert refused.value.field == "received_on"
    invoice = invoice_received(invoice=invoice, by=assistant, on=days_back(1))

    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.tracking_number, stored.carrier, stored.mailed_on, stored.received_on) == (
        "SF1234567",
        carrier,
        days_back(2),
        days_back(1),
    )
    with pytest.raises(Conflict):
        invoice_received(invoice=invoice, by=assistant)
    with pytest.raises(Conflict):
        invoice_mail(invoice=invoice, by=assistant, tracking_number="SF9", carrier=carrier)


# --- receipt slips --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preference", "chosen", "expected"),
    [
        (ReceiptSeal.NANHUACHENG, None, ReceiptSeal.NANHUACHENG),
        (ReceiptSeal.KEDI_OFFICIAL, None, ReceiptSeal.KEDI_OFFICIAL),
        ("", None, ReceiptSeal.KEDI_RECEIVED),
        (ReceiptSeal.NANHUACHENG, ReceiptSeal.KEDI_OFFICIAL, ReceiptSeal.KEDI_OFFICIAL),
    ],
)
def test_a_slip_is_stamped_with_the_customers_usual_seal_unless_another_is_chosen(
    debtor, assistant, preference, chosen, expected
):
    Customer.objects.filter(pk=debtor.pk).update(receipt_seal=preference)
    debtor.refresh_from_db()
    receipt = receive(debtor, assistant, "500", note="预收")

    slip = slip_issue(receipt=receipt, by=assistant, seal=chosen)

    assert slip.seal == expected and slip.issued_on == today() and slip.receipt == receipt


def test_an_unknown_seal_is_refused(debtor, assistant):
    receipt = receive(debtor, assistant, "500", note="预收")
    with pytest.raises(DomainError) as refused:
        slip_issue(receipt=receipt, by=assistant, seal="forged")
    assert refused.value.field == "seal" and ReceiptSlip.objects.count() == 0


def test_one_slip_per_receipt_numbered_without_gaps(debtor, assistant, finance):
    receipts = [receive(debtor, assistant, amount, note="预收") for amount in ("100", "200", "300")]

    first = slip_issue(receipt=receipts[0], by=assistant)
    with pytest.raises(Conflict):
        slip_issue(receipt=receipts[0], by=finance)
    with pytest.raises(DomainError):
        slip_issue(receipt=receipts[1], by=assistant, seal="forged")
    second = slip_issue(receipt=receipts[1], by=finance)
    third = slip_issue(receipt=receipts[2], by=assistant)

    year = today().year
    assert [first.number, second.number, third.number] == [f"SJ{year}-0000{n}" for n in (1, 2, 3)]
    assert ReceiptSlip.objects.filter(receipt=receipts[0]).count() == 1


def test_a_slip_is_dated_between_the_money_and_today(debtor, assistant):
    receipt = receive(debtor, assistant, "500", note="预收", day=days_back(2))
    for wrong in (days_back(3), today() + dt.timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            slip_issue(receipt=receipt, by=assistant, issued_on=wrong)
        assert refused.value.field == "issued_on"
    assert slip_issue(receipt=receipt, by=assistant, issued_on=days_back(1)).issued_on == days_back(1)


@pytest.mark.parametrize("who", ["salesperson", "warehouse", "other_assistant"])
def test_only_those_handling_the_customer_issue_its_slips(debtor, assistant, who, request):
    receipt = receive(debtor, assistant, "500", note="预收")
    with pytest.raises(NotAllowed):
        slip_issue(receipt=receipt, by=request.getfixturevalue(who))
    assert ReceiptSlip.objects.count() == 0


# --- statements -----------------------------------------------------------------------------


@pytest.fixture
def history(debtor, product, assistant, warehouse):
    """A sale 20 days back (1748.00), 1000.00 paid 10 days back."""
    sell(debtor, product, "5", by=assistant, warehouse=warehouse, day=days_back(20))
    receive(debtor, assistant, "1000", note="部分付款", day=days_back(10))
    return debtor


def test_a_statement_keeps_its_opening_and_closing_as_drawn_up(history, assistant):
    statement = statement_create(
        customer=history, by=assistant, period_from=days_back(15), period_to=days_back(1)
    )

    assert (statement.opening, statement.closing) == (Decimal("1748.00"), Decimal("748.00"))
    assert statement.status == StatementStatus.DRAFTED
    assert statement.number == f"DZ{days_back(1).year}-00001"

    # Money entered late into the period shows in the documents, not in the statement drawn up.
    receive(history, assistant, "100", note="补录", day=days_back(5))
    stored = Statement.objects.get(pk=statement.pk)
    assert (stored.opening, stored.closing) == (Decimal("1748.00"), Decimal("748.00"))
    assert selectors.statement_view(history, days_back(15), days_back(1)).closing == Decimal("648.00")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(5, 10, "period_to"), (5, -1, "period_to"), (400, 1, "period_from")],
    ids=["ends_before_it_starts", "ends_in_the_future", "longer_than_a_year"],
)
def test_a_statement_covers_at_most_a_year_that_has_passed(history, assistant, start, end, field):
    with pytest.raises(FieldErrors) as refused:
        statement_create(
            customer=history, by=assistant, period_from=days_back(start), period_to=days_back(end)
        )
    assert list(refused.value.errors) == [field]
    assert Statement.objects.count() == 0


def test_a_statement_is_sent_then_signed_back(history, assistant, finance):
    statement = statement_create(
        customer=history, by=assistant, period_from=days_back(15), period_to=days_back(5)
    )
    with pytest.raises(DomainError) as refused:
        statement_mark_sent(statement=statement, by=assistant, on=days_back(6))  # before the period ended
    assert refused.value.field == "sent_on"

    statement_mark_sent(statement=statement, by=assistant, on=days_back(3))
    with pytest.raises(DomainError) as refused:
        statement_mark_signed(statement=statement, by=finance, on=days_back(4))  # before it was sent
    assert refused.value.field == "signed_on"
    statement_mark_signed(statement=statement, by=finance, on=days_back(1))

    stored = Statement.objects.get(pk=statement.pk)
    assert (stored.status, stored.sent_on, stored.signed_on) == (
        StatementStatus.SIGNED,
        days_back(3),
        days_back(1),
    )
    assert stored not in selectors.statements_waiting(assistant)
    with pytest.raises(Conflict):
        statement_mark_sent(statement=stored, by=assistant)


def test_a_statement_cannot_come_back_signed_before_it_was_sent(history, assistant):
    statement = statement_create(
        customer=history, by=assistant, period_from=days_back(15), period_to=days_back(5)
    )

    with pytest.raises(Conflict):
        statement_mark_signed(statement=statement, by=assistant, on=days_back(1))

    stored = Statement.objects.get(pk=statement.pk)
    assert (stored.status, stored.signed_on) == (StatementStatus.DRAFTED, None)
    assert stored in selectors.statements_waiting(assistant)


@pytest.mark.parametrize("who", ["salesperson", "warehouse", "other_assistant"])
def test_only_those_handling_the_customer_draw_up_its_statements(history, who, request):
    with pytest.raises(NotAllowed):
        statement_create(
            customer=history,
            by=request.getfixturevalue(who),
            period_from=days_back(15),
            period_to=days_back(1),
        )
    assert Statement.objects.count() == 0
