"""The money reports against their physical limit: for AR aging, the summary (报表汇总), the
cumulative AR detail (累计应收账款明细表) and the sales detail (销售明细) of one month, the
application's path (the report built for the manager and serialised to JSON as the API does it)
is timed against one hand-written SQL query that returns the same numbers, on the same database
and the same indexes. The numbers are compared first (totals, row count and every row), so the
race is between two ways of getting the same answer. Then one customer's AR page, for the
busiest customer and a median one: the page and the selector alone, with their query counts.

Run by hand (not by pytest) on a database that `salesdesk gendata` filled:
    SALESDESK_DATA_DIR=$(mktemp -d) salesdesk gendata --scale 0.1
    SALESDESK_DATA_DIR=<the same> python bench/reports_vs_sql.py [--repeat 5] [--month 2026-10]
On PostgreSQL, `createdb sd_bench` and give both commands
    DATABASE_URL=postgres://salesdesk:salesdesk@127.0.0.1:5432/sd_bench
The month is the last full month unless given. Target: the application within 1.5x of its SQL,
and a customer's AR page under 50 ms whatever the size of the database (compare scales).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

TARGET = 1.5
PAGE_TARGET_MS = 50

# --- the hand-written queries ------------------------------------------------------------------
# Each takes %(from)s and %(to)s, and on aging %(due_0)s..%(due_90)s: the due dates that begin
# each bucket, worked out in Python so the same text runs on SQLite and PostgreSQL. The aging is
# computed sale by sale (amount less what settled it by the day), not as the application does it
# (what is open now plus what settled after the day), so the comparison also checks that the two
# ways agree.

LEDGER_CTES = """
WITH o AS (
    SELECT customer_id,
        SUM(CASE WHEN posting_date < %(from)s THEN amount ELSE 0 END) AS before,
        SUM(CASE WHEN posting_date >= %(from)s AND kind = 'sale' THEN amount ELSE 0 END) AS sales,
        SUM(CASE WHEN posting_date >= %(from)s AND kind = 'return' THEN amount ELSE 0 END) AS returns,
        SUM(CASE WHEN posting_date >= %(from)s AND kind = 'bad_debt' THEN amount ELSE 0 END) AS write_offs
    FROM warehouse_outbound
    WHERE status = 'posted' AND posting_date <= %(to)s
    GROUP BY customer_id
), r AS (
    SELECT customer_id,
        SUM(CASE WHEN received_on < %(from)s THEN amount ELSE 0 END) AS paid_before,
        SUM(CASE WHEN received_on >= %(from)s THEN amount ELSE 0 END) AS paid
    FROM receivables_receipt
    WHERE received_on <= %(to)s
    GROUP BY customer_id
), l AS (
    SELECT c.id, c.code, c.name, COALESCE(NULLIF(u.first_name, ''), u.username) AS salesperson,
        COALESCE(o.before, 0) - COALESCE(r.paid_before, 0) AS opening,
        COALESCE(o.sales, 0) AS sales, COALESCE(o.returns, 0) AS returns,
        COALESCE(r.paid, 0) AS receipts, COALESCE(o.write_offs, 0) AS write_offs
    FROM customers_customer c
    LEFT JOIN auth_user u ON u.id = c.salesperson_id
    LEFT JOIN o ON o.customer_id = c.id
    LEFT JOIN r ON r.customer_id = c.id
    WHERE o.customer_id IS NOT NULL OR r.customer_id IS NOT NULL
), l2 AS (
    SELECT l.*, opening + sales + returns + write_offs - receipts AS closing FROM l
)"""

AGING_CTES = """, s AS (
    SELECT o.customer_id, o.due_date, o.amount - COALESCE(SUM(a.amount), 0) AS open
    FROM warehouse_outbound o
    LEFT JOIN receivables_allocation a ON a.sale_id = o.id AND a.date <= %(to)s
    WHERE o.kind = 'sale' AND o.status = 'posted' AND o.posting_date <= %(to)s
    GROUP BY o.id, o.customer_id, o.due_date, o.amount
), g AS (
    SELECT customer_id,
        SUM(CASE WHEN due_date IS NULL OR due_date >= %(due_0)s THEN open ELSE 0 END) AS not_due,
        SUM(CASE WHEN due_date < %(due_0)s AND due_date >= %(due_30)s THEN open ELSE 0 END) AS d1_30,
        SUM(CASE WHEN due_date < %(due_30)s AND due_date >= %(due_60)s THEN open ELSE 0 END) AS d31_60,
        SUM(CASE WHEN due_date < %(due_60)s AND due_date >= %(due_90)s THEN open ELSE 0 END) AS d61_90,
        SUM(CASE WHEN due_date < %(due_90)s THEN open ELSE 0 END) AS over_90,
        SUM(open) AS open_total
    FROM s WHERE open > 0.005
    GROUP BY customer_id
)"""

# Not zero, to the cent: SQLite adds amounts as floats, so a settled account can sum to 1e-12.
MOVED_FIELDS = ("opening", "closing", "sales", "returns", "write_offs", "receipts")
MOVED = "(" + " OR ".join(f"ABS({name}) >= 0.005" for name in MOVED_FIELDS) + ")"
BUCKETS_SQL = (
    "COALESCE(g.not_due, 0), COALESCE(g.d1_30, 0), COALESCE(g.d31_60, 0), COALESCE(g.d61_90, 0), "
    "COALESCE(g.over_90, 0)"
)

SQL = {
    "summary": f"""{LEDGER_CTES}
SELECT code, name, salesperson, opening, sales, returns, receipts, write_offs, closing
FROM l2 WHERE {MOVED} ORDER BY code""",
    "ar_detail": f"""{LEDGER_CTES}{AGING_CTES}
SELECT code, name, salesperson, opening, sales, returns, receipts, write_offs, closing,
    {BUCKETS_SQL}, COALESCE(g.open_total, 0) - closing
FROM l2 LEFT JOIN g ON g.customer_id = l2.id WHERE {MOVED} ORDER BY code""",
    "ar_aging": f"""{LEDGER_CTES}{AGING_CTES}
SELECT code, name, salesperson, closing, {BUCKETS_SQL}, COALESCE(g.open_total, 0) - closing
FROM l2 LEFT JOIN g ON g.customer_id = l2.id
WHERE {MOVED} AND (ABS(closing) >= 0.005 OR g.open_total IS NOT NULL) ORDER BY code""",
    "sales_detail": """
SELECT o.posting_date, o.number, o.kind, c.code, c.name, COALESCE(NULLIF(u.first_name, ''), u.username),
    p.model_code, p.name,
    CASE WHEN o.kind = 'sale' THEN l.quantity ELSE -l.quantity END, l.unit_price,
    CASE WHEN o.kind = 'sale' THEN l.amount ELSE -l.amount END
FROM warehouse_outboundline l
JOIN warehouse_outbound o ON o.id = l.outbound_id
JOIN customers_customer c ON c.id = o.customer_id
LEFT JOIN auth_user u ON u.id = c.salesperson_id
JOIN catalog_product p ON p.id = l.product_id
WHERE o.status = 'posted' AND o.posting_date >= %(from)s AND o.posting_date <= %(to)s
ORDER BY o.posting_date, o.number, l.id""",
}


def _params(start: dt.date, end: dt.date, vendor: str) -> dict[str, Any]:
    days = {"from": start, "to": end}
    days.update({f"due_{n}": end - dt.timedelta(days=n) for n in (0, 30, 60, 90)})
    # SQLite keeps days as ISO text and has no adapter of its own for dates.
    return {k: v.isoformat() for k, v in days.items()} if vendor == "sqlite" else days


# --- timing ------------------------------------------------------------------------------------


def _median_ms(*fns: Callable[[], Any], repeat: int) -> list[tuple[float, Any]]:
    """Each function's median time and last answer; the runs take turns, so that a busy moment
    of the machine falls on all of them alike."""
    times: list[list[float]] = [[] for _fn in fns]
    out: list[Any] = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            out[i] = fn()
            times[i].append(time.perf_counter() - started)
    return [(statistics.median(t) * 1000, o) for t, o in zip(times, out, strict=True)]


def _app_json(report, user, filters) -> bytes:
    """The report as GET /api/v1/reports/{name} answers it, every row on one page: the endpoint's
    own function, from running the report to the JSON it sends."""
    from salesdesk.reports import api

    return api.report_json(report, user, filters, 0, 10**9)


def _sql_rows(sql: str, params: dict) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- the same numbers --------------------------------------------------------------------------


def _norm(value: Any, numeric: bool) -> Any:
    if value is None:
        return None
    if numeric:  # SQLite sums amounts as floats: every amount is to the tenth of a cent at most
        return Decimal(str(value)).quantize(Decimal("0.0001"))
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _check_same(name: str, app: dict, sql_rows: Sequence[tuple], columns: Sequence) -> None:
    from salesdesk.reports.definitions import MONEY, QUANTITY, UNIT_PRICE
    from salesdesk.warehouse.models import OutboundKind

    numeric = [c.number_format in (MONEY, QUANTITY, UNIT_PRICE) for c in columns]
    kinds = {value: str(label) for value, label in OutboundKind.choices}
    fields = [c.field for c in columns]
    assert app["count"] == len(sql_rows), f"{name}: {app['count']} rows, SQL {len(sql_rows)}"
    for i, (mine, theirs) in enumerate(zip(app["rows"], sql_rows, strict=True)):
        theirs = [kinds.get(v, v) if f == "kind" else v for f, v in zip(fields, theirs, strict=True)]
        a = [_norm(v, n) for v, n in zip(mine, numeric, strict=True)]
        b = [_norm(v, n) for v, n in zip(theirs, numeric, strict=True)]
        assert a == b, f"{name} row {i}: app {a} != SQL {b}"
    for field, total in app["totals"].items():
        column = fields.index(field)
        theirs = sum((_norm(row[column], True) for row in sql_rows), Decimal("0"))
        assert Decimal(total) == theirs, f"{name} total {field}: app {total}, SQL {theirs}"


# --- the AR page -------------------------------------------------------------------------------


def _ar_page(user, runs: int) -> dict[str, dict]:
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from salesdesk.customers.models import Customer
    from salesdesk.receivables.selectors import customer_ar

    posted = Count("outbounds", filter=Q(outbounds__status="posted"))
    ranked = list(Customer.objects.annotate(n=posted).order_by("-n", "code").values_list("code", "n"))
    client = Client()
    client.force_login(user)
    found = {}
    for label, (code, n) in (("busiest", ranked[0]), ("median", ranked[len(ranked) // 2])):
        customer = Customer.objects.get(code=code)
        url = f"/receivables/customers/{code}/"
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        page_queries = len(captured)  # counted now: the captured list is read from the log later
        with CaptureQueriesContext(connection) as captured:
            ar = customer_ar(customer)
        selector_queries = len(captured)
        (page_ms, _p), (selector_ms, _s) = _median_ms(
            lambda: client.get(url),  # noqa: B023 -- run at once
            lambda: customer_ar(customer),  # noqa: B023
            repeat=runs,
        )
        verdict = "OK" if page_ms < PAGE_TARGET_MS else "SLOW"
        print(
            f"AR page {label:8} {code} ({n} outbounds, {len(ar.open_items)} open): "
            f"page {page_ms:7.1f} ms, {page_queries} queries, {verdict}; "
            f"customer_ar {selector_ms:6.1f} ms, {selector_queries} queries"
        )
        found[label] = {"code": code, "outbounds": n, "page_ms": round(page_ms, 1), "queries": page_queries}
    return found


# --- main --------------------------------------------------------------------------------------


def _last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5, help="runs of each path; the median is shown")
    parser.add_argument("--month", help="YYYY-MM; the last full month by default")
    parser.add_argument("--page-runs", type=int, default=10)
    parser.add_argument("--only", nargs="*", default=["ar_aging", "summary", "ar_detail", "sales_detail"])
    parser.add_argument("--json", help="also write the figures to this file, for bench/targets.py")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from salesdesk.customers.models import Customer
    from salesdesk.reports.base import REPORTS, Filters
    from salesdesk.warehouse.models import Outbound

    if args.month:
        start = dt.date.fromisoformat(f"{args.month}-01")
        end = _last_full_month((start + dt.timedelta(days=32)).replace(day=1))[1]
    else:
        start, end = _last_full_month(timezone.localdate())
    manager = User.objects.get(username="manager")
    vendor = connection.vendor
    print(
        f"{vendor}: {Customer.objects.count()} customers, {Outbound.objects.count()} outbounds; "
        f"{start} to {end}, median of {args.repeat}"
    )
    print(f"{'report':14} {'rows':>7} {'app ms':>9} {'SQL ms':>9} {'app/SQL':>8}")
    figures: dict[str, Any] = {
        "engine": vendor,
        "customers": Customer.objects.count(),
        "outbounds": Outbound.objects.count(),
        "month": f"{start:%Y-%m}",
        "reports": {},
    }
    for name in args.only:
        report = REPORTS[name]
        # The aging is of one day: the month's end; the others cover the month.
        filters = Filters(date_to=end) if name == "ar_aging" else Filters(date_from=start, date_to=end)
        sql, params = SQL[name], _params(start if name != "ar_aging" else end, end, vendor)
        (app_ms, app), (sql_ms, rows) = _median_ms(
            lambda: _app_json(report, manager, filters),  # noqa: B023 -- run at once
            lambda: _sql_rows(sql, params),  # noqa: B023
            repeat=args.repeat,
        )
        _check_same(name, json.loads(app), rows, report.run(manager, filters).columns)
        ratio = app_ms / sql_ms
        verdict = "OK" if ratio <= TARGET else "SLOW"
        print(f"{name:14} {len(rows):>7} {app_ms:>9.1f} {sql_ms:>9.1f} {ratio:>7.2f}x {verdict}")
        figures["reports"][name] = {
            "rows": len(rows),
            "app_ms": round(app_ms, 1),
            "sql_ms": round(sql_ms, 1),
            "ratio": round(ratio, 2),
        }
    figures["ar_page"] = _ar_page(manager, args.page_runs)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
