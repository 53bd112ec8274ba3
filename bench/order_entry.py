"""How fast the order desk is: create, register (full review) and release orders through
the service layer, and fetch the busiest pages, on a fresh database.

Run by hand (not by pytest):
    SALESDESK_DATA_DIR=$(mktemp -d) python bench/order_entry.py [--orders 300]
Add DATABASE_URL=postgres://... to measure on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from salesdesk.catalog.models import Carrier, Product
    from salesdesk.customers.models import Customer
    from salesdesk.demo import demo_is_needed, load_demo
    from salesdesk.orders import services

    call_command("migrate", verbosity=0)
    if demo_is_needed():
        load_demo()
    assistant = User.objects.get(username="assistant")
    customer = Customer.objects.get(code="GS00001")
    carrier = Carrier.objects.get(name="联昊通")
    products = list(Product.objects.filter(model_code__in=["A-101", "B-220", "C-310"]))
    from salesdesk.warehouse.services import stock_inbound

    for product in products:  # most orders find their goods in stock
        stock_inbound(
            product=product, quantity=Decimal(10 * args.orders), by=User.objects.get(username="warehouse")
        )

    timings, queries = [], []
    for _ in range(args.orders):
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            order = services.order_create(
                by=assistant,
                customer=customer,
                channel="phone",
                ship_method="express",
                carrier=carrier,
                collection_method="cod",
                lines=[services.LineInput(product=p, quantity=Decimal("2")) for p in products],
            )
            order = services.order_register(order=order, by=assistant)
            services.order_release(order=order, by=assistant)
        timings.append(time.perf_counter() - started)
        queries.append(len(captured))
    total = sum(timings)
    print(f"engine: {connection.vendor}")
    rate = args.orders / total
    print(f"orders of 3 lines created, registered, released: {args.orders} in {total:.2f} s = {rate:.1f}/s")
    median_ms = statistics.median(timings) * 1000
    print(f"per order: median {median_ms:.1f} ms, queries median {statistics.median(queries)}")

    client = Client()
    client.force_login(assistant)
    for url in [
        "/",
        "/orders/",
        "/orders/new/",
        f"/orders/{order.number}/",
        "/customers/",
        "/orders/register/",
    ]:
        client.get(url)  # warm
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, url
        samples.sort()
        median_ms, p95_ms = statistics.median(samples) * 1000, samples[18] * 1000
        print(f"GET {url:<28} median {median_ms:6.1f} ms   p95 {p95_ms:6.1f} ms")


if __name__ == "__main__":
    main()
