"""One request at a time: a page as each role sees it, through the whole Django stack (middleware,
view, template), with the median time and the queries it makes.

Run by hand (not by pytest), on a generated database (`salesdesk gendata --scale 1`):
    SALESDESK_DATA_DIR=... python bench/pages.py [--url /] [--runs 10]
    DATABASE_URL=postgres://... python bench/pages.py
By default the workbench (`/`) of the first active user of each role, by username. The page is
read once first (not counted), so caches a running server would have are warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="/", help="the page to time (default: the workbench)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from salesdesk.core.roles import Role, role_of

    settings.ALLOWED_HOSTS = ["*"]
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    print(f"{connection.vendor}: {args.url}, median of {args.runs}")
    print(f"{'role':12} {'user':14} {'median ms':>10} {'max ms':>8} {'queries':>8} {'bytes':>9}")
    for role in Role:
        user = next((u for u in users if role_of(u) == role), None)
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        first = client.get(args.url)
        if first.status_code != 200:
            print(f"{role.value:12} {user.username:14} answered {first.status_code}")
            continue
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                answer = client.get(args.url)
                times.append((time.perf_counter() - started) * 1000)
        print(
            f"{role.value:12} {user.username:14} {statistics.median(times):10.1f} {max(times):8.1f}"
            f" {len(queries):8} {len(answer.content):9,}"
        )


if __name__ == "__main__":
    main()
