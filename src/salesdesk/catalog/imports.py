"""Products and agreed prices in and out of Excel; rebate prices out.

A product row whose model code exists updates that product (only the columns the file
has); a new model code creates one. A price row adds a new agreed price from its date on,
for a customer the importing user can see.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from salesdesk.catalog import services
from salesdesk.catalog.models import CustomerPrice, Product, RebatePrice
from salesdesk.core.imports import Importer, RowCheck
from salesdesk.core.money import to_unit_price
from salesdesk.core.roles import scope_to_user
from salesdesk.core.spreadsheets import Column, SheetRow, cell_bool, cell_date, cell_decimal, cell_text
from salesdesk.customers.models import Customer

PRICE_FORMAT = "0.00##"  # 12.50 and 12.3456 both read naturally

MODEL_CODE = Column("model_code", "型号", ("model code", "model_code", "产品型号"), required=True, width=14)
PRODUCT_NAME = Column("name", "产品名称", ("name", "product name", "品名", "名称"), width=24)
PRODUCT_COLUMNS = [
    MODEL_CODE,
    PRODUCT_NAME,
    Column("specification", "规格", ("specification", "spec"), width=14),
    Column("unit", "单位", ("unit",), width=6),
    Column(
        "standard_price",
        "标准价",
        ("standard price", "standard_price", "标准单价"),
        number_format=PRICE_FORMAT,
        width=10,
    ),
    Column("is_new", "新产品", ("new product", "is_new", "新品"), width=8),
    Column("active", "在售", ("active", "启用"), width=6),
    Column("selling_points", "卖点", ("selling points", "selling_points"), width=40),
]
PRODUCT_TEXT_FIELDS = ["name", "specification", "unit", "selling_points"]
# A new product cannot do without these; an existing one keeps its own when the column is absent.
PRODUCT_NEEDS = ["name", "standard_price"]

CUSTOMER_CODE = Column(
    "customer", "客户编号", ("customer code", "customer", "客户代码"), required=True, width=10
)
CUSTOMER_NAME = Column("customer_name", "客户名称", ("customer name",), width=24)
PRICE_PRODUCT_NAME = Column("product_name", "产品名称", ("product name", "品名"), width=20)
VALID_FROM = Column(
    "valid_from", "生效日期", ("valid from", "valid_from", "起始日期"), required=True, width=12
)
PRICE_COLUMNS = [
    CUSTOMER_CODE,
    CUSTOMER_NAME,  # shown in the preview so the person can check; the code decides
    MODEL_CODE,
    PRICE_PRODUCT_NAME,
    Column(
        "unit_price",
        "单价",
        ("协议单价", "agreed unit price", "unit price", "unit_price", "价格"),
        required=True,
        number_format=PRICE_FORMAT,
        width=10,
    ),
    VALID_FROM,
    Column("note", "备注", ("note", "notes"), width=24),
]
REBATE_COLUMNS = [
    CUSTOMER_CODE,
    CUSTOMER_NAME,
    MODEL_CODE,
    PRICE_PRODUCT_NAME,
    Column("rebate_unit_price", "回扣单价", ("rebate per unit",), number_format=PRICE_FORMAT, width=10),
    VALID_FROM,
    Column("payee_name", "收受人", ("payee",), width=10),
    Column("payee_bank", "开户行", ("payee bank",), width=20),
    Column("payee_account", "账号", ("payee account",), width=22),
]


def _price(row: RowCheck, field: str):
    value = row.value(field, cell_decimal)
    if value is not None and value < 0:
        row.add(field, _("must not be negative"))
        return None
    return to_unit_price(value) if value is not None else None


class ProductImport(Importer):
    kind = "products"
    permission = "catalog.add_product"
    columns = PRODUCT_COLUMNS

    def prepare(self, rows: list[SheetRow]) -> None:
        codes = {cell_text(r.values.get("model_code")) for r in rows} - {""}
        self.existing = {p.model_code: p for p in Product.objects.filter(model_code__in=codes)}
        self.seen: dict[str, int] = {}

    def check(self, row: RowCheck) -> dict[str, Any]:
        code = row.require("model_code", row.value("model_code"))
        if code in self.seen:
            row.add("model_code", _("the same model code is on row %(n)s") % {"n": self.seen[code]})
        elif code:
            self.seen[code] = row.row.number
        current = self.existing.get(code)
        fields = self._fields(row, creating=current is None)
        product = copy.copy(current) if current else Product()
        for name, value in {"model_code": code, **fields}.items():
            setattr(product, name, value)
        try:
            # Only the price check is a table constraint, and `_price` makes it; the service
            # runs the full validation again when writing.
            product.full_clean(exclude=list(row.failed_fields), validate_constraints=False)
        except ValidationError as exc:
            row.add_error(exc)
        return {"product": current, "fields": {"model_code": code, **fields}}

    def _fields(self, row: RowCheck, *, creating: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {f: row.value(f) for f in PRODUCT_TEXT_FIELDS if row.has(f)}
        if row.has("standard_price"):
            fields["standard_price"] = _price(row, "standard_price")
        if row.has("is_new"):
            fields["is_new"] = row.value("is_new", cell_bool, False)
        if row.has("active"):
            fields["active"] = row.value("active", cell_bool, True)
        for name in PRODUCT_NEEDS:
            if creating or name in fields:
                row.require(name, fields.get(name))
        return {k: v for k, v in fields.items() if v is not None}

    def write(self, data: dict[str, Any]) -> None:
        if data["product"] is None:
            services.product_create(by=self.user, **data["fields"])
        else:
            services.product_update(product=data["product"], by=self.user, **data["fields"])


class PriceImport(Importer):
    kind = "prices"
    permission = "catalog.add_customerprice"
    columns = PRICE_COLUMNS
    error_fields = {"product": "model_code"}

    def prepare(self, rows: list[SheetRow]) -> None:
        codes = {cell_text(r.values.get("customer")) for r in rows} - {""}
        model_codes = {cell_text(r.values.get("model_code")) for r in rows} - {""}
        # Scoped like customer_get_for_user: someone else's customer is "no such customer".
        visible = scope_to_user(Customer.objects.filter(code__in=codes), self.user)
        self.customers = {c.code: c for c in visible}
        self.products = {p.model_code: p for p in Product.objects.filter(model_code__in=model_codes)}
        self.existing = set(
            CustomerPrice.objects.filter(
                customer__in=self.customers.values(), product__in=self.products.values()
            ).values_list("customer_id", "product_id", "valid_from")
        )
        self.seen: dict[tuple, int] = {}

    def check(self, row: RowCheck) -> dict[str, Any]:
        customer = self._customer(row)
        product = self._product(row)
        unit_price = row.require("unit_price", _price(row, "unit_price"))
        valid_from = row.require("valid_from", row.value("valid_from", cell_date))
        note = row.value("note") or ""
        if customer and product and valid_from:
            self._check_unique(row, (customer.pk, product.pk, valid_from))
        parts = {"customer": customer, "product": product, "unit_price": unit_price, "valid_from": valid_from}
        given = {k: v for k, v in parts.items() if v not in (None, "")}
        price = CustomerPrice(note=note, created_by=self.user, **given)
        missing = [k for k in parts if k not in given]
        try:
            # Customer and product were just looked up and uniqueness is checked above.
            price.full_clean(
                validate_unique=False,
                validate_constraints=False,
                exclude=["customer", "product", "created_by", *missing, *row.failed_fields],
            )
        except ValidationError as exc:
            row.add_error(exc)
        return {**parts, "note": note}

    def write(self, data: dict[str, Any]) -> None:
        services.price_set(by=self.user, **data)

    def _customer(self, row: RowCheck) -> Customer | None:
        code = row.require("customer", row.value("customer"))
        if code and code not in self.customers:
            row.add("customer", _("no such customer"))
        return self.customers.get(code)

    def _product(self, row: RowCheck) -> Product | None:
        code = row.require("model_code", row.value("model_code"))
        product = self.products.get(code)
        if code and product is None:
            row.add("model_code", _("no such product"))
        elif product is not None and not product.active:
            row.add("model_code", _("this product is no longer sold"))
        return product

    def _check_unique(self, row: RowCheck, key: tuple) -> None:
        if key in self.existing:
            row.add("valid_from", _("a price for this product from this date already exists"))
        elif key in self.seen:
            row.add("valid_from", _("the same price is on row %(n)s") % {"n": self.seen[key]})
        else:
            self.seen[key] = row.row.number


def product_export_columns(*, with_prices: bool) -> list[Column]:
    return [c for c in PRODUCT_COLUMNS if with_prices or c.field != "standard_price"]


def product_export_rows(products: QuerySet[Product], columns: list[Column]) -> Iterator[list[Any]]:
    for product in products.iterator(chunk_size=1000):
        values = {c.field: getattr(product, c.field) for c in columns}
        values["is_new"] = "是" if product.is_new else "否"
        values["active"] = "是" if product.active else "否"
        yield [values[c.field] for c in columns]


def price_export_rows(prices: QuerySet[CustomerPrice]) -> Iterator[list[Any]]:
    for p in prices.iterator(chunk_size=1000):
        yield [
            p.customer.code,
            p.customer.name,
            p.product.model_code,
            p.product.name,
            p.unit_price,
            p.valid_from,
            p.note,
        ]


def rebate_export_rows(rebates: QuerySet[RebatePrice]) -> Iterator[list[Any]]:
    for r in rebates.iterator(chunk_size=1000):
        yield [
            r.customer.code,
            r.customer.name,
            r.product.model_code,
            r.product.name,
            r.rebate_unit_price,
            r.valid_from,
            r.payee_name,
            r.payee_bank,
            r.payee_account,
        ]
