"""Worker processes for the process-level races (test_process_races.py).

Each worker is a separate Python process, started once with the spawn method, that sets
Django up against the test database and then waits for orders: an action name and its
arguments (primary keys, plain values). It loads what the action needs, waits at a barrier
shared by every worker so that all of them act at the same moment, runs one service call
and reports what happened: the result, or the exception's class, code and message.

Nothing here imports Django at module level: a spawned child unpickles `serve` before
Django is set up.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

BARRIER_TIMEOUT = 60  # seconds: a worker that waits longer means another one hung


@dataclass
class Outcome:
    """What one worker saw. `error` is the exception class's dotted name, "" on success."""

    worker: int
    value: Any = None
    error: str = ""
    code: str = ""
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    trace: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _user(pk: int):
    from django.contrib.auth.models import User

    return User.objects.get(pk=pk)


def _customers(*, by: int, count: int, tag: str) -> Callable[[], Any]:
    from salesdesk.customers import services

    assistant = _user(by)
    return lambda: [
        services.customer_create(by=assistant, series="GS", name=f"并发客户 {tag}-{n}").code
        for n in range(count)
    ]


def _orders(*, by: int, customer: int, product: int, count: int) -> Callable[[], Any]:
    from salesdesk.catalog.models import Product
    from salesdesk.customers.models import Customer
    from salesdesk.orders import services
    from tests.orders.conftest import pickup_order

    assistant, buyer, item = _user(by), Customer.objects.get(pk=customer), Product.objects.get(pk=product)
    return lambda: [
        services.order_register(order=pickup_order(assistant, buyer, item, "1"), by=assistant).number
        for _n in range(count)
    ]


def _ship(*, by: int, order: int) -> Callable[[], Any]:
    from salesdesk.orders.models import SalesOrder
    from salesdesk.warehouse import services
    from salesdesk.warehouse.selectors import order_lines_with_shipped

    clerk, fresh = _user(by), SalesOrder.objects.get(pk=order)
    wanted = [
        services.ShipQuantity(order_line=line, quantity=line.quantity - line.shipped)
        for line in order_lines_with_shipped(fresh)
    ]
    return lambda: services.outbound_ship(order=fresh, by=clerk, quantities=wanted).number


def _post(*, by: int, outbound: int) -> Callable[[], Any]:
    from salesdesk.warehouse import services
    from salesdesk.warehouse.models import Outbound

    clerk, draft = _user(by), Outbound.objects.get(pk=outbound)
    return lambda: services.outbound_post(outbound=draft, by=clerk).number


def _receipt(*, by: int, sale: int, amount: str, reference: str) -> Callable[[], Any]:
    from django.utils import timezone

    from salesdesk.receivables import services
    from salesdesk.warehouse.models import Outbound

    clerk, posted = _user(by), Outbound.objects.select_related("customer").get(pk=sale)
    return lambda: (
        services.receipt_create(
            customer=posted.customer,
            by=clerk,
            amount=Decimal(amount),
            received_on=timezone.localdate(),
            method="transfer",
            reference=reference,
            allocations=[services.AllocationInput(posted, Decimal(amount))],
        ).number
    )


def _approve(*, by: int, statement: int) -> Callable[[], Any]:
    from salesdesk.commissions import services
    from salesdesk.commissions.models import CommissionStatement

    clerk, seen = _user(by), CommissionStatement.objects.get(pk=statement)
    return lambda: services.statement_approve(statement=seen, by=clerk).status


def _pay(*, by: int, statement: int, reference: str) -> Callable[[], Any]:
    from django.utils import timezone

    from salesdesk.commissions import services
    from salesdesk.commissions.models import CommissionStatement

    clerk, seen = _user(by), CommissionStatement.objects.get(pk=statement)
    return lambda: (
        services.statement_pay(statement=seen, by=clerk, paid_on=timezone.localdate(), reference=reference).pk
    )


ACTIONS: dict[str, Callable[..., Callable[[], Any]]] = {
    "customers": _customers,
    "orders": _orders,
    "ship": _ship,
    "post": _post,
    "receipt": _receipt,
    "approve": _approve,
    "pay": _pay,
}
IDLE = "idle"  # a worker that sits this race out still meets the others at the barrier


def _describe(worker: int, exc: BaseException) -> Outcome:
    kind = type(exc)
    return Outcome(
        worker=worker,
        error=f"{kind.__module__}.{kind.__qualname__}",
        code=str(getattr(exc, "code", "") or ""),
        message=str(getattr(exc, "message", exc)),
        errors={k: [str(m) for m in v] for k, v in getattr(exc, "errors", {}).items()},
        trace="".join(traceback.format_exception(exc))[-3000:],
    )


def _run_one(worker: int, barrier, name: str, kwargs: dict[str, Any]) -> Outcome:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    # Every transactional test empties the tables, content types included: forget their ids.
    ContentType.objects.clear_cache()
    work, outcome = None, None
    try:
        work = None if name == IDLE else ACTIONS[name](**kwargs)
    except Exception as exc:  # noqa: BLE001  (reported to the test, which judges it)
        outcome = _describe(worker, exc)
    try:
        # Meet the others even after a failed set-up, so that one mistake does not hang them all.
        barrier.wait(BARRIER_TIMEOUT)
        if outcome is None:
            outcome = Outcome(worker=worker, value=IDLE if work is None else work())
    except Exception as exc:  # noqa: BLE001
        outcome = _describe(worker, exc)
    finally:
        connection.close()  # hold no connection between races: the test empties tables after each
    return outcome


def serve(worker: int, database_url: str, barrier, inbox, outbox) -> None:
    """A worker's life: set Django up on the test database, then run races until told None."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    outbox.put(Outcome(worker=worker, value="ready"))
    while (task := inbox.get()) is not None:
        name, kwargs = task
        outbox.put(_run_one(worker, barrier, name, kwargs))
