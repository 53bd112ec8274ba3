"""`salesdesk gendata --scale N`: three years of a busy distributor, for measuring speed.

Scale 1 is 2,000 customers in the three series, 500 products and 200,000 orders (about
600,000 lines) with partial shipments, returns, receipts (some partial, some entered late),
COD, write-offs, invoice customers invoiced monthly (issued, mailed, received), rebate
customers with accruals and paid statements, calls and follow-ups.
The plan (plan.py) decides what happens; a writer writes it: `services` through the service
layer, one call per action, or `bulk` (the default) with the same rows built in memory and
inserted a month at a time. Memory stays bounded: only what is still open is kept.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from salesdesk.core.calendar import is_workday
from salesdesk.core.db import refresh_statistics
from salesdesk.gendata.bulk_customers import add_customers_in_bulk
from salesdesk.gendata.bulk_writer import BulkWriter
from salesdesk.gendata.clock import at_moment, aware
from salesdesk.gendata.company import Company, add_customers_through_services, build_company
from salesdesk.gendata.month_end import month_end
from salesdesk.gendata.plan import MonthEnd, Plan
from salesdesk.gendata.services_writer import ServiceWriter

# Each writer, and how it writes the customers.
WRITERS = {
    "bulk": (BulkWriter, add_customers_in_bulk),
    "services": (ServiceWriter, add_customers_through_services),
}


def generate(
    *,
    scale: float,
    seed: int = 2026,
    months: int = 36,
    via: str = "bulk",
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Company:
    """Fill an empty database with `months` of history ending yesterday."""
    plan = Plan(scale=scale, seed=seed, months=months, today=today or timezone.localdate())
    workday = lru_cache(maxsize=None)(is_workday)
    started = time.perf_counter()
    writer_class, add_customers = WRITERS[via]
    eve = aware(plan.start - dt.timedelta(days=1), dt.time(8, 0))
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic(), at_moment(eve):
        company = build_company(plan, add_customers=add_customers)
    if progress:
        took = time.perf_counter() - started
        progress(f"{len(company.customers)} customers, {len(company.products)} products ({took:.0f} s)")
    writer = writer_class(plan, company)
    for number, month in enumerate(plan.months()):
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            count = 0
            for at, event in plan.month(month, workday=workday, aware=aware):
                if isinstance(event, MonthEnd):
                    month_end(plan, company, writer, event, at)
                else:
                    writer.handle(at, event)
                    count += 1
            writer.flush()
        if number == 0:
            # The planner learns the tables' shape from the first month; PostgreSQL scales the
            # counts as they grow. Without it, in the generator's test (one long transaction that
            # autovacuum never sees, after an earlier test analysed the tables empty) PostgreSQL
            # takes the tables for empty and joins open orders to their lines by reading every
            # line for every order: a second per order reviewed.
            refresh_statistics()
        if progress:
            progress(f"{month:%Y-%m}: {count} events ({time.perf_counter() - started:.0f} s)")
    refresh_statistics()
    return company
