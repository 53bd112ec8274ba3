from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.catalog import selectors, services
from salesdesk.catalog.forms import (
    CarrierForm,
    PriceForm,
    ProductFilterForm,
    ProductForm,
    RebateForm,
    SuspendForm,
)
from salesdesk.catalog.models import Carrier, Product
from salesdesk.core.audit import events_for, trail
from salesdesk.core.errors import DomainError
from salesdesk.core.forms import show_domain_error
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.roles import sees_prices
from salesdesk.customers.selectors import MONEY_FIELDS, customer_get_for_user, history_model, history_of

AREA = {"active_area": "customers"}


def product_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "catalog.view_product")
    form = ProductFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.product_list(**filters))
    return render(
        request,
        "catalog/product_list.html",
        {**AREA, "form": form, "page": page, "query": query_without_page(request)},
    )


def product_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "catalog.add_product")
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Product %(code)s saved.") % {"code": product.model_code})
            return redirect("catalog:product-detail", pk=product.pk)
    return render(request, "catalog/product_form.html", {**AREA, "form": form})


def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "catalog.change_product")
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request, _("Product %(code)s saved.") % {"code": form.cleaned_data["model_code"]}
            )
            return redirect("catalog:product-detail", pk=product.pk)
    return render(request, "catalog/product_form.html", {**AREA, "form": form, "product": product})


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "catalog.view_product")
    product = get_object_or_404(Product, pk=pk)
    history = history_of(
        history_model(Product).objects.filter(id=product.pk),
        _("Product"),
        hide=frozenset() if sees_prices(request.user) else MONEY_FIELDS,
    )
    return render(request, "catalog/product_detail.html", {**AREA, "product": product, "history": history})


def price_list(request: HttpRequest) -> HttpResponse:
    """客户价格管理: every agreed price the user may see."""
    require_perm(request, "catalog.view_customerprice")
    q = request.GET.get("q", "")[:100]
    page = paginate(request, selectors.price_list_for_user(user=request.user, q=q))
    return render(
        request,
        "catalog/price_list.html",
        {**AREA, "page": page, "q": q, "query": query_without_page(request)},
    )


def rebate_list(request: HttpRequest) -> HttpResponse:
    """客户回扣设置: every rebate price the user may see."""
    require_perm(request, "catalog.view_rebateprice")
    q = request.GET.get("q", "")[:100]
    page = paginate(request, selectors.rebate_list_for_user(user=request.user, q=q))
    return render(
        request,
        "catalog/rebate_list.html",
        {**AREA, "page": page, "q": q, "query": query_without_page(request)},
    )


def customer_prices(request: HttpRequest, code: str) -> HttpResponse:
    """The prices panel of a customer page (loaded by htmx, or on its own)."""
    require_perm(request, "catalog.view_customerprice")
    customer = customer_get_for_user(user=request.user, code=code)
    return _render_prices(request, customer)


def _render_prices(request, customer, price_form=None, rebate_form=None, rebates_to_review=None, status=200):
    today = timezone.localdate()
    context = {
        "customer": customer,
        "prices": selectors.prices_in_force(customer=customer, on=today),
        "price_history": selectors.price_history(customer=customer),
        "rebates": selectors.rebates_in_force(customer=customer, on=today),
        "rebate_history": selectors.rebate_history(customer=customer),
        "price_form": price_form or PriceForm(),
        "rebate_form": rebate_form or RebateForm(),
        "rebates_to_review": rebates_to_review or [],
        "can_set_rebate": request.user.has_perm("core.set_rebate"),
    }
    template = (
        "catalog/_customer_prices.html"
        if request.headers.get("HX-Request")
        else "catalog/customer_prices.html"
    )
    return render(request, template, {**AREA, **context}, status=status)


@require_POST
def price_create(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "catalog.add_customerprice")
    customer = customer_get_for_user(user=request.user, code=code)
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            price, rebates = services.price_set(customer=customer, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request, _("Agreed price for %(code)s saved.") % {"code": price.product.model_code}
            )
            return _render_prices(request, customer, rebates_to_review=rebates)
    return _render_prices(
        request, customer, price_form=form, status=422 if request.headers.get("HX-Request") else 200
    )


@require_POST
def rebate_create(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "core.set_rebate")
    customer = customer_get_for_user(user=request.user, code=code)
    form = RebateForm(request.POST)
    if form.is_valid():
        try:
            rebate = services.rebate_set(customer=customer, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request, _("Rebate price for %(code)s saved.") % {"code": rebate.product.model_code}
            )
            return _render_prices(request, customer)
    return _render_prices(
        request, customer, rebate_form=form, status=422 if request.headers.get("HX-Request") else 200
    )


def carrier_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "catalog.view_carrier")
    return render(request, "catalog/carrier_list.html", {**AREA, "carriers": Carrier.objects.all()})


def carrier_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "catalog.add_carrier")
    form = CarrierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            carrier = services.carrier_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Carrier %(name)s saved.") % {"name": carrier.name})
            return redirect("catalog:carrier-detail", pk=carrier.pk)
    return render(request, "catalog/carrier_form.html", {**AREA, "form": form})


def carrier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "catalog.view_carrier")
    carrier = get_object_or_404(Carrier, pk=pk)
    history = history_of(history_model(Carrier).objects.filter(id=carrier.pk), _("Carrier"))
    return render(
        request,
        "catalog/carrier_detail.html",
        {
            **AREA,
            "carrier": carrier,
            "history": history,
            "events": trail(events_for(carrier)),
            "suspend_form": SuspendForm(),
        },
    )


@require_POST
def carrier_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "catalog.suspend_carrier")
    carrier = get_object_or_404(Carrier, pk=pk)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for suspending the carrier."))
    else:
        try:
            services.carrier_suspend(carrier=carrier, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Carrier suspended: it cannot be chosen for new shipments."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("catalog:carrier-detail", pk=pk)


@require_POST
def carrier_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "catalog.suspend_carrier")
    carrier = get_object_or_404(Carrier, pk=pk)
    try:
        services.carrier_reinstate(carrier=carrier, by=request.user, note=request.POST.get("note", "")[:500])
        messages.success(request, _("Carrier reinstated."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:carrier-detail", pk=pk)
