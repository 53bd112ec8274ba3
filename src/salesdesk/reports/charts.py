"""The figures behind the charts (SPEC section 8): sales by month, AR aging, top customers and
COD money still with the carriers.

Each figure is a handful of GROUP BY queries over the customers the user may see, whatever the
number of customers; sums read back from the database are rounded to the cent with `cents`.
A figure is labels plus series of the same length, and a total: the page draws it, prints it
as a table under the chart, and the JSON endpoint serves it as is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.core.db import NotFromIndex
from salesdesk.core.people import name_of
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.receivables.models import Allocation
from salesdesk.receivables.selectors import BUCKETS, ZERO, bucket_case, cents, is_now, open_items
from salesdesk.reports.base import Filters
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus, Shipment

MONEY = "money"
COUNT = "count"
TOP = 10  # customers on the top-customers chart
DEFAULT_MONTHS = 12

# What makes net sales: goods sold less goods returned. A write-off is a loss on money owed,
# not a sale taken back, so it stays out of the sales figures (it still lowers the AR).
NET_SALES_KINDS = (OutboundKind.SALE, OutboundKind.RETURN)


@dataclass
class Series:
    name: str
    data: list[Decimal]  # one value per label
    unit: str = MONEY  # MONEY or COUNT (counts are drawn on their own axis)
    stack: str = ""  # series with the same stack are drawn on top of each other
    tone: str = ""  # "danger" for what is overdue

    def as_json(self) -> dict:
        shown = [str(cents(v)) if self.unit == MONEY else str(int(v)) for v in self.data]
        out = {"name": str(self.name), "data": shown, "unit": self.unit}
        if self.stack:
            out["stack"] = self.stack
        if self.tone:
            out["tone"] = self.tone
        return out


@dataclass
class Chart:
    name: str
    title: object
    kind: str  # "bar" (labels along the bottom) or "hbar" (labels down the side)
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    total: Decimal = ZERO
    note: str = ""  # the period or the day the figure is for

    @property
    def is_empty(self) -> bool:
        return not self.labels or not self.series

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "title": str(self.title),
            "kind": self.kind,
            "labels": [str(label) for label in self.labels],
            "series": [s.as_json() for s in self.series],
            "total": str(cents(self.total)),
        }

    def table(self) -> dict:
        """The same numbers as rows, for the table under the chart (and for print)."""
        money = [s for s in self.series if s.unit == MONEY]
        row_totals = len(money) > 1 and len({s.stack for s in money}) == 1 and money[0].stack
        rows = []
        for i, label in enumerate(self.labels):
            cells = [(s.data[i], s.unit) for s in self.series]
            rows.append({"label": label, "cells": cells, "total": sum((s.data[i] for s in money), ZERO)})
        footer = [(sum(s.data, ZERO if s.unit == MONEY else 0), s.unit) for s in self.series]
        return {
            "head": [s.name for s in self.series],
            "rows": rows,
            "footer": footer,
            "row_totals": bool(row_totals),
        }


# --- whose figures ---------------------------------------------------------------------------


def chart_customers(user: User, filters: Filters) -> QuerySet[Customer]:
    """The customers the user may see, narrowed by the salesperson, assistant and customer filters."""
    customers = scope_to_user(Customer.objects.all(), user)
    if filters.salesperson is not None:
        customers = customers.filter(salesperson_id=filters.salesperson)
    if filters.assistant is not None:
        customers = customers.filter(assistant_id=filters.assistant)
    wanted = filters.customer.strip()
    if wanted:
        customers = customers.filter(Q(code__iexact=wanted) | Q(name__icontains=wanted))
    return customers


def of_chart_customers(user: User, filters: Filters, path: str = "customer") -> Q:
    """The rows of `chart_customers`, as a condition on the customer at `path`.

    Every customer is no condition at all: asked as "the customer is one of all customers",
    SQLite went through the customers one by one, into the outbounds by customer, to sum a
    year of them (71 ms), where the posting dates' own index takes 10.
    """
    customers = chart_customers(user, filters)
    if not customers.query.has_filters():
        return Q()
    return Q(**{f"{path}__in": customers.values("pk")})


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first of the month eleven months back, to today."""
    today = today or timezone.localdate()
    return add_months(today.replace(day=1), -(DEFAULT_MONTHS - 1)), today


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def period(filters: Filters) -> tuple[dt.date, dt.date]:
    """The period asked for; without a start, the twelve months up to its end (today by default)."""
    end = filters.date_to or timezone.localdate()
    start = filters.date_from or add_months(end.replace(day=1), -(DEFAULT_MONTHS - 1))
    return start, end


def _day(filters: Filters) -> dt.date:
    """AR aging and COD are figures at a day: the end of the period, today by default."""
    return filters.date_to or timezone.localdate()


def _people(ids) -> dict[int | None, str]:
    names: dict[int | None, str] = {None: _("No salesperson")}
    for user in User.objects.filter(pk__in=[i for i in ids if i is not None]):
        names[user.pk] = name_of(user)
    return names


def _in_name_order(names: dict[int | None, str], ids) -> list[int | None]:
    # People by name; customers without a salesperson last.
    return sorted(set(ids), key=lambda i: (i is None, names.get(i, ""), i or 0))


# --- 1. sales by month ---------------------------------------------------------------------


def _net_sales(user: User, filters: Filters, start: dt.date, end: dt.date) -> QuerySet[Outbound]:
    return Outbound.objects.filter(
        of_chart_customers(user, filters),
        status=OutboundStatus.POSTED,
        kind__in=NET_SALES_KINDS,
        posting_date__gte=start,
        posting_date__lte=end,
    )


def sales_by_month(user: User, filters: Filters, *, by_salesperson: bool = False) -> Chart:
    """Net sales (posted sales less returns) per month of the period, optionally per salesperson."""
    start, end = period(filters)
    months = months_between(start, end)
    # Summed by day, put into months here: SQLite truncates a date to its month with a Python
    # function called for every outbound of the period, and a year has only 365 days.
    keys = ["posting_date", "customer__salesperson"] if by_salesperson else ["posting_date"]
    rows = _net_sales(user, filters, start, end).values(*keys).annotate(total=Sum("amount")).order_by()
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    per: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO] * len(months))
    for row in rows:
        day = row["posting_date"]
        per[row.get("customer__salesperson")][index[(day.year, day.month)]] += cents(row["total"])
    if by_salesperson:
        names = _people(per)
        series = [Series(names[i], per[i], stack="sales") for i in _in_name_order(names, per)]
    else:
        series = [Series(_("Net sales"), per[None])]
    total = sum((sum(s.data, ZERO) for s in series), ZERO)
    return Chart(
        "sales_by_month",
        gettext_lazy("Sales by month"),
        "bar",
        [f"{m:%Y-%m}" for m in months],
        series,
        total,
        note=f"{start:%Y-%m-%d} – {end:%Y-%m-%d}",
    )


# --- 2. AR aging -----------------------------------------------------------------------------


@dataclass
class Aging:
    day: dt.date
    # salesperson id (None: no salesperson) → bucket key → open amount
    by_salesperson: dict[int | None, dict[str, Decimal]]
    names: dict[int | None, str]

    def bucket_total(self, key: str) -> Decimal:
        return sum((b[key] for b in self.by_salesperson.values()), ZERO)

    def overdue(self, salesperson: int | None) -> Decimal:
        buckets = self.by_salesperson[salesperson]
        return sum((v for k, v in buckets.items() if k != BUCKETS[0][0]), ZERO)


def aging(user: User, filters: Filters) -> Aging:
    """Open sales at the day by aging bucket and salesperson: what was sold less what settled it.

    Today, one GROUP BY over the open items. On an earlier day, two (sales, and the allocations
    dated by that day); no sale is ever settled beyond its amount, so the difference per bucket
    is the sum of the open items' amounts, exactly as customer_ar ages them one customer at a time.
    """
    day = _day(filters)
    customers = of_chart_customers(user, filters)
    per: dict[int | None, dict[str, Decimal]] = defaultdict(lambda: {key: ZERO for key, *_r in BUCKETS})
    if is_now(day):
        # Today's open sales are the open items the database keeps: no history to read.
        still_open = (
            open_items()
            .filter(customers)
            .annotate(bucket=bucket_case(day, "due_date"))
            .values("bucket", "customer__salesperson")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in still_open:
            per[row["customer__salesperson"]][row["bucket"]] += cents(row["total"])
        open_ = {sp: buckets for sp, buckets in per.items() if any(buckets.values())}
        return Aging(day, open_, _people(open_))
    sales = Outbound.objects.filter(
        customers, kind=OutboundKind.SALE, status=OutboundStatus.POSTED, posting_date__lte=day
    )
    sold = (
        sales.annotate(bucket=bucket_case(day, "due_date"))
        .values("bucket", "customer__salesperson")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    settled = (
        Allocation.objects.filter(sale__in=sales.values("pk"), date__lte=day)
        .annotate(bucket=bucket_case(day, "sale__due_date"))
        .values("bucket", "sale__customer__salesperson")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in sold:
        per[row["customer__salesperson"]][row["bucket"]] += cents(row["total"])
    for row in settled:
        per[row["sale__customer__salesperson"]][row["bucket"]] -= cents(row["total"])
    open_ = {sp: buckets for sp, buckets in per.items() if any(buckets.values())}
    return Aging(day, open_, _people(open_))


def ar_aging(
    user: User, filters: Filters, *, by_salesperson: bool = False, figures: Aging | None = None
) -> Chart:
    """The five aging buckets summed over the customers in scope, optionally per salesperson."""
    figures = figures or aging(user, filters)
    keys = [key for key, *_rest in BUCKETS]
    if by_salesperson:
        order = _in_name_order(figures.names, figures.by_salesperson)
        series = [
            Series(figures.names[i], [figures.by_salesperson[i][k] for k in keys], stack="aging")
            for i in order
        ]
    else:
        series = [Series(_("Open amount"), [figures.bucket_total(k) for k in keys])]
    return Chart(
        "ar_aging",
        gettext_lazy("Receivables aging"),
        "bar",
        [str(label) for _key, label, *_rest in BUCKETS],
        series,
        sum((figures.bucket_total(k) for k in keys), ZERO),
        note=_("at %(day)s") % {"day": f"{figures.day:%Y-%m-%d}"},
    )


def overdue_by_salesperson(user: User, filters: Filters, *, figures: Aging | None = None) -> Chart:
    """What each salesperson's customers owe past the due date: who has most to chase."""
    figures = figures or aging(user, filters)
    rows = [(i, figures.overdue(i)) for i in _in_name_order(figures.names, figures.by_salesperson)]
    rows = sorted([r for r in rows if r[1]], key=lambda r: -r[1])
    return Chart(
        "overdue_by_salesperson",
        gettext_lazy("Overdue by salesperson"),
        "hbar",
        [figures.names[i] for i, _amount in rows],
        [Series(_("Overdue"), [amount for _i, amount in rows], tone="danger")],
        sum((amount for _i, amount in rows), ZERO),
        note=_("at %(day)s") % {"day": f"{figures.day:%Y-%m-%d}"},
    )


# --- 3. top customers ------------------------------------------------------------------------


def top_customers(user: User, filters: Filters, *, limit: int = TOP) -> Chart:
    """The customers with the most net sales in the period, most first (customers who only
    returned goods are left out)."""
    start, end = period(filters)
    # Summed by customer alone and cut here: grouped with the customers' codes and names,
    # SQLite joined every outbound of the year to its customer first (67 ms at scale 1, now 25).
    sums = (
        _net_sales(user, filters, start, end)
        .values(customer_key=NotFromIndex("customer_id"))
        .annotate(total=Sum("amount"))
        .values_list("customer_key", "total")
        .order_by()
    )
    totals = {pk: cents(total) for pk, total in sums}
    ranked = sorted(((total, pk) for pk, total in totals.items() if total > 0), reverse=True)
    # Those level with the last one shown come too: the code decides between equal amounts.
    cut = ranked[limit - 1][0] if len(ranked) > limit else ZERO
    shown = [pk for total, pk in ranked if total >= cut]
    names = Customer.objects.filter(pk__in=shown).values_list("pk", "code", "name")
    rows = sorted(((totals[pk], code, name) for pk, code, name in names), key=_by_amount)[:limit]
    return Chart(
        "top_customers",
        gettext_lazy("Top customers"),
        "hbar",
        [f"{code} {name}" for _total, code, name in rows],
        [Series(_("Net sales"), [total for total, *_rest in rows])],
        sum((total for total, *_rest in rows), ZERO),
        note=f"{start:%Y-%m-%d} – {end:%Y-%m-%d}",
    )


def _by_amount(row: tuple) -> tuple:
    # On the rounded sums: SQLite's float sums could swap two equal amounts.
    return (-row[0], row[1])


# --- 4. COD outstanding by carrier ---------------------------------------------------------


def cod_by_carrier(user: User, filters: Filters) -> Chart:
    """COD money collected by couriers and not yet back with us at the day, per carrier:
    amount and number of shipments, with the part past the carrier's deadline apart."""
    day = _day(filters)
    # Nothing comes back with a later date than today, so today's money out is what the partial
    # index of COD not yet back holds; an earlier day also counts what came back after it.
    out = Q(cod_returned_on__isnull=True)
    if not is_now(day):
        out |= Q(cod_returned_on__gt=day)
    late = Q(cod_due__lt=day)  # due back on the due date itself is still in time
    rows = (
        Shipment.objects.filter(
            out,
            of_chart_customers(user, filters, "outbound__customer"),
            cod_amount__gt=0,
            shipped_on__lte=day,
        )
        .values("carrier", "carrier__name")
        .annotate(
            amount=Sum("cod_amount"),
            n=Count("id"),
            late_amount=Sum("cod_amount", filter=late, default=ZERO),
            late_n=Count("id", filter=late),
        )
        .order_by()
    )
    figures = [
        (
            row["carrier__name"] or _("Own delivery"),
            cents(row["amount"]),
            row["n"],
            cents(row["late_amount"]),
            row["late_n"],
        )
        for row in rows
    ]
    figures.sort(key=lambda r: (-r[1], r[0]))
    return Chart(
        "cod_by_carrier",
        gettext_lazy("COD money not yet back, by carrier"),
        "bar",
        [name for name, *_rest in figures],
        [
            Series(_("Within the deadline"), [r[1] - r[3] for r in figures], stack="cod"),
            Series(_("Overdue"), [r[3] for r in figures], stack="cod", tone="danger"),
            Series(_("Shipments"), [r[2] for r in figures], unit=COUNT),
            Series(_("Overdue shipments"), [r[4] for r in figures], unit=COUNT, tone="danger"),
        ],
        sum((r[1] for r in figures), ZERO),
        note=_("at %(day)s") % {"day": f"{day:%Y-%m-%d}"},
    )


# --- by name, for the JSON endpoint --------------------------------------------------------


CHARTS: dict[str, Callable[[User, Filters, bool], Chart]] = {
    "sales_by_month": lambda user, filters, split: sales_by_month(user, filters, by_salesperson=split),
    "ar_aging": lambda user, filters, split: ar_aging(user, filters, by_salesperson=split),
    "overdue_by_salesperson": lambda user, filters, _split: overdue_by_salesperson(user, filters),
    "top_customers": lambda user, filters, _split: top_customers(user, filters),
    "cod_by_carrier": lambda user, filters, _split: cod_by_carrier(user, filters),
}


def page_charts(user: User, filters: Filters, *, by_salesperson: bool = False) -> list[Chart]:
    """Every chart of the charts page, the aging read once for both of its charts."""
    figures = aging(user, filters)
    return [
        sales_by_month(user, filters, by_salesperson=by_salesperson),
        ar_aging(user, filters, by_salesperson=by_salesperson, figures=figures),
        overdue_by_salesperson(user, filters, figures=figures),
        top_customers(user, filters),
        cod_by_carrier(user, filters),
    ]
