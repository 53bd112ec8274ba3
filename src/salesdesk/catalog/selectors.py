"""Reads about products, prices and carriers that pages, API and exports share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Upper

from salesdesk.catalog.models import Carrier, CarrierStatus, CustomerPrice, Product, RebatePrice
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import Customer


def product_list(*, q: str = "", active_only: bool = False, new_only: bool = False) -> QuerySet[Product]:
    qs = Product.objects.all()
    if q:
        qs = qs.filter(Q(model_code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if active_only:
        qs = qs.filter(active=True)
    if new_only:
        qs = qs.filter(is_new=True)
    return qs.order_by("model_code")


def _latest_per_product(model, customer: Customer, on: dt.date, product: Product | None) -> QuerySet:
    """Rows in force on `on`: per product, the latest that started on or before it."""
    latest = (
        model.objects.filter(customer=customer, product=OuterRef("product"), valid_from__lte=on)
        .order_by("-valid_from")
        .values("pk")[:1]
    )
    qs = model.objects.filter(customer=customer, valid_from__lte=on, pk=Subquery(latest))
    if product is not None:
        qs = qs.filter(product=product)
    return qs.select_related("product").order_by("product__model_code")


def prices_in_force(
    *, customer: Customer, on: dt.date, product: Product | None = None
) -> QuerySet[CustomerPrice]:
    return _latest_per_product(CustomerPrice, customer, on, product)


def rebates_in_force(
    *, customer: Customer, on: dt.date, product: Product | None = None
) -> QuerySet[RebatePrice]:
    return _latest_per_product(RebatePrice, customer, on, product)


def rebate_per_product(*, customer: Customer, product_ids: list[int], on: dt.date) -> dict[int, RebatePrice]:
    """The rebate price in force on `on` for each of `product_ids` that has one, in one plain read
    (what posting needs: no product, no order)."""
    rows = RebatePrice.objects.filter(
        customer=customer, product_id__in=product_ids, valid_from__lte=on
    ).order_by("product_id", "valid_from")
    return {row.product_id: row for row in rows}  # the latest start date of each product comes last


def agreed_price(*, customer: Customer, product: Product, on: dt.date) -> Decimal | None:
    """The agreed unit price in force on `on`, or None when nothing was agreed."""
    row = (
        CustomerPrice.objects.filter(customer=customer, product=product, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("unit_price", flat=True)
        .first()
    )
    return row


def agreed_prices(*, customer: Customer, products: list[Product], on: dt.date) -> dict[int, Decimal]:
    """The agreed unit price in force on `on` for each of `products` that has one, in one query."""
    rows = (
        CustomerPrice.objects.filter(customer=customer, product__in=products, valid_from__lte=on)
        .order_by("product_id", "valid_from")
        .values_list("product_id", "unit_price")
    )
    return dict(rows)  # the latest start date of each product comes last and wins


def price_history(*, customer: Customer) -> QuerySet[CustomerPrice]:
    return customer.prices.select_related("product", "created_by").order_by(
        "product__model_code", "-valid_from"
    )


def rebate_history(*, customer: Customer) -> QuerySet[RebatePrice]:
    return customer.rebate_prices.select_related("product", "created_by").order_by(
        "product__model_code", "-valid_from"
    )


def _search_prices(qs: QuerySet, q: str) -> QuerySet:
    q = q.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query; nobody types it
    if not q:
        return qs
    return qs.filter(
        Q(customer__code__icontains=q)
        | Q(customer__name__icontains=q)
        | Q(product__model_code__icontains=q)
        | Q(product__name__icontains=q)
    )


def price_list_for_user(*, user, q: str = "") -> QuerySet[CustomerPrice]:
    """Every agreed price the user may see (客户价格管理), for the list page and export."""
    return (
        _search_prices(scope_to_user(CustomerPrice.objects.all(), user, "customer"), q)
        .select_related("customer", "product")
        .order_by("customer__code", "product__model_code", "-valid_from")
    )


def rebate_list_for_user(*, user, q: str = "") -> QuerySet[RebatePrice]:
    """Every rebate price the user may see (客户回扣设置), for the list page and export."""
    return (
        _search_prices(scope_to_user(RebatePrice.objects.all(), user, "customer"), q)
        .select_related("customer", "product")
        .order_by("customer__code", "product__model_code", "-valid_from")
    )


def carriers_selectable() -> QuerySet[Carrier]:
    """Carriers that may be chosen for a new shipment: suspended ones may not."""
    return Carrier.objects.filter(status=CarrierStatus.ACTIVE)


def active_products_for_codes(codes: list[str]) -> list[Product | None]:
    """The active product each model code names — exactly first, then regardless of case —
    or None, in one query however many codes (an order's or a sample's lines)."""
    found = Product.objects.annotate(code_upper=Upper("model_code")).filter(
        active=True, code_upper__in={code.upper() for code in codes}
    )
    exact, by_upper = {}, {}
    for product in found:
        exact[product.model_code] = product
        by_upper.setdefault(product.model_code.upper(), product)
    return [exact.get(code) or by_upper.get(code.upper()) for code in codes]
