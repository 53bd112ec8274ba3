"""Order-to-cash through the service layer, one process, on a database already full of history
(make one with `salesdesk gendata --scale 1`): an order of 3 lines is taken down, registered
(every review check), released, its outbound posted (created and posted in one step, as the
shipping page does), and a receipt settles it.

Run by hand (not by pytest), on a copy of a generated database (it adds orders):
    SALESDESK_DATA_DIR=<dir with salesdesk.sqlite3> python bench/order_to_cash.py [--orders 500]
    DATABASE_URL=postgres://... python bench/order_to_cash.py
Prints orders per second and the queries one order takes, by step, and the time spent in the
database itself (statements and commits): the floor no Python around them could go below.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--json", help="also write the figures to this file, for bench/targets.py")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of the last order")
    parser.add_argument(
        "--synchronous",
        choices=["full", "normal"],
        default="full",
        help="SQLite: normal leaves out the disk flush at each commit, to see the CPU cost alone",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection, connections
    from django.db.models import Count
    from django.utils import timezone

    from salesdesk.catalog.models import CustomerPrice
    from salesdesk.customers.models import Customer
    from salesdesk.orders import services as orders
    from salesdesk.receivables import selectors
    from salesdesk.receivables import services as receivables
    from salesdesk.warehouse import services as warehouse

    if connection.vendor == "sqlite" and args.synchronous == "normal":
        connection.ensure_connection()
        connection.cursor().execute("PRAGMA synchronous=NORMAL")
    # A customer in good standing (nothing overdue, no limit, in the home province) with many
    # agreed prices, and the busiest one of them by orders so far: the database is not empty for it.
    today = timezone.localdate()
    candidates = (
        Customer.objects.filter(credit_limit__isnull=True, prepayment_exception_by__isnull=True, rebate=True)
        .annotate(n=Count("orders", distinct=True))
        .order_by("-n")
    )
    customer = next(c for c in candidates if selectors.overdue_amount(c) == 0 and c.prices.count() >= 3)
    prices = list(
        CustomerPrice.objects.filter(customer=customer, valid_from__lte=today)
        .select_related("product")
        .order_by("product_id", "-valid_from")
    )
    products = list({p.product_id: p.product for p in prices}.values())[:3]
    assistant = User.objects.get(pk=customer.assistant_id)
    clerk = User.objects.filter(groups__name="warehouse").first()
    for product in products:
        warehouse.stock_inbound(product=product, quantity=Decimal(10 * args.orders), by=clerk)
    print(
        f"customer {customer.code}: {customer.n} orders so far; products {[p.model_code for p in products]}"
    )

    steps = Counter()
    queries = Counter()
    # The time spent in the database itself: running the statements and flushing the commits. It
    # is the floor under the whole path, however little Python ran around it.
    in_database = Counter()
    database = connections[connection.alias]
    commit = database.commit

    def timed_commit():
        started = time.perf_counter()
        commit()
        in_database["commits"] += time.perf_counter() - started

    database.commit = timed_commit  # the services' atomic blocks commit through it

    def timed(name, fn):
        # Statements are counted by a wrapper, not by Django's debug cursor: that one formats and
        # keeps every statement, which the server never does, and would be timed with the order.
        captured = []

        def count(execute, sql, params, many, context):
            captured.append(sql)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                in_database["statements"] += time.perf_counter() - started

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            result = fn()
        steps[name] += time.perf_counter() - started
        captured.append("COMMIT")  # each step is one transaction; its COMMIT is a round trip too
        queries[name] += len(captured)
        return result, captured

    one_order_sql = []
    per_order = []
    for _ in range(args.orders):
        started = time.perf_counter()
        order, q1 = timed(
            "create",
            lambda: orders.order_create(
                by=assistant,
                customer=customer,
                channel="phone",
                ship_method="pickup",
                collection_method="account",
                lines=[orders.LineInput(product=p, quantity=Decimal("2")) for p in products],
            ),
        )
        order, q2 = timed("register", lambda order=order: orders.order_register(order=order, by=assistant))
        assert order.status == "registered", order.status
        order, q3 = timed("release", lambda order=order: orders.order_release(order=order, by=assistant))
        take = [warehouse.ShipQuantity(line, line.quantity) for line in order.lines.all()]
        sale, q4 = timed(
            "post",
            # The shipping page's one button: the outbound created and posted in one transaction.
            lambda order=order, take=take: warehouse.outbound_ship(order=order, by=clerk, quantities=take),
        )
        _receipt, q5 = timed(
            "receipt",
            lambda sale=sale: receivables.receipt_create(
                customer=customer,
                by=assistant,
                amount=sale.amount,
                received_on=today,
                method="transfer",
                allocations=[receivables.AllocationInput(sale)],
            ),
        )
        per_order.append(time.perf_counter() - started)
        # The last order's SQL: the first pays for filling the per-user caches.
        one_order_sql = [*q1, *q2, *q3, *q4, *q5]

    total = sum(per_order)
    median = statistics.median(per_order) * 1000
    print(f"{args.orders} orders to cash: {args.orders / total:.1f} orders/s, median {median:.1f} ms")
    print(f"{'step':<10} {'ms/order':>9} {'queries/order':>14}")
    for name in ["create", "register", "release", "post", "receipt"]:
        print(f"{name:<10} {steps[name] / args.orders * 1000:>9.2f} {queries[name] / args.orders:>14.1f}")
    print(f"{'total':<10} {total / args.orders * 1000:>9.2f} {sum(queries.values()) / args.orders:>14.1f}")
    statements_ms = in_database["statements"] / args.orders * 1000
    commits_ms = in_database["commits"] / args.orders * 1000
    database_ms = statements_ms + commits_ms
    print(
        f"in the database: {database_ms:.2f} ms an order (statements {statements_ms:.2f}, "
        f"commits {commits_ms:.2f}): at most {1000 / database_ms:.0f} orders/s were the rest free"
    )
    if args.json:
        figures = {
            "engine": connection.vendor,
            "orders": args.orders,
            "orders_per_s": round(args.orders / total, 1),
            "median_ms": round(median, 1),
            "queries_per_order": round(sum(queries.values()) / args.orders, 1),
            "steps": {n: round(steps[n] / args.orders * 1000, 2) for n in steps},
            "statements_ms": round(statements_ms, 2),
            "commits_ms": round(commits_ms, 2),
        }
        Path(args.json).write_text(json.dumps(figures, indent=1))
    if args.show_queries:
        for sql in one_order_sql:
            print(sql[:300])


if __name__ == "__main__":
    main()
