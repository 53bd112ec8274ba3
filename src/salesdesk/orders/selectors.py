"""Reads about orders shared by pages, the API and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from salesdesk.core.calendar import day_span
from salesdesk.core.db import Rare
from salesdesk.core.people import name_of
from salesdesk.core.roles import Role, role_of, scope_to_user
from salesdesk.core.workflow import status_history
from salesdesk.customers.models import Customer
from salesdesk.orders import review
from salesdesk.orders.models import CheckResult, OrderLine, OrderStatus, ReviewCheck, SalesOrder, ShipMethod

# The warehouse works from the queue: orders released to it and what it has shipped.
WAREHOUSE_STATUSES = [
    OrderStatus.RELEASED,
    OrderStatus.PARTLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.CLOSED,
]


@dataclass(frozen=True)
class OrderFilter:
    q: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    customer: str = ""


def _scoped(user) -> QuerySet[SalesOrder]:
    qs = scope_to_user(SalesOrder.objects.all(), user, "customer")
    if role_of(user) == Role.WAREHOUSE:
        # A released order cancelled afterwards stays visible: the warehouse must stop picking it.
        qs = qs.filter(
            Q(status__in=WAREHOUSE_STATUSES) | Q(status=OrderStatus.CANCELLED, ship_date__isnull=False)
        )
    return qs


def with_total(qs: QuerySet[SalesOrder]) -> QuerySet[SalesOrder]:
    # A subquery per order shown, not a join grouped over every order: with years of orders the
    # GROUP BY summed all of them before the page of 25 was cut (23 s at 200,000 orders).
    lines = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return qs.annotate(
        total=Coalesce(Subquery(lines, output_field=money), Value(Decimal("0")), output_field=money)
    )


HELD_ORDER_FIELDS = (
    "number",
    "status",
    "assistant_id",
    "salesperson_id",
    "customer__name",
    "customer__salesperson_id",
)


def held_orders(*, user, oldest_first: bool = False, limit: int = 100) -> list[SalesOrder]:
    """The user's orders on hold, newest first (or oldest first), each with `failed_checks`.

    Only what a list of them shows and the override rules ask (number, customer's name, the
    order's and the customer's salesperson): the workbench lists a hundred of them on every load.
    """
    order_by = ("registered_at", "id") if oldest_first else ("-created_at", "-id")
    return list(
        _scoped(user)
        .filter(Rare(Q(status=OrderStatus.ON_HOLD)))
        .select_related("customer")
        .only(*HELD_ORDER_FIELDS)
        .prefetch_related(_failed_checks())
        .order_by(*order_by)[:limit]
    )


def _failed_checks() -> Prefetch:
    """Each order's failed review checks as `failed_checks`: what a list says it is held for."""
    failed = ReviewCheck.objects.filter(result=CheckResult.FAILED).only("order_id", "code", "reason")
    return Prefetch("checks", failed.order_by("id"), to_attr="failed_checks")


OPEN_ORDERS = (OrderStatus.REGISTERED, OrderStatus.ON_HOLD, OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED)


def open_orders(*, user, limit: int = 100) -> list[SalesOrder]:
    """The user's orders registered and not yet shipped in full, oldest first, each with
    `failed_checks`: where each stands, with only what a list of them shows (the salesperson's
    workbench, on every load)."""
    fields = ("number", "status", "ship_date", "ship_slot", "customer__name")
    return list(
        _scoped(user)
        .filter(Rare(Q(status__in=OPEN_ORDERS)))
        .select_related("customer")
        .only(*fields)
        .prefetch_related(_failed_checks())
        .order_by("registered_at", "id")[:limit]
    )


def orders_to_release(*, user, express: bool | None = None, limit: int = 100) -> list[SalesOrder]:
    """The user's registered orders waiting for release, oldest first: number, customer's name
    and ship method only, which is all a list of them shows (the workbench, on every load).
    `express`: True for the express orders only, False for all but them."""
    qs = _scoped(user).filter(Rare(Q(status=OrderStatus.REGISTERED)))
    if express is not None:
        is_express = Q(ship_method=ShipMethod.EXPRESS)
        qs = qs.filter(is_express if express else ~is_express)
    fields = ("number", "ship_method", "customer__name")
    return list(qs.select_related("customer").only(*fields).order_by("registered_at", "id")[:limit])


ORDER_NUMBER_CHARACTERS = set("XS0123456789-")


def _search(q: str, user) -> Q:
    """Orders whose customer's code or name, or whose own number, contains `q`.

    The customers are found first (a few thousand rows, not a join per order), and among the
    user's own only: an assistant's hundred or so, by their index, not every customer's name
    matched. Order numbers (XS2026-00001) are searched only for text that could be part of one:
    a name such as 佛山 or a code such as GS00137 then reads just its customers' orders by their
    index instead of every order ever taken.
    """
    customers = scope_to_user(Customer.objects.filter(Q(code__icontains=q) | Q(name__icontains=q)), user)
    customers = customers.values("pk")
    match = Q(customer_id__in=customers)
    if q and set(q.upper()) <= ORDER_NUMBER_CHARACTERS:
        match |= Q(number__contains=q.upper())
    return match


def order_list(*, user, filters: OrderFilter | None = None) -> QuerySet[SalesOrder]:
    """The user's orders that `filters` select, newest first, each with its total, customer,
    salesperson and carrier."""
    return order_rows(order_search(user=user, filters=filters))


def order_rows(qs: QuerySet[SalesOrder]) -> QuerySet[SalesOrder]:
    """What a list shows of each order: its total, customer, salesperson and carrier."""
    return with_total(qs).select_related("customer", "salesperson", "carrier")


def order_search(*, user, filters: OrderFilter | None = None) -> QuerySet[SalesOrder]:
    """The user's orders that `filters` select, newest first, bare: a list pages through these
    and reads `order_rows` of the page's orders only (`core.pages.paginate(..., shown=...)`)."""
    filters = filters or OrderFilter()
    qs = _scoped(user)
    if filters.q:
        qs = qs.filter(_search(filters.q.strip(), user))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer:
        qs = qs.filter(customer__code=filters.customer)
    if filters.date_from:
        qs = qs.filter(
            Q(registered_at__date__gte=filters.date_from)
            | Q(registered_at__isnull=True, created_at__date__gte=filters.date_from)
        )
    if filters.date_to:
        qs = qs.filter(
            Q(registered_at__date__lte=filters.date_to)
            | Q(registered_at__isnull=True, created_at__date__lte=filters.date_to)
        )
    return qs.order_by("-created_at", "-id")


def orders_openable(*, user, ids) -> set[int]:
    """Of the orders `ids`, those the user may open: a page may name orders its reader may not
    open, as a production request names an order to the warehouse before it is released."""
    return set(_scoped(user).filter(pk__in=set(ids)).values_list("pk", flat=True))


def order_get_for_user(*, user, reference: str) -> SalesOrder:
    """By register number (XS2026-00001) or, for a draft, D<id>; 404 outside the user's scope."""
    qs = _scoped(user).select_related("customer", "salesperson", "assistant", "carrier", "call", "created_by")
    reference = (reference or "").strip()
    if reference[:1] in {"D", "d"} and reference[1:].isascii() and reference[1:].isdigit():
        order = qs.filter(pk=int(reference[1:]), number__isnull=True).first()
    else:
        order = qs.filter(number=reference).first()
    if order is None:
        raise Http404(_("No such order."))
    return order


def order_lines(order: SalesOrder) -> QuerySet[OrderLine]:
    return order.lines.select_related("product").order_by("position")


@dataclass
class CheckRow:
    code: str
    label: str
    result: str
    reason: str
    overridden_by: str
    override_reason: str
    can_override: bool


def order_review(order: SalesOrder, user) -> list[CheckRow]:
    rows = []
    by_code = {c.code: c for c in order.checks.select_related("overridden_by")}
    for check in review.CHECKS:
        row: ReviewCheck | None = by_code.get(check.code)
        if row is None:
            continue
        by = row.overridden_by
        who = name_of(by)
        rows.append(
            CheckRow(
                check.code,
                str(check.label),
                row.result,
                row.reason,
                who,
                row.override_reason,
                row.result == CheckResult.FAILED and check.may_override(user, order),
            )
        )
    return rows


def sales_register(*, user, year: int, month: int | None = None) -> QuerySet[SalesOrder]:
    """《销售记录本》: every registered order of the period, by date and number, bare: a page adds
    `order_rows` to its own orders.

    The period is a range of registration times in local time: `__year` and `__month` made
    SQLite call a Python function on every order ever registered."""
    first = dt.date(year, month or 1, 1)
    after = dt.date(year + 1, 1, 1) if not month or month == 12 else dt.date(year, month + 1, 1)
    (start, _), (end, _) = day_span(first), day_span(after)
    qs = _scoped(user).filter(number__isnull=False, registered_at__gte=start, registered_at__lt=end)
    return qs.order_by("registered_at", "number")


@dataclass
class Tracking:
    """What a customer chasing an order (催货) needs to hear, on one page."""

    order: SalesOrder
    status_label: str
    expected: str
    waiting: list[str] = field(default_factory=list)
    shipped: list[dict] = field(default_factory=list)
    history: list = field(default_factory=list)


# Apps to the right (the warehouse) add what has shipped and what waits for stock.
TRACKING_PROVIDERS: list = []


def order_tracking(*, user, reference: str) -> Tracking:
    order = order_get_for_user(user=user, reference=reference)
    tracking = Tracking(order=order, status_label=order.get_status_display(), expected="")
    failing = order.checks.filter(result=CheckResult.FAILED)
    for check in failing:
        label = review.check_by_code(check.code).label if review.check_by_code(check.code) else check.code
        tracking.waiting.append(f"{label}: {check.reason}")
    if order.status == OrderStatus.DRAFT:
        tracking.waiting.append(_("Not registered yet."))
    if order.ship_date:
        slot = order.get_ship_slot_display()
        tracking.expected = f"{order.ship_date:%Y-%m-%d} {slot}"
    elif order.status in {OrderStatus.REGISTERED}:
        tracking.waiting.append(_("Waiting to be released to the warehouse."))
    for provider in TRACKING_PROVIDERS:
        provider(order, tracking)
    tracking.history = list(status_history(order))
    if order.status in {OrderStatus.SHIPPED, OrderStatus.CLOSED}:
        tracking.waiting = []
    return tracking
