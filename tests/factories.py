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


AGREED_PRICE = "349.6000"  # the agreed price in every page world: must never reach the warehouse
STANDARD_PRICE = "412.3400"
REBATE_PRICE = "17.8900"


def build_world(*, assistant, salesperson, other_assistant, other_salesperson, manager) -> dict[str, Any]:
    """Two customers, one per assistant+salesperson pair, each with a price, a rebate and a
    pending credit application; a product; an active and a suspended carrier."""
    from salesdesk.catalog import services as catalog_services

    product = ProductFactory(
        model_code="A-101", name="水性木器漆 红色", standard_price=Decimal(STANDARD_PRICE)
    )
    world: dict[str, Any] = {"product": product}
    for key, helper, seller in (
        ("own", assistant, salesperson),
        ("other", other_assistant, other_salesperson),
    ):
        customer = make_customer(
            by=manager,
            name=f"{'佛山' if key == 'own' else '中山'}客户",
            assistant=helper,
            salesperson=seller,
            rebate=True,
            credit_limit=Decimal("88888.00"),
        )
        catalog_services.price_set(
            customer=customer,
            product=product,
            unit_price=Decimal(AGREED_PRICE),
            valid_from=days_ago(30),
            by=manager,
        )
        catalog_services.rebate_set(
            customer=customer,
            product=product,
            rebate_unit_price=Decimal(REBATE_PRICE),
            valid_from=days_ago(30),
            by=manager,
            payee_name="黄先生",
        )
        application = customer_services.credit_application_submit(
            customer=customer, by=helper, credit_days=30
        )
        world[key] = customer
        world[f"{key}_application"] = application
    world["carrier"] = CarrierFactory(name="联昊通")
    world["suspended_carrier"] = CarrierFactory(
        name="源伟丰", status="suspended", suspended_reason="回单逾期", suspended_on=days_ago(1)
    )
    return world
