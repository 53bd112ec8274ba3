"""Shipping pages: recording a shipment, the courier log with its tick-offs, carriers with
overdue items, the end-of-day list with tomorrow's deliveries, and the next-morning check."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.core.errors import DomainError
from salesdesk.core.forms import show_domain_error
from salesdesk.core.pages import paginate, query_without_page, url_for_each
from salesdesk.core.roles import Role, role_of, sees_prices
from salesdesk.core.spreadsheets import Column, xlsx_response
from salesdesk.orders.selectors import order_get_for_user
from salesdesk.warehouse import selectors, services
from salesdesk.warehouse.forms_shipping import CourierLogFilterForm, DayForm, ShipmentForm
from salesdesk.warehouse.models import OutboundKind, OutboundStatus

AREA = {"active_area": "warehouse"}

# Who does what. Everyone with a role reads, each within the customers their role sees.
# Assistants keep the courier log and the warehouse ships, so both record shipments; COD money
# is ticked off by those who handle money, signed notes also by the warehouse the drivers
# report back to.
RECORDS_SHIPMENTS = {Role.ASSISTANT, Role.WAREHOUSE, Role.MANAGER}
TICKS_COD = {Role.ASSISTANT, Role.FINANCE, Role.MANAGER}
TICKS_NOTES = {Role.ASSISTANT, Role.WAREHOUSE, Role.FINANCE, Role.MANAGER}
LOG_DAYS = 14  # the courier log opens on the last two weeks: what can still be coming back


def _require_role(request: HttpRequest, roles: set[Role] | None = None) -> Role:
    role = role_of(request.user)
    if role is None or (roles is not None and role not in roles):
        raise PermissionDenied
    return role


def _context(request: HttpRequest, **extra) -> dict:
    role = role_of(request.user)
    return {
        **AREA,
        "show_money": sees_prices(request.user),
        "can_record": role in RECORDS_SHIPMENTS,
        "can_tick_cod": role in TICKS_COD,
        "can_tick_notes": role in TICKS_NOTES,
        **extra,
    }


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- recording a shipment ---------------------------------------------------------------


def shipment_create(request: HttpRequest, ref: str) -> HttpResponse:
    """快递记录本 entry for one posted outbound: carrier or driver, tracking number, COD, note."""
    _require_role(request, RECORDS_SHIPMENTS)
    outbound = selectors.outbound_get_for_user(user=request.user, reference=ref)
    if outbound.kind != OutboundKind.SALE:
        raise Http404(_("Only a sales outbound is shipped."))
    show_money = sees_prices(request.user)
    defaults = selectors.shipment_defaults(outbound)
    initial = {
        "carrier": defaults.carrier_id,
        "route": defaults.route,
        "shipped_on": timezone.localdate(),
        "cod_amount": defaults.cod_amount,
        "note_required": defaults.note_required,
    }
    form = ShipmentForm(request.POST or None, show_money=show_money, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shipment = services.shipment_record(
                outbound=outbound,
                by=request.user,
                shipped_on=data["shipped_on"],
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                driver=data["driver"],
                route=data["route"],
                # The warehouse never sees or sets money: its shipments take the order's amount.
                cod_amount=(data.get("cod_amount") or 0) if show_money else defaults.cod_amount,
                note_required=data["note_required"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Shipment of %(n)s recorded.") % {"n": outbound.reference})
            day = f"{shipment.shipped_on:%Y-%m-%d}"
            log = f"{reverse('warehouse:courier-log')}?date_from={day}&date_to={day}"
            return redirect(_safe_next(request, log))
    context = _context(
        request,
        outbound=outbound,
        form=form,
        posted=outbound.status == OutboundStatus.POSTED,
        lines=outbound.lines.select_related("product"),
        shipments=outbound.shipments.select_related("carrier"),
        next=_safe_next(request, ""),
    )
    return render(request, "warehouse/shipping_form.html", context)


def shipping_order_panel(request: HttpRequest, ref: str) -> HttpResponse:
    """The order page's shipments box (htmx): each posted outbound, how it went, what is due back."""
    _require_role(request)
    order = order_get_for_user(user=request.user, reference=ref)
    outbounds = selectors.order_outbounds_with_shipments(order)
    return render(
        request,
        "warehouse/shipping_order_panel.html",
        _context(request, order=order, outbounds=outbounds, next=reverse("orders:order-detail", args=[ref])),
    )


# --- the courier log and its tick-offs --------------------------------------------------


def _log_filters(request: HttpRequest) -> tuple[selectors.CourierLogFilter, CourierLogFilterForm]:
    today = timezone.localdate()
    defaults = {"date_from": today - dt.timedelta(days=LOG_DAYS), "date_to": today}
    if not request.GET.keys() - {"page"}:
        return selectors.CourierLogFilter(**defaults), CourierLogFilterForm(initial=defaults)
    form = CourierLogFilterForm(request.GET)
    if not form.is_valid():
        return selectors.CourierLogFilter(**defaults), form
    return selectors.CourierLogFilter(**form.cleaned_data), form


def courier_log(request: HttpRequest) -> HttpResponse:
    """《快递记录本》: by day and carrier, COD and signed notes ticked off as they come back."""
    _require_role(request)
    today = timezone.localdate()
    filters, form = _log_filters(request)
    shipments = selectors.courier_log(user=request.user, filters=filters, on=today)
    page = paginate(request, shipments, per_page=100)
    _with_addresses(page)
    context = _context(
        request,
        form=form,
        filters=filters,
        page=page,
        totals=selectors.courier_log_totals(shipments, on=today),
        query=query_without_page(request),
        here=request.get_full_path(),
        today=today,
    )
    return render(request, "warehouse/shipping_log.html", context)


def _with_addresses(shipments) -> None:
    """Each row's order and tick-off addresses, each pattern reversed once for the page (a hundred
    rows, three addresses a row)."""
    order_url = url_for_each("orders:order-detail")
    cod_url = url_for_each("warehouse:shipping-cod-returned")
    note_url = url_for_each("warehouse:shipping-note-returned")
    for shipment in shipments:
        order = shipment.outbound.order
        shipment.order_url = order_url(order.reference) if order else ""
        shipment.cod_url, shipment.note_url = cod_url(shipment.pk), note_url(shipment.pk)


def courier_log_export(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    today = timezone.localdate()
    filters, _form = _log_filters(request)
    show_money = sees_prices(request.user)
    shipments = selectors.courier_log(user=request.user, filters=filters, on=today)
    states = {
        selectors.NOTHING_DUE: "",
        selectors.DUE: "未回",
        selectors.OVERDUE: "逾期",
        selectors.RETURNED: "已回",
    }
    columns = [
        Column("shipped_on", "发货日期", number_format="yyyy-mm-dd", width=12),
        Column("outbound", "出库单号", width=16),
        Column("order", "订单登记号", width=16),
        Column("customer_code", "客户编号", width=10),
        Column("customer", "客户名称", width=30),
        Column("carrier", "快递公司/司机", width=16),
        Column("tracking", "快递单号", width=20),
        *([Column("cod", "代收货款", number_format="#,##0.00")] if show_money else []),
        Column("cod_due", "货款应回日期", number_format="yyyy-mm-dd", width=12),
        Column("cod_returned", "货款回笼日期", number_format="yyyy-mm-dd", width=12),
        Column("cod_state", "货款状态", width=8),
        Column("note_required", "代签回单", width=8),
        Column("note_due", "回单应回日期", number_format="yyyy-mm-dd", width=12),
        Column("note_returned", "回单签回日期", number_format="yyyy-mm-dd", width=12),
        Column("note_state", "回单状态", width=8),
    ]

    def rows():
        for s in shipments.iterator(chunk_size=500):
            order = s.outbound.order
            yield [
                s.shipped_on,
                s.outbound.reference,
                order.number if order else "",
                s.outbound.customer.code,
                s.outbound.customer.name,
                s.carrier.name if s.carrier else f"送货 {s.driver}",
                s.tracking_number,
                *([s.cod_amount] if show_money else []),
                s.cod_due,
                s.cod_returned_on,
                states[s.cod_state],
                "是" if s.note_required else "否",
                s.note_due,
                s.note_returned_on,
                states[s.note_state],
            ]

    period = f"{filters.date_from or ''}_{filters.date_to or ''}".strip("_") or "all"
    return xlsx_response(
        filename=f"快递记录本-{period}.xlsx",
        fallback_filename=f"courier-log-{period}.xlsx",
        title="快递记录本",
        columns=columns,
        rows=rows(),
    )


def _tick(request: HttpRequest, pk: int, roles: set[Role], action, done: str) -> HttpResponse:
    """Tick one item off from a button in the courier log, then go back to the same rows."""
    _require_role(request, roles)
    shipment = selectors.shipment_get_for_user(user=request.user, pk=pk, on=timezone.localdate())
    try:
        action(shipment=shipment, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        what = shipment.tracking_number or shipment.driver
        messages.success(request, done % {"n": f"{shipment.outbound.reference} {what}".strip()})
    back = _safe_next(request, reverse("warehouse:courier-log"))
    return redirect(f"{back.split('#')[0]}#shipment-{shipment.pk}")


@require_POST
def shipment_cod_returned(request: HttpRequest, pk: int) -> HttpResponse:
    return _tick(request, pk, TICKS_COD, services.shipment_cod_returned, _("COD money of %(n)s is back."))


@require_POST
def shipment_note_returned(request: HttpRequest, pk: int) -> HttpResponse:
    return _tick(
        request, pk, TICKS_NOTES, services.shipment_note_returned, _("Signed note of %(n)s is back.")
    )


def carriers_flagged(request: HttpRequest) -> HttpResponse:
    """Carriers (and our drivers) past the deadline with COD money or signed notes."""
    _require_role(request)
    today = timezone.localdate()
    returns = selectors.returns_by_carrier(on=today, user=request.user)
    context = _context(
        request,
        today=today,
        carriers=selectors.carriers_flagged(on=today, user=request.user, returns=returns),
        drivers=selectors.drivers_overdue(on=today, user=request.user, returns=returns),
        overdue=selectors.overdue_returns(on=today, user=request.user)[:500],
        here=request.get_full_path(),
    )
    return render(request, "warehouse/shipping_flagged.html", context)


# --- the day's checks -------------------------------------------------------------------


def _day(request: HttpRequest, default: dt.date) -> tuple[dt.date, str, DayForm]:
    form = DayForm(request.GET or None, initial={"day": default})
    if request.GET and form.is_valid():
        return form.cleaned_data["day"] or default, form.cleaned_data["driver"].strip(), form
    return default, "", form


def end_of_day(request: HttpRequest) -> HttpResponse:
    """每天下班前: today's orders shipped or why not, then tomorrow's deliveries."""
    _require_role(request)
    day, _driver, form = _day(request, timezone.localdate())
    plan_day = selectors.next_plan_day(day)
    context = _context(
        request,
        form=form,
        report=selectors.end_of_day(user=request.user, day=day),
        plan_day=plan_day,
        plan=selectors.delivery_plan(user=request.user, day=plan_day, since=day),
    )
    return render(request, "warehouse/shipping_end_of_day.html", context)


def end_of_day_plan(request: HttpRequest) -> HttpResponse:
    """Tomorrow's own deliveries, printable for each driver: by area, then address."""
    _require_role(request)
    today = timezone.localdate()
    day, driver, form = _day(request, selectors.next_plan_day(today))
    plan = selectors.delivery_plan(user=request.user, day=day, since=min(today, day))
    if driver:
        plan = [run for run in plan if run.driver == driver]
    return render(
        request,
        "warehouse/shipping_plan.html",
        _context(request, form=form, day=day, plan=plan, driver=driver),
    )


def next_morning(request: HttpRequest) -> HttpResponse:
    """第二天早上核对: what each of the day's outbounds held, against its order."""
    _require_role(request)
    day, _driver, form = _day(request, selectors.previous_workday(timezone.localdate()))
    checks = selectors.next_morning_check(user=request.user, day=day)
    context = _context(
        request,
        form=form,
        day=day,
        checks=checks,
        # What differs comes first, in full; what matches its order is a line each below.
        differing=[c for c in checks if c.differences],
        matching=[c for c in checks if not c.differences],
        here=request.get_full_path(),
    )
    return render(request, "warehouse/shipping_next_morning.html", context)
