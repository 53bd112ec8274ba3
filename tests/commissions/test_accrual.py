"""Commission accrues when an outbound is posted, in the same transaction (SPEC section 7).

A rebate customer's sale line accrues quantity × the rebate price in force on the posting
date, to that rebate row's payee; a return takes back what its original line accrued, at the
original price (+X then −X, never two positives); a write-off accrues nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import RebatePrice
from salesdesk.commissions import hooks
from salesdesk.commissions import services as commission_services
from salesdesk.commissions.models import CommissionAccrual
from salesdesk.commissions.selectors import State
from salesdesk.core.errors import DomainError
from salesdesk.customers.models import Customer
from salesdesk.orders.models import OrderStatus
from salesdesk.receivables import services_credits as credits
from salesdesk.receivables.models import Allocation
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus, StockLevel, StockMove
from tests.commissions.conftest import REBATE, pay_off, state_of, take_back
from tests.factories import days_ago
from tests.receivables.conftest import another_customer, sell

pytestmark = pytest.mark.django_db


def accruals_of(outbound) -> list[CommissionAccrual]:
    return list(CommissionAccrual.objects.filter(outbound=outbound).order_by("id"))


def raise_rebate(customer, product, by, *, price: str, days_back: int, payee: str = "李小姐"):
    return catalog_services.rebate_set(
        customer=customer,
        product=product,
        rebate_unit_price=Decimal(price),
        valid_from=days_ago(days_back),
        by=by,
        payee_name=payee,
        payee_bank="中国农业银行顺德支行",
        payee_account="6228 4800 8765 4321",
    )


# --- sales ---------------------------------------------------------------------------------------


def test_a_sale_line_accrues_quantity_times_the_rebate_to_its_payee(
    rebate_customer, product, assistant, warehouse
):
    sale = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)

    (accrual,) = accruals_of(sale)
    rebate = RebatePrice.objects.get(customer=rebate_customer, product=product)
    assert accrual.outbound_line == sale.lines.get()
    assert (accrual.quantity, accrual.rebate_unit_price, accrual.amount) == (
        Decimal("10"),
        REBATE,
        Decimal("125.00"),
    )
    assert accrual.rebate_price == rebate
    assert (accrual.payee_name, accrual.payee_account) == ("黄先生", "6222 0000 1234 5678")
    assert accrual.payee_bank == "中国工商银行佛山分行"
    assert accrual.customer == rebate_customer and accrual.salesperson == rebate_customer.salesperson
    assert accrual.posting_date == sale.posting_date == timezone.localdate()
    assert accrual.original is None


def test_fractional_quantities_round_to_the_cent(rebate_customer, product, assistant, warehouse):
    sale = sell(rebate_customer, product, "1.333", by=assistant, warehouse=warehouse)

    (accrual,) = accruals_of(sale)
    assert accrual.amount == Decimal("16.66")  # 1.333 × 12.50 = 16.6625


def test_the_rebate_in_force_on_the_posting_date_counts_and_a_change_affects_only_later_postings(
    rebate_customer, product, assistant, warehouse, manager
):
    before = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse, day=days_ago(10))
    new_rebate = raise_rebate(rebate_customer, product, manager, price="15.00", days_back=5)
    on_the_day = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse, day=days_ago(5))
    after = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)

    (old,) = accruals_of(before)
    assert (old.rebate_unit_price, old.amount, old.payee_name) == (REBATE, Decimal("50.00"), "黄先生")
    assert old.posting_date == days_ago(10)
    for sale in (on_the_day, after):
        (accrual,) = accruals_of(sale)
        assert (accrual.rebate_unit_price, accrual.amount) == (Decimal("15.0000"), Decimal("60.00"))
        assert accrual.rebate_price == new_rebate
        assert (accrual.payee_name, accrual.payee_account) == ("李小姐", "6228 4800 8765 4321")
    # The earlier accrual was not touched by the new price.
    assert CommissionAccrual.objects.get(pk=old.pk).amount == Decimal("50.00")


def test_a_product_without_a_rebate_price_accrues_nothing(
    rebate_customer, product, other_product, assistant, warehouse
):
    sale = sell(rebate_customer, other_product, "3", by=assistant, warehouse=warehouse)

    assert sale.status == OutboundStatus.POSTED and sale.amount > 0
    assert accruals_of(sale) == []


def test_a_rebate_price_of_zero_accrues_nothing(rebate_customer, product, assistant, warehouse, manager):
    raise_rebate(rebate_customer, product, manager, price="0", days_back=1)

    sale = sell(rebate_customer, product, "3", by=assistant, warehouse=warehouse)

    assert accruals_of(sale) == []


def test_a_customer_not_marked_for_rebates_accrues_nothing_even_with_rebate_prices_on_file(
    rebate_customer, product, assistant, salesperson, warehouse
):
    # A customer who no longer takes rebates keeps the old rows; nothing accrues from them.
    Customer.objects.filter(pk=rebate_customer.pk).update(rebate=False)
    rebate_customer.refresh_from_db()
    walk_in = another_customer(assistant, salesperson)
    catalog_services.price_set(
        customer=walk_in, product=product, unit_price=Decimal("349.60"), valid_from=days_ago(30), by=assistant
    )

    first = sell(rebate_customer, product, "5", by=assistant, warehouse=warehouse)
    second = sell(walk_in, product, "5", by=assistant, warehouse=warehouse)

    assert RebatePrice.objects.filter(customer=rebate_customer).exists()
    assert accruals_of(first) == accruals_of(second) == []
    assert not CommissionAccrual.objects.exists()


# --- returns and exchanges -------------------------------------------------------------------------


def test_a_return_takes_back_what_its_original_line_accrued_at_the_original_price(
    rebate_customer, product, assistant, salesperson, warehouse, manager
):
    sale = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse, day=days_ago(10))
    raise_rebate(rebate_customer, product, manager, price="20.00", days_back=3)

    returned = take_back(sale, "2", by=assistant, agreed_by=salesperson)

    (original,) = accruals_of(sale)
    (clawback,) = accruals_of(returned)
    # −2 × 12.50 (the price the sale accrued at), not −2 × 20.00 (the price today).
    assert (clawback.quantity, clawback.rebate_unit_price, clawback.amount) == (
        Decimal("-2"),
        REBATE,
        Decimal("-25.00"),
    )
    assert clawback.original == original
    assert clawback.outbound_line == returned.lines.get()
    assert clawback.outbound_line.original_line_id == original.outbound_line_id
    assert (clawback.payee_name, clawback.payee_account, clawback.rebate_price_id) == (
        original.payee_name,
        original.payee_account,
        original.rebate_price_id,
    )
    assert clawback.posting_date == timezone.localdate()


def test_a_sale_and_its_return_give_plus_x_and_minus_x_never_two_positives(
    rebate_customer, product, assistant, salesperson, warehouse
):
    sale = sell(rebate_customer, product, "6", by=assistant, warehouse=warehouse)

    first = take_back(sale, "2", by=assistant, agreed_by=salesperson)
    second = take_back(sale, "4", by=assistant, agreed_by=salesperson)

    amounts = [a.amount for a in CommissionAccrual.objects.order_by("id")]
    assert amounts == [Decimal("75.00"), Decimal("-25.00"), Decimal("-50.00")]
    assert sum(amounts) == 0
    assert CommissionAccrual.objects.filter(amount__gt=0).count() == 1
    (original,) = accruals_of(sale)
    assert {a.original_id for a in [*accruals_of(first), *accruals_of(second)]} == {original.pk}


def test_a_return_claws_back_even_after_the_customer_stopped_taking_rebates(
    rebate_customer, product, assistant, salesperson, warehouse
):
    sale = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    Customer.objects.filter(pk=rebate_customer.pk).update(rebate=False)

    returned = take_back(sale, "1", by=assistant, agreed_by=salesperson)

    (clawback,) = accruals_of(returned)
    assert clawback.amount == Decimal("-12.50") and clawback.original == accruals_of(sale)[0]


def test_returning_a_line_that_accrued_nothing_accrues_nothing(
    rebate_customer, other_product, assistant, salesperson, warehouse
):
    sale = sell(rebate_customer, other_product, "4", by=assistant, warehouse=warehouse)

    returned = take_back(sale, "1", by=assistant, agreed_by=salesperson)

    assert returned.status == OutboundStatus.POSTED
    assert not CommissionAccrual.objects.exists()


def test_an_exchange_claws_back_the_return_and_accrues_on_the_new_sale(
    rebate_customer, product, other_product, assistant, salesperson, warehouse, manager
):
    catalog_services.rebate_set(
        customer=rebate_customer,
        product=other_product,
        rebate_unit_price=Decimal("8.00"),
        valid_from=days_ago(30),
        by=manager,
        payee_name="黄先生",
        payee_account="6222 0000 1234 5678",
    )
    sale = sell(rebate_customer, product, "5", by=assistant, warehouse=warehouse)

    returned, new_sale = credits.exchange_post(
        original=sale,
        by=assistant,
        lines=[credits.ReturnLineInput(sale.lines.get(), Decimal("2"))],
        new_lines=[credits.NewLineInput(other_product, Decimal("3"), Decimal("243.80"))],
        reason="换颜色",
        agreed_by=salesperson,
    )

    (clawback,) = accruals_of(returned)
    (fresh,) = accruals_of(new_sale)
    assert clawback.amount == Decimal("-25.00") and clawback.original == accruals_of(sale)[0]
    assert (fresh.amount, fresh.rebate_unit_price, fresh.original) == (
        Decimal("24.00"),
        Decimal("8.0000"),
        None,
    )
    assert fresh.outbound_line == new_sale.lines.get()


# --- write-offs ------------------------------------------------------------------------------------


def test_a_write_off_accrues_nothing_and_keeps_the_sales_commission_waiting(
    rebate_customer, product, assistant, finance, manager, warehouse
):
    sale = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    proposal = credits.write_off_request(
        customer=rebate_customer,
        by=finance,
        items=[credits.WriteOffInput(sale, Decimal("100.00"))],
        reason="客户倒闭",
    )
    written_off = credits.write_off_approve(write_off=proposal, by=manager)
    pay_off(sale, assistant)  # the rest is paid: the sale is settled, part of it by the write-off

    assert written_off.kind == OutboundKind.BAD_DEBT and written_off.status == OutboundStatus.POSTED
    assert accruals_of(written_off) == []
    (accrual,) = accruals_of(sale)
    state, reason = state_of(accrual)
    assert state == State.WAITING
    assert "written off" in reason and sale.number in reason
    with pytest.raises(DomainError) as refused:
        commission_services.statements_build(month=timezone.localdate(), by=assistant)
    assert type(refused.value) is DomainError and refused.value.field == "month"


# --- one transaction ---------------------------------------------------------------------------------


def _failing_accrual(monkeypatch):
    """Make accrual fail after writing its rows: the posting that called it must roll back whole."""
    real = hooks.accrue

    def accrue_then_fail(*, outbound, by, lines=None):
        made = real(outbound=outbound, by=by, lines=lines)
        assert made, "the accrual rows were written before the failure"
        raise RuntimeError("commission accrual failed")

    # The hook calls the name it imported from services: patch that name.
    monkeypatch.setattr(hooks, "accrue", accrue_then_fail)


def test_a_failing_accrual_rolls_back_the_posting(
    rebate_customer, product, assistant, warehouse, monkeypatch
):
    on_hand = StockLevel.objects.get(product=product).on_hand
    moves = StockMove.objects.count()
    _failing_accrual(monkeypatch)

    with pytest.raises(RuntimeError, match="commission accrual failed"):
        sell(rebate_customer, product, "5", by=assistant, warehouse=warehouse)

    assert not Outbound.objects.filter(status=OutboundStatus.POSTED).exists()
    draft = Outbound.objects.get()
    assert draft.status == OutboundStatus.DRAFT and draft.number is None
    assert draft.order.status == OrderStatus.RELEASED
    assert StockLevel.objects.get(product=product).on_hand == on_hand
    assert StockMove.objects.count() == moves
    assert not CommissionAccrual.objects.exists()
    assert not Allocation.objects.exists()


def test_a_failing_clawback_rolls_back_the_return(
    rebate_customer, product, assistant, salesperson, warehouse, monkeypatch
):
    sale = sell(rebate_customer, product, "5", by=assistant, warehouse=warehouse)
    on_hand = StockLevel.objects.get(product=product).on_hand
    _failing_accrual(monkeypatch)

    with pytest.raises(RuntimeError, match="commission accrual failed"):
        take_back(sale, "2", by=assistant, agreed_by=salesperson)

    assert not Outbound.objects.filter(kind=OutboundKind.RETURN).exists()
    assert StockLevel.objects.get(product=product).on_hand == on_hand
    assert list(CommissionAccrual.objects.values_list("amount", flat=True)) == [Decimal("62.50")]
    assert not Allocation.objects.exists()


def test_the_accrual_hook_is_registered_for_postings():
    from salesdesk.core import events

    assert hooks._outbound_posted in events.subscribers(events.OUTBOUND_POSTED)


def test_an_accrual_posted_on_an_earlier_day_keeps_that_date(rebate_customer, product, assistant, warehouse):
    sale = sell(rebate_customer, product, "2", by=assistant, warehouse=warehouse, day=days_ago(12))

    (accrual,) = accruals_of(sale)
    assert accrual.posting_date == days_ago(12) == sale.posting_date
