"""A busy office built through the real services, one customer at a time, for the query-count tests.

Each customer of the assistant and salesperson gets what the busiest pages list: a sale paid in
full (so its commission is payable), part of it returned, a COD sale gone by courier, an order
waiting in the warehouse queue, and an AR statement. The tests count a page's queries with a
few customers, add many more (more than a page), and expect the same count.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.commissions import services as commission_services
from salesdesk.receivables import services_credits as credits
from salesdesk.receivables import services_documents as documents
from salesdesk.warehouse import services as warehouse_services
from tests.commissions.conftest import pay_off, take_back
from tests.conftest import client_for
from tests.factories import CarrierFactory, ProductFactory, days_ago, make_customer
from tests.receivables.conftest import sell
from tests.warehouse.conftest import ship

FEW = 3
MANY = 30  # more than a page of 25


def agree_prices(customer, product, *, by, days: int = 30) -> None:
    """An agreed price of 349.60 and a rebate of 12.50 to 黄先生, both in force for `days` days."""
    catalog_services.price_set(
        customer=customer, product=product, unit_price=Decimal("349.6"), valid_from=days_ago(days), by=by
    )
    catalog_services.rebate_set(
        customer=customer,
        product=product,
        rebate_unit_price=Decimal("12.5"),
        valid_from=days_ago(days),
        by=by,
        payee_name="黄先生",
        payee_account="6222 0000 1234 5678",
    )


class BusyWorld:
    """The people and the shared product and carrier; `grow(n)` adds n busy customers."""

    def __init__(self, *, assistant, salesperson, warehouse, finance, manager):
        self.assistant, self.salesperson, self.warehouse = assistant, salesperson, warehouse
        self.finance, self.manager = finance, manager
        self.product = ProductFactory(model_code="A-101", name="水性木器漆 红色")
        self.carrier = CarrierFactory(name="联昊通")
        self.customers: list = []
        self.big_order = None  # the first customer's order shipped in parts, one part per customer added

    def grow(self, n: int) -> None:
        warehouse_services.stock_inbound(product=self.product, quantity=Decimal(25 * n), by=self.warehouse)
        for _ in range(n):
            self._add_customer()
            self._ship_a_part()
        # One commission statement per customer whose commission is payable and on none yet.
        commission_services.statements_build(month=timezone.localdate(), by=self.assistant)

    def _add_customer(self) -> None:
        assistant, product = self.assistant, self.product
        customer = make_customer(
            by=assistant,
            assistant=assistant,
            salesperson=self.salesperson,
            name=f"佛山客户{len(self.customers)}",
            rebate=True,
            invoice_required=len(self.customers) % 2 == 0,  # the others take receipt slips
        )
        self.customers.append(customer)
        agree_prices(customer, product, by=self.manager)
        paid = sell(customer, product, "10", by=assistant, warehouse=self.warehouse, approver=self.manager)
        receipt = pay_off(paid, assistant)
        take_back(paid, "1", by=assistant, agreed_by=self.manager)
        cod = ship(self._released(customer, "5", collection="cod", ship_method="express"), self.warehouse)
        self._record(cod)
        # A small write-off of the COD sale waits for approval (finance may give it).
        credits.write_off_request(
            customer=customer,
            by=assistant,
            items=[credits.WriteOffInput(cod, Decimal("1.00"))],
            reason="零头",
        )
        today = timezone.localdate()
        if customer.invoice_required:  # the paid sale is still due an invoice
            documents.invoice_issue(
                customer=customer, by=assistant, number=f"FP{cod.pk:08d}", issued_on=today, outbounds=[cod]
            )
        else:
            documents.slip_issue(receipt=receipt, by=assistant)
        self._released(customer, "2", collection="cash", ship_method="pickup")  # waits in the queue
        documents.statement_create(customer=customer, by=assistant, period_from=days_ago(30), period_to=today)

    def _ship_a_part(self) -> None:
        """One more part of the big order goes by courier, COD, and the money comes back."""
        if self.big_order is None:
            self.big_order = self._released(
                self.customers[0], "500", collection="cod", ship_method="express", parts=True
            )
        part = ship(self.big_order, self.warehouse, {self.product.model_code: "1"})
        self._record(part)
        pay_off(part, self.assistant)

    def _record(self, outbound) -> None:
        warehouse_services.shipment_record(
            outbound=outbound,
            by=self.assistant,
            carrier=self.carrier,
            tracking_number=f"LHT{outbound.pk:09d}",
            shipped_on=timezone.localdate(),
            cod_amount=outbound.amount,
            note_required=True,
        )

    def _released(self, customer, quantity: str, *, collection: str, ship_method: str, parts: bool = False):
        """A registered and released order, any hold overridden by the manager."""
        from salesdesk.orders import services as order_services
        from salesdesk.orders.models import CheckResult

        draft = order_services.order_create(
            by=self.assistant,
            customer=customer,
            channel="phone",
            ship_method=ship_method,
            carrier=self.carrier if ship_method == "express" else None,
            collection_method=collection,
            lines=[order_services.LineInput(product=self.product, quantity=Decimal(quantity))],
        )
        order = order_services.order_register(order=draft, by=self.assistant)
        for check in order.checks.filter(result=CheckResult.FAILED):
            order = order_services.order_override(
                order=order, by=self.manager, code=check.code, reason="老客户"
            )
        if parts:
            order = order_services.order_set_ship_in_parts(order=order, by=self.assistant, ship_in_parts=True)
        return order_services.order_release(order=order, by=self.assistant)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


Urls = Callable[[BusyWorld, str], list[str]]  # the addresses a role opens, in a world with customers


def page_of(url: str) -> str:
    """The page an address opens, by its route, but not by the object a detail page shows:
    that is the same page for another object."""
    path, _, query = url.partition("?")
    match = resolve(path)
    shown = [value for key, value in match.kwargs.items() if key == "name"]  # reports are pages by name
    return " ".join([match.route, *shown, query]).strip()


def counts(world: BusyWorld, clients: dict, urls: Urls) -> dict[tuple[str, str], int]:
    counted = {}
    for role, client in clients.items():
        for url in urls(world, role):
            key = (role, page_of(url))
            assert key not in counted, f"{key} is counted twice"
            counted[key] = queries_for(client, url)
    return counted


def assert_counts_stay_fixed(world: BusyWorld, clients: dict, urls: Urls) -> dict[tuple[str, str], int]:
    """Count each role's pages with FEW busy customers and with MANY; the counts must be equal.

    Returns the counts, so a test can say more about them."""
    world.grow(FEW)
    for client in clients.values():
        client.get(reverse("workbench:home"))  # warm the session, permission and content-type caches
    few = counts(world, clients, urls)
    world.grow(MANY - FEW)
    many = counts(world, clients, urls)
    grown = {key: f"{few[key]} -> {many[key]}" for key in few if many[key] != few[key]}
    assert not grown, f"queries grew with the rows: {grown}"
    return many


@pytest.fixture
def world(assistant, salesperson, warehouse, finance, manager) -> BusyWorld:
    return BusyWorld(
        assistant=assistant, salesperson=salesperson, warehouse=warehouse, finance=finance, manager=manager
    )


def clients_for(request, roles: tuple[str, ...]) -> dict:
    return {role: client_for(request.getfixturevalue(role)) for role in roles}
