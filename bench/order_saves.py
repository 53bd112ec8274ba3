"""Saved orders one after another through the order form, as the load run's clients send it, with
the time of each save: where the slow ones fall, and whether SQLite's checkpoints cause them.

Run by hand (not by pytest), on a copy of a generated database (it adds orders):
    SALESDESK_DATA_DIR=<copy of scale 1> python bench/order_saves.py [--orders 400]
    SALESDESK_DATA_DIR=<another copy> python bench/order_saves.py --no-checkpoints
`--no-checkpoints` leaves SQLite's checkpoints out of the connection (`wal_autocheckpoint=0`),
as the server does, which then runs them from a thread of its own (`core.checkpoints`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--no-checkpoints", action="store_true")
    parser.add_argument("--password", default="salesdesk-demo-2026")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    import load  # the load run's users, customers and order form

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    work = load.load_workload([], load._mix(load.DEFAULT_MIX))
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    if args.no_checkpoints and connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.cursor().execute("PRAGMA wal_autocheckpoint=0")
    clients = []
    for n, persona in enumerate(work.personas):
        browser = Client()
        browser.force_login(User.objects.get(username=persona.username))
        clients.append((load.Client(n, persona, work, args.password, 0, 0), browser))
    times = []
    for n in range(args.orders):
        client, browser = clients[n % len(clients)]
        _, path, form, expected = client._request("order_entry")
        started = time.perf_counter()
        answer = browser.post(path, form)
        times.append(time.perf_counter() - started)
        if answer.status_code != expected:
            raise SystemExit(f"order_saves: save {n} answered {answer.status_code}")
    ranked = [t * 1000 for t in sorted(times)]
    p95, p99 = ranked[int(len(ranked) * 0.95)], ranked[int(len(ranked) * 0.99)]
    print(
        f"{args.orders} saves: median {statistics.median(ranked):.1f} ms, "
        f"p95 {p95:.1f}, p99 {p99:.1f}, slowest {ranked[-1]:.1f}"
    )
    slow = [f"#{n} {t * 1000:.0f} ms" for n, t in enumerate(times) if t > 0.1]
    print("over 100 ms:", ", ".join(slow) or "none")


if __name__ == "__main__":
    main()
