"""Eight clerks writing to one SQLite file at once, with the production settings: does any of
them ever meet "database is locked"?

Each writer loops for --seconds: take down an order, register and release it, post its
outbound, enter the money for it, all through the service layer. At the end it prints the
writes per writer, every error, the count of "database is locked", and whether the books
check holds; the exit code is 1 when anything failed.

Run by hand (not by pytest), in a data directory of its own:
    SALESDESK_DATA_DIR=$(mktemp -d) python bench/sqlite_writers.py [--seconds 60] [--writers 8] [--threads]
Writers are processes by default (several server processes, or an import beside the server);
--threads runs them as threads of one process, as the waitress server does.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

LOCKED = "database is locked"
STOCK_PER_WRITE = Decimal("1")


@dataclass(frozen=True)
class World:
    """Who writes and what about, as primary keys, so that a spawned process can load it."""

    assistant: int
    clerk: int
    customers: tuple[int, ...]
    product: int


@dataclass
class Tally:
    writer: int
    cycles: int = 0
    writes: int = 0
    locked: int = 0
    slowest: float = 0.0  # seconds of the slowest round: how close a writer came to the busy timeout
    errors: Counter = field(default_factory=Counter)
    where: dict[str, str] = field(default_factory=dict)  # the first traceback of each kind of error


def write_once(world: World, writer: int, n: int) -> int:
    """One clerk's round through the services; returns the number of writes it made."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from salesdesk.catalog.models import Product
    from salesdesk.customers.models import Customer
    from salesdesk.orders import services as orders
    from salesdesk.receivables import selectors
    from salesdesk.receivables import services as receivables
    from salesdesk.warehouse import services as warehouse
    from salesdesk.warehouse.selectors import order_lines_with_shipped

    assistant, clerk = User.objects.get(pk=world.assistant), User.objects.get(pk=world.clerk)
    customer = Customer.objects.get(pk=world.customers[writer % len(world.customers)])
    product = Product.objects.get(pk=world.product)
    order = orders.order_create(
        by=assistant,
        customer=customer,
        channel="phone",
        ship_method="pickup",
        collection_method="cash",
        lines=[orders.LineInput(product=product, quantity=STOCK_PER_WRITE)],
    )
    order = orders.order_release(order=orders.order_register(order=order, by=assistant), by=assistant)
    take = [
        warehouse.ShipQuantity(order_line=line, quantity=line.quantity)
        for line in order_lines_with_shipped(order)
    ]
    sale = warehouse.outbound_ship(order=order, by=clerk, quantities=take)
    writes = 4
    left = selectors.open_amount(sale)  # money already on account may have settled some of it
    if left > 0:
        receivables.receipt_create(
            customer=customer,
            by=assistant,
            amount=left,
            received_on=timezone.localdate(),
            method="transfer",
            reference=f"W{writer}-{n}",
            allocations=[receivables.AllocationInput(sale, left)],
        )
        writes += 1
    return writes


def run_writer(world: World, writer: int, start, until: float | None, cycles: int | None) -> Tally:
    """Write until the clock reaches `until` or `cycles` rounds are done; count what failed."""
    from django.db import connection

    tally = Tally(writer)
    start.wait(60)
    try:
        while (until is None or time.monotonic() < until) and (cycles is None or tally.cycles < cycles):
            tally.cycles += 1
            began = time.monotonic()
            try:
                tally.writes += write_once(world, writer, tally.cycles)
            except Exception as exc:  # noqa: BLE001  (counted and reported: that is the point)
                what = f"{type(exc).__name__}: {exc}"[:200]
                tally.locked += LOCKED in str(exc)
                tally.errors[what] += 1
                tally.where.setdefault(what, "".join(traceback.format_exception(exc)[-6:]))
            tally.slowest = max(tally.slowest, time.monotonic() - began)
    finally:
        connection.close()
    return tally


def run_threads(world: World, writers: int, *, seconds: float | None = None, cycles: int | None = None):
    """Run `writers` threads, each on its own connection; return their tallies."""
    start = threading.Barrier(writers)
    until = None if seconds is None else time.monotonic() + seconds
    tallies: list[Tally] = []

    def work(i: int) -> None:
        tallies.append(run_writer(world, i, start, until, cycles))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(tallies, key=lambda t: t.writer)


def _process_writer(world: World, writer: int, start, seconds: float, out) -> None:
    import django

    django.setup()
    out.put(run_writer(world, writer, start, time.monotonic() + seconds, None))


def run_processes(world: World, writers: int, seconds: float) -> list[Tally]:
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(writers), context.Queue()
    processes = [
        context.Process(target=_process_writer, args=(world, i, start, seconds, out)) for i in range(writers)
    ]
    for process in processes:
        process.start()
    tallies = [out.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    return sorted(tallies, key=lambda t: t.writer)


def report(tallies: list[Tally], seconds: float) -> int:
    """Print the tallies; the number of failed writes (0 when all went through)."""
    for t in tallies:
        print(
            f"writer {t.writer}: {t.cycles} rounds, {t.writes} writes, {sum(t.errors.values())} errors, "
            f"slowest round {t.slowest:.2f} s"
        )
    errors, where = Counter(), {}
    for t in tallies:
        errors.update(t.errors)
        where.update(t.where)
    for what, count in errors.most_common():
        print(f"  {count} x {what}, first seen at:\n{where[what]}")
    writes = sum(t.writes for t in tallies)
    print(
        f"total: {writes} writes in {seconds:.0f} s ({writes / seconds:.1f}/s), {sum(errors.values())} errors"
    )
    print(f"'{LOCKED}': {sum(t.locked for t in tallies)}")
    return sum(errors.values())


def prepare(writers: int, seconds: float) -> World:
    """A fresh database with the demo company, and stock for every write the writers can make."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from salesdesk.catalog.models import Product
    from salesdesk.customers.models import Customer
    from salesdesk.demo import load_demo
    from salesdesk.warehouse import services as warehouse

    call_command("migrate", verbosity=0)
    load_demo()
    clerk = User.objects.get(username="warehouse")
    product = Product.objects.get(model_code="A-101")
    # Far more than 8 writers can post in the time: a stock shortage would be a refusal, not a bench.
    warehouse.stock_inbound(product=product, quantity=Decimal(writers * seconds * 200), by=clerk)
    customers = tuple(Customer.objects.filter(code__in=["GS00001", "YW00001"]).values_list("pk", flat=True))
    return World(User.objects.get(username="assistant").pk, clerk.pk, customers, product.pk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--threads", action="store_true", help="threads of one process instead of processes")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        sys.exit("This bench is for SQLite: unset DATABASE_URL.")
    if "SALESDESK_DATA_DIR" not in os.environ:
        sys.exit("Set SALESDESK_DATA_DIR to an empty directory of its own.")
    os.environ.pop("SALESDESK_DEBUG", None)  # production settings: synchronous=FULL
    database = Path(os.environ["SALESDESK_DATA_DIR"]) / "sqlite-writers.sqlite3"
    for stale in database.parent.glob(database.name + "*"):
        stale.unlink()
    os.environ["SALESDESK_SQLITE_PATH"] = str(database)  # spawned writers read the same file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.db import connection

    from salesdesk.integrity import check_books

    world = prepare(args.writers, args.seconds)
    print(
        f"{args.writers} {'threads' if args.threads else 'processes'} writing to {database.name} "
        f"for {args.seconds:.0f} s"
    )
    pragmas = {
        p: connection.cursor().execute(f"PRAGMA {p}").fetchone()[0] for p in ("journal_mode", "synchronous")
    }
    options = connection.settings_dict["OPTIONS"]
    print(f"{pragmas} (synchronous 2 = FULL), {options['transaction_mode']}, timeout {options['timeout']} s")
    if args.threads:
        tallies = run_threads(world, args.writers, seconds=args.seconds)
    else:
        tallies = run_processes(world, args.writers, args.seconds)
    failed = report(tallies, args.seconds)
    problems = check_books()
    print(f"books check: {[str(p) for p in problems] or 'the books hold'}")
    integrity = connection.cursor().execute("PRAGMA integrity_check").fetchone()[0]
    print(f"integrity_check: {integrity}")
    return 1 if failed or problems or integrity != "ok" else 0


if __name__ == "__main__":
    sys.exit(main())
