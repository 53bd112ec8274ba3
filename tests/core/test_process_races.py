"""Separate processes race for the same rows on PostgreSQL, as several server processes would.

The thread races beside each app cover SQLite, where IMMEDIATE transactions queue every
writer; here each clerk is a process of its own (spawned, Django set up against the test
database), so only PostgreSQL's row locks and constraints keep the books right. Every race
must end with the invariants holding, one winner where one is due, and a clear refusal for
the losers: a DomainError with its message, never an IntegrityError, a deadlock or a 500.

SALESDESK_RACE_REPEATS (default 3) sets how many times each race is run per test.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesdesk.commissions import services as commission_services
from salesdesk.commissions.models import CommissionPayout, CommissionStatement, PayoutItem, StatementStatus
from salesdesk.core.money import quantity_text
from salesdesk.core.roles import Role
from salesdesk.customers.models import Customer
from salesdesk.integrity import check_books
from salesdesk.orders.models import SalesOrder
from salesdesk.receivables.models import Allocation, Receipt
from salesdesk.warehouse import services as warehouse_services
from salesdesk.warehouse.models import Outbound, OutboundStatus, StockLevel, StockMove
from tests.commissions.conftest import pay_off, rebate_customer  # noqa: F401  (shared fixtures)
from tests.conftest import make_user
from tests.core.race_workers import IDLE, Outcome, serve
from tests.orders.conftest import customer, other_product, pickup_order, product  # noqa: F401  (shared fixtures)
from tests.receivables.conftest import debtor, open_of, sell  # noqa: F401  (shared fixtures)
from tests.warehouse.conftest import released, stocked  # noqa: F401  (shared fixtures)

ROUNDS = int(os.environ.get("SALESDESK_RACE_REPEATS", "3"))
WORKERS = 20  # the most any race below needs: twenty clerks after the last ten units
ANSWER_TIMEOUT = 120  # seconds for one worker's answer before the race counts as hung

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="process races need row locks (PostgreSQL); on SQLite IMMEDIATE transactions queue "
        "every writer, and the thread races beside each app cover that",
    ),
    pytest.mark.django_db(transaction=True),
]


class Workers:
    """A fixed set of spawned worker processes that act together, released by one barrier."""

    def __init__(self, size: int, database_url: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.barrier = context.Barrier(size)
        self.outbox = context.Queue()
        self.inboxes = [context.Queue() for _ in range(size)]
        self.processes = [
            context.Process(
                target=serve, args=(i, database_url, self.barrier, inbox, self.outbox), daemon=True
            )
            for i, inbox in enumerate(self.inboxes)
        ]
        for process in self.processes:
            process.start()
        ready = self._collect()
        assert all(o.value == "ready" for o in ready), ready

    def _collect(self) -> list[Outcome]:
        outcomes = []
        for _n in self.processes:
            try:
                outcomes.append(self.outbox.get(timeout=ANSWER_TIMEOUT))
            except queue.Empty:
                dead = [p.pid for p in self.processes if not p.is_alive()]
                pytest.fail(f"a worker did not answer (dead: {dead})")
        return sorted(outcomes, key=lambda o: o.worker)

    def race(self, tasks: list[tuple[str, dict[str, Any]]]) -> list[Outcome]:
        """Give task i to worker i (the rest sit out), release them together, return their outcomes."""
        assert len(tasks) <= len(self.processes)
        for i, inbox in enumerate(self.inboxes):
            inbox.put(tasks[i] if i < len(tasks) else (IDLE, {}))
        outcomes = [o for o in self._collect() if o.value != IDLE]
        unexpected = [o for o in outcomes if o.error and not o.error.startswith("salesdesk.core.errors.")]
        assert unexpected == [], "\n".join(f"{o.error}: {o.message}\n{o.trace}" for o in unexpected)
        return outcomes

    def stop(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()


def database_url_for_workers() -> str:
    """The test database (not the one named in DATABASE_URL) as a URL for the workers."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (
        f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    )
    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{where}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="module")
def workers(django_db_setup) -> Iterator[Workers]:
    pool = Workers(WORKERS, database_url_for_workers())
    yield pool
    pool.stop()


def in_any_language(render: Callable[[], str]) -> set[str]:
    """A message as the workers may say it: Chinese (the default) or English."""
    said = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            said.add(render())
    return said


def winners_and_losers(outcomes: list[Outcome]) -> tuple[list[Outcome], list[Outcome]]:
    return [o for o in outcomes if o.ok], [o for o in outcomes if not o.ok]


def assert_books_hold() -> None:
    assert [str(p) for p in check_books()] == []


def test_customers_and_orders_numbered_by_racing_processes_have_no_gap_and_no_twin(
    workers,
    customer,  # noqa: F811  (a fixture imported above)
    product,  # noqa: F811  (a fixture imported above)
    assistant,
):
    year = timezone.localdate().year
    per_worker = 3
    for round_ in range(ROUNDS):
        # when eight processes at once each create three customers, or take down and register three orders
        tasks = [
            ("customers", {"by": assistant.pk, "count": per_worker, "tag": f"{round_}-{i}"})
            if i % 2 == 0
            else (
                "orders",
                {"by": assistant.pk, "customer": customer.pk, "product": product.pk, "count": per_worker},
            )
            for i in range(8)
        ]
        outcomes = workers.race(tasks)

        # then every one succeeded, and each series runs from 1 with no gap and no twin
        assert [o for o in outcomes if not o.ok] == []
        codes = sorted(Customer.objects.values_list("code", flat=True))
        assert codes == [f"GS{n:05d}" for n in range(1, len(codes) + 1)]
        assert len(codes) == 1 + (round_ + 1) * 4 * per_worker  # the fixture's customer first
        numbers = sorted(SalesOrder.objects.values_list("number", flat=True))
        assert numbers == [f"XS{year}-{n:05d}" for n in range(1, (round_ + 1) * 4 * per_worker + 1)]
    assert_books_hold()


def test_the_last_ten_units_go_to_exactly_ten_of_twenty_racing_processes(
    workers,
    customer,  # noqa: F811  (a fixture imported above)
    product,  # noqa: F811  (a fixture imported above)
    assistant,
    warehouse,
    manager,
):
    # given twenty released orders of one unit each per round, taken down before any stock came in
    clerks = [warehouse, manager]
    orders = [
        released(pickup_order(assistant, customer, product, "1"), assistant) for _ in range(20 * ROUNDS)
    ]
    short = in_any_language(
        lambda: (
            _("Only %(have)s %(unit)s of %(code)s on hand; %(want)s wanted.")
            % {
                "have": quantity_text(Decimal("0")),
                "unit": product.unit,
                "code": product.model_code,
                "want": "1",
            }
        )
    )
    for round_ in range(ROUNDS):
        warehouse_services.stock_inbound(product=product, quantity=Decimal("10"), by=warehouse)

        # when twenty processes post one order each at the same moment
        batch = orders[20 * round_ : 20 * (round_ + 1)]
        outcomes = workers.race(
            [("ship", {"by": clerks[i % 2].pk, "order": o.pk}) for i, o in enumerate(batch)]
        )

        # then exactly ten ship, the other ten are told the stock is short, and stock ends at 0
        posted, refused = winners_and_losers(outcomes)
        assert (len(posted), len(refused)) == (10, 10), outcomes
        assert {(o.code, o.message) for o in refused} <= {("stock_short", m) for m in short}, refused
        assert StockLevel.objects.get(product=product).on_hand == 0
        assert Outbound.objects.filter(status=OutboundStatus.POSTED).count() == 10 * (round_ + 1)
        # The losers' outbounds went with their transactions: no draft is left behind.
        assert Outbound.objects.count() == 10 * (round_ + 1)
    assert sum(m.quantity for m in StockMove.objects.filter(product=product)) == 0
    assert_books_hold()


def test_two_receipts_settling_one_sale_at_once_settle_it_once(
    workers,
    debtor,  # noqa: F811  (a fixture imported above)
    product,  # noqa: F811  (a fixture imported above)
    assistant,
    finance,
    warehouse,
):
    clerks = [assistant, finance]
    for round_ in range(ROUNDS):
        # given one posted sale, all of it open
        sale = sell(debtor, product, "3", by=assistant, warehouse=warehouse)
        amount = open_of(sale)
        assert amount == sale.amount > 0
        settled = in_any_language(
            lambda sale=sale: _("Outbound %(n)s is already settled.") % {"n": sale.reference}
        )

        # when two processes enter a receipt for all of it, allocated to that sale, at the same moment
        outcomes = workers.race(
            [
                (
                    "receipt",
                    {"by": clerks[i].pk, "sale": sale.pk, "amount": str(amount), "reference": f"BANK-{i}"},
                )
                for i in range(2)
            ]
        )

        # then one settles it; the other is told it is settled and writes nothing
        paid, refused = winners_and_losers(outcomes)
        assert (len(paid), len(refused)) == (1, 1), outcomes
        assert refused[0].error == "salesdesk.core.errors.FieldErrors"
        assert list(refused[0].errors) == ["allocations[0].sale"]
        assert set(refused[0].errors["allocations[0].sale"]) <= settled, refused[0].errors
        assert open_of(sale) == 0
        assert [a.amount for a in Allocation.objects.filter(sale=sale)] == [amount]
        assert Receipt.objects.count() == round_ + 1
    assert_books_hold()


def test_approving_and_paying_one_commission_statement_twice_at_once_pays_once(
    workers,
    rebate_customer,  # noqa: F811  (a fixture imported above)
    product,  # noqa: F811  (a fixture imported above)
    assistant,
    finance,
    manager,
    warehouse,
):
    deputy = make_user("finance2", Role.FINANCE)
    for round_ in range(ROUNDS):
        # given a paid sale to a rebate customer, drawn up on a submitted statement
        pay_off(sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse), assistant)
        (statement,) = commission_services.statements_build(month=timezone.localdate(), by=assistant)

        # when two finance clerks approve it at the same moment
        outcomes = workers.race(
            [("approve", {"by": u.pk, "statement": statement.pk}) for u in (finance, deputy)]
        )

        # then one approves it and the other is told it is approved already
        approved, refused = winners_and_losers(outcomes)
        assert (len(approved), len(refused)) == (1, 1), outcomes
        statement.refresh_from_db()
        assert statement.status == StatementStatus.APPROVED
        already = in_any_language(
            lambda s=statement: (
                _("Statement %(n)s is %(s)s; only a submitted one is approved.")
                % {"n": s.number, "s": s.get_status_display()}
            )
        )
        assert (refused[0].code, refused[0].message) in {("not_submitted", m) for m in already}

        # when two clerks pay it at the same moment
        outcomes = workers.race(
            [
                ("pay", {"by": u.pk, "statement": statement.pk, "reference": f"工行 {i}"})
                for i, u in enumerate((finance, manager))
            ]
        )

        # then one payout is made, for the statement's total, and the other clerk is told it is paid
        paid, refused = winners_and_losers(outcomes)
        assert (len(paid), len(refused)) == (1, 1), outcomes
        told = in_any_language(lambda s=statement: _("Statement %(n)s is already paid.") % {"n": s.number})
        assert (refused[0].code, refused[0].message) in {("already_paid", m) for m in told}
        payout = CommissionPayout.objects.get(statement=statement)
        assert payout.pk == paid[0].value and payout.amount == statement.total > 0
        assert sum(i.amount for i in PayoutItem.objects.filter(payout=payout)) == statement.total
        assert CommissionPayout.objects.count() == round_ + 1
        statement.refresh_from_db()
        assert statement.status == StatementStatus.PAID
    assert CommissionStatement.objects.exclude(status=StatementStatus.PAID).count() == 0
    assert_books_hold()


def test_two_clerks_posting_the_same_outbound_at_once_post_it_once(
    workers,
    stocked,  # noqa: F811  (a fixture imported above)
    customer,  # noqa: F811  (a fixture imported above)
    product,  # noqa: F811  (a fixture imported above)
    assistant,
    warehouse,
    manager,
):
    # given one draft outbound of two units per round, each for its own released order
    drafts = []
    for _n in range(ROUNDS):
        order = released(pickup_order(assistant, customer, product, "2"), assistant)
        line = order.lines.get()
        drafts.append(
            warehouse_services.outbound_create(
                order=order, by=warehouse, quantities=[warehouse_services.ShipQuantity(line, Decimal("2"))]
            )
        )
    before = StockLevel.objects.get(product=product).on_hand
    for round_, draft in enumerate(drafts):
        # when two clerks post it at the same moment
        outcomes = workers.race([("post", {"by": u.pk, "outbound": draft.pk}) for u in (warehouse, manager)])

        # then it is posted once, its goods leave stock once, and the other clerk is told so
        posted, refused = winners_and_losers(outcomes)
        assert (len(posted), len(refused)) == (1, 1), outcomes
        draft.refresh_from_db()
        assert draft.status == OutboundStatus.POSTED and draft.number == posted[0].value
        told = in_any_language(lambda d=draft: _("Outbound %(n)s is already posted.") % {"n": d.number})
        assert (refused[0].code, refused[0].message) in {("already_posted", m) for m in told}
        assert StockMove.objects.filter(outbound=draft).count() == 1
        assert StockLevel.objects.get(product=product).on_hand == before - 2 * (round_ + 1)
    assert_books_hold()
