"""One request at a time: a page as each role sees it, through the whole Django stack (middleware,
view, template), with the median time and the queries it makes.

Run by hand (not by pytest), on a generated database (`salesdesk gendata --scale 1`):
    SALESDESK_DATA_DIR=... python bench/pages.py [--url /] [--runs 10]
    SALESDESK_DATA_DIR=... python bench/pages.py --sweep [--runs 3] [--top 30]
    DATABASE_URL=postgres://... python bench/pages.py
By default the workbench (`/`) of the first active user of each role, by username. The page is
read once first (not counted), so caches a running server would have are warm, and then, as
the server does once warm (`salesdesk.core.warm`), what is loaded is frozen out of the
collector's full collections: without it one of them lands in a read now and then and adds
100 ms to it. `--sweep` times
every page without a parameter in its address (lists, worklists, reports, charts) for every
role that may open it, and prints the slowest: the pages nobody thought to time.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="/", help="the page to time (default: the workbench)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sweep", action="store_true", help="time every page without parameters")
    parser.add_argument("--top", type=int, default=30, help="with --sweep: how many of the slowest")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from salesdesk.core.roles import Role, role_of

    settings.ALLOWED_HOSTS = ["*"]
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    people = [(role, next((u for u in users if role_of(u) == role), None)) for role in Role]
    people = [(role, user) for role, user in people if user is not None]
    if args.sweep:
        sweep(people, runs=args.runs, top=args.top)
        return
    print(f"{connection.vendor}: {args.url}, median of {args.runs}")
    print(f"{'role':12} {'user':14} {'median ms':>10} {'max ms':>8} {'queries':>8} {'bytes':>9}")
    for role, user in people:
        client = Client()
        client.force_login(user)
        first = client.get(args.url)
        if first.status_code != 200:
            print(f"{role.value:12} {user.username:14} answered {first.status_code}")
            continue
        times, queries, answer = timed(client, args.url, args.runs)
        print(
            f"{role.value:12} {user.username:14} {statistics.median(times):10.1f} {max(times):8.1f}"
            f" {len(queries):8} {len(answer.content):9,}"
        )


def timed(client, url: str, runs: int) -> tuple[list[float], list, object]:
    """`runs` reads of `url`: each one's ms, the last one's statements and its answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gc.collect()
    gc.freeze()  # as a warm server process has (salesdesk.core.warm)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return times, queries.captured_queries, answer


# Not timed by the sweep: forms, posts and downloads, which other benches or nobody reads in a loop.
SKIPPED = ("new/", "import", "logout", "i18n", "build", "parse", "repeat", "find", "print")


def sweep(people, *, runs: int, top: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import URLResolver, get_resolver

    def addresses(patterns, prefix=""):
        for pattern in patterns:
            text = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not text.startswith(("api/", "admin/")):
                    yield from addresses(pattern.url_patterns, prefix + text)
            elif "<" not in text and not text.startswith("^"):
                yield "/" + prefix + text

    logging.disable(logging.WARNING)  # the pages a role may not open answer 403, each logged
    urls = sorted({u for u in addresses(get_resolver().url_patterns) if not any(s in u for s in SKIPPED)})
    found = []
    for role, user in people:
        client = Client()
        client.force_login(user)
        for url in urls:
            first = client.get(url)
            if first.status_code != 200 or first.streaming or url.endswith((".xlsx", ".pdf")):
                continue
            times, queries, _answer = timed(client, url, runs)
            found.append((statistics.median(times), role.value, url, len(queries)))
    print(f"{connection.vendor}: {len(urls)} pages, {len(found)} page and role pairs, median of {runs}")
    print(f"{'median ms':>10} {'queries':>8}  {'role':12} page")
    for median, role, url, count in sorted(found, reverse=True)[:top]:
        print(f"{median:10.1f} {count:8}  {role:12} {url}")


if __name__ == "__main__":
    main()
