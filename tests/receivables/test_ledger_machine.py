"""The ledger against a pure-Python model of it (RELIABILITY test 1, after TigerBeetle's auditor).

Hypothesis drives random sequences of sales (some posted on earlier days), receipts (oldest
first or settling a chosen sale), returns, exchanges, write-offs (approved or rejected) and
prepaid orders shipped later, for two customers. After every step:

* each customer's balance equals the model's Σ sales − Σ returns − Σ write-offs − Σ receipts, to the cent;
* no sale, receipt or credit is settled beyond its amount, and only posted sales are settled;
* open sales − money and credits not yet applied = balance (two independent sums);
* the month-end ledger row, the statement and the aging all close on the same balance;
* the ledger of a recent period, worked back from what is open, equals the sum of every document;
* the collection list, read from what is open, equals the sum of every document and the model;
* stock on hand is never negative, equals the sum of its moves, and equals the model's.

Each example runs inside a savepoint that is rolled back afterwards, so every example starts
from the same customers, prices and stock. On SQLite the default settings (30 examples of up
to 15 steps) finish in well under a minute; nightly runs raise them with
SALESDESK_HYPOTHESIS_EXAMPLES and SALESDESK_HYPOTHESIS_STEPS.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
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
from salesdesk.core.money import line_amount
from salesdesk.customers.models import Customer
from salesdesk.orders import services as order_services
from salesdesk.orders.models import CheckResult
from salesdesk.receivables import selectors, services, services_credits
from salesdesk.receivables.models import Allocation, Receipt
from salesdesk.warehouse import services as stock
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus, StockLevel, StockMove
from tests.factories import days_ago
from tests.orders.conftest import pickup_order
from tests.receivables.conftest import another_customer, sell
from tests.warehouse.conftest import ship

EXAMPLES = int(os.environ.get("SALESDESK_HYPOTHESIS_EXAMPLES", "30"))
STEPS = int(os.environ.get("SALESDESK_HYPOTHESIS_STEPS", "15"))
ZERO = Decimal("0.00")
# The agreed prices of both customers, in force for the last 30 days (sales go back at most 25).
PRICES = {"A-101": Decimal("349.60"), "B-220": Decimal("243.80")}


@dataclass
class World:
    customers: list[Customer]
    products: list
    assistant: object
    salesperson: object
    warehouse: object
    finance: object
    manager: object


@dataclass
class Line:
    """A line of a posted sale, as the model knows it."""

    customer: int
    sale: int
    product: object
    price: Decimal
    returnable: Decimal


def _sum(values) -> Decimal:
    return sum(values, ZERO)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, world: World):
        super().__init__()
        self.world = world
        self.savepoint = transaction.savepoint()
        self.owed = {c.pk: ZERO for c in world.customers}
        self.on_hand = {p.pk: StockLevel.objects.get(product=p).on_hand for p in world.products}
        self.lines: dict[int, Line] = {}
        self.waiting: list[tuple[int, object, Decimal, Decimal]] = []  # prepaid orders not yet shipped

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ----------------------------------------------------------------------------

    def _customer(self, index: int) -> Customer:
        return self.world.customers[index % len(self.world.customers)]

    def _ensure_stock(self, product, quantity: Decimal) -> None:
        if self.on_hand[product.pk] < quantity:
            stock.stock_inbound(product=product, quantity=Decimal("100"), by=self.world.warehouse)
            self.on_hand[product.pk] += Decimal("100")

    def _record_sale(self, customer: Customer, sale: Outbound) -> None:
        for line in sale.lines.select_related("product"):
            price = line.unit_price
            assert price == PRICES[line.product.model_code], (line, price)
            self.lines[line.pk] = Line(customer.pk, sale.pk, line.product, price, line.quantity)
            self.owed[customer.pk] += line_amount(line.quantity, price)
            self.on_hand[line.product.pk] -= line.quantity

    # --- rules ------------------------------------------------------------------------------

    @rule(
        who=st.integers(0, 1),
        product=st.integers(0, 1),
        quantity=st.integers(1, 6),
        days_back=st.sampled_from([0, 0, 0, 3, 12, 25]),
    )
    def post_a_sale(self, who, product, quantity, days_back):
        customer, item = self._customer(who), self.world.products[product]
        self._ensure_stock(item, Decimal(quantity))
        w = self.world
        sale = sell(
            customer,
            item,
            str(quantity),
            by=w.assistant,
            warehouse=w.warehouse,
            day=timezone.localdate() - dt.timedelta(days=days_back) if days_back else None,
            approver=w.manager,
        )
        assert sale.amount == line_amount(Decimal(quantity), PRICES[item.model_code])
        self._record_sale(customer, sale)

    @rule(
        who=st.integers(0, 1),
        cents=st.integers(1, 120_000),
        days_back=st.sampled_from([0, 0, 1, 7]),
        chosen=st.booleans(),
        data=st.data(),
    )
    def enter_a_receipt(self, who, cents, days_back, chosen, data):
        customer = self._customer(who)
        amount = Decimal(cents) / 100
        allocations = None
        open_sales = selectors.open_sales(customer)
        if chosen and open_sales:
            sale = data.draw(st.sampled_from(open_sales), label="sale")
            most = int(min(sale.open_amount, amount) * 100)
            take = Decimal(data.draw(st.integers(1, most), label="cents settled")) / 100
            allocations = [services.AllocationInput(sale, take)]
        services.receipt_create(
            customer=customer,
            by=self.world.assistant,
            amount=amount,
            received_on=timezone.localdate() - dt.timedelta(days=days_back),
            method="transfer",
            allocations=allocations,
            note="随机收款",
        )
        self.owed[customer.pk] -= amount

    @precondition(lambda self: any(line.returnable > 0 for line in self.lines.values()))
    @rule(data=st.data(), exchange=st.booleans(), new_quantity=st.integers(1, 3))
    def return_goods(self, data, exchange, new_quantity):
        candidates = sorted(pk for pk, line in self.lines.items() if line.returnable > 0)
        pk = data.draw(st.sampled_from(candidates), label="line")
        line = self.lines[pk]
        quantity = Decimal(data.draw(st.integers(1, int(line.returnable)), label="quantity back"))
        original = Outbound.objects.get(pk=line.sale)
        back = [services_credits.ReturnLineInput(original.lines.get(pk=pk), quantity)]
        customer = Customer.objects.get(pk=line.customer)
        w = self.world
        if exchange:
            item = next(p for p in w.products if p.pk != line.product.pk)
            self._ensure_stock(item, Decimal(new_quantity))
            new = [services_credits.NewLineInput(item, Decimal(new_quantity), PRICES[item.model_code])]
            returned, sale = services_credits.exchange_post(
                original=original,
                by=w.assistant,
                lines=back,
                new_lines=new,
                reason="换货",
                agreed_by=w.salesperson,
            )
            self._record_sale(customer, sale)
        else:
            returned = services_credits.return_post(
                original=original, by=w.assistant, lines=back, reason="退货", agreed_by=w.salesperson
            )
        assert returned.amount == -line_amount(quantity, line.price)
        line.returnable -= quantity
        self.owed[line.customer] -= line_amount(quantity, line.price)
        self.on_hand[line.product.pk] += quantity

    @rule(who=st.integers(0, 1), approve=st.booleans(), data=st.data())
    def write_off(self, who, approve, data):
        customer = self._customer(who)
        open_sales = selectors.open_sales(customer)
        if not open_sales:
            return
        sale = data.draw(st.sampled_from(open_sales), label="sale")
        amount = Decimal(data.draw(st.integers(1, int(sale.open_amount * 100)), label="cents")) / 100
        w = self.world
        proposal = services_credits.write_off_request(
            customer=customer,
            by=w.finance,
            items=[services_credits.WriteOffInput(sale, amount)],
            reason="坏账",
        )
        if approve:
            posted = services_credits.write_off_approve(write_off=proposal, by=w.manager)
            assert posted.amount == -amount
            self.owed[customer.pk] -= amount
        else:
            services_credits.write_off_reject(write_off=proposal, by=w.manager, reason="还能收回")

    @rule(who=st.integers(0, 1), product=st.integers(0, 1), quantity=st.integers(1, 4))
    def prepay_an_order(self, who, product, quantity):
        customer, item = self._customer(who), self.world.products[product]
        w = self.world
        order = order_services.order_register(
            order=pickup_order(w.assistant, customer, item, str(quantity)), by=w.assistant
        )
        total = line_amount(Decimal(quantity), PRICES[item.model_code])
        services.receipt_create(
            customer=customer,
            by=w.assistant,
            amount=total,
            received_on=timezone.localdate(),
            method="transfer",
            order=order,
            note="款到发货",
        )
        self.owed[customer.pk] -= total
        order.refresh_from_db()
        for check in order.checks.filter(result=CheckResult.FAILED):
            order = order_services.order_override(order=order, by=w.manager, code=check.code, reason="特批")
        order = order_services.order_release(order=order, by=w.assistant)
        self.waiting.append((customer.pk, order, Decimal(quantity), total))

    @precondition(lambda self: bool(self.waiting))
    @rule(data=st.data())
    def ship_a_prepaid_order(self, data):
        customer_pk, order, quantity, total = self.waiting.pop(
            data.draw(st.integers(0, len(self.waiting) - 1), label="order")
        )
        self._ensure_stock(order.lines.get().product, quantity)
        sale = ship(order, self.world.warehouse)
        assert sale.amount == total
        self._record_sale(Customer.objects.get(pk=customer_pk), sale)

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def balances_match_the_model(self):
        today = timezone.localdate()
        rows = {
            row.customer.pk: row
            for row in selectors.ledger_rows(Customer.objects.all(), today - dt.timedelta(days=40), today)
        }
        for customer in self.world.customers:
            balance = selectors.balance(customer)
            assert balance == self.owed[customer.pk], (customer, balance, self.owed[customer.pk])
            ar = selectors.customer_ar(customer)
            unapplied = _sum(r.unapplied for r in selectors.receipts_with_unapplied(customer)) + _sum(
                c.unapplied for c in selectors.credits_with_unapplied(customer)
            )
            assert ar.balance == balance
            assert ar.open_total - unapplied == balance, (ar.open_total, unapplied, balance)
            assert ar.unapplied == unapplied
            assert _sum(ar.buckets.values()) == _sum(s.open_amount for s in ar.open_items)
            if balance or customer.pk in rows:
                assert rows[customer.pk].closing == balance
            view = selectors.statement_view(customer, today - dt.timedelta(days=40), today)
            assert view.closing == balance

    @invariant()
    def the_ledger_ages_each_day_as_the_customers_open_sales_on_that_day(self):
        # On a past day the ledger adds what settled each sale after it to what is open now;
        # `customer_ar` sums each sale's settlements up to that day: two ways to the same aging.
        today = timezone.localdate()
        for back in (0, 2, 10):
            day = today - dt.timedelta(days=back)
            rows = {
                row.customer.pk: row.buckets
                for row in selectors.ledger_rows(Customer.objects.all(), day - dt.timedelta(days=40), day)
            }
            for customer in self.world.customers:
                if customer.pk in rows:  # a customer the ledger lists on that day
                    assert rows[customer.pk] == selectors.customer_ar(customer, as_of=day).buckets, day

    @invariant()
    def the_ledger_works_back_from_what_is_open_as_the_documents_add_up(self):
        # A recent period's ledger works its balances back from what is open today through the
        # documents since it began; the books check sums every document since the first. Periods
        # that begin today, among the documents and before the first of them, ending today or
        # earlier, with documents after their end.
        today = timezone.localdate()

        def figures(rows):
            return [
                (
                    row.customer.pk,
                    row.opening,
                    row.sales,
                    row.returns,
                    row.write_offs,
                    row.receipts,
                    row.buckets,
                )
                for row in rows
            ]

        customers = Customer.objects.all()
        for back, ends in ((0, 0), (3, 0), (40, 0), (10, 3), (40, 10), (3, 3), (40, 30)):
            start, end = today - dt.timedelta(days=back), today - dt.timedelta(days=ends)
            worked_back = figures(selectors.ledger_rows(customers, start, end))
            assert worked_back == figures(selectors.ledger_rows(customers, start, end, from_documents=True))
            assert len(worked_back) == len({row[0] for row in worked_back}), (start, end)

    @invariant()
    def the_collection_list_reads_from_what_is_open_as_the_documents_add_up(self):
        def figures(groups):
            return {
                person: [(row.customer.pk, row.balance, row.overdue, row.oldest_open) for row in rows]
                for person, rows in groups.items()
            }

        from_open = figures(selectors.collection_list(self.world.manager))
        assert from_open == figures(selectors.collection_list(self.world.manager, from_documents=True))
        listed = {row[0]: row for rows in from_open.values() for row in rows}
        assert {pk: row[1] for pk, row in listed.items()} == {
            pk: owed for pk, owed in self.owed.items() if owed > 0
        }
        for customer in self.world.customers:
            if customer.pk in listed:
                ar = selectors.customer_ar(customer)
                oldest = min((sale.posting_date for sale in ar.open_items), default=None)
                assert listed[customer.pk][2:] == (ar.overdue, oldest), customer

    @invariant()
    def nothing_is_settled_beyond_its_amount(self):
        by_sale, by_receipt, by_credit = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
        for sale, receipt, credit, amount in Allocation.objects.values_list(
            "sale", "receipt", "credit", "amount"
        ):
            by_sale[sale] += amount
            if receipt:
                by_receipt[receipt] += amount
            else:
                by_credit[credit] += amount
        outbounds = {o.pk: o for o in Outbound.objects.filter(pk__in=[*by_sale, *by_credit])}
        for pk, settled in by_sale.items():
            sale = outbounds[pk]
            assert sale.kind == OutboundKind.SALE and sale.status == OutboundStatus.POSTED, sale
            assert settled <= sale.amount, (sale, settled)
        for pk, settled in by_credit.items():
            credit = outbounds[pk]
            assert credit.kind != OutboundKind.SALE and credit.status == OutboundStatus.POSTED, credit
            assert settled <= -credit.amount, (credit, settled)
        amounts = dict(Receipt.objects.values_list("pk", "amount"))
        for pk, settled in by_receipt.items():
            assert settled <= amounts[pk], (pk, settled)

    @invariant()
    def stock_is_the_sum_of_its_moves(self):
        moved = defaultdict(Decimal)
        for product, quantity in StockMove.objects.values_list("product", "quantity"):
            moved[product] += quantity
        for level in StockLevel.objects.all():
            assert level.on_hand >= 0
            assert level.on_hand == moved[level.product_id], level
        for product in self.world.products:
            assert StockLevel.objects.get(product=product).on_hand == self.on_hand[product.pk]


@pytest.fixture
def world(debtor, product, other_product, assistant, salesperson, warehouse, finance, manager):
    walk_in = another_customer(assistant, salesperson)
    for item, price in ((product, PRICES["A-101"]), (other_product, PRICES["B-220"])):
        catalog_services.price_set(
            customer=walk_in, product=item, unit_price=price, valid_from=days_ago(30), by=assistant
        )
    return World(
        [debtor, walk_in], [product, other_product], assistant, salesperson, warehouse, finance, manager
    )


@pytest.mark.django_db
def test_the_ledger_always_agrees_with_its_model(world):
    run_state_machine_as_test(
        lambda: LedgerMachine(world),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # Nothing of the examples stays behind.
    assert not Receipt.objects.exists()
    assert not Outbound.objects.exclude(status=OutboundStatus.DRAFT).exists()
