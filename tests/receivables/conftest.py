"""Shared builders for receivables tests: posted sales on chosen days, through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from salesdesk.orders import services as order_services
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (shared fixtures)
from tests.warehouse.conftest import ship, stocked  # noqa: F401  (shared fixtures)


def on_day(day: dt.date):
    """Run what follows as if it were `day`, 10:00 in Shanghai (posting dates are 'today')."""
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        tick=False,
    )


def sell(
    customer,  # noqa: F811  (a plain argument, not the fixture of that name)
    product,  # noqa: F811
    quantity: str,
    *,
    by,
    warehouse,
    price: str | None = None,
    day: dt.date | None = None,
    quantities: dict[str, str] | None = None,
    ship_in_parts: bool = False,
    approver=None,
):
    """Register, release and post an order of `quantity` × `product`; returns the posted outbound.

    A hold for receivables is overridden by `approver` (the salesperson or a manager).
    """
    from salesdesk.orders.models import CheckResult, OrderStatus
    from tests.orders.conftest import pickup_order

    def run():
        order = order_services.order_register(
            order=pickup_order(by, customer, product, quantity, price), by=by
        )
        if order.status == OrderStatus.ON_HOLD and approver is not None:
            for check in order.checks.filter(result=CheckResult.FAILED):
                order = order_services.order_override(
                    order=order, by=approver, code=check.code, reason="老客户"
                )
        if ship_in_parts:
            order = order_services.order_set_ship_in_parts(order=order, by=by, ship_in_parts=True)
        order = order_services.order_release(order=order, by=by)
        return ship(order, warehouse, quantities)

    if day is None:
        return run()
    with on_day(day):
        return run()


@pytest.fixture
def debtor(customer, stocked, manager):  # noqa: F811
    """The orders' customer on 30 days' approved credit, with stock of both products on hand."""
    from salesdesk.customers import services as customer_services
    from salesdesk.customers.models import Customer

    application = customer_services.credit_application_submit(
        customer=customer, by=customer.assistant, credit_days=30
    )
    customer_services.credit_application_decide(application=application, by=manager, approve=True)
    Customer.objects.filter(pk=customer.pk).update(credit_days=30)
    customer.refresh_from_db()
    return customer


def money(value: str) -> Decimal:
    return Decimal(value)


__all__ = ["on_day", "sell", "money", "order_services"]


def receive(customer, by, amount: str, *, note: str = "", day: dt.date | None = None, **more):  # noqa: F811
    """Enter a bank transfer received today (or on `day`) through the receipt service."""
    from django.utils import timezone

    from salesdesk.receivables import services as receivable_services

    return receivable_services.receipt_create(
        customer=customer,
        by=by,
        amount=amount,
        received_on=day or timezone.localdate(),
        method=more.pop("method", "transfer"),
        note=note,
        **more,
    )


def open_of(sale) -> Decimal:
    """What is still open on a posted sale (0 when it is settled in full)."""
    from salesdesk.receivables import selectors

    return next((s.open_amount for s in selectors.open_sales(sale.customer) if s.pk == sale.pk), Decimal("0"))


def record_cod(
    outbound, by, carrier, amount, *, shipped_on: dt.date | None = None, tracking_number: str = "LHT0088"
):
    """A shipment of `outbound` whose courier collects `amount` on delivery (today by default)."""
    from django.utils import timezone

    from salesdesk.warehouse import services as stock

    return stock.shipment_record(
        outbound=outbound,
        by=by,
        shipped_on=shipped_on or timezone.localdate(),
        carrier=carrier,
        tracking_number=tracking_number,
        cod_amount=Decimal(amount),
    )


def another_customer(assistant, salesperson, name: str = "江门新美建材有限公司", **fields):
    """A second cash customer of the same assistant and salesperson (no credit days)."""
    from tests.factories import make_customer

    return make_customer(by=assistant, assistant=assistant, salesperson=salesperson, name=name, **fields)


def paid_then_one_back(customer, product, *, by, agreed_by, warehouse):  # noqa: F811
    """Two of `product` sold and paid for, then one returned (颜色不对): the return, whose credit
    of one unit's price is open until a sale takes it."""
    from salesdesk.receivables.services_credits import ReturnLineInput, return_post

    paid = sell(customer, product, "2", by=by, warehouse=warehouse)
    receive(customer, by, str(paid.amount))
    return return_post(
        original=paid,
        by=by,
        lines=[ReturnLineInput(paid.lines.get(), Decimal("1"))],
        reason="颜色不对",
        agreed_by=agreed_by,
    )
