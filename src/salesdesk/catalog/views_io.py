"""Products, agreed prices and rebate prices to and from Excel."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from salesdesk.catalog import imports, selectors
from salesdesk.catalog.forms import ProductFilterForm
from salesdesk.core.imports import import_page
from salesdesk.core.pages import require_perm
from salesdesk.core.roles import sees_prices
from salesdesk.core.spreadsheets import xlsx_response

AREA = {"active_area": "customers"}


def product_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        imports.ProductImport(user=request.user),
        template="catalog/product_import.html",
        done_url=reverse("catalog:product-list"),
        context=AREA,
    )


def price_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        imports.PriceImport(user=request.user),
        template="catalog/price_import.html",
        done_url=reverse("catalog:price-list"),
        context=AREA,
    )


def product_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "catalog.view_product")
    form = ProductFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    columns = imports.product_export_columns(with_prices=sees_prices(request.user))
    products = selectors.product_list(**filters)
    return _download("产品资料", "products", columns, imports.product_export_rows(products, columns))


def price_export(request: HttpRequest) -> HttpResponse:
    _require_money(request, "catalog.view_customerprice")
    prices = selectors.price_list_for_user(user=request.user, q=request.GET.get("q", "")[:100])
    return _download("客户价格管理", "prices", imports.PRICE_COLUMNS, imports.price_export_rows(prices))


def rebate_export(request: HttpRequest) -> HttpResponse:
    _require_money(request, "catalog.view_rebateprice")
    rebates = selectors.rebate_list_for_user(user=request.user, q=request.GET.get("q", "")[:100])
    return _download("客户回扣设置", "rebates", imports.REBATE_COLUMNS, imports.rebate_export_rows(rebates))


def _require_money(request: HttpRequest, perm: str) -> None:
    require_perm(request, perm)
    if not sees_prices(request.user):
        raise PermissionDenied


def _download(title: str, ascii_name: str, columns, rows) -> HttpResponse:
    today = timezone.localdate()
    return xlsx_response(
        filename=f"{title}-{today:%Y%m%d}.xlsx",
        fallback_filename=f"{ascii_name}-{today:%Y%m%d}.xlsx",
        title=title,
        columns=columns,
        rows=rows,
    )
