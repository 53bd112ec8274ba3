"""Pages of stock and posting: the warehouse's queue, shipping an order, stock and its moves,
production requests, outbounds and the delivery note. No price reaches the warehouse here:
amounts are drawn only for users who see prices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, Sum, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.catalog.models import Product
from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.core.forms import form_errors_text, show_domain_error
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.roles import scope_to_user, sees_prices
from salesdesk.orders.models import OrderLine, OrderStatus, SalesOrder
from salesdesk.orders.selectors import order_get_for_user, orders_openable
from salesdesk.warehouse import documents, selectors, services
from salesdesk.warehouse.forms import (
    AdjustForm,
    ConfirmProductionForm,
    InboundForm,
    OutboundFilterForm,
    ProductionFilterForm,
    QueueFilterForm,
    ReceiveProductionForm,
    ShipForm,
    StockFilterForm,
    open_requests,
    plain,
)
from salesdesk.warehouse.models import (
    OutboundKind,
    OutboundLine,
    OutboundStatus,
    ProductionDemand,
    ProductionRequest,
    ProductionStatus,
    StockLevel,
    StockMove,
)

AREA = {"active_area": "warehouse"}
ZERO = Decimal("0")
OPEN_ORDER = {OrderStatus.RELEASED, OrderStatus.PARTLY_SHIPPED}
OPEN_REQUEST = [ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED]


# --- order lines as the warehouse sees them -------------------------------------------


@dataclass
class LineProgress:
    """An order line with what has left and what is on the shelf."""

    line: OrderLine
    shipped: Decimal
    on_hand: Decimal

    @property
    def pk(self) -> int:
        return self.line.pk

    @property
    def product(self) -> Product:
        return self.line.product

    @property
    def open(self) -> Decimal:
        return max(self.line.quantity - self.shipped, ZERO)

    @property
    def suggested(self) -> Decimal:
        """What the shipping form proposes: everything open, but no more than is on hand."""
        return max(min(self.open, self.on_hand), ZERO)

    @property
    def short(self) -> bool:
        return self.on_hand < self.open


def _progress(orders: list[SalesOrder]) -> None:
    """Give each order (lines and products prefetched) `progress`, in two queries for them all."""
    lines = [line for order in orders for line in order.lines.all()]
    shipped = dict(
        OutboundLine.objects.filter(
            order_line__in=[line.pk for line in lines],
            outbound__status=OutboundStatus.POSTED,
            outbound__kind=OutboundKind.SALE,
        )
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )
    on_hand = dict(
        StockLevel.objects.filter(product__in={line.product_id for line in lines}).values_list(
            "product_id", "on_hand"
        )
    )
    for order in orders:
        order.progress = [
            LineProgress(line, shipped.get(line.pk, ZERO), on_hand.get(line.product_id, ZERO))
            for line in sorted(order.lines.all(), key=lambda line: line.position)
        ]


def _posted_outbounds(order: SalesOrder):
    return (
        order.outbounds.filter(status=OutboundStatus.POSTED)
        .select_related("posted_by")
        .prefetch_related("lines__product")
        .order_by("posted_at", "id")
    )


# --- the queue and shipping ------------------------------------------------------------


def queue(request: HttpRequest) -> HttpResponse:
    """Released orders to ship, by ship date and slot, each with its lines and the stock."""
    require_perm(request, "warehouse.view_outbound")
    form = QueueFilterForm(request.GET or None)
    day = form.cleaned_data.get("day") if form.is_valid() else None
    page = paginate(request, selectors.warehouse_queue(user=request.user, day=day))
    orders = list(page.object_list)
    _progress(orders)
    today = timezone.localdate()
    for order in orders:
        order.slot_label = f"{order.ship_date:%Y-%m-%d} {order.get_ship_slot_display()}"
        order.overdue = order.ship_date < today
    context = {
        **AREA,
        "form": form,
        "page": page,
        "orders": orders,
        "query": query_without_page(request),
        "today": today,
        "tomorrow": today + dt.timedelta(days=1),
    }
    return render(request, "warehouse/queue.html", context)


def _show_ship_error(request: HttpRequest, form: ShipForm, exc: DomainError, sent: list) -> bool:
    """Put a refusal beside the line it concerns; say whether the page should be drawn afresh.

    A conflict (stock short, not in parts, posted meanwhile) means the numbers on the page
    are no longer right: the clerk gets the message over a fresh page instead.
    """
    if isinstance(exc, FieldErrors):
        for key, errors in exc.errors.items():
            # "lines[i].quantity" counts the lines sent, in the order they were sent.
            index = key.removeprefix("lines[").split("]")[0]
            line = sent[int(index)] if index.isdigit() and int(index) < len(sent) else None
            for error in errors:
                form.add_error(ShipForm.field_name(line) if line else None, str(error))
        return False
    if exc.status_code == 409:
        messages.error(request, exc.message)
        return True
    show_domain_error(form, exc)
    return False


def order_ship(request: HttpRequest, ref: str) -> HttpResponse:
    """Enter what actually leaves per line, then post (过账): stock out, receivable raised."""
    require_perm(request, "warehouse.post_outbound")
    order = order_get_for_user(user=request.user, reference=ref)
    prefetch_related_objects([order], Prefetch("lines", queryset=OrderLine.objects.select_related("product")))
    _progress([order])
    outbounds = list(_posted_outbounds(order))
    posted = sum(1 for o in outbounds if o.kind == OutboundKind.SALE)
    form = ShipForm(request.POST or None, lines=order.progress, initial={"seen_posted": posted})
    if request.method == "POST" and form.is_valid():
        sent = [line for line, quantity in form.quantities() if quantity]
        try:
            outbound = services.outbound_ship(
                order=order,
                by=request.user,
                quantities=[
                    services.ShipQuantity(order_line=line.line, quantity=quantity)
                    for line, quantity in form.quantities()
                    if quantity
                ],
                notes=form.cleaned_data["notes"],
                seen_posted=form.cleaned_data["seen_posted"],
            )
        except DomainError as exc:
            if _show_ship_error(request, form, exc, sent):
                return redirect("warehouse:order-ship", ref=order.reference)
        else:
            messages.success(request, _("Outbound %(n)s posted.") % {"n": outbound.number})
            return redirect("warehouse:outbound-detail", ref=outbound.number)
    context = {
        **AREA,
        "order": order,
        "form": form,
        "outbounds": outbounds,
        "can_ship": order.status in OPEN_ORDER,
        "waits_for_all": not order.ship_in_parts and any(line.short for line in order.progress),
    }
    return render(request, "warehouse/order_ship.html", context)


def order_shipments(request: HttpRequest, ref: str) -> HttpResponse:
    """The order page's panel: what has shipped, what is open, what waits for production."""
    require_perm(request, "warehouse.view_outbound")
    order = order_get_for_user(user=request.user, reference=ref)
    prefetch_related_objects([order], Prefetch("lines", queryset=OrderLine.objects.select_related("product")))
    _progress([order])
    waiting = (
        ProductionDemand.objects.filter(order_line__order=order, request__status__in=OPEN_REQUEST)
        .select_related("request", "order_line__product")
        .order_by("order_line__position")
    )
    context = {
        **AREA,
        "order": order,
        "outbounds": _posted_outbounds(order),
        "waiting": waiting,
        "can_ship": order.status in OPEN_ORDER and request.user.has_perm("warehouse.post_outbound"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "warehouse/_order_shipments.html", context)
    return render(request, "warehouse/order_shipments.html", context)


# --- stock ----------------------------------------------------------------------------


def stock_list(request: HttpRequest) -> HttpResponse:
    """Per product: on hand, reserved by released orders, available, and production under way."""
    require_perm(request, "warehouse.view_stocklevel")
    form = StockFilterForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    products = Product.objects.filter(active=True).order_by("model_code")
    if q:
        products = products.filter(Q(model_code__icontains=q) | Q(name__icontains=q))
    page = paginate(request, products.values_list("pk", flat=True))
    ids = list(page.object_list)
    rows = selectors.stock_rows(product_ids=ids) if ids else []
    production = {
        r.product_id: r
        for r in ProductionRequest.objects.filter(product__in=ids, status__in=OPEN_REQUEST).only(
            "product_id", "quantity", "needed_by", "confirmed_date"
        )
    }
    for row in rows:
        row.production = production.get(row.product.pk)
    context = {**AREA, "form": form, "page": page, "rows": rows, "query": query_without_page(request)}
    return render(request, "warehouse/stock_list.html", context)


def _with_balance(product: Product, moves: list[StockMove]) -> None:
    """Give each move (newest first) `balance`, the stock right after it, from the moves alone."""
    if not moves:
        return
    oldest = moves[-1]
    balance = (
        StockMove.objects.filter(product=product)
        .filter(Q(at__lt=oldest.at) | Q(at=oldest.at, id__lte=oldest.id))
        .aggregate(total=Sum("quantity"))["total"]
        or ZERO
    )
    for move in reversed(moves):
        if move is not oldest:
            balance += move.quantity
        move.balance = balance


def stock_moves(request: HttpRequest, pk: int) -> HttpResponse:
    """A product's stock ledger: every move in and out, with the balance after it."""
    require_perm(request, "warehouse.view_stockmove")
    product = get_object_or_404(Product, pk=pk)
    level = StockLevel.objects.filter(product=product).first()
    on_hand = level.on_hand if level else ZERO
    reserved = selectors.reserved_by_product([product.pk]).get(product.pk, ZERO)
    moves = StockMove.objects.filter(product=product).select_related("by", "outbound", "production_request")
    page = paginate(request, moves.order_by("-at", "-id"), per_page=50)
    rows = list(page.object_list)
    _with_balance(product, rows)
    outbounds = {move.outbound_id for move in rows if move.outbound_id}
    context = {
        **AREA,
        "openable_outbounds": selectors.outbounds_openable(user=request.user, ids=outbounds),
        "product": product,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "page": page,
        "moves": rows,
        "query": query_without_page(request),
    }
    return render(request, "warehouse/stock_moves.html", context)


def _initial_from_query(request: HttpRequest, *, with_request: bool = False) -> dict:
    """The form's starting values from ?product= or ?request= (a production request)."""
    initial = {}
    if request.GET.get("product", "").isdigit():
        initial["product"] = int(request.GET["product"])
        if with_request:
            # Goods of a product production was asked for most likely are that request's.
            production = open_requests().filter(product=initial["product"]).first()
            initial["request"] = production.pk if production else None
    if request.GET.get("request", "").isdigit():
        production = ProductionRequest.objects.filter(pk=int(request.GET["request"])).first()
        if production is not None:
            initial.update(
                request=production.pk, product=production.product_id, quantity=plain(production.quantity)
            )
    return initial


def inbound(request: HttpRequest) -> HttpResponse:
    """Goods in from production, optionally against the production request they fulfil."""
    require_perm(request, "warehouse.change_stocklevel")
    form = InboundForm(request.POST or None, initial=_initial_from_query(request, with_request=True))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stock_inbound(
                product=data["product"],
                quantity=data["quantity"],
                request=data["request"],
                reason=data["reason"],
                by=request.user,
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(n)s %(unit)s of %(code)s received.")
                % {
                    "n": plain(data["quantity"]),
                    "unit": data["product"].unit,
                    "code": data["product"].model_code,
                },
            )
            return redirect("warehouse:stock-moves", pk=data["product"].pk)
    return render(request, "warehouse/stock_inbound.html", {**AREA, "form": form})


def adjust(request: HttpRequest) -> HttpResponse:
    """A stock count: set on-hand to what was counted, with the reason for the difference."""
    require_perm(request, "warehouse.change_stocklevel")
    form = AdjustForm(request.POST or None, initial=_initial_from_query(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stock_adjust(
                product=data["product"], counted=data["counted"], reason=data["reason"], by=request.user
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            code = data["product"].model_code
            messages.success(request, _("Stock of %(code)s set to the count.") % {"code": code})
            return redirect("warehouse:stock-moves", pk=data["product"].pk)
    product = form.initial.get("product") if not form.is_bound else None
    level = StockLevel.objects.filter(product=product).first() if product else None
    return render(request, "warehouse/stock_adjust.html", {**AREA, "form": form, "level": level})


# --- production requests --------------------------------------------------------------


def production_list(request: HttpRequest) -> HttpResponse:
    """What production must make, for which orders, by when; its date; receiving the goods."""
    require_perm(request, "warehouse.view_productionrequest")
    form = ProductionFilterForm(request.GET or None)
    status = (form.cleaned_data.get("status") if form.is_valid() else "") or ProductionFilterForm.OPEN
    qs = ProductionRequest.objects.select_related("product", "confirmed_by")
    if status == ProductionFilterForm.OPEN:
        qs = qs.filter(status__in=OPEN_REQUEST).order_by("needed_by", "id")
    else:
        if status != ProductionFilterForm.ALL:
            qs = qs.filter(status=status)
        qs = qs.order_by("-created_at", "-id")
    # Every request counts all its orders, but names only those the user may see.
    visible = scope_to_user(ProductionDemand.objects.all(), request.user, "order_line__order__customer")
    qs = qs.annotate(order_count=Count("demands", distinct=True)).prefetch_related(
        Prefetch(
            "demands",
            queryset=visible.select_related("order_line__order__customer").order_by(
                "order_line__order__number"
            ),
            to_attr="visible_demands",
        )
    )
    page = paginate(request, qs)
    requests = list(page.object_list)
    _production_figures(requests)
    orders = {d.order_line.order_id for r in requests for d in r.visible_demands}
    context = {
        **AREA,
        "openable_orders": orders_openable(user=request.user, ids=orders),
        "form": form,
        "status": status,
        "page": page,
        "requests": requests,
        "query": query_without_page(request),
        "confirm_form": ConfirmProductionForm(),
        "today": timezone.localdate(),
    }
    return render(request, "warehouse/production_list.html", context)


def _production_figures(requests: list[ProductionRequest]) -> None:
    """Received so far, stock on hand and available, for every request on the page at once."""
    received = dict(
        StockMove.objects.filter(production_request__in=requests)
        .values("production_request")
        .annotate(total=Sum("quantity"))
        .values_list("production_request", "total")
    )
    product_ids = list({r.product_id for r in requests})
    available = selectors.available_for(product_ids) if product_ids else {}
    on_hand = dict(StockLevel.objects.filter(product__in=product_ids).values_list("product_id", "on_hand"))
    for r in requests:
        r.received = received.get(r.pk, ZERO)
        r.remaining = max(r.quantity - r.received, ZERO)
        r.on_hand = on_hand.get(r.product_id, ZERO)
        r.available = available.get(r.product_id, ZERO)
        r.is_open = r.status in OPEN_REQUEST
        r.receive_form = ReceiveProductionForm(
            initial={"quantity": plain(r.remaining) or None}, prefix=f"r{r.pk}"
        )


def _back_to_production(pk: int) -> HttpResponse:
    return redirect(reverse("warehouse:production-list") + f"#request-{pk}")


@require_POST
def production_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "warehouse.change_productionrequest")
    production = get_object_or_404(ProductionRequest.objects.select_related("product"), pk=pk)
    form = ConfirmProductionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return _back_to_production(pk)
    try:
        data = form.cleaned_data
        services.production_confirm(request=production, by=request.user, date=data["date"], note=data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Production date of %(code)s set to %(date)s.")
            % {"code": production.product.model_code, "date": f"{form.cleaned_data['date']:%Y-%m-%d}"},
        )
    return _back_to_production(pk)


@require_POST
def production_receive(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "warehouse.change_stocklevel")
    production = get_object_or_404(ProductionRequest.objects.select_related("product"), pk=pk)
    form = ReceiveProductionForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return _back_to_production(pk)
    quantity = form.cleaned_data["quantity"]
    try:
        services.stock_inbound(
            product=production.product,
            quantity=quantity,
            request=production,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(n)s %(unit)s of %(code)s received.")
            % {
                "n": plain(quantity),
                "unit": production.product.unit,
                "code": production.product.model_code,
            },
        )
    return _back_to_production(pk)


# --- outbounds ------------------------------------------------------------------------


def outbound_list(request: HttpRequest) -> HttpResponse:
    """Outbounds by posting day (today unless another day or all days are asked for)."""
    require_perm(request, "warehouse.view_outbound")
    form = OutboundFilterForm(request.GET or {"day": timezone.localdate()})
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.outbound_list(user=request.user, day=data.get("day"), kind=data.get("kind", ""))
    q = data.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(order__number__icontains=q)
            | Q(customer__code__icontains=q)
            | Q(customer__name__icontains=q)
        )
    page = paginate(request, qs.annotate(line_count=Count("lines")))
    context = {
        **AREA,
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "show_money": sees_prices(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "warehouse/outbound_list.html", context)


def outbound_detail(request: HttpRequest, ref: str) -> HttpResponse:
    require_perm(request, "warehouse.view_outbound")
    outbound = selectors.outbound_get_for_user(user=request.user, reference=ref)
    context = {
        **AREA,
        "outbound": outbound,
        "lines": outbound.lines.select_related("product", "order_line").order_by("id"),
        "show_money": sees_prices(request.user),
        "is_posted_sale": outbound.status == OutboundStatus.POSTED and outbound.kind == OutboundKind.SALE,
    }
    return render(request, "warehouse/outbound_detail.html", context)


def delivery_note(request: HttpRequest, ref: str) -> HttpResponse:
    """送货单 as a PDF, to print and send with the goods; the customer signs it."""
    require_perm(request, "warehouse.view_outbound")
    outbound = selectors.outbound_get_for_user(user=request.user, reference=ref)
    if outbound.status != OutboundStatus.POSTED or outbound.kind != OutboundKind.SALE:
        raise Http404(_("Only a posted sales outbound has a delivery note."))
    response = HttpResponse(documents.delivery_note_pdf(outbound), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="delivery-note-{outbound.number}.pdf"'
    return response
