"""Reads about stock, the warehouse's queue, outbounds and shipments."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from salesdesk.catalog.models import Product
from salesdesk.core.calendar import day_span, is_workday, next_workday
from salesdesk.core.db import Rare
from salesdesk.core.models import CalendarDay
from salesdesk.core.money import line_amount, quantity_text, total
from salesdesk.core.roles import scope_to_user
from salesdesk.orders import review
from salesdesk.orders.models import (
    CheckResult,
    CollectionMethod,
    OrderLine,
    OrderStatus,
    ReviewCheck,
    SalesOrder,
    ShipMethod,
)
from salesdesk.orders.selectors import order_list
from salesdesk.warehouse.models import (
    Outbound,
    OutboundKind,
    OutboundLine,
    OutboundStatus,
    ProductionDemand,
    ProductionRequest,
    ProductionStatus,
    Shipment,
    StockLevel,
)

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=3))
OPEN_ORDER_STATUSES = [OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED]


def _shipped_subquery(line_ref: str = "pk"):
    return Coalesce(
        Subquery(
            OutboundLine.objects.filter(
                order_line=OuterRef(line_ref),
                outbound__status=OutboundStatus.POSTED,
                outbound__kind=OutboundKind.SALE,
            )
            .values("order_line")
            .annotate(total=Sum("quantity"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=3),
        ),
        ZERO,
    )


def order_lines_with_shipped(order: SalesOrder) -> QuerySet[OrderLine]:
    """The order's lines, each with `shipped` (posted sales) so `quantity - shipped` is open."""
    return order.lines.select_related("product").annotate(shipped=_shipped_subquery()).order_by("position")


def reserved_by_product(
    product_ids: list[int] | None = None, *, exclude_order: SalesOrder | None = None
) -> dict[int, Decimal]:
    """What released orders still owe per product: reserved stock."""
    # From the open orders (few: the warehouse's queue, found by the status index) to their
    # lines, never from the products: that would read every line ever sold of them. Unordered:
    # sorted newest first, SQLite would walk every order by date instead.
    orders = SalesOrder.objects.filter(status__in=OPEN_ORDER_STATUSES).order_by()
    if exclude_order is not None:
        orders = orders.exclude(pk=exclude_order.pk)
    lines = OrderLine.objects.filter(order_id__in=orders.values("pk"))
    if product_ids is not None:
        lines = lines.filter(product_id__in=product_ids)
    # One read: each open line of these products with what has shipped of it. The shipments are
    # looked up from those few lines; read by their own product, PostgreSQL probed every line of
    # every open order for them.
    owed = (
        lines.order_by()
        .annotate(shipped=_shipped_subquery())
        .values_list("product_id", "quantity", "shipped")
    )
    reserved: dict[int, Decimal] = {}
    for product_id, quantity, shipped in owed:
        reserved[product_id] = reserved.get(product_id, Decimal("0")) + quantity - shipped
    return reserved


@dataclass
class StockRow:
    product: Product
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def stock_rows(*, q: str = "", product_ids: list[int] | None = None) -> list[StockRow]:
    products = Product.objects.filter(active=True).select_related("stock").order_by("model_code")
    if q:
        products = products.filter(Q(model_code__icontains=q) | Q(name__icontains=q))
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
    products = list(products)
    reserved = reserved_by_product([p.pk for p in products])
    return [
        StockRow(
            p, getattr(getattr(p, "stock", None), "on_hand", Decimal("0")), reserved.get(p.pk, Decimal("0"))
        )
        for p in products
    ]


def available_for(product_ids: list[int], *, exclude_order: SalesOrder | None = None) -> dict[int, Decimal]:
    # A product with no stock row has none on hand. Unordered: the products' default order costs a sort.
    levels = StockLevel.objects.filter(product_id__in=product_ids).order_by()
    on_hand = dict(levels.values_list("product_id", "on_hand"))
    reserved = reserved_by_product(product_ids, exclude_order=exclude_order)
    return {pk: (on_hand.get(pk) or Decimal("0")) - reserved.get(pk, Decimal("0")) for pk in product_ids}


def warehouse_queue(*, user, day: dt.date | None = None) -> QuerySet[SalesOrder]:
    """Released orders still to ship, by ship date and slot (the warehouse's day)."""
    qs = scope_to_user(SalesOrder.objects.filter(Rare(Q(status__in=OPEN_ORDER_STATUSES))), user, "customer")
    if day is not None:
        qs = qs.filter(ship_date__lte=day)
    return (
        qs.select_related("customer", "carrier")
        .prefetch_related("lines__product")
        .order_by("ship_date", "ship_slot", "registered_at")
    )


def outbound_list(*, user, day: dt.date | None = None, kind: str = "") -> QuerySet[Outbound]:
    qs = scope_to_user(Outbound.objects.all(), user, "customer")
    if day is not None:
        qs = qs.filter(posting_date=day)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("customer", "order", "posted_by").order_by("-posted_at", "-id")


def outbounds_openable(*, user, ids) -> set[int]:
    """Of the outbounds `ids`, those the user may open: a product's stock ledger lists every
    customer's outbounds, an assistant may open only their customers'."""
    return set(
        scope_to_user(Outbound.objects.filter(pk__in=set(ids)), user, "customer").values_list("pk", flat=True)
    )


def outbound_get_for_user(*, user, reference: str) -> Outbound:
    qs = scope_to_user(Outbound.objects.all(), user, "customer").select_related(
        "customer", "order", "posted_by"
    )
    reference = (reference or "").strip()
    if reference[:1] in {"D", "d"} and reference[1:].isascii() and reference[1:].isdigit():
        outbound = qs.filter(pk=int(reference[1:])).first()  # a draft keeps its D<id> once posted
    else:
        outbound = qs.filter(number=reference).first()
    if outbound is None:
        raise Http404(_("No such outbound."))
    return outbound


def production_requests(*, open_only: bool = True) -> QuerySet[ProductionRequest]:
    qs = ProductionRequest.objects.select_related("product").prefetch_related(
        "demands__order_line__order__customer"
    )
    if open_only:
        qs = qs.filter(status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED])
    return qs.order_by("needed_by", "id")


def shipments_for_order(order: SalesOrder) -> QuerySet[Shipment]:
    return (
        Shipment.objects.filter(outbound__order=order, outbound__status=OutboundStatus.POSTED)
        .select_related("carrier", "outbound")
        .order_by("shipped_on", "id")
    )


# --- Shipping: the courier log, what must come back and when, the day's checks ----------

# Where a shipment's COD money or signed note stands on a given day.
NOTHING_DUE = "none"  # no COD on this shipment, or no signed note asked for
DUE = "due"  # still out, within the carrier's deadline
OVERDUE = "overdue"  # still out after the due date: chase the carrier, perhaps suspend it
RETURNED = "returned"  # came back and was ticked off
OUTSTANDING = "outstanding"  # the courier log's filter for "due or overdue"
OWN_DELIVERY = "own"  # the courier log's carrier filter for our own drivers


def _cod_out() -> Q:
    return Q(cod_amount__gt=0, cod_returned_on__isnull=True)


def _note_out() -> Q:
    return Q(note_required=True, note_returned_on__isnull=True)


def _cod_overdue(on: dt.date) -> Q:
    # Due back on day 7 means overdue from day 8: the due date itself is still in time.
    return _cod_out() & Q(cod_due__lt=on)


def _note_overdue(on: dt.date) -> Q:
    return _note_out() & Q(note_due__lt=on)


def _overdue(on: dt.date) -> Q:
    """COD money or a signed note past its due date. What is still out is said first as the partial
    index `shipment_still_out` says it: SQLite uses a partial index only for a condition that
    names its own, and read every shipment ever made to find the eleven overdue (13 ms at scale 1)."""
    return (_cod_out() | _note_out()) & (_cod_overdue(on) | _note_overdue(on))


def _state(*, required: Q, returned: str, due: str, on: dt.date) -> Case:
    return Case(
        When(~required, then=Value(NOTHING_DUE)),
        When(**{f"{returned}__isnull": False}, then=Value(RETURNED)),
        When(**{f"{due}__lt": on}, then=Value(OVERDUE)),
        default=Value(DUE),
        output_field=CharField(),
    )


def shipments_for_user(user) -> QuerySet[Shipment]:
    """The shipments of the user's customers (every one for the warehouse, finance, the manager)."""
    return scope_to_user(Shipment.objects.all(), user, "outbound__customer")


def with_return_states(qs: QuerySet[Shipment], *, on: dt.date) -> QuerySet[Shipment]:
    """Each shipment with `cod_state` and `note_state`: none, due, overdue or returned on `on`."""
    return qs.annotate(
        cod_state=_state(required=Q(cod_amount__gt=0), returned="cod_returned_on", due="cod_due", on=on),
        note_state=_state(required=Q(note_required=True), returned="note_returned_on", due="note_due", on=on),
    )


def shipment_get_for_user(*, user, pk: int, on: dt.date) -> Shipment:
    shipment = (
        with_return_states(shipments_for_user(user), on=on)
        .select_related("carrier", "outbound__customer", "outbound__order")
        .filter(pk=pk)
        .first()
    )
    if shipment is None:
        raise Http404(_("No such shipment."))
    return shipment


@dataclass(frozen=True)
class CourierLogFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    carrier: str = ""  # a carrier's id, OWN_DELIVERY, or "" for all
    state: str = ""  # "", OUTSTANDING, OVERDUE or RETURNED


def courier_log(*, user, filters: CourierLogFilter, on: dt.date) -> QuerySet[Shipment]:
    """《快递记录本》: shipments by day and carrier, with what is due back and whether it came."""
    qs = with_return_states(shipments_for_user(user), on=on)
    if filters.date_from:
        qs = qs.filter(shipped_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(shipped_on__lte=filters.date_to)
    if filters.carrier == OWN_DELIVERY:
        qs = qs.filter(carrier__isnull=True)
    elif filters.carrier.isdigit() and len(filters.carrier) < 10:
        qs = qs.filter(carrier_id=int(filters.carrier))
    if filters.state in (OUTSTANDING, OVERDUE):
        # What is still out (a few hundred shipments among years of them) is found first, alone, by
        # its partial index, as in `returns_by_carrier`: joined at once to the user's outbounds,
        # PostgreSQL hashed all of them (50-110 ms at scale 1, 6-14 with the ids). SQLite is
        # still given the condition too, which leads it to the same index.
        still_out = _cod_out() | _note_out() if filters.state == OUTSTANDING else _overdue(on)
        ids = Shipment.objects.filter(still_out).order_by().values_list("pk", flat=True)
        qs = qs.filter(still_out, pk__any_of=list(ids))
    elif filters.state == RETURNED:
        qs = qs.filter(Q(cod_amount__gt=0) | Q(note_required=True)).exclude(_cod_out() | _note_out())
    return qs.select_related("carrier", "outbound__customer", "outbound__order").order_by(
        "shipped_on", F("carrier__name").asc(nulls_last=True), "driver", "id"
    )


@dataclass(frozen=True)
class LogTotals:
    shipments: int
    cod_total: Decimal
    cod_returned: Decimal
    cod_outstanding: Decimal
    cod_overdue: Decimal
    notes_required: int
    notes_returned: int
    notes_overdue: int


def courier_log_totals(qs: QuerySet[Shipment], *, on: dt.date) -> LogTotals:
    """The totals under the courier log, over every row of the filter (not just the page)."""
    nothing = Decimal("0")
    return LogTotals(
        **qs.order_by().aggregate(
            shipments=Count("id"),
            cod_total=Sum("cod_amount", default=nothing),
            cod_returned=Sum("cod_amount", filter=Q(cod_returned_on__isnull=False), default=nothing),
            cod_outstanding=Sum("cod_amount", filter=_cod_out(), default=nothing),
            cod_overdue=Sum("cod_amount", filter=_cod_overdue(on), default=nothing),
            notes_required=Count("id", filter=Q(note_required=True)),
            notes_returned=Count("id", filter=Q(note_required=True, note_returned_on__isnull=False)),
            notes_overdue=Count("id", filter=_note_overdue(on)),
        )
    )


@dataclass
class CarrierReturns:
    """What one carrier, or one of our drivers, still owes back on a day."""

    carrier_id: int | None  # None: our own delivery, `name` is the driver
    name: str
    suspended: bool
    cod_due: int
    cod_due_amount: Decimal
    cod_overdue: int
    cod_overdue_amount: Decimal
    notes_due: int
    notes_overdue: int
    oldest_overdue: dt.date | None

    @property
    def overdue(self) -> bool:
        return bool(self.cod_overdue or self.notes_overdue)

    @property
    def log_filter(self) -> str:
        """The courier log's carrier filter that shows these shipments."""
        return str(self.carrier_id) if self.carrier_id else OWN_DELIVERY


def returns_by_carrier(*, on: dt.date, user=None) -> list[CarrierReturns]:
    """COD money and signed notes still out, per carrier and per driver, due and overdue.

    `user` limits it to that user's customers; None counts every shipment, as the manager
    sees a carrier. The most overdue come first.
    """
    # The shipments still out are found first, alone, by their partial index. Joined at once to the
    # user's customers, PostgreSQL expects tens of thousands out where there are hundreds (it cannot
    # tell that a missing return date goes with a COD amount) and hashes all the user's outbounds;
    # given the few ids, it looks each one up. They go as one array (`any_of`): written out, the
    # 354 of scale 1 were a statement of their own at each count, planned again (0.9 ms).
    still_out = list(
        Shipment.objects.filter(_cod_out() | _note_out()).order_by().values_list("pk", flat=True)
    )
    qs = (Shipment.objects.all() if user is None else shipments_for_user(user)).filter(pk__any_of=still_out)
    # Those few are read with their states and added up here: the same sums asked of the database
    # as eight filtered aggregates, twice (carriers, drivers), took Django 6 ms to build, the
    # database under 1 ms to answer.
    shipments = with_return_states(qs, on=on).values_list(
        "carrier_id", "carrier__name", "carrier__status", "driver",
        "cod_state", "cod_amount", "cod_due", "note_state", "note_due",
    )  # fmt: skip
    counts: dict[tuple, Counter] = defaultdict(Counter)  # by carrier or driver: ("cod", DUE) → 3
    cod_amounts: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    late_since: dict[tuple, list[dt.date]] = defaultdict(list)
    for carrier_id, carrier_name, status, driver, cod, cod_amount, cod_due, note, note_due in shipments:
        # A shipment with both a carrier and a driver (our driver to the freight depot) is the carrier's.
        key = (carrier_id, carrier_name, status == "suspended") if carrier_id else (None, driver, False)
        counts[key]["cod", cod] += 1
        counts[key]["note", note] += 1
        cod_amounts[key][cod] += cod_amount
        late_since[key] += [due for state, due in ((cod, cod_due), (note, note_due)) if state == OVERDUE]
    rows = []
    for key, count in counts.items():
        carrier_id, name, suspended = key
        row = CarrierReturns(
            carrier_id=carrier_id,
            name=name,
            suspended=suspended,
            cod_due=count["cod", DUE],
            cod_due_amount=cod_amounts[key][DUE],
            cod_overdue=count["cod", OVERDUE],
            cod_overdue_amount=cod_amounts[key][OVERDUE],
            notes_due=count["note", DUE],
            notes_overdue=count["note", OVERDUE],
            oldest_overdue=min(late_since[key], default=None),
        )
        rows.append(row)
    rows.sort(key=lambda r: (r.oldest_overdue is None, r.oldest_overdue or on, r.name))
    return rows


def carriers_flagged(
    *, on: dt.date, user=None, returns: list[CarrierReturns] | None = None
) -> list[CarrierReturns]:
    """Carriers past their deadline with COD money or signed notes: the manager may suspend them.
    `returns`: what `returns_by_carrier` already gave for the same day and user."""
    returns = returns_by_carrier(on=on, user=user) if returns is None else returns
    return [r for r in returns if r.carrier_id and r.overdue]


def drivers_overdue(
    *, on: dt.date, user=None, returns: list[CarrierReturns] | None = None
) -> list[CarrierReturns]:
    """Our own drivers with signed notes (or cash) not back by the due date. `returns`: as for
    `carriers_flagged`."""
    returns = returns_by_carrier(on=on, user=user) if returns is None else returns
    return [r for r in returns if not r.carrier_id and r.overdue]


def overdue_returns(*, on: dt.date, user=None) -> QuerySet[Shipment]:
    """Every shipment with COD money or a signed note past its due date on `on`."""
    # Found first, alone, by their partial indexes, as in `returns_by_carrier`: asked together
    # with the carriers' names to sort by, SQLite read every shipment ever made (330 ms at scale 1).
    late = list(Shipment.objects.filter(_overdue(on)).order_by().values_list("pk", flat=True))
    qs = Shipment.objects.all() if user is None else shipments_for_user(user)
    return (
        with_return_states(qs.filter(pk__in=late), on=on)
        .select_related("carrier", "outbound__customer", "outbound__order")
        .order_by(F("carrier__name").asc(nulls_last=True), "driver", "shipped_on", "id")
    )


@dataclass(frozen=True)
class ShipmentDefaults:
    carrier_id: int | None
    route: str
    cod_amount: Decimal
    note_required: bool


def shipment_defaults(outbound: Outbound) -> ShipmentDefaults:
    """What a new shipment of `outbound` starts with, read from its order.

    A COD order has the courier collect the outbound's amount, less what other shipments of
    the same outbound already collect (a second parcel must not double the money). Our own
    drivers always bring a signed note back (送货司机签回来的回单), as do couriers on a
    signed-note order.
    """
    order = outbound.order
    if order is None:
        return ShipmentDefaults(None, outbound.customer.region, Decimal("0"), False)
    cod = Decimal("0")
    if order.collection_method == CollectionMethod.COD:
        recorded = outbound.shipments.aggregate(total=Sum("cod_amount", default=Decimal("0")))["total"]
        cod = max(outbound.amount - recorded, Decimal("0"))
    carrier_id = order.carrier_id if order.carrier and order.carrier.status == "active" else None
    return ShipmentDefaults(
        carrier_id=carrier_id,
        route=outbound.customer.region or outbound.customer.city,
        cod_amount=cod,
        note_required=order.collection_method == CollectionMethod.SIGNED_NOTE
        or order.ship_method == ShipMethod.DELIVERY,
    )


def order_outbounds_with_shipments(order: SalesOrder) -> QuerySet[Outbound]:
    """The order's posted sales outbounds, each with its shipments: the order page's panel."""
    return (
        order.outbounds.filter(kind=OutboundKind.SALE, status=OutboundStatus.POSTED)
        .prefetch_related(Prefetch("shipments", queryset=Shipment.objects.select_related("carrier")))
        .order_by("posted_at", "id")
    )


# --- End of day (每天下班前): every order of the day shipped, or why not ------------------


@dataclass
class DayOrder:
    order: SalesOrder
    state: str  # "shipped", "open" (an exception to follow up) or "cancelled"
    outbounds: list[Outbound] = field(default_factory=list)  # posted, each with its shipments
    reasons: list[str] = field(default_factory=list)


@dataclass
class EndOfDay:
    day: dt.date
    orders: list[DayOrder]  # registered on the day
    earlier: list[DayOrder]  # registered before, due to ship by the day and still open

    @property
    def exceptions(self) -> int:
        return sum(1 for o in [*self.orders, *self.earlier] if o.state == "open")


def _open_demands() -> Prefetch:
    return Prefetch(
        "production_demands",
        queryset=ProductionDemand.objects.filter(
            request__status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED]
        ).select_related("request"),
        to_attr="open_demands",
    )


def _with_day_details(qs: QuerySet[SalesOrder]) -> QuerySet[SalesOrder]:
    """Everything the end-of-day list says about an order, in a fixed number of queries."""
    lines = (
        OrderLine.objects.select_related("product")
        .annotate(shipped=_shipped_subquery())
        .prefetch_related(_open_demands())
        .order_by("position")
    )
    outbounds = (
        Outbound.objects.filter(kind=OutboundKind.SALE)
        .prefetch_related(Prefetch("shipments", queryset=Shipment.objects.select_related("carrier")))
        .order_by("posted_at", "id")
    )
    return qs.select_related("customer", "carrier").prefetch_related(
        Prefetch("lines", queryset=lines, to_attr="day_lines"),
        Prefetch("outbounds", queryset=outbounds, to_attr="day_outbounds"),
        Prefetch(
            "checks", queryset=ReviewCheck.objects.filter(result=CheckResult.FAILED), to_attr="failed_checks"
        ),
    )


def _why_not_shipped(order: SalesOrder) -> list[str]:
    if order.status == OrderStatus.ON_HOLD:
        reasons = []
        for check in order.failed_checks:
            known = review.check_by_code(check.code)
            label = known.label if known else check.code
            reasons.append(_("On hold — %(check)s: %(reason)s") % {"check": label, "reason": check.reason})
        return reasons or [_("On hold.")]
    if order.status == OrderStatus.REGISTERED:
        return [_("Registered but not released to the warehouse.")]
    if order.status == OrderStatus.DRAFT:
        return [_("Not registered yet.")]
    reasons, left_for_warehouse = [], False
    for line in order.day_lines:
        left = line.quantity - line.shipped
        if left <= 0:
            continue
        demand = line.open_demands[0] if line.open_demands else None
        code, n = line.product.model_code, quantity_text(left)
        if demand is not None:
            when = demand.request.confirmed_date
            reasons.append(
                _("%(code)s × %(n)s waits for production, ready %(when)s.")
                % {"code": code, "n": n, "when": f"{when:%Y-%m-%d}" if when else _("date not yet confirmed")}
            )
        elif order.status == OrderStatus.PARTLY_SHIPPED:
            reasons.append(_("Partly shipped: %(code)s × %(n)s still open.") % {"code": code, "n": n})
        else:
            left_for_warehouse = True
    drafts = [o for o in order.day_outbounds if o.status == OutboundStatus.DRAFT]
    if drafts:
        reasons.append(
            _("Outbound %(n)s prepared but not posted.") % {"n": ", ".join(o.reference for o in drafts)}
        )
    elif left_for_warehouse:
        reasons.append(
            _("Released to the warehouse for %(slot)s, not posted yet.")
            % {"slot": f"{order.ship_date:%Y-%m-%d} {order.get_ship_slot_display()}"}
        )
    return reasons


def _day_order(order: SalesOrder) -> DayOrder:
    posted = [o for o in order.day_outbounds if o.status == OutboundStatus.POSTED]
    if order.status in {OrderStatus.SHIPPED, OrderStatus.CLOSED}:
        return DayOrder(order, "shipped", posted)
    if order.status == OrderStatus.CANCELLED:
        return DayOrder(order, "cancelled", posted, [_("Cancelled.")])
    return DayOrder(order, "open", posted, _why_not_shipped(order))


def end_of_day(*, user, day: dt.date) -> EndOfDay:
    """每天下班前: the day's orders, each shipped (with its outbounds) or with why not."""
    start, end = day_span(day)
    registered = _with_day_details(
        order_list(user=user)
        .filter(registered_at__gte=start, registered_at__lt=end)
        .order_by("registered_at", "number")
    )
    earlier = _with_day_details(
        order_list(user=user)
        .filter(Rare(Q(status__in=OPEN_ORDER_STATUSES)), ship_date__lte=day, registered_at__lt=start)
        .order_by("ship_date", "ship_slot", "registered_at")
    )
    return EndOfDay(day, [_day_order(o) for o in registered], [_day_order(o) for o in earlier])


# --- Tomorrow's round for our drivers (安排第二天的行程及线路) -----------------------------


@dataclass
class Stop:
    customer: object  # Customer
    order: SalesOrder | None
    outbound: Outbound | None  # None while the warehouse has not posted it yet
    shipment: Shipment | None  # None while no driver is recorded
    goods: list[tuple[Product, Decimal]]
    note_required: bool
    amount: Decimal | None  # the goods' value, for a driver who collects cash (送货收现)

    @property
    def collection(self) -> str:
        return self.order.get_collection_method_display() if self.order else ""


@dataclass
class Route:
    area: str
    stops: list[Stop]


@dataclass
class DriverRun:
    driver: str  # "" while no driver is assigned
    routes: list[Route]

    @property
    def stop_count(self) -> int:
        return sum(len(r.stops) for r in self.routes)


def _planned_stops(user, day: dt.date, since: dt.date) -> list[tuple[str, str, Stop]]:
    """(driver, area, stop) for every own delivery to make on `day`."""
    cash = {CollectionMethod.CASH_ON_DELIVERY, CollectionMethod.COD}
    stops = []
    shipments = (
        shipments_for_user(user)
        .filter(carrier__isnull=True, shipped_on=day)
        .select_related("outbound__customer", "outbound__order")
        .prefetch_related("outbound__lines__product", "outbound__customer__contacts")
    )
    planned_orders, planned_outbounds = set(), set()
    for s in shipments:
        o = s.outbound
        planned_orders.add(o.order_id)
        planned_outbounds.add(o.pk)
        goods = [(line.product, line.quantity) for line in o.lines.all()]
        amount = s.cod_amount or (o.amount if o.order and o.order.collection_method in cash else None)
        area = s.route or o.customer.region or o.customer.city
        stops.append((s.driver, area, Stop(o.customer, o.order, o, s, goods, s.note_required, amount)))
    # Posted for our drivers but no driver recorded yet: still on tomorrow's truck.
    posted = (
        scope_to_user(Outbound.objects.all(), user, "customer")
        .filter(
            kind=OutboundKind.SALE,
            status=OutboundStatus.POSTED,
            order__ship_method=ShipMethod.DELIVERY,
            posting_date__gte=since,
            shipments__isnull=True,
        )
        .exclude(pk__in=planned_outbounds)
        .select_related("customer", "order")
        .prefetch_related("lines__product", "customer__contacts")
    )
    for o in posted:
        planned_orders.add(o.order_id)
        goods = [(line.product, line.quantity) for line in o.lines.all()]
        amount = o.amount if o.order.collection_method in cash else None
        stops.append(
            (
                "",
                o.customer.region or o.customer.city,
                Stop(o.customer, o.order, o, None, goods, True, amount),
            )
        )
    orders = (
        order_list(user=user)
        .filter(Rare(Q(status__in=OPEN_ORDER_STATUSES)), ship_method=ShipMethod.DELIVERY, ship_date__lte=day)
        .exclude(pk__in=planned_orders)
        .prefetch_related(
            "customer__contacts",
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product").annotate(shipped=_shipped_subquery()),
                to_attr="day_lines",
            ),
        )
    )
    for order in orders:
        open_lines = [line for line in order.day_lines if line.quantity > line.shipped]
        goods = [(line.product, line.quantity - line.shipped) for line in open_lines]
        amount = (
            total(line_amount(line.quantity - line.shipped, line.unit_price) for line in open_lines)
            if order.collection_method in cash
            else None
        )
        area = order.customer.region or order.customer.city
        stops.append(("", area, Stop(order.customer, order, None, None, goods, True, amount)))
    return stops


def delivery_plan(*, user, day: dt.date, since: dt.date | None = None) -> list[DriverRun]:
    """Own deliveries for `day`, by driver, then area, then the customer's address.

    Drivers already recorded on shipments come first; released orders and outbounds posted
    since `since` with no driver yet follow as "to be assigned", so nothing is left behind.
    """
    runs: dict[str, dict[str, list[Stop]]] = {}
    for driver, area, stop in _planned_stops(user, day, since or day):
        runs.setdefault(driver, {}).setdefault(area, []).append(stop)
    plan = []
    for driver in sorted(runs, key=lambda d: (d == "", d)):
        routes = [
            Route(area, sorted(stops, key=lambda s: (s.customer.address, s.customer.name)))
            for area, stops in sorted(runs[driver].items(), key=lambda item: (item[0] == "", item[0]))
        ]
        plan.append(DriverRun(driver, routes))
    return plan


# --- Next morning (第二天早上核对): what left against what was ordered ----------------------


@dataclass
class LineCheck:
    product: Product
    ordered: Decimal
    before: Decimal  # shipped by earlier outbounds of the order
    this: Decimal  # in this outbound
    ordered_line: bool = True  # False: shipped but not on the order

    @property
    def still_open(self) -> Decimal:
        return self.ordered - self.before - self.this


@dataclass
class OutboundCheck:
    outbound: Outbound
    shipments: list[Shipment]
    lines: list[LineCheck]
    differences: list[str]

    @property
    def in_this(self) -> list[LineCheck]:
        """The lines this outbound carried (an order line shipped before has none here)."""
        return [line for line in self.lines if line.this]


def previous_workday(day: dt.date) -> dt.date:
    """The working day before `day`: Monday morning checks Friday's shipments."""
    exceptions = dict(
        CalendarDay.objects.filter(date__lt=day, date__gte=day - dt.timedelta(days=40)).values_list(
            "date", "is_workday"
        )
    )
    candidate = day - dt.timedelta(days=1)
    while not is_workday(candidate, exceptions) and candidate > day - dt.timedelta(days=40):
        candidate -= dt.timedelta(days=1)
    return candidate


def next_plan_day(day: dt.date) -> dt.date:
    return next_workday(day, include_today=False)


def _line_checks(outbound: Outbound, shipped: dict[int, list[tuple]]) -> list[LineCheck]:
    """The order's lines (ordered, shipped before, in this outbound), then anything not ordered.
    `shipped`: per order line, each posted sale of it as (posted at, outbound id, quantity)."""
    mine = (outbound.posted_at, outbound.pk)
    this_by_line: dict[int, Decimal] = {}
    not_ordered = []
    for line in outbound.lines.all():
        if line.order_line_id is None or line.order_line.order_id != outbound.order_id:
            not_ordered.append(LineCheck(line.product, Decimal("0"), Decimal("0"), line.quantity, False))
        else:
            this_by_line[line.order_line_id] = (
                this_by_line.get(line.order_line_id, Decimal("0")) + line.quantity
            )
    ordered = []
    for order_line in outbound.order.lines.all() if outbound.order else []:
        before = sum((q for at, pk, q in shipped.get(order_line.pk, ()) if (at, pk) < mine), Decimal("0"))
        this = this_by_line.get(order_line.pk, Decimal("0"))
        ordered.append(LineCheck(order_line.product, order_line.quantity, before, this))
    return ordered + not_ordered


def _differences(check_lines: list[LineCheck], shipments: list[Shipment]) -> list[str]:
    found = []
    for c in check_lines:
        code, unit = c.product.model_code, c.product.unit
        if not c.ordered_line:
            found.append(
                _("%(code)s × %(n)s shipped but not on the order.")
                % {"code": code, "n": quantity_text(c.this)}
            )
        elif c.still_open < 0:
            found.append(
                _("%(code)s: %(n)s %(unit)s more than ordered.")
                % {"code": code, "n": quantity_text(-c.still_open), "unit": unit}
            )
        elif c.this == 0 and c.still_open > 0:
            found.append(
                _("%(code)s not in this shipment: %(n)s %(unit)s still open.")
                % {"code": code, "n": quantity_text(c.still_open), "unit": unit}
            )
        elif c.this > 0 and c.still_open > 0:
            found.append(
                _("%(code)s: %(this)s of %(ordered)s %(unit)s shipped, %(n)s still open.")
                % {
                    "code": code,
                    "this": quantity_text(c.this),
                    "ordered": quantity_text(c.ordered),
                    "unit": unit,
                    "n": quantity_text(c.still_open),
                }
            )
    if not shipments:
        found.append(_("No shipment recorded: enter the carrier or driver in the courier log."))
    return found


def next_morning_check(*, user, day: dt.date) -> list[OutboundCheck]:
    """Each sales outbound posted or shipped on `day`, line by line against its order."""
    # The day's outbounds by either date, each found by its own index: asked as one OR across the
    # join to the shipments, they were made DISTINCT over every outbound ever posted.
    of_the_day = {
        *Outbound.objects.filter(posting_date=day).values_list("pk", flat=True),
        *Shipment.objects.filter(shipped_on=day).values_list("outbound_id", flat=True),
    }
    outbounds = list(
        scope_to_user(Outbound.objects.all(), user, "customer")
        .filter(pk__in=of_the_day, kind=OutboundKind.SALE, status=OutboundStatus.POSTED)
        .select_related("customer", "order")
        .prefetch_related(
            Prefetch("lines", queryset=OutboundLine.objects.select_related("product", "order_line")),
            Prefetch("shipments", queryset=Shipment.objects.select_related("carrier")),
            Prefetch(
                "order__lines", queryset=OrderLine.objects.select_related("product").order_by("position")
            ),
        )
        .order_by("posted_at", "id")
    )
    shipped: dict[int, list[tuple]] = defaultdict(list)
    for line_id, at, outbound_id, quantity in OutboundLine.objects.filter(
        outbound__order_id__in={o.order_id for o in outbounds if o.order_id},
        outbound__kind=OutboundKind.SALE,
        outbound__status=OutboundStatus.POSTED,
    ).values_list("order_line_id", "outbound__posted_at", "outbound_id", "quantity"):
        shipped[line_id].append((at, outbound_id, quantity))
    checks = []
    for outbound in outbounds:
        lines = _line_checks(outbound, shipped)
        shipments = list(outbound.shipments.all())
        checks.append(OutboundCheck(outbound, shipments, lines, _differences(lines, shipments)))
    return checks
