"""Where `salesdesk gendata` spends its time: the generator writes into an empty database, as the
command does, with a timer around each of its parts.

Run by hand (not by pytest), into an empty database:
    SALESDESK_DATA_DIR=$(mktemp -d) python bench/gendata_parts.py --scale 0.1
    DATABASE_URL=postgres://…/empty python bench/gendata_parts.py --scale 1
Prints the seconds of each part. Parts nest (the month's end holds the flush, the flush its
inserts), so the column does not add up to the total; the timers cost a few seconds at scale 1.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
import time
from collections import Counter

SPENT: Counter[str] = Counter()
CALLS: Counter[str] = Counter()


def timed(label: str, owner, name: str) -> None:
    """Time every call of `owner.name` under `label`."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - started
            CALLS[label] += 1

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.transaction import Atomic

    import salesdesk.gendata as gendata
    from salesdesk.calls import services as calls
    from salesdesk.commissions import services as commissions
    from salesdesk.demo import demo_is_needed
    from salesdesk.gendata import bulk_writer
    from salesdesk.receivables import services_credits as credits

    call_command("migrate", interactive=False, verbosity=0)
    if not demo_is_needed():
        sys.exit("gendata_parts: the database already has data; give it an empty one.")
    month_end = importlib.import_module("salesdesk.gendata.month_end")  # the package names the function
    writer = bulk_writer.BulkWriter
    parts = [
        ("people, products, customers", gendata, "build_company"),
        ("the day's events, in memory", writer, "handle"),
        ("the months' ends", gendata, "month_end"),
        ("  flush", writer, "flush"),
        ("    inserts (COPY on PostgreSQL)", bulk_writer, "insert"),
        ("    updates", bulk_writer, "update"),
        ("  returns", month_end, "_return"),
        ("  commission statements built", month_end, "_statements"),
        ("  statements approved", commissions, "statement_approve"),
        ("  statements paid", commissions, "statement_pay"),
        ("  statements confirmed", commissions, "statement_confirm"),
        ("  write-offs asked", credits, "write_off_request"),
        ("  write-offs approved", credits, "write_off_approve"),
        ("  follow-ups raised", calls, "follow_up_raise"),
        ("  follow-ups answered", calls, "follow_up_resolve"),
        ("  finance's ticks read", month_end, "finance_ticks"),
        ("  finance's ticks written", writer, "reconcile"),
        ("  read back", writer, "refresh"),
        ("transactions left (commits, and PostgreSQL's deferred key checks)", Atomic, "__exit__"),
        ("statistics", gendata, "refresh_statistics"),
    ]
    for label, owner, name in parts:
        timed(label, owner, name)
    started = time.perf_counter()
    gendata.generate(scale=args.scale)
    total = time.perf_counter() - started
    print(f"scale {args.scale} generated in {total:.1f} s")
    for label, _owner, _name in parts:
        print(f"{label:68} {SPENT[label]:8.2f} s  {CALLS[label]:9,} calls")


if __name__ == "__main__":
    main()
