from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.calls.selectors import call_get_for_user, call_openable
from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors import prices_in_force
from salesdesk.core.audit import events_for, trail
from salesdesk.core.errors import DomainError
from salesdesk.core.forms import form_errors_text, show_domain_error
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.people import name_of
from salesdesk.core.roles import scope_to_user, sees_prices
from salesdesk.core.spreadsheets import Column, xlsx_response
from salesdesk.core.workflow import status_history
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors import customer_get_for_user, customer_missing_fields
from salesdesk.orders import selectors, services
from salesdesk.orders.forms import (
    CancelForm,
    OrderFilterForm,
    OrderHeaderForm,
    OrderLineFormSet,
    OverrideForm,
    PasteForm,
    RegisterFilterForm,
    ReleaseForm,
    ShipInPartsForm,
)
from salesdesk.orders.models import OrderStatus
from salesdesk.orders.parsing import parse_order_text
from salesdesk.orders.slots import ship_slot_for

AREA = {"active_area": "orders"}


def _require_orders(request: HttpRequest, *, write: bool = False) -> None:
    # Taking orders is the assistants' and salespeople's work; the warehouse only reads.
    perm = "customers.change_customer" if write else "customers.view_customer"
    require_perm(request, perm)


def order_list(request: HttpRequest) -> HttpResponse:
    _require_orders(request)
    form = OrderFilterForm(request.GET or None)
    filters = selectors.OrderFilter(**form.cleaned_data) if form.is_valid() else selectors.OrderFilter()
    orders = selectors.order_search(user=request.user, filters=filters)
    page = paginate(request, orders, shown=selectors.order_rows)
    return render(
        request,
        "orders/order_list.html",
        {**AREA, "form": form, "page": page, "query": query_without_page(request)},
    )


def _entry_context(request, header, lines, order=None) -> dict:
    customers = scope_to_user(Customer.objects.exclude(status="closed"), request.user).values_list(
        "code", "name"
    )
    return {
        **AREA,
        "header": header,
        "lines": lines,
        "order": order,
        "customers": customers,
        "products": Product.objects.filter(active=True).order_by("model_code"),
        "new_products": Product.objects.filter(active=True, is_new=True).order_by("model_code"),
        "paste_form": PasteForm(),
    }


def _line_inputs(formset) -> list[services.LineInput]:
    return [
        services.LineInput(
            product=f.cleaned_data["product"],
            quantity=f.cleaned_data["quantity"],
            unit_price=f.cleaned_data.get("unit_price"),
            requested_date=f.cleaned_data.get("requested_date"),
            notes=f.cleaned_data.get("notes", ""),
        )
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _header_fields(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "customer"}


def order_create(request: HttpRequest) -> HttpResponse:
    """The phone order form: keyboard only, prices filled in, totals live."""
    _require_orders(request, write=True)
    initial = {}
    call = None
    if request.GET.get("call", "").isdigit():
        call = call_get_for_user(user=request.user, pk=int(request.GET["call"]))
        if call.customer_id:
            initial["customer"] = call.customer.code
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"][:16]
    header = OrderHeaderForm(request.POST or None, user=request.user, initial=initial)
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        try:
            with transaction.atomic():
                order = services.order_create(
                    by=request.user,
                    customer=header.cleaned_data["customer"],
                    lines=_line_inputs(lines),
                    call=call,
                    **_header_fields(header),
                )
                if request.POST.get("action") == "register":
                    order = services.order_register(order=order, by=request.user)
        except DomainError as exc:
            show_domain_error(header, exc)
        else:
            return _after_save(request, order)
    return render(request, "orders/order_form.html", {**_entry_context(request, header, lines), "call": call})


def _after_save(request: HttpRequest, order) -> HttpResponse:
    if order.status == "on_hold":
        messages.warning(
            request, _("Order %(n)s registered but held by the review: see why below.") % {"n": order.number}
        )
    elif order.number:
        messages.success(request, _("Order %(n)s registered.") % {"n": order.number})
    else:
        messages.success(request, _("Draft saved."))
    return redirect("orders:order-detail", ref=order.reference)


def order_edit(request: HttpRequest, ref: str) -> HttpResponse:
    _require_orders(request, write=True)
    order = selectors.order_get_for_user(user=request.user, reference=ref)
    if order.status not in {"draft", "on_hold"}:
        messages.error(request, _("Only a draft or an order on hold can be changed."))
        return redirect("orders:order-detail", ref=order.reference)
    initial = {
        "customer": order.customer.code,
        "channel": order.channel,
        "ship_method": order.ship_method,
        "carrier": order.carrier,
        "collection_method": order.collection_method,
        "salesperson": order.salesperson,
        "warehouse_instructions": order.warehouse_instructions,
    }
    line_initial = [
        {
            "product": f"{line.product.model_code}",
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "requested_date": line.requested_date,
            "notes": line.notes,
        }
        for line in selectors.order_lines(order)
    ]
    header = OrderHeaderForm(request.POST or None, user=request.user, initial=initial)
    header.fields["customer"].disabled = True
    lines = OrderLineFormSet(request.POST or None, prefix="lines", initial=line_initial)
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        try:
            with transaction.atomic():
                order = services.order_update(
                    order=order, by=request.user, lines=_line_inputs(lines), **_header_fields(header)
                )
                if request.POST.get("action") == "register" and order.status == "draft":
                    order = services.order_register(order=order, by=request.user)
        except DomainError as exc:
            show_domain_error(header, exc)
        else:
            return _after_save(request, order)
    return render(request, "orders/order_form.html", _entry_context(request, header, lines, order))


def order_detail(request: HttpRequest, ref: str) -> HttpResponse:
    _require_orders(request)
    order = selectors.order_get_for_user(user=request.user, reference=ref)
    lines = list(selectors.order_lines(order))
    default_slot = ship_slot_for(order.registered_at) if order.registered_at else None
    context = {
        **AREA,
        "order": order,
        "lines": lines,
        "total": sum((line.amount for line in lines), start=0),
        "checks": selectors.order_review(order, request.user),
        "call_openable": bool(order.call_id) and call_openable(user=request.user, pk=order.call_id),
        "transitions": _labelled(status_history(order)),
        "events": trail(events_for(order)),
        "default_slot": default_slot,
        "release_form": ReleaseForm(),
        "cancel_form": CancelForm(),
        "show_money": sees_prices(request.user),
    }
    return render(request, "orders/order_detail.html", context)


def _labelled(changes):
    labels = dict(OrderStatus.choices)
    for change in changes:
        change.from_label = labels.get(change.from_status, change.from_status)
        change.to_label = labels.get(change.to_status, change.to_status)
        yield change


def _act(request: HttpRequest, ref: str, action, success: str, form_class=None) -> HttpResponse:
    """Run one order action from a button on the detail page, reporting the outcome there."""
    _require_orders(request, write=True)
    order = selectors.order_get_for_user(user=request.user, reference=ref)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors_text(form))
            return redirect("orders:order-detail", ref=order.reference)
        data = form.cleaned_data
    try:
        order = action(order=order, by=request.user, **data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("orders:order-detail", ref=order.reference)


@require_POST
def order_register(request: HttpRequest, ref: str) -> HttpResponse:
    _require_orders(request, write=True)
    order = selectors.order_get_for_user(user=request.user, reference=ref)
    try:
        order = services.order_register(order=order, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("orders:order-detail", ref=order.reference)
    return _after_save(request, order)


@require_POST
def order_override(request: HttpRequest, ref: str) -> HttpResponse:
    return _act(request, ref, services.order_override, _("Check overridden."), OverrideForm)


@require_POST
def order_review_again(request: HttpRequest, ref: str) -> HttpResponse:
    return _act(request, ref, services.order_review_again, _("Review run again."))


@require_POST
def order_release(request: HttpRequest, ref: str) -> HttpResponse:
    return _act(request, ref, services.order_release, _("Released to the warehouse."), ReleaseForm)


@require_POST
def order_ship_in_parts(request: HttpRequest, ref: str) -> HttpResponse:
    """The customer's answer when stock is short: send what there is now, or wait for all."""
    choice = request.POST.get("ship_in_parts")
    done = _("The order ships in parts.") if choice == "1" else _("The order waits to ship complete.")
    return _act(request, ref, services.order_set_ship_in_parts, done, ShipInPartsForm)


@require_POST
def order_cancel(request: HttpRequest, ref: str) -> HttpResponse:
    return _act(request, ref, services.order_cancel, _("Order cancelled."), CancelForm)


@require_POST
def order_repeat(request: HttpRequest) -> HttpResponse:
    _require_orders(request, write=True)
    customer = customer_get_for_user(
        user=request.user, code=request.POST.get("customer", "").strip().upper()[:16]
    )
    try:
        order = services.order_repeat_last(customer=customer, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('orders:order-create')}?customer={customer.code}")
    messages.success(request, _("Last order copied: check quantities and register."))
    return redirect("orders:order-edit", ref=order.reference)


def customer_panel(request: HttpRequest) -> HttpResponse:
    """The customer box beside the order form: who, what is missing, agreed prices (JSON)."""
    _require_orders(request)
    code = request.GET.get("customer", "").strip().upper()[:16]
    customer = scope_to_user(Customer.objects.all(), request.user).filter(code=code).first()
    if customer is None:
        return render(request, "orders/_customer_panel.html", {"customer": None, "code": code})
    prices = (
        {
            p.product.model_code: str(p.unit_price)
            for p in prices_in_force(customer=customer, on=timezone.localdate())
        }
        if sees_prices(request.user)
        else {}
    )
    context = {
        "customer": customer,
        "missing": customer_missing_fields(customer),
        "prices": prices,
        "last_order": customer.orders.exclude(status="cancelled").order_by("-created_at").first(),
    }
    return render(request, "orders/_customer_panel.html", context)


@require_POST
def order_parse(request: HttpRequest) -> JsonResponse:
    """Proposed lines from the text of an SMS or chat message."""
    _require_orders(request)
    form = PasteForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"detail": _("Paste the message text first."), "lines": [], "unrecognised": []}, status=400
        )
    products = {p.model_code: p for p in Product.objects.filter(active=True)}
    parsed = parse_order_text(form.cleaned_data["text"], list(products), timezone.localdate())
    return JsonResponse(
        {
            "requested_date": parsed.requested_date.isoformat() if parsed.requested_date else None,
            "lines": [
                {
                    "product": line.model_code,
                    "name": products[line.model_code].name,
                    "quantity": str(line.quantity),
                    "source": line.source,
                }
                for line in parsed.lines
            ],
            "unrecognised": parsed.unrecognised,
        }
    )


def order_tracking(request: HttpRequest, ref: str) -> HttpResponse:
    """催货: everything a chasing customer needs to hear, on one page."""
    _require_orders(request)
    tracking = selectors.order_tracking(user=request.user, reference=ref)
    return render(request, "orders/order_tracking.html", {**AREA, "t": tracking})


def order_find(request: HttpRequest) -> HttpResponse:
    """Where is my order: by register number, or the latest orders of a customer."""
    _require_orders(request)
    q = request.GET.get("q", "").strip()[:40]
    orders = []
    if q:
        exact = selectors.order_list(user=request.user).filter(number__iexact=q).first()
        if exact is not None:
            return redirect("orders:order-tracking", ref=exact.reference)
        orders = selectors.order_list(user=request.user, filters=selectors.OrderFilter(q=q))[:20]
    return render(request, "orders/order_find.html", {**AREA, "q": q, "orders": orders})


def _register_period(request: HttpRequest) -> tuple[int, int | None]:
    form = RegisterFilterForm(request.GET or None)
    today = timezone.localdate()
    if form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data.get("month")
    return today.year, today.month


def sales_register(request: HttpRequest) -> HttpResponse:
    """《销售记录本》: every registered order by date and number, printable."""
    _require_orders(request)
    year, month = _register_period(request)
    orders = selectors.sales_register(user=request.user, year=year, month=month)
    page = paginate(request, orders, per_page=100, shown=selectors.order_rows)
    form = RegisterFilterForm(initial={"year": year, "month": month})
    return render(
        request,
        "orders/sales_register.html",
        {
            **AREA,
            "page": page,
            "form": form,
            "year": year,
            "month": month,
            "query": query_without_page(request),
            "show_money": sees_prices(request.user),
        },
    )


def sales_register_export(request: HttpRequest) -> HttpResponse:
    _require_orders(request)
    year, month = _register_period(request)
    show_money = sees_prices(request.user)
    columns = [
        Column("number", "登记号", width=16),
        Column("date", "日期", number_format="yyyy-mm-dd", width=12),
        Column("customer_code", "客户编号", width=10),
        Column("customer", "客户名称", width=30),
        Column("salesperson", "业务员"),
        Column("ship_method", "出货方式"),
        Column("carrier", "快递/货运"),
        Column("collection", "收款方式", width=18),
        Column("slot", "出货时间", width=16),
        Column("status", "状态"),
    ]
    if show_money:
        columns.append(Column("total", "金额", number_format="#,##0.00"))
    orders = selectors.order_rows(selectors.sales_register(user=request.user, year=year, month=month))

    def rows():
        for o in orders.iterator(chunk_size=500):
            row = [
                o.number,
                timezone.localtime(o.registered_at).date(),
                o.customer.code,
                o.customer.name,
                name_of(o.salesperson),
                o.get_ship_method_display(),
                o.carrier.name if o.carrier else "",
                o.get_collection_method_display(),
                f"{o.ship_date:%Y-%m-%d} {o.get_ship_slot_display()}" if o.ship_date else "",
                o.get_status_display(),
            ]
            yield [*row, o.total] if show_money else row

    period = f"{year}-{month:02d}" if month else str(year)
    return xlsx_response(
        filename=f"销售记录本-{period}.xlsx",
        fallback_filename=f"sales-register-{period}.xlsx",
        title=f"销售记录本 {period}",
        columns=columns,
        rows=rows(),
    )
