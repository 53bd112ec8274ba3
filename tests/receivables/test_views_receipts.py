"""The ledger and receipt pages: scope, aging, entering receipts, finance's tick-offs, COD money."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.receivables import services
from salesdesk.receivables.models import Allocation, PaymentMethod, Receipt
from salesdesk.warehouse import services as stock
from tests.conftest import client_for
from tests.factories import days_ago, make_customer
from tests.orders.conftest import carrier, draft, pickup_order  # noqa: F401  (shared fixtures)
from tests.receivables.conftest import record_cod, sell
from tests.warehouse.conftest import released, ship

pytestmark = pytest.mark.django_db


def row_of(html: str, attribute: str, value: str) -> str:
    """The HTML of the table row marked data-<attribute>="<value>" (empty when there is none)."""
    found = re.search(rf'<tr[^>]*data-{attribute}="{re.escape(value)}".*?</tr>', html, re.S)
    return found.group(0) if found else ""


def create_url(customer) -> str:
    return f"{reverse('receivables:receipt-create')}?customer={customer.code}"


def receipt_post(customer, amount: str, **more) -> dict:
    data = {
        "customer": customer.code,
        "received_on": f"{timezone.localdate():%Y-%m-%d}",
        "amount": amount,
        "method": PaymentMethod.TRANSFER,
        "carrier": "",
        "reference": "",
        "order": "",
        "note": "",
        "mode": "oldest",
    }
    data.update(more)
    return data


@pytest.fixture
def other_customer(other_assistant, other_salesperson, product, other_product):
    return make_customer(
        by=other_assistant,
        assistant=other_assistant,
        salesperson=other_salesperson,
        name="江门新美建材有限公司",
    )


@pytest.fixture
def two_sales(debtor, product, assistant, warehouse, manager):
    """Sale 1: 2 × A-101 at the standard 380 sixty days ago (760.00, 30 days overdue);
    sale 2: 1 × A-101 at the agreed 349.60 ten days ago (349.60, not yet due)."""
    first = sell(debtor, product, "2", by=assistant, warehouse=warehouse, day=days_ago(60), approver=manager)
    second = sell(debtor, product, "1", by=assistant, warehouse=warehouse, day=days_ago(10), approver=manager)
    assert (first.amount, second.amount) == (Decimal("760.00"), Decimal("349.60"))
    return first, second


# --- the ledger and a customer's account ----------------------------------------------------------


def test_the_ledger_shows_balance_and_aging_of_own_customers_only(
    two_sales, debtor, other_customer, product, other_assistant, warehouse, manager, assistant, finance
):
    sell(other_customer, product, "1", by=other_assistant, warehouse=warehouse, approver=manager)
    html = client_for(assistant).get(reverse("receivables:ledger")).content.decode()
    row = row_of(html, "customer", debtor.code)
    assert "1,109.60" in row  # balance: 760.00 + 349.60
    # The rows are added up on pks and codes; the shown ones carry the whole customer.
    salesperson = debtor.salesperson
    assert debtor.name in row and (salesperson.first_name or salesperson.username) in row
    overdue = re.search(r'data-testid="overdue">([^<]*)<', row).group(1)
    assert overdue == "760.00"  # sale 1 is 30 days past due: the 1–30 bucket
    assert row_of(html, "customer", other_customer.code) == ""
    # Finance sees every customer.
    html = client_for(finance).get(reverse("receivables:ledger")).content.decode()
    assert row_of(html, "customer", other_customer.code) != ""


def test_the_ledger_filters_by_code_and_salesperson(
    two_sales,
    debtor,
    other_customer,
    product,
    other_assistant,
    other_salesperson,
    warehouse,
    manager,
    finance,
):
    sell(other_customer, product, "1", by=other_assistant, warehouse=warehouse, approver=manager)
    client = client_for(finance)
    html = client.get(reverse("receivables:ledger"), {"salesperson": other_salesperson.pk}).content.decode()
    assert row_of(html, "customer", other_customer.code) and not row_of(html, "customer", debtor.code)
    html = client.get(reverse("receivables:ledger"), {"q": debtor.code}).content.decode()
    assert row_of(html, "customer", debtor.code) and not row_of(html, "customer", other_customer.code)


def test_the_ledger_makes_as_many_queries_for_many_customers_as_for_one(
    two_sales, debtor, product, assistant, salesperson, warehouse, manager
):
    client = client_for(manager)
    client.get(reverse("receivables:ledger"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("receivables:ledger")).status_code == 200
    for name in ("江门新美建材有限公司", "中山市华彩装饰有限公司"):
        more = make_customer(by=assistant, assistant=assistant, salesperson=salesperson, name=name)
        sell(more, product, "1", by=assistant, warehouse=warehouse, approver=manager)
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("receivables:ledger"))
    assert response.context["page"].paginator.count == 3
    assert len(three) == len(one)


def test_the_ledger_export_holds_every_row_with_its_balance(two_sales, debtor, assistant):
    response = client_for(assistant).get(reverse("receivables:ledger-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("客户编号", "客户名称", "业务员", "应收余额")
    mine = next(row for row in rows if row[0] == debtor.code)
    assert mine[1] == debtor.name
    assert Decimal(str(mine[3])) == Decimal("1109.60")
    assert Decimal(str(mine[4])) == Decimal("760.00")  # overdue
    assert rows[-1][0] == "合计"


def test_customer_ar_shows_the_open_items_and_aging(two_sales, debtor, assistant):
    first, second = two_sales
    response = client_for(assistant).get(reverse("receivables:customer-ar", args=[debtor.code]))
    html = response.content.decode()
    assert response.context["ar"].balance == Decimal("1109.60")
    assert response.context["ar"].buckets["d1_30"] == Decimal("760.00")
    assert "30" in row_of(html, "sale", first.number) and "760.00" in row_of(html, "sale", first.number)
    assert "349.60" in row_of(html, "sale", second.number)
    assert f"?customer={debtor.code}" in html  # the "New receipt" button
    customer_page = client_for(assistant).get(reverse("customers:customer-detail", args=[debtor.code]))
    assert reverse("receivables:customer-ar", args=[debtor.code]) in customer_page.content.decode()


def test_customer_ar_of_another_assistants_customer_is_404_and_the_warehouse_gets_403(
    debtor, other_customer, assistant, salesperson, warehouse
):
    assert (
        client_for(assistant).get(reverse("receivables:customer-ar", args=[other_customer.code])).status_code
        == 404
    )
    assert (
        client_for(salesperson)
        .get(reverse("receivables:customer-ar", args=[other_customer.code]))
        .status_code
        == 404
    )
    assert (
        client_for(warehouse).get(reverse("receivables:customer-ar", args=[debtor.code])).status_code == 403
    )


@pytest.mark.parametrize(
    "name",
    [
        "receivables:ledger",
        "receivables:ledger-export",
        "receivables:receipt-list",
        "receivables:finance-list",
        "receivables:cod-list",
        "receivables:receipt-create",
    ],
)
def test_the_warehouse_sees_no_receivables_page(warehouse, name):
    assert client_for(warehouse).get(reverse(name)).status_code == 403


def test_only_those_who_enter_receipts_open_the_receipt_form(debtor, salesperson, assistant):
    assert client_for(salesperson).get(create_url(debtor)).status_code == 403
    assert client_for(assistant).get(create_url(debtor)).status_code == 200


def test_a_code_that_is_not_the_users_customer_is_said_on_the_form_it_was_typed_into(
    debtor, other_customer, assistant
):
    client = client_for(assistant)
    pages = [
        client.get(reverse("receivables:receipt-create"), {"customer": c})
        for c in ("KD99999", other_customer.code)
    ]
    for page, code in zip(pages, ("KD99999", other_customer.code), strict=True):
        # Still not found, in the same words whether the code exists or is another's.
        assert page.status_code == 404
        html = page.content.decode()
        assert 'data-testid="receipt-pick"' in html and f'value="{code}"' in html
        assert f"您的客户中没有 {code}。" in html
    assert client.get(create_url(debtor)).status_code == 200


# --- entering receipts ----------------------------------------------------------------------------


def test_a_receipt_oldest_first_settles_the_oldest_sale(two_sales, debtor, assistant):
    first, second = two_sales
    response = client_for(assistant).post(create_url(debtor), receipt_post(debtor, "760.00"))
    receipt = Receipt.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("receivables:receipt-detail", args=[receipt.number])
    assert list(Allocation.objects.values_list("sale", "amount")) == [(first.pk, Decimal("760.00"))]
    assert (receipt.difference, receipt.entered_late) == (Decimal("0.00"), False)
    page = client_for(assistant).get(response.url).content.decode()
    assert f"#sale-{first.number}" in page


def test_one_receipt_settles_the_two_sales_ticked(
    two_sales, debtor, other_product, assistant, warehouse, manager
):
    first, second = two_sales
    third = sell(
        debtor, other_product, "1", by=assistant, warehouse=warehouse, day=days_ago(5), approver=manager
    )
    data = receipt_post(debtor, "443.80", mode="chosen", pick=[second.number, third.number])
    data[f"amount_{second.number}"] = "200"  # part of the second, all that is open of the third
    data["note"] = "先付一部分"
    response = client_for(assistant).post(create_url(debtor), data)
    assert response.status_code == 302
    settled = dict(Allocation.objects.values_list("sale", "amount"))
    assert settled == {second.pk: Decimal("200.00"), third.pk: third.amount}
    assert third.amount == Decimal("243.80")
    assert Receipt.objects.get().difference == Decimal("-149.60")  # 443.80 against 349.60 + 243.80 open


def test_a_receipt_that_differs_without_a_note_is_refused_beside_the_note(two_sales, debtor, assistant):
    client = client_for(assistant)
    response = client.post(create_url(debtor), receipt_post(debtor, "500"))
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert "260.00" in " ".join(response.context["form"].errors["note"])
    assert not Receipt.objects.exists() and not Allocation.objects.exists()
    response = client.post(create_url(debtor), receipt_post(debtor, "500", note="客户先付500"))
    assert response.status_code == 302
    assert Receipt.objects.get().difference == Decimal("-260.00")


def test_an_unposted_outbound_cannot_be_chosen(debtor, product, stocked, assistant, warehouse):
    order = released(pickup_order(assistant, debtor, product, "3"), assistant)
    unposted = stock.outbound_create(
        order=order, by=warehouse, quantities=[stock.ShipQuantity(order.lines.get(), Decimal("3"))]
    )
    response = client_for(assistant).post(
        create_url(debtor), receipt_post(debtor, "100", mode="chosen", pick=[unposted.reference], note="预付")
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert unposted.reference in errors
    assert "not posted" in errors or "过账" in errors
    assert not Receipt.objects.exists()


def test_a_wrong_amount_in_a_row_is_shown_on_that_row(two_sales, debtor, assistant):
    first, _second = two_sales
    data = receipt_post(debtor, "100", mode="chosen", pick=[first.number], note="部分")
    data[f"amount_{first.number}"] = "900"  # more than is open
    response = client_for(assistant).post(create_url(debtor), data)
    assert response.status_code == 200
    assert "760.00" in row_of(response.content.decode(), "sale", first.number)
    assert "errorlist" in row_of(response.content.decode(), "sale", first.number)
    assert not Receipt.objects.exists()


def test_a_receipt_form_for_another_assistants_customer_is_404(other_customer, assistant):
    assert client_for(assistant).get(create_url(other_customer)).status_code == 404
    response = client_for(assistant).post(create_url(other_customer), receipt_post(other_customer, "10"))
    assert response.status_code == 404
    assert not Receipt.objects.exists()


# --- finance --------------------------------------------------------------------------------------


@pytest.fixture
def differing(two_sales, debtor, assistant):
    return services.receipt_create(
        customer=debtor,
        by=assistant,
        amount="700",
        received_on=timezone.localdate(),
        method=PaymentMethod.TRANSFER,
        note="客户扣了运费",
    )


def test_finance_checks_a_differing_receipt_and_records_its_money(differing, finance, assistant):
    client = client_for(finance)
    page = client.get(reverse("receivables:finance-list"))
    assert [r.number for r in page.context["to_check"]] == [differing.number]
    assert [r.number for r in page.context["not_reached"]] == [differing.number]
    response = client.post(reverse("receivables:receipt-check", args=[differing.number]))
    assert response.status_code == 302
    differing.refresh_from_db()
    assert differing.finance_checked_by == finance
    response = client.post(
        reverse("receivables:receipt-reached-finance", args=[differing.number]),
        {"on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert response.status_code == 302
    differing.refresh_from_db()
    assert differing.reached_finance_on == timezone.localdate()
    page = client.get(reverse("receivables:finance-list"))
    assert list(page.context["to_check"]) == [] and list(page.context["not_reached"]) == []


def test_the_assistant_reads_finances_list_but_may_not_tick_off(differing, assistant):
    client = client_for(assistant)
    page = client.get(reverse("receivables:finance-list"))
    assert page.status_code == 200 and differing.number in page.content.decode()
    assert 'data-testid="receipt-check"' not in page.content.decode()
    assert client.post(reverse("receivables:receipt-check", args=[differing.number])).status_code == 403
    response = client.post(
        reverse("receivables:receipt-reached-finance", args=[differing.number]), {"on": ""}
    )
    assert response.status_code == 403
    differing.refresh_from_db()
    assert differing.finance_checked_at is None and differing.reached_finance_on is None


def test_a_reached_finance_date_before_the_money_came_is_refused(differing, finance):
    response = client_for(finance).post(
        reverse("receivables:receipt-reached-finance", args=[differing.number]),
        {"on": f"{timezone.localdate() - dt.timedelta(days=3):%Y-%m-%d}"},
    )
    assert response.status_code == 302
    differing.refresh_from_db()
    assert differing.reached_finance_on is None


def test_the_receipt_list_finds_a_receipt_by_customer_and_date(differing, debtor, assistant, other_assistant):
    today = f"{timezone.localdate():%Y-%m-%d}"
    client = client_for(assistant)
    html = client.get(
        reverse("receivables:receipt-list"), {"q": debtor.code, "date_from": today}
    ).content.decode()
    assert "700.00" in row_of(html, "receipt", differing.number)
    html = client.get(reverse("receivables:receipt-list"), {"date_to": "2001-01-01"}).content.decode()
    assert row_of(html, "receipt", differing.number) == ""
    html = client_for(other_assistant).get(reverse("receivables:receipt-list")).content.decode()
    assert row_of(html, "receipt", differing.number) == ""
    url = reverse("receivables:receipt-detail", args=[differing.number])
    assert client_for(other_assistant).get(url).status_code == 404


# --- COD money ------------------------------------------------------------------------------------


@pytest.fixture
def cod_shipment(draft, stocked, assistant, warehouse, carrier):  # noqa: F811
    outbound = ship(released(draft, assistant), warehouse)
    return record_cod(
        outbound, assistant, carrier, outbound.amount, shipped_on=days_ago(10), tracking_number="LHT100200300"
    )


def test_cod_money_back_becomes_a_receipt_settling_its_outbound(cod_shipment, assistant):
    client = client_for(assistant)
    page = client.get(reverse("receivables:cod-list")).content.decode()
    row = row_of(page, "shipment", str(cod_shipment.pk))
    assert "LHT100200300" in row and 'data-testid="cod-overdue"' in row
    response = client.post(
        reverse("receivables:cod-receive", args=[cod_shipment.pk]),
        {"received_on": f"{timezone.localdate():%Y-%m-%d}", "note": ""},
    )
    assert response.status_code == 302
    receipt = Receipt.objects.get()
    outbound = cod_shipment.outbound
    assert (receipt.shipment, receipt.method, receipt.amount) == (cod_shipment, "cod", outbound.amount)
    assert list(Allocation.objects.values_list("sale", "amount")) == [(outbound.pk, outbound.amount)]
    cod_shipment.refresh_from_db()
    assert cod_shipment.cod_returned_on == timezone.localdate()
    page = client.get(reverse("receivables:cod-list")).content.decode()
    assert row_of(page, "shipment", str(cod_shipment.pk)) == ""


def test_cod_money_is_entered_only_by_those_who_enter_receipts_within_their_scope(
    cod_shipment, salesperson, other_assistant
):
    url = reverse("receivables:cod-receive", args=[cod_shipment.pk])
    assert client_for(salesperson).post(url, {}).status_code == 403
    assert client_for(other_assistant).post(url, {}).status_code == 404
    assert not Receipt.objects.exists()


def test_cod_money_our_own_driver_brought_back_is_entered_as_cash(draft, stocked, assistant, warehouse):  # noqa: F811
    outbound = ship(released(draft, assistant), warehouse)
    shipment = stock.shipment_record(
        outbound=outbound, by=assistant, driver="老陈", shipped_on=days_ago(1), cod_amount=outbound.amount
    )
    response = client_for(assistant).post(reverse("receivables:cod-receive", args=[shipment.pk]), {})
    assert response.status_code == 302
    receipt = Receipt.objects.get()
    assert (receipt.method, receipt.carrier, receipt.shipment) == (PaymentMethod.CASH, None, shipment)
    assert list(Allocation.objects.values_list("sale", "amount")) == [(outbound.pk, outbound.amount)]


def test_bad_input_is_answered_with_a_message_never_a_server_error(
    two_sales, differing, debtor, assistant, finance
):
    first, _second = two_sales
    client = client_for(assistant)
    garbage = receipt_post(
        debtor, "1e999", received_on="2026-13-45", mode="sideways", pick=["\x00", "X' OR 1=1"]
    )
    response = client.post(create_url(debtor), garbage)
    assert response.status_code == 200 and {"amount", "received_on", "mode"} <= set(
        response.context["form"].errors
    )
    chosen = receipt_post(
        debtor, "100", mode="chosen", pick=[first.number, "CK1999-99999", "D" + "9" * 29], note="x"
    )
    chosen[f"amount_{first.number}"] = "12.345"
    response = client.post(create_url(debtor), chosen)
    assert response.status_code == 200 and "errorlist" in row_of(
        response.content.decode(), "sale", first.number
    )
    response = client.post(create_url(debtor), receipt_post(debtor, "100", mode="chosen", note="x"))
    assert "mode" in response.context["form"].errors  # nothing ticked
    huge = "D" + "9" * 29
    response = client.post(
        create_url(debtor), receipt_post(debtor, "100", mode="chosen", pick=[huge], note="x")
    )
    assert huge in " ".join(response.context["form"].non_field_errors())
    url = reverse("receivables:receipt-reached-finance", args=[differing.number])
    assert client_for(finance).post(url, {"on": "yesterday"}).status_code == 302
    assert client.get(reverse("receivables:receipt-detail", args=["SK\x00"])).status_code in {400, 404}
    assert not Receipt.objects.exclude(pk=differing.pk).exists()
    differing.refresh_from_db()
    assert differing.reached_finance_on is None
