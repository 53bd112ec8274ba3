"""Returns (销售退货), exchanges (换货) and bad-debt write-offs (坏账) at the service layer.

Within the last 30 days the customer's agreed prices hold: A-101 349.60, B-220 243.80.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.core.models import AuditEvent
from salesdesk.core.roles import Role
from salesdesk.receivables import selectors
from salesdesk.receivables.models import Allocation, WriteOffItem
from salesdesk.receivables.services import AllocationInput
from salesdesk.receivables.services_credits import (
    NewLineInput,
    ReturnLineInput,
    WriteOffInput,
    exchange_post,
    return_post,
    write_off_approve,
    write_off_reject,
    write_off_request,
)
from salesdesk.warehouse.models import MoveKind, Outbound, OutboundKind, OutboundStatus, StockLevel, StockMove
from tests.conftest import make_user
from tests.factories import ProductFactory
from tests.receivables.conftest import another_customer, open_of, receive, sell

pytestmark = pytest.mark.django_db


def days_back(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def on_hand(product) -> Decimal:
    return StockLevel.objects.get(product=product).on_hand


def give_back(sale, quantity: str, *, by, agreed_by, reason: str = "颜色不对"):
    lines = [ReturnLineInput(sale.lines.get(), Decimal(quantity))]
    return return_post(original=sale, by=by, lines=lines, reason=reason, agreed_by=agreed_by)


def snapshot() -> tuple:
    """Everything a failed return, exchange or write-off must leave as it was."""
    return (
        Outbound.objects.count(),
        StockMove.objects.count(),
        tuple(StockLevel.objects.order_by("product_id").values_list("product_id", "on_hand")),
        Allocation.objects.count(),
        WriteOffItem.objects.count(),
    )


@pytest.fixture
def sale(debtor, product, assistant, warehouse):
    posted = sell(debtor, product, "5", by=assistant, warehouse=warehouse)
    assert posted.amount == Decimal("1748.00")
    return posted


# --- returns --------------------------------------------------------------------------------


def test_no_more_comes_back_than_was_shipped_and_not_yet_returned(sale, assistant, salesperson):
    first = give_back(sale, "3", by=assistant, agreed_by=salesperson)
    before = snapshot()

    with pytest.raises(FieldErrors) as refused:
        give_back(sale, "3", by=assistant, agreed_by=salesperson)
    assert list(refused.value.errors) == ["lines[0].quantity"]
    message = str(refused.value.errors["lines[0].quantity"][0])
    assert "A-101" in message and " 2" in message  # only 2 are left to come back
    assert snapshot() == before

    second = give_back(sale, "2", by=assistant, agreed_by=salesperson)
    with pytest.raises(FieldErrors):
        give_back(sale, "0.5", by=assistant, agreed_by=salesperson)

    assert (first.amount, second.amount) == (Decimal("-1048.80"), Decimal("-699.20"))
    assert [line.returnable for line in selectors.returnable_lines(sale)] == [Decimal("0")]
    assert Outbound.objects.filter(kind=OutboundKind.RETURN).count() == 2
    assert selectors.balance(sale.customer) == 0


def test_only_a_posted_sale_is_returned_and_only_its_own_lines(
    sale, debtor, other_product, assistant, salesperson, warehouse
):
    other = sell(debtor, other_product, "2", by=assistant, warehouse=warehouse)
    back = give_back(sale, "1", by=assistant, agreed_by=salesperson)

    with pytest.raises(DomainError) as refused:
        give_back(back, "1", by=assistant, agreed_by=salesperson)
    assert refused.value.field == "original"

    wrong_line = [ReturnLineInput(other.lines.get(), Decimal("1"))]
    with pytest.raises(FieldErrors) as refused:
        return_post(original=sale, by=assistant, lines=wrong_line, reason="破损", agreed_by=salesperson)
    assert list(refused.value.errors) == ["lines[0].original_line"]
    assert Outbound.objects.filter(kind=OutboundKind.RETURN).count() == 1


def test_a_return_brings_the_goods_back_into_stock(sale, product, assistant, salesperson):
    assert on_hand(product) == Decimal("95")

    back = give_back(sale, "3", by=assistant, agreed_by=salesperson, reason="颜色不对")

    assert on_hand(product) == Decimal("98")
    move = StockMove.objects.get(outbound=back)
    assert (move.kind, move.product, move.quantity) == (MoveKind.RETURN_IN, product, Decimal("3"))
    assert back.number.startswith("TH") and back.status == OutboundStatus.POSTED
    assert (back.kind, back.original, back.reason, back.agreed_by) == (
        OutboundKind.RETURN,
        sale,
        "颜色不对",
        salesperson,
    )
    assert back.posting_date == timezone.localdate()


def test_a_returns_credit_settles_its_own_sale_first_then_the_other_open_sales(
    debtor, product, other_product, assistant, salesperson, warehouse
):
    older = sell(debtor, other_product, "4", by=assistant, warehouse=warehouse, day=days_back(10))
    sale = sell(debtor, product, "5", by=assistant, warehouse=warehouse)
    receive(debtor, assistant, "1500", note="部分", allocations=[AllocationInput(sale, Decimal("1500"))])
    assert (open_of(older), open_of(sale)) == (Decimal("975.20"), Decimal("248.00"))

    back = give_back(sale, "2", by=assistant, agreed_by=salesperson)

    assert {a.sale_id: a.amount for a in back.settles.all()} == {
        sale.pk: Decimal("248.00"),
        older.pk: Decimal("451.20"),
    }
    assert (open_of(older), open_of(sale)) == (Decimal("524.00"), Decimal("0"))
    assert selectors.balance(debtor) == Decimal("524.00")  # 975.20 + 1748.00 − 1500.00 − 699.20


def test_a_return_of_a_paid_sale_leaves_credit_that_the_next_sale_takes(
    debtor, product, other_product, assistant, salesperson, warehouse
):
    paid = sell(debtor, product, "2", by=assistant, warehouse=warehouse)
    receive(debtor, assistant, "699.20")

    back = give_back(paid, "1", by=assistant, agreed_by=salesperson)

    assert not back.settles.exists()
    assert [c.unapplied for c in selectors.credits_with_unapplied(debtor)] == [Decimal("349.60")]
    assert selectors.balance(debtor) == Decimal("-349.60")

    following = sell(debtor, other_product, "2", by=assistant, warehouse=warehouse)

    assert [(a.credit_id, a.amount) for a in following.settled_by.all()] == [(back.pk, Decimal("349.60"))]
    assert open_of(following) == Decimal("138.00")  # 487.60 − 349.60
    assert selectors.credits_with_unapplied(debtor) == []


@pytest.mark.parametrize(
    ("reason", "agreed", "fields"),
    [
        ("", None, ["reason", "agreed_by"]),
        ("  ", "salesperson", ["reason"]),
        ("破损", None, ["agreed_by"]),
        ("破损", "assistant", ["agreed_by"]),
        ("破损", "warehouse", ["agreed_by"]),
        ("破损", "finance", ["agreed_by"]),
        ("破损", "other_salesperson", ["agreed_by"]),  # not this customer's salesperson
    ],
)
def test_a_return_says_why_and_who_agreed_a_salesperson_or_manager(
    sale, assistant, reason, agreed, fields, request
):
    agreed_by = request.getfixturevalue(agreed) if agreed else None
    before = snapshot()

    with pytest.raises(FieldErrors) as refused:
        give_back(sale, "1", by=assistant, agreed_by=agreed_by, reason=reason)

    assert sorted(refused.value.errors) == sorted(fields)
    assert snapshot() == before


def test_a_manager_may_agree_to_a_return(sale, assistant, manager):
    back = give_back(sale, "1", by=assistant, agreed_by=manager)
    assert back.agreed_by == manager


@pytest.mark.parametrize("who", ["salesperson", "finance", "warehouse"])
def test_only_assistants_and_the_manager_record_returns(sale, salesperson, who, request):
    before = snapshot()
    with pytest.raises(NotAllowed):
        give_back(sale, "1", by=request.getfixturevalue(who), agreed_by=salesperson)
    assert snapshot() == before


# --- exchanges ------------------------------------------------------------------------------


def test_an_exchange_posts_the_return_and_the_new_sale_together(
    sale, product, other_product, assistant, salesperson
):
    returned, new = exchange_post(
        original=sale,
        by=assistant,
        lines=[ReturnLineInput(sale.lines.get(), Decimal("2"))],
        new_lines=[NewLineInput(other_product, Decimal("3"), Decimal("243.80"))],
        reason="换成外墙漆",
        agreed_by=salesperson,
    )

    assert returned.number.startswith("TH") and new.number.startswith("CK")
    assert (returned.kind, returned.amount) == (OutboundKind.RETURN, Decimal("-699.20"))
    assert (new.kind, new.status, new.amount, new.original) == (
        OutboundKind.SALE,
        OutboundStatus.POSTED,
        Decimal("731.40"),
        sale,
    )
    assert new.due_date == new.posting_date + dt.timedelta(days=30)
    assert (on_hand(product), on_hand(other_product)) == (Decimal("97"), Decimal("97"))
    assert selectors.balance(sale.customer) == Decimal("1780.20")  # 1748.00 − 699.20 + 731.40
    assert AuditEvent.objects.filter(action="exchange.posted").count() == 1


def test_an_exchange_whose_new_goods_are_short_writes_nothing_at_all(sale, assistant, salesperson):
    scarce = ProductFactory(model_code="C-330", name="防水涂料")
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        exchange_post(
            original=sale,
            by=assistant,
            lines=[ReturnLineInput(sale.lines.get(), Decimal("2"))],
            new_lines=[NewLineInput(scarce, Decimal("1"), Decimal("300"))],
            reason="换成防水涂料",
            agreed_by=salesperson,
        )

    assert refused.value.field == "new_lines[0].quantity"
    assert snapshot() == before
    assert not Outbound.objects.filter(kind=OutboundKind.RETURN).exists()
    # The return's number went back too: the next one is the first of the year.
    back = give_back(sale, "1", by=assistant, agreed_by=salesperson)
    assert back.number == f"TH{timezone.localdate().year}-00001"


def test_an_exchange_sends_something_back(sale, assistant, salesperson):
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        exchange_post(
            original=sale,
            by=assistant,
            lines=[ReturnLineInput(sale.lines.get(), Decimal("2"))],
            new_lines=[],
            reason="换货",
            agreed_by=salesperson,
        )
    assert refused.value.field == "new_lines"
    assert snapshot() == before


# --- write-offs -----------------------------------------------------------------------------


@pytest.fixture
def deputy(db):
    return make_user("deputy", Role.MANAGER, display="陆副总")


def test_a_proposed_write_off_changes_nothing_until_approved(sale, debtor, finance, manager):
    ar_before = selectors.customer_ar(debtor)
    moves = StockMove.objects.count()

    proposal = write_off_request(customer=debtor, by=finance, items=[WriteOffInput(sale)], reason="客户倒闭")

    assert (proposal.kind, proposal.status, proposal.number, proposal.amount) == (
        OutboundKind.BAD_DEBT,
        OutboundStatus.DRAFT,
        None,
        Decimal("0"),
    )
    assert [(i.sale_id, i.amount) for i in proposal.write_off_items.all()] == [(sale.pk, Decimal("1748.00"))]
    ar = selectors.customer_ar(debtor)
    assert (
        (ar.balance, ar.open_total) == (ar_before.balance, ar_before.open_total) == (Decimal("1748.00"),) * 2
    )
    assert Allocation.objects.count() == 0
    assert list(selectors.write_offs_pending(manager)) == [proposal]

    posted = write_off_approve(write_off=proposal, by=manager)

    assert posted.status == OutboundStatus.POSTED and posted.number.startswith("HZ")
    assert (posted.amount, posted.agreed_by, posted.posted_by) == (Decimal("-1748.00"), manager, manager)
    assert [(a.sale_id, a.amount) for a in posted.settles.all()] == [(sale.pk, Decimal("1748.00"))]
    assert open_of(sale) == 0 and selectors.balance(debtor) == 0
    assert StockMove.objects.count() == moves  # a write-off moves no goods
    assert list(selectors.write_offs_pending(manager)) == []


def test_a_part_of_a_sale_can_be_written_off(sale, debtor, finance, manager):
    proposal = write_off_request(
        customer=debtor, by=finance, items=[WriteOffInput(sale, Decimal("500"))], reason="折让"
    )
    write_off_approve(write_off=proposal, by=manager)

    assert open_of(sale) == Decimal("1248.00")
    assert selectors.balance(debtor) == Decimal("1248.00")


def test_whoever_proposed_a_write_off_cannot_approve_it_not_even_a_manager(sale, debtor, manager, deputy):
    proposal = write_off_request(customer=debtor, by=manager, items=[WriteOffInput(sale)], reason="客户失联")

    with pytest.raises(NotAllowed):
        write_off_approve(write_off=proposal, by=manager)
    proposal.refresh_from_db()
    assert proposal.status == OutboundStatus.DRAFT and Allocation.objects.count() == 0

    posted = write_off_approve(write_off=proposal, by=deputy)
    assert posted.agreed_by == deputy and open_of(sale) == 0
    with pytest.raises(Conflict):
        write_off_approve(write_off=posted, by=manager)


@pytest.mark.parametrize("who", ["assistant", "finance", "salesperson"])
def test_only_a_manager_approves_or_rejects_a_write_off(sale, debtor, assistant, who, request):
    proposal = write_off_request(
        customer=debtor, by=assistant, items=[WriteOffInput(sale)], reason="客户倒闭"
    )
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        write_off_approve(write_off=proposal, by=user)
    with pytest.raises(NotAllowed):
        write_off_reject(write_off=proposal, by=user, reason="不同意")

    proposal.refresh_from_db()
    assert proposal.status == OutboundStatus.DRAFT and Allocation.objects.count() == 0


def test_a_write_off_of_a_sale_paid_meanwhile_is_refused(sale, debtor, assistant, finance, manager):
    proposal = write_off_request(customer=debtor, by=finance, items=[WriteOffInput(sale)], reason="客户倒闭")
    receive(debtor, assistant, "100", note="客户又付了一点")

    with pytest.raises(Conflict):
        write_off_approve(write_off=proposal, by=manager)

    proposal.refresh_from_db()
    assert proposal.status == OutboundStatus.DRAFT
    assert not Allocation.objects.filter(credit=proposal).exists()
    assert open_of(sale) == Decimal("1648.00")


def test_a_rejected_write_off_is_gone_and_the_rejection_is_recorded(sale, debtor, finance, manager):
    proposal = write_off_request(customer=debtor, by=finance, items=[WriteOffInput(sale)], reason="客户倒闭")

    with pytest.raises(DomainError) as refused:
        write_off_reject(write_off=proposal, by=manager, reason=" ")
    assert refused.value.field == "reason"

    write_off_reject(write_off=proposal, by=manager, reason="还能收回")

    assert not Outbound.objects.filter(pk=proposal.pk).exists()
    assert WriteOffItem.objects.count() == 0
    event = AuditEvent.objects.get(action="write_off.rejected")
    assert event.by == manager and "还能收回" in event.summary
    assert open_of(sale) == Decimal("1748.00")


def test_a_write_off_names_open_posted_sales_of_its_customer(
    sale, debtor, product, assistant, salesperson, warehouse, finance
):
    theirs = sell(another_customer(assistant, salesperson), product, "1", by=assistant, warehouse=warehouse)
    back = give_back(sale, "1", by=assistant, agreed_by=salesperson)
    before = snapshot()

    cases = [
        ([WriteOffInput(theirs)], "items[0].sale"),
        ([WriteOffInput(sale), WriteOffInput(back)], "items[1].sale"),
        ([WriteOffInput(sale, Decimal("1398.41"))], "items[0].amount"),  # 1398.40 is open
        ([WriteOffInput(sale), WriteOffInput(sale)], "items[1].sale"),
    ]
    for items, field in cases:
        with pytest.raises(FieldErrors) as refused:
            write_off_request(customer=debtor, by=finance, items=items, reason="客户倒闭")
        assert list(refused.value.errors) == [field]
    for items, reason, field in [([WriteOffInput(sale)], "", "reason"), ([], "客户倒闭", "items")]:
        with pytest.raises(DomainError) as refused:
            write_off_request(customer=debtor, by=finance, items=items, reason=reason)
        assert refused.value.field == field
    assert snapshot() == before


@pytest.mark.parametrize("quantity", ["0.0004", "1.0005"])
def test_a_quantity_finer_than_the_stock_keeps_is_refused(
    sale, product, other_product, assistant, salesperson, quantity
):
    before = snapshot()

    with pytest.raises(FieldErrors) as refused:
        give_back(sale, quantity, by=assistant, agreed_by=salesperson)
    assert list(refused.value.errors) == ["lines[0].quantity"]
    with pytest.raises(FieldErrors) as refused:
        exchange_post(
            original=sale,
            by=assistant,
            lines=[ReturnLineInput(sale.lines.get(), Decimal("1"))],
            new_lines=[NewLineInput(other_product, Decimal(quantity), Decimal("243.80"))],
            reason="换货",
            agreed_by=salesperson,
        )
    assert list(refused.value.errors) == ["new_lines[0].quantity"]

    assert snapshot() == before
