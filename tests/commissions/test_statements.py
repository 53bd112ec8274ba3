"""The month's commission statements: payable only once the outbound is paid (款到才付佣金), one
statement per payee, clawbacks deducted after payment, approved by someone other than whoever
drew it up, paid exactly once, and confirmed with the customer afterwards (SPEC section 7).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.commissions import selectors, services
from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    PayoutItem,
    StatementLine,
    StatementStatus,
)
from salesdesk.commissions.selectors import State
from salesdesk.core.errors import Conflict, DomainError, NotAllowed
from salesdesk.core.roles import Role
from salesdesk.customers.models import Customer
from tests.commissions.conftest import REBATE, paid_statement, pay_off, state_of, take_back
from tests.conftest import make_user
from tests.factories import days_ago
from tests.receivables.conftest import another_customer, on_day, open_of, receive, sell

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def build(by, month: dt.date | None = None) -> list[CommissionStatement]:
    return services.statements_build(month=month or TODAY(), by=by)


def approve(statement, finance):
    return services.statement_approve(statement=statement, by=finance)


def pay(statement, finance, *, reference: str = "工行 20240131", paid_on: dt.date | None = None):
    return services.statement_pay(
        statement=statement, by=finance, paid_on=paid_on or TODAY(), reference=reference
    )


def nothing_payable(by) -> None:
    """Drawing up the month is refused because nothing is payable (not a clash, not a permission)."""
    with pytest.raises(DomainError) as refused:
        build(by)
    assert type(refused.value) is DomainError and refused.value.field == "month", refused.value


def line_accruals(statement) -> list[int]:
    return sorted(line.accrual_id for line in selectors.statement_lines(statement))


@pytest.fixture
def paid_sale(rebate_customer, product, assistant, warehouse):
    """Ten A-101 sold and paid in full: 125.00 payable to 黄先生."""
    sale = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)
    pay_off(sale, assistant)
    return sale


@pytest.fixture
def submitted(paid_sale, assistant) -> CommissionStatement:
    (statement,) = build(assistant)
    return statement


@pytest.fixture
def approved(submitted, finance) -> CommissionStatement:
    return approve(submitted, finance)


# --- payable only once the outbound is fully paid -------------------------------------------------


def test_a_partly_paid_outbound_keeps_its_commission_waiting_with_the_open_amount(
    rebate_customer, product, assistant, warehouse
):
    sale = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)  # 3496.00
    receive(rebate_customer, assistant, "3000", note="部分付款")

    (accrual,) = CommissionAccrual.objects.all()
    state, reason = state_of(accrual)
    assert state == State.WAITING
    assert "496.00" in reason and sale.number in reason
    nothing_payable(assistant)
    assert not CommissionStatement.objects.exists()
    assert [a.pk for a in selectors.missed(assistant)] == [accrual.pk]

    # The last 496.00 arrives: now it is payable and goes on the statement.
    receive(rebate_customer, assistant, "496.00")
    assert state_of(accrual) == (State.PAYABLE, "")
    (statement,) = build(assistant)
    assert statement.total == Decimal("125.00") and line_accruals(statement) == [accrual.pk]
    assert state_of(accrual)[0] == State.ON_STATEMENT
    assert selectors.missed(assistant) == []


def test_only_the_paid_outbound_of_two_goes_on_the_statement(rebate_customer, product, assistant, warehouse):
    paid = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)
    unpaid = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    pay_off(paid, assistant)

    (statement,) = build(assistant)

    assert statement.total == Decimal("125.00")
    assert [line.accrual.outbound_id for line in selectors.statement_lines(statement)] == [paid.pk]
    waiting = CommissionAccrual.objects.get(outbound=unpaid)
    assert state_of(waiting)[0] == State.WAITING


# --- one statement per payee ----------------------------------------------------------------------


def test_two_payees_of_one_customer_get_two_statements(
    rebate_customer, product, other_product, assistant, warehouse, manager
):
    catalog_services.rebate_set(
        customer=rebate_customer,
        product=other_product,
        rebate_unit_price=Decimal("8.00"),
        valid_from=days_ago(30),
        by=manager,
        payee_name="李小姐",
        payee_account="6228 4800 8765 4321",
    )
    for item, quantity in ((product, "10"), (other_product, "3")):
        pay_off(sell(rebate_customer, item, quantity, by=assistant, warehouse=warehouse), assistant)

    statements = build(assistant)

    assert sorted((s.payee_name, s.total) for s in statements) == [
        ("李小姐", Decimal("24.00")),
        ("黄先生", Decimal("125.00")),
    ]
    for statement in statements:
        assert {line.accrual.payee_name for line in selectors.statement_lines(statement)} == {
            statement.payee_name
        }
    assert {s.customer_id for s in statements} == {rebate_customer.pk}


def test_the_same_payee_on_two_customers_gets_a_statement_per_customer(
    rebate_customer, product, assistant, salesperson, warehouse, manager
):
    second = another_customer(assistant, salesperson)
    Customer.objects.filter(pk=second.pk).update(rebate=True)
    second.refresh_from_db()
    catalog_services.price_set(
        customer=second, product=product, unit_price=Decimal("349.60"), valid_from=days_ago(30), by=assistant
    )
    catalog_services.rebate_set(
        customer=second,
        product=product,
        rebate_unit_price=Decimal("10.00"),
        valid_from=days_ago(30),
        by=manager,
        payee_name="黄先生",
        payee_bank="中国工商银行佛山分行",
        payee_account="6222 0000 1234 5678",
    )
    for customer, quantity in ((rebate_customer, "10"), (second, "2")):
        pay_off(
            sell(customer, product, quantity, by=assistant, warehouse=warehouse, approver=manager), assistant
        )

    statements = build(assistant)

    assert sorted((s.customer_id, s.payee_name, s.total) for s in statements) == sorted(
        [(rebate_customer.pk, "黄先生", Decimal("125.00")), (second.pk, "黄先生", Decimal("20.00"))]
    )


# --- clawbacks ------------------------------------------------------------------------------------


def test_a_clawback_after_payment_is_deducted_from_the_next_statement(
    paid_sale, rebate_customer, product, assistant, salesperson, warehouse, finance
):
    first = paid_statement(by=assistant, finance=finance)
    assert first.total == Decimal("125.00")

    returned = take_back(paid_sale, "2", by=assistant, agreed_by=salesperson)
    clawback = CommissionAccrual.objects.get(outbound=returned)
    assert state_of(clawback) == (State.PAYABLE, "")
    later = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)  # takes the 699.20 credit
    pay_off(later, assistant)

    (second,) = build(assistant)

    assert second.total == Decimal("25.00")  # 50.00 − 25.00
    new = CommissionAccrual.objects.get(outbound=later)
    assert line_accruals(second) == sorted([clawback.pk, new.pk])
    # The paid statement keeps what it paid.
    first.refresh_from_db()
    assert first.status == StatementStatus.PAID and first.payout.amount == Decimal("125.00")


def test_a_clawback_waits_while_its_original_is_unpaid_and_is_netted_once_it_is_payable(
    rebate_customer, product, assistant, salesperson, warehouse
):
    sale = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)
    returned = take_back(sale, "2", by=assistant, agreed_by=salesperson)
    clawback = CommissionAccrual.objects.get(outbound=returned)

    state, reason = state_of(clawback)
    assert state == State.WAITING and sale.number in reason
    assert state_of(clawback.original)[0] == State.WAITING

    pay_off(sale, assistant)  # 3496.00 − 699.20 credit = 2796.80
    (statement,) = build(assistant)
    assert statement.total == Decimal("100.00")
    assert line_accruals(statement) == sorted([clawback.pk, clawback.original_id])


def test_a_clawback_of_an_accrual_on_an_unpaid_statement_waits_until_it_is_paid(
    submitted, paid_sale, assistant, salesperson, finance
):
    returned = take_back(paid_sale, "3", by=assistant, agreed_by=salesperson)
    clawback = CommissionAccrual.objects.get(outbound=returned)

    assert state_of(clawback)[0] == State.WAITING
    approve(submitted, finance)
    assert state_of(clawback)[0] == State.WAITING
    pay(submitted, finance)
    assert state_of(clawback) == (State.PAYABLE, "")


def test_a_full_return_before_payment_cancels_both_and_nothing_goes_on_a_statement(
    rebate_customer, product, assistant, salesperson, warehouse
):
    sale = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    returned = take_back(sale, "4", by=assistant, agreed_by=salesperson)

    assert open_of(sale) == 0  # the return's credit settled the sale
    original = CommissionAccrual.objects.get(outbound=sale)
    clawback = CommissionAccrual.objects.get(outbound=returned)
    assert original.amount + clawback.amount == 0
    assert state_of(original)[0] == state_of(clawback)[0] == State.CANCELLED
    nothing_payable(assistant)
    assert not StatementLine.objects.exists()
    assert selectors.missed(assistant) == []


def test_a_month_of_only_deductions_makes_no_statement_and_carries_them_to_the_next_month(
    rebate_customer, product, assistant, salesperson, warehouse, finance
):
    last_month_end = TODAY().replace(day=1) - dt.timedelta(days=1)
    catalog_services.price_set(  # the agreed price reaches back to last month
        customer=rebate_customer,
        product=product,
        unit_price=Decimal("349.60"),
        valid_from=days_ago(90),
        by=assistant,
    )
    with on_day(last_month_end - dt.timedelta(days=3)):
        sale = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)
        pay_off(sale, assistant)
        paid_statement(by=assistant, finance=finance)
    with on_day(last_month_end - dt.timedelta(days=1)):
        take_back(sale, "2", by=assistant, agreed_by=salesperson)
        nothing_payable(assistant)  # only the −25.00 is payable: no statement
    clawback = CommissionAccrual.objects.get(amount__lt=0)
    assert CommissionStatement.objects.count() == 1
    assert state_of(clawback) == (State.PAYABLE, "")

    # This month a new sale is paid: its statement deducts last month's clawback.
    later = sell(rebate_customer, product, "3", by=assistant, warehouse=warehouse)
    pay_off(later, assistant)
    (statement,) = build(assistant)
    assert statement.month == TODAY().replace(day=1)
    assert statement.total == Decimal("12.50")  # 37.50 − 25.00
    assert clawback.pk in line_accruals(statement)


def test_a_net_negative_payee_gets_no_statement_but_other_payees_do(
    paid_sale, rebate_customer, product, other_product, assistant, salesperson, warehouse, finance, manager
):
    paid_statement(by=assistant, finance=finance)
    take_back(paid_sale, "4", by=assistant, agreed_by=salesperson)  # −50.00 to 黄先生
    catalog_services.rebate_set(
        customer=rebate_customer,
        product=other_product,
        rebate_unit_price=Decimal("8.00"),
        valid_from=days_ago(30),
        by=manager,
        payee_name="李小姐",
    )
    small = sell(rebate_customer, product, "1", by=assistant, warehouse=warehouse)  # +12.50 to 黄先生
    other = sell(rebate_customer, other_product, "2", by=assistant, warehouse=warehouse)  # +16.00 to 李小姐
    for sale in (small, other):
        pay_off(sale, assistant)

    (statement,) = build(assistant)

    assert (statement.payee_name, statement.total) == ("李小姐", Decimal("16.00"))
    waiting = CommissionAccrual.objects.filter(payee_name="黄先生", payout_item__isnull=True)
    assert {state_of(a)[0] for a in waiting} == {State.PAYABLE}


# --- sending back, approving, paying --------------------------------------------------------------


def test_a_statement_sent_back_frees_its_accruals_for_the_next_build(submitted, assistant, finance):
    (accrual_id,) = line_accruals(submitted)
    with pytest.raises(DomainError) as no_reason:
        services.statement_send_back(statement=submitted, by=finance, reason="  ")
    assert no_reason.value.field == "reason"

    services.statement_send_back(statement=submitted, by=finance, reason="收款人账号不对")

    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.RETURNED and submitted.return_reason == "收款人账号不对"
    assert not submitted.lines.filter(active=True).exists() and submitted.lines.count() == 1
    assert state_of(CommissionAccrual.objects.get(pk=accrual_id)) == (State.PAYABLE, "")
    (again,) = build(assistant)
    assert again.pk != submitted.pk and line_accruals(again) == [accrual_id]
    with pytest.raises(Conflict):
        services.statement_send_back(statement=submitted, by=finance, reason="再退一次")


def test_an_approved_statement_may_still_be_sent_back_but_a_paid_one_may_not(approved, finance):
    services.statement_send_back(statement=approved, by=finance, reason="金额有误")
    approved.refresh_from_db()
    assert approved.status == StatementStatus.RETURNED
    with pytest.raises(Conflict):
        pay(approved, finance)
    assert not CommissionPayout.objects.exists()


def test_a_paid_statement_cannot_be_sent_back(approved, finance):
    pay(approved, finance)
    with pytest.raises(Conflict):
        services.statement_send_back(statement=approved, by=finance, reason="太晚了")
    approved.refresh_from_db()
    assert approved.status == StatementStatus.PAID and approved.lines.filter(active=True).count() == 1


def test_only_a_submitted_statement_is_approved(submitted, finance):
    approve(submitted, finance)
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.APPROVED and submitted.decided_by == finance
    with pytest.raises(Conflict):
        approve(submitted, finance)
    pay(submitted, finance)
    with pytest.raises(Conflict):
        approve(submitted, finance)


def test_a_sent_back_statement_is_not_approved(submitted, finance):
    services.statement_send_back(statement=submitted, by=finance, reason="重做")
    with pytest.raises(Conflict):
        approve(submitted, finance)
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.RETURNED


def test_only_an_approved_statement_is_paid(submitted, finance):
    with pytest.raises(Conflict) as refused:
        pay(submitted, finance)
    assert refused.value.code == "not_approved"
    assert not CommissionPayout.objects.exists() and not PayoutItem.objects.exists()


def test_paying_twice_pays_once(approved, finance):
    payout = pay(approved, finance)
    with pytest.raises(Conflict) as again:
        pay(approved, finance, reference="工行 20240131 重复")
    assert again.value.code == "already_paid"

    assert CommissionPayout.objects.get() == payout
    assert payout.amount == Decimal("125.00") and payout.reference == "工行 20240131"
    (item,) = PayoutItem.objects.all()
    assert item.amount == Decimal("125.00") and item.payout == payout
    approved.refresh_from_db()
    assert approved.status == StatementStatus.PAID
    assert state_of(item.accrual) == (State.PAID, "")


def test_a_payment_dated_in_the_future_or_without_a_reference_is_refused(approved, finance):
    with pytest.raises(DomainError) as future:
        pay(approved, finance, paid_on=TODAY() + dt.timedelta(days=1))
    assert future.value.field == "paid_on"
    with pytest.raises(DomainError) as blank:
        pay(approved, finance, reference="   ")
    assert blank.value.field == "reference"

    assert not CommissionPayout.objects.exists()
    approved.refresh_from_db()
    assert approved.status == StatementStatus.APPROVED


def test_only_finance_or_the_manager_pays(approved, assistant, salesperson, manager):
    for user in (assistant, salesperson):
        with pytest.raises(NotAllowed):
            pay(approved, user)
    assert not CommissionPayout.objects.exists()
    assert pay(approved, manager).paid_by == manager


# --- segregation of duties ------------------------------------------------------------------------


def test_whoever_drew_up_a_statement_cannot_approve_it_even_holding_the_permission(
    paid_sale, assistant, finance
):
    assistant.user_permissions.add(Permission.objects.get(codename="approve_commission"))
    assistant = type(assistant).objects.get(pk=assistant.pk)
    assert assistant.has_perm("core.approve_commission")
    (statement,) = build(assistant)

    with pytest.raises(NotAllowed):
        approve(statement, assistant)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SUBMITTED and statement.decided_by is None
    approve(statement, finance)


def test_a_manager_who_drew_up_a_statement_cannot_approve_it(paid_sale, manager, finance):
    (statement,) = build(manager)
    assert statement.created_by == manager

    with pytest.raises(NotAllowed):
        approve(statement, manager)

    deputy = make_user("deputy", Role.MANAGER)
    approve(statement, deputy)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED and statement.decided_by == deputy


def test_without_the_approval_permission_nobody_approves(submitted, salesperson, other_assistant, warehouse):
    for user in (salesperson, other_assistant, warehouse):
        with pytest.raises(NotAllowed):
            approve(submitted, user)
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.SUBMITTED


# --- confirming with the customer -----------------------------------------------------------------


def test_a_statement_is_confirmed_only_after_it_is_paid(approved, salesperson, finance):
    with pytest.raises(Conflict):
        services.statement_confirm(statement=approved, by=salesperson)
    pay(approved, finance)
    assert [s.pk for s in selectors.paid_not_confirmed(salesperson)] == [approved.pk]

    confirmed = services.statement_confirm(statement=approved, by=salesperson)

    assert confirmed.confirmed_by == salesperson and confirmed.confirmed_at is not None
    assert list(selectors.paid_not_confirmed(salesperson)) == []
    with pytest.raises(Conflict):
        services.statement_confirm(statement=approved, by=salesperson)


@pytest.mark.parametrize("who", ["assistant", "manager"])
def test_the_customers_assistant_or_a_manager_confirms(approved, finance, who, request):
    pay(approved, finance)
    user = request.getfixturevalue(who)
    assert services.statement_confirm(statement=approved, by=user).confirmed_by == user


@pytest.mark.parametrize("who", ["other_salesperson", "other_assistant", "finance", "warehouse"])
def test_nobody_else_confirms(approved, finance, who, request):
    pay(approved, finance)
    with pytest.raises(NotAllowed):
        services.statement_confirm(statement=approved, by=request.getfixturevalue(who))
    approved.refresh_from_db()
    assert approved.confirmed_at is None


# --- who draws statements up ----------------------------------------------------------------------


def test_an_assistant_draws_up_statements_only_for_her_own_customers(paid_sale, assistant, other_assistant):
    nothing_payable(other_assistant)
    assert not CommissionStatement.objects.exists()

    (statement,) = build(assistant)
    assert statement.customer == paid_sale.customer and statement.created_by == assistant


@pytest.mark.parametrize("who", ["salesperson", "finance", "warehouse"])
def test_only_assistants_and_the_manager_draw_up_statements(paid_sale, who, request):
    with pytest.raises(NotAllowed):
        build(request.getfixturevalue(who))
    assert not CommissionStatement.objects.exists()


def test_a_month_that_has_not_begun_is_refused(paid_sale, assistant):
    next_month = (TODAY().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(DomainError) as refused:
        build(assistant, next_month)
    assert refused.value.field == "month"
    assert not CommissionStatement.objects.exists()


def test_building_an_earlier_month_takes_only_what_was_posted_by_its_end(
    rebate_customer, product, assistant, warehouse
):
    last_month_end = TODAY().replace(day=1) - dt.timedelta(days=1)
    catalog_services.price_set(
        customer=rebate_customer,
        product=product,
        unit_price=Decimal("349.60"),
        valid_from=days_ago(90),
        by=assistant,
    )
    earlier = sell(rebate_customer, product, "2", by=assistant, warehouse=warehouse, day=last_month_end)
    now = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    pay_off(earlier, assistant)
    pay_off(now, assistant)

    (statement,) = build(assistant, last_month_end)

    assert statement.month == last_month_end.replace(day=1)
    assert statement.total == 2 * REBATE
    assert [line.accrual.outbound_id for line in selectors.statement_lines(statement)] == [earlier.pk]
