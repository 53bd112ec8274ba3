"""Test data that goes through the same services the pages use, so codes and history are real."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from salesdesk.catalog.models import Carrier, CarrierKind, Product
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer

# Everything a first order needs (SPEC section 2) for a customer without invoices.
COMPLETE_MASTER_DATA: dict[str, Any] = {
    "region": "顺德",
    "province": "广东",
    "city": "佛山",
    "address": "大良街道新桂路 18 号",
    "settlement": "transfer",
    "shipping_notes": "送货前电话联系",
    "receipt_seal": "kedi_received",
}


def make_customer(
    *,
    by,
    series: str = "GS",
    name: str = "佛山市美家装饰工程有限公司",
    contacts: list[dict[str, str]] | None = None,
    complete: bool = True,
    **fields: Any,
) -> Customer:
    """A customer created through customer_create, complete unless asked otherwise."""
    data = {**(COMPLETE_MASTER_DATA if complete else {}), **fields}
    if contacts is None:
        contacts = [{"name": "黄志明", "phone": "13800138001", "role": "采购"}]
    return customer_services.customer_create(by=by, series=series, name=name, contacts=contacts, **data)


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    model_code = factory.Sequence(lambda n: f"P-{n:03d}")
    name = factory.Sequence(lambda n: f"水性木器漆 {n}号")
    specification = "20kg/桶"
    unit = "桶"
    standard_price = Decimal("380.0000")


class CarrierFactory(DjangoModelFactory):
    class Meta:
        model = Carrier
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"快递{n}")
    kind = CarrierKind.COURIER
    service_area = "珠三角及省内快件"
    can_collect_cod = True
    can_return_notes = True


def days_ago(n: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=n)
