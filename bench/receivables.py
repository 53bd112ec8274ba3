"""How fast money moves: post sales and settle them with receipts through the service layer,
then draw the pages finance opens most (ledger, customer AR, month-end), on a fresh database.

Run by hand (not by pytest):
    SALESDESK_DATA_DIR=$(mktemp -d) python bench/receivables.py [--sales 200]
Add DATABASE_URL=postgres://... to measure on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from decimal import Decimal


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from salesdesk.catalog.models import Product
    from salesdesk.customers.models import Customer
    from salesdesk.demo import demo_is_needed, load_demo
    from salesdesk.orders import services as orders
    from salesdesk.receivables import selectors
    from salesdesk.receivables import services as receivables
    from salesdesk.warehouse import services as warehouse

    call_command("migrate", verbosity=0)
    if demo_is_needed():
        load_demo()
    assistant, clerk = User.objects.get(username="assistant"), User.objects.get(username="warehouse")
    customer = Customer.objects.get(code="GS00001")
    product = Product.objects.get(model_code="A-101")
    warehouse.stock_inbound(product=product, quantity=Decimal(5 * args.sales), by=clerk)

    posting, paying = [], []
    for _ in range(args.sales):
        order = orders.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="cash",
            lines=[orders.LineInput(product=product, quantity=Decimal("2"))],
        )
        order = orders.order_release(order=orders.order_register(order=order, by=assistant), by=assistant)
        started = time.perf_counter()
        take = [warehouse.ShipQuantity(order_line=order.lines.get(), quantity=Decimal("2"))]
        sale = warehouse.outbound_post(
            outbound=warehouse.outbound_create(order=order, by=clerk, quantities=take), by=clerk
        )
        posting.append(time.perf_counter() - started)
        started = time.perf_counter()
        receivables.receipt_create(
            customer=customer,
            by=assistant,
            amount=sale.amount - Decimal("0.50"),
            received_on=timezone.localdate(),
            method="transfer",
            note="抹零",
        )
        paying.append(time.perf_counter() - started)

    ar = selectors.customer_ar(customer)
    assert ar.open_total - ar.unapplied == ar.balance
    print(f"{args.sales} sales posted: {_ms(posting)} each ({len(posting) / sum(posting):.1f}/s)")
    print(f"{args.sales} receipts, oldest first: {_ms(paying)} each ({len(paying) / sum(paying):.1f}/s)")
    print(f"GS00001: balance {ar.balance}, {len(ar.open_items)} open items")

    client = Client()
    client.force_login(User.objects.get(username="finance"))
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    for url in [
        "/receivables/",
        f"/receivables/customers/{customer.code}/",
        "/receivables/receipts/",
        f"/receivables/documents/month-end/?month={month:%Y-%m}",
        "/",
    ]:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, url
        print(f"GET {url}: {_ms(times)}")


if __name__ == "__main__":
    main()
