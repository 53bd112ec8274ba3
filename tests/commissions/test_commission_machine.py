"""Commissions against a model of them, driven by random sequences of what people do.

Hypothesis posts sales of a rebate customer (two products, two payees), returns part of a
posted sale, enters receipts (settled oldest first), and has the assistant draw up the month's
statements, finance approve them, pay them (sometimes twice) or send them back. After every
step:

* every accrual is what its line earns: quantity × rebate, minus what came back, to the cent;
* no accrual has more than one payout item, and each item pays exactly its accrual;
* a positive accrual is paid only when its outbound was settled in full when it was paid;
* Σ payouts + Σ unpaid accruals not cancelled = Σ accruals − Σ cancelled, to the cent, and what
  a return cancelled nets to zero with what it cancelled;
* a clawback goes on a statement only after its original was paid, or beside it;
* an accrual is on at most one active statement line, and a statement's total is Σ its active
  lines (a sent-back one has none); a paid statement has one payout of its total.

Each example runs inside a savepoint that is rolled back afterwards. On SQLite the default
(25 examples of up to 20 steps) takes well under a minute; nightly runs raise it with
SALESDESK_HYPOTHESIS_EXAMPLES and SALESDESK_HYPOTHESIS_STEPS.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

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
from salesdesk.core.errors import Conflict, DomainError
from salesdesk.core.money import line_amount
from salesdesk.customers.models import Customer
from salesdesk.receivables import services_credits
from salesdesk.warehouse import services as stock
from salesdesk.warehouse.models import Outbound, OutboundStatus, StockLevel
from tests.factories import days_ago
from tests.receivables.conftest import open_of, receive, sell

EXAMPLES = int(os.environ.get("SALESDESK_HYPOTHESIS_EXAMPLES", "25"))
STEPS = int(os.environ.get("SALESDESK_HYPOTHESIS_STEPS", "20"))
ZERO = Decimal("0.00")
REBATES = {"A-101": Decimal("12.50"), "B-220": Decimal("8.00")}


@dataclass
class World:
    customer: Customer
    products: list
    assistant: object
    salesperson: object
    warehouse: object
    finance: object
    manager: object


@dataclass
class Line:
    """A posted sale line, as the model knows it."""

    sale: int
    product: object
    rebate: Decimal
    returnable: Decimal


def _sum(values) -> Decimal:
    return sum(values, ZERO)


class CommissionMachine(RuleBasedStateMachine):
    def __init__(self, world: World):
        super().__init__()
        self.world = world
        self.savepoint = transaction.savepoint()
        self.lines: dict[int, Line] = {}
        self.expected: dict[int, Decimal] = {}  # outbound line -> what its accrual must be
        self.status: dict[int, str] = {}  # statement -> status, as the model expects it
        self.paid_while_open: list[tuple[int, Decimal]] = []

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ----------------------------------------------------------------------------

    def _ensure_stock(self, product, quantity: Decimal) -> None:
        if StockLevel.objects.get(product=product).on_hand < quantity:
            stock.stock_inbound(product=product, quantity=Decimal("100"), by=self.world.warehouse)

    def _with(self, status: str) -> list[int]:
        return sorted(pk for pk, s in self.status.items() if s == status)

    def _statement(self, pk: int) -> CommissionStatement:
        # A fresh copy, as a page would load it: the services must not rely on a stale object.
        return CommissionStatement.objects.get(pk=pk)

    # --- rules ------------------------------------------------------------------------------

    @rule(product=st.integers(0, 1), quantity=st.integers(1, 6))
    def post_a_sale(self, product, quantity):
        w = self.world
        item = w.products[product]
        self._ensure_stock(item, Decimal(quantity))
        sale = sell(
            w.customer, item, str(quantity), by=w.assistant, warehouse=w.warehouse, approver=w.manager
        )
        (line,) = sale.lines.all()
        rebate = REBATES[item.model_code]
        self.lines[line.pk] = Line(sale.pk, item, rebate, line.quantity)
        self.expected[line.pk] = line_amount(line.quantity, rebate)

    @precondition(lambda self: any(line.returnable > 0 for line in self.lines.values()))
    @rule(data=st.data())
    def return_part_of_a_sale(self, data):
        candidates = sorted(pk for pk, line in self.lines.items() if line.returnable > 0)
        pk = data.draw(st.sampled_from(candidates), label="line")
        line = self.lines[pk]
        quantity = Decimal(data.draw(st.integers(1, int(line.returnable)), label="quantity back"))
        original = Outbound.objects.get(pk=line.sale)
        returned = services_credits.return_post(
            original=original,
            by=self.world.assistant,
            lines=[services_credits.ReturnLineInput(original.lines.get(pk=pk), quantity)],
            reason="退货",
            agreed_by=self.world.salesperson,
        )
        line.returnable -= quantity
        (back,) = returned.lines.all()
        self.expected[back.pk] = -line_amount(quantity, line.rebate)

    @rule(cents=st.integers(1, 400_000))
    def receive_money(self, cents):
        receive(self.world.customer, self.world.assistant, Decimal(cents) / 100, note="随机收款")

    @rule()
    def draw_up_the_month(self):
        customers = Customer.objects.filter(pk=self.world.customer.pk)
        groups: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for accrual in selectors.payable_until(timezone.localdate(), customers):
            groups[(accrual.customer_id, accrual.payee_name, accrual.payee_account)] += accrual.amount
        wanted = sorted((key[1], amount) for key, amount in groups.items() if amount > 0)
        try:
            made = services.statements_build(month=timezone.localdate(), by=self.world.assistant)
        except DomainError as refused:
            assert not isinstance(refused, Conflict), refused
            assert wanted == [], wanted  # refused although something positive was payable
            return
        assert sorted((s.payee_name, s.total) for s in made) == wanted
        for statement in made:
            assert statement.status == StatementStatus.SUBMITTED
            self.status[statement.pk] = StatementStatus.SUBMITTED
            for line in selectors.statement_lines(statement):
                if line.accrual.amount > 0:
                    assert open_of(line.accrual.outbound) == 0, line.accrual

    @precondition(lambda self: bool(self._with(StatementStatus.SUBMITTED)))
    @rule(data=st.data())
    def approve(self, data):
        pk = data.draw(st.sampled_from(self._with(StatementStatus.SUBMITTED)), label="statement")
        services.statement_approve(statement=self._statement(pk), by=self.world.finance)
        self.status[pk] = StatementStatus.APPROVED

    @precondition(lambda self: bool(self._with(StatementStatus.APPROVED)))
    @rule(data=st.data(), twice=st.booleans())
    def pay(self, data, twice):
        pk = data.draw(st.sampled_from(self._with(StatementStatus.APPROVED)), label="statement")
        statement = self._statement(pk)
        lines = list(selectors.statement_lines(statement))
        for line in lines:
            if line.accrual.amount > 0:
                self.paid_while_open.append((line.accrual_id, open_of(line.accrual.outbound)))
        payout = services.statement_pay(
            statement=statement, by=self.world.finance, paid_on=timezone.localdate(), reference=f"工行 {pk}"
        )
        assert payout.amount == statement.total == _sum(line.accrual.amount for line in lines)
        self.status[pk] = StatementStatus.PAID
        if twice:
            with pytest.raises(Conflict):
                services.statement_pay(
                    statement=statement, by=self.world.finance, paid_on=timezone.localdate(), reference="重复"
                )

    @precondition(
        lambda self: bool(self._with(StatementStatus.SUBMITTED) + self._with(StatementStatus.APPROVED))
    )
    @rule(data=st.data())
    def send_back(self, data):
        open_ones = self._with(StatementStatus.SUBMITTED) + self._with(StatementStatus.APPROVED)
        pk = data.draw(st.sampled_from(sorted(open_ones)), label="statement")
        services.statement_send_back(statement=self._statement(pk), by=self.world.finance, reason="核对有误")
        self.status[pk] = StatementStatus.RETURNED

    @precondition(lambda self: bool(self.status))
    @rule(data=st.data())
    def try_a_step_out_of_turn(self, data):
        """Approving what is not submitted, or paying what is not approved, changes nothing."""
        pk = data.draw(st.sampled_from(sorted(self.status)), label="statement")
        status = self.status[pk]
        if status != StatementStatus.SUBMITTED:
            with pytest.raises(Conflict):
                services.statement_approve(statement=self._statement(pk), by=self.world.finance)
        if status != StatementStatus.APPROVED:
            with pytest.raises(Conflict):
                services.statement_pay(
                    statement=self._statement(pk),
                    by=self.world.finance,
                    paid_on=timezone.localdate(),
                    reference="不该付",
                )

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def every_accrual_is_what_its_line_earns(self):
        got = dict(CommissionAccrual.objects.values_list("outbound_line", "amount"))
        assert got == self.expected
        for accrual in CommissionAccrual.objects.filter(amount__lt=0).select_related("original"):
            assert accrual.original.amount > 0 and accrual.original.payee_name == accrual.payee_name

    @invariant()
    def each_accrual_is_paid_at_most_once_and_exactly(self):
        twice = PayoutItem.objects.values("accrual").annotate(n=Count("id")).filter(n__gt=1)
        assert not twice.exists()
        for item in PayoutItem.objects.select_related("accrual", "payout__statement"):
            assert item.amount == item.accrual.amount
            assert item.payout.statement.lines.filter(accrual=item.accrual, active=True).exists()
        for payout in CommissionPayout.objects.select_related("statement"):
            assert payout.amount == payout.statement.total == _sum(i.amount for i in payout.items.all())

    @invariant()
    def nothing_is_paid_before_its_outbound_is(self):
        assert all(left == 0 for _accrual, left in self.paid_while_open), self.paid_while_open
        for item in PayoutItem.objects.filter(accrual__amount__gt=0).select_related("accrual__outbound"):
            assert open_of(item.accrual.outbound) == 0, item.accrual

    @invariant()
    def the_money_adds_up(self):
        rows = selectors.with_states(CommissionAccrual.objects.select_related("outbound"))
        by_state: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for accrual in rows:
            by_state[accrual.state] += accrual.amount
        everything = _sum(a.amount for a in rows)
        cancelled = by_state[State.CANCELLED]
        unpaid = _sum(
            amount for state, amount in by_state.items() if state not in {State.PAID, State.CANCELLED}
        )
        payouts = _sum(CommissionPayout.objects.values_list("amount", flat=True))
        assert payouts + unpaid == everything - cancelled, (payouts, unpaid, everything, cancelled)
        assert payouts == by_state[State.PAID]
        # What a return cancelled before anything was paid nets to zero with what it cancelled.
        assert cancelled == 0, cancelled
        assert everything == _sum(self.expected.values())

    @invariant()
    def statements_hold_their_lines_once(self):
        live = Counter(StatementLine.objects.filter(active=True).values_list("accrual", flat=True))
        assert all(n == 1 for n in live.values()), live
        for statement in CommissionStatement.objects.all():
            assert statement.status == self.status[statement.pk], statement
            active = _sum(
                CommissionAccrual.objects.filter(
                    statement_lines__statement=statement, statement_lines__active=True
                ).values_list("amount", flat=True)
            )
            if statement.status == StatementStatus.RETURNED:
                assert active == 0 and not statement.lines.filter(active=True).exists()
            else:
                assert statement.total == active > 0, statement
            assert hasattr(statement, "payout") == (statement.status == StatementStatus.PAID)
        # Every accrual on an active line is on a statement still in play.
        assert not StatementLine.objects.filter(
            active=True, statement__status=StatementStatus.RETURNED
        ).exists()

    @invariant()
    def states_follow_the_documents(self):
        for accrual in selectors.with_states(CommissionAccrual.objects.select_related("outbound")):
            paid = PayoutItem.objects.filter(accrual=accrual).exists()
            live = StatementLine.objects.filter(accrual=accrual, active=True).exists()
            assert (accrual.state == State.PAID) == paid, accrual
            assert (accrual.state == State.ON_STATEMENT) == (live and not paid), accrual
            if accrual.state == State.PAYABLE and accrual.amount > 0:
                assert open_of(accrual.outbound) == 0, accrual

    @invariant()
    def what_would_be_missed_read_lean_is_what_the_whole_rows_say(self):
        whole = selectors.with_states(CommissionAccrual.objects.select_related("outbound"))
        expected = [
            (a.pk, a.state, a.reason)
            for a in sorted(whole, key=lambda a: (a.posting_date, a.pk))
            if a.state in {State.PAYABLE, State.WAITING}
        ]
        missed = selectors.missed(self.world.finance)
        assert [(a.pk, a.state, a.reason) for a in missed] == expected
        shown = selectors.in_full(missed, selectors.accrual_list(self.world.finance))
        assert [(a.pk, a.state, a.outbound_line.product_id) for a in shown] == [
            (a.pk, a.state, a.outbound_line.product_id) for a in missed
        ]

    @invariant()
    def the_bare_unpaid_accruals_have_the_states_of_the_whole_rows(self):
        """The workbench's sums read accruals bare, without reasons: the same states."""
        whole = {a.pk: a.state for a in selectors.with_states(CommissionAccrual.objects.all())}
        for user in (self.world.salesperson, self.world.finance):
            bare = selectors.with_states(selectors.unpaid_accruals(user, bare=True), reasons=False)
            unpaid = selectors.with_states(selectors.unpaid_accruals(user))
            assert {a.pk: a.state for a in bare} == {a.pk: a.state for a in unpaid}
            assert all(whole[a.pk] == a.state and a.reason == "" for a in bare)

    @invariant()
    def a_clawback_is_deducted_only_with_or_after_its_original(self):
        rows = {a.pk: a for a in selectors.with_states(CommissionAccrual.objects.select_related("outbound"))}
        live = dict(StatementLine.objects.filter(active=True).values_list("accrual", "statement"))
        for accrual in rows.values():
            if accrual.amount > 0 or accrual.state not in {State.ON_STATEMENT, State.PAID}:
                continue
            original = rows[accrual.original_id]
            if accrual.state == State.PAID:
                assert original.state == State.PAID, (accrual, original)
            else:
                together = live.get(original.pk) == live[accrual.pk]
                assert original.state == State.PAID or together, (accrual, original)


@pytest.fixture
def world(rebate_customer, product, other_product, assistant, salesperson, warehouse, finance, manager):
    catalog_services.rebate_set(
        customer=rebate_customer,
        product=other_product,
        rebate_unit_price=REBATES["B-220"],
        valid_from=days_ago(30),
        by=manager,
        payee_name="李小姐",
        payee_account="6228 4800 8765 4321",
    )
    return World(
        rebate_customer, [product, other_product], assistant, salesperson, warehouse, finance, manager
    )


@pytest.mark.django_db
def test_commissions_always_agree_with_their_model(world):
    run_state_machine_as_test(
        lambda: CommissionMachine(world),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # Nothing of the examples stays behind.
    assert not CommissionAccrual.objects.exists() and not CommissionStatement.objects.exists()
    assert not Outbound.objects.filter(status=OutboundStatus.POSTED).exists()
