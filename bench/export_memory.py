"""Exports in bounded memory: the sales detail (销售明细) of a whole period as .xlsx, taken through
the real view as a manager, with the peak resident memory of the process that built it.

Run by hand (not by pytest), on a database with sales (e.g. after `salesdesk gendata --scale 1`):
    SALESDESK_DATA_DIR=... python bench/export_memory.py [--from 2024-01-01] [--to 2026-12-31]
Add DATABASE_URL=postgres://... to measure on PostgreSQL. The default period runs from the
earliest to the latest posting date; `--user` picks who asks (default: a manager); `--keep FILE`
keeps the workbook.

It prints the lines the report holds, the rows in the workbook (lines plus header and totals),
the seconds to the first byte and to the last, and the peak RSS (ru_maxrss) with its increase over
the RSS before the request. Memory that does not grow with the number of lines is the point:
compare a small database with a large one. A warm-up export of an empty day comes first, so the
increase is the export's and not the first request's imports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    from django.db.models import Max, Min

    from salesdesk.warehouse.models import Outbound, OutboundStatus

    days = Outbound.objects.filter(status=OutboundStatus.POSTED).aggregate(
        first=Min("posting_date"), last=Max("posting_date")
    )
    if days["first"] is None and not (args.date_from and args.date_to):
        raise SystemExit("export_memory: no posted outbounds; give --from and --to")
    first = dt.date.fromisoformat(args.date_from) if args.date_from else days["first"]
    last = dt.date.fromisoformat(args.date_to) if args.date_to else days["last"]
    return first, last


def _lines_expected(user, first: dt.date, last: dt.date) -> int:
    from salesdesk.reports.base import Filters
    from salesdesk.reports.definitions import sales_detail

    return sum(1 for _row in sales_detail(user, Filters(date_from=first, date_to=last)).rows)


def _rows_in(path: Path) -> int:
    """The rows of the first sheet, counted in its XML: reading 600,000 rows back with openpyxl
    would take longer than writing them."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as package, package.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            text = tail + chunk
            count += text.count(b"<row ") + text.count(b"<row>")
            tail = text[-4:]  # a tag cut in two by the chunk boundary is counted in the next one
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="date_from", help="first posting date (default: the earliest)")
    parser.add_argument("--to", dest="date_to", help="last posting date (default: the latest)")
    parser.add_argument("--user", help="username (default: the first manager)")
    parser.add_argument("--keep", help="write the workbook here instead of a temporary file")
    parser.add_argument("--json", help="also write the figures to this file, for bench/targets.py")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    if settings.DEBUG:
        raise SystemExit("export_memory: SALESDESK_DEBUG keeps every query in memory; unset it")
    users = User.objects.filter(is_active=True)
    user = users.get(username=args.user) if args.user else users.filter(groups__name="manager").first()
    if user is None:
        raise SystemExit("export_memory: no manager; give --user")
    first, last = _period(args)
    client = Client()
    client.force_login(user)
    query = urllib.parse.urlencode({"date_from": first, "date_to": last})
    out = Path(args.keep) if args.keep else Path(tempfile.mkstemp(suffix=".xlsx")[1])

    # One export of a day without sales first: what the first request imports is not the export's.
    empty = first - dt.timedelta(days=1)
    b"".join(client.get(f"/reports/sales_detail.xlsx?date_from={empty}&date_to={empty}").streaming_content)
    baseline = _rss_mb()
    began = time.perf_counter()
    response = client.get(f"/reports/sales_detail.xlsx?{query}")
    if response.status_code != 200 or not response.streaming:
        raise SystemExit(f"export_memory: {response.status_code}, streaming={response.streaming}")
    first_byte = None
    size = 0
    with out.open("wb") as sink:
        for chunk in response.streaming_content:
            first_byte = first_byte or time.perf_counter() - began
            size += len(chunk)
            sink.write(chunk)
    response.close()
    seconds = time.perf_counter() - began
    peak = _peak_mb()

    lines, rows = _lines_expected(user, first, last), _rows_in(out)
    print(f"sales detail {first} to {last} as {user.username}, {settings.DATABASES['default']['ENGINE']}")
    print(f"lines in the report:  {lines:,}")
    print(f"rows in the workbook: {rows:,} (header and totals included); {size / 1e6:.1f} MB")
    print(f"seconds: first byte {first_byte or 0:.1f}, last byte {seconds:.1f}")
    print(f"RSS before {baseline:.0f} MB; peak (ru_maxrss) {peak:.0f} MB; increase {peak - baseline:.0f} MB")
    if args.json:
        figures = {
            "engine": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "lines": lines,
            "rows": rows,
            "first_byte_s": round(first_byte or 0, 1),
            "seconds": round(seconds, 1),
            "rss_before_mb": round(baseline),
            "peak_mb": round(peak),
        }
        Path(args.json).write_text(json.dumps(figures, indent=1))
    if not args.keep:
        out.unlink()


if __name__ == "__main__":
    main()
