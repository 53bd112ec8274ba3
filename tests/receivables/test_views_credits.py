"""The pages of returns, exchanges and write-offs: what they write, what they refuse, who may use them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from salesdesk.core.money import line_amount
from salesdesk.receivables import selectors, services_credits
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus, StockLevel
from tests.conftest import client_for
from tests.receivables.conftest import sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(debtor, product, assistant, warehouse, manager):
    """10 × A-101 sold to the debtor and posted today."""
    return sell(debtor, product, "10", by=assistant, warehouse=warehouse, approver=manager)


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def on_hand(product) -> Decimal:
    return StockLevel.objects.get(product=product).on_hand


def return_url(outbound) -> str:
    return reverse("receivables:return-create", args=[outbound.number])


def return_post(sale, agreed_by, quantity: str, **extra) -> dict:
    line = sale.lines.get()
    return {f"line_{line.pk}": quantity, "reason": "颜色不对", "agreed_by": agreed_by.pk, **extra}


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def line_row(response, code: str) -> str:
    """The HTML of one line's row on the return page."""
    html = response.content.decode()
    match = re.search(rf'<tr data-line="{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


# --- returns -------------------------------------------------------------------------------


def test_a_return_through_the_page_brings_stock_back_lowers_the_balance_and_names_the_original(
    sale, debtor, product, assistant, salesperson
):
    # given
    client = english(assistant)
    stock_before, owed_before = on_hand(product), selectors.balance(debtor)
    page = client.get(return_url(sale))
    assert page.status_code == 200
    assert 'data-testid="return-A-101"' in page.content.decode()
    # when
    response = client.post(return_url(sale), return_post(sale, salesperson, "4"))
    # then
    assert response.status_code == 302
    back = Outbound.objects.get(kind=OutboundKind.RETURN)
    assert back.status == OutboundStatus.POSTED and back.number.startswith("TH")
    assert back.original == sale and back.agreed_by == salesperson and back.reason == "颜色不对"
    assert on_hand(product) == stock_before + Decimal("4")
    credit = line_amount(Decimal("4"), sale.lines.get().unit_price)
    assert back.amount == -credit
    assert selectors.balance(debtor) == owed_before - credit
    assert any(back.number in text for text in said(response))
    # the list shows it with its original
    listing = english(assistant).get(reverse("receivables:credit-list")).content.decode()
    assert back.number in listing and sale.number in listing


def test_returning_more_than_is_returnable_is_refused_on_that_line_and_nothing_is_written(
    sale, debtor, product, assistant, salesperson
):
    client = english(assistant)
    assert client.post(return_url(sale), return_post(sale, salesperson, "4")).status_code == 302
    stock_before, owed_before = on_hand(product), selectors.balance(debtor)
    # 10 shipped, 4 already back: 7 more is too many
    response = client.post(return_url(sale), return_post(sale, salesperson, "7"))
    assert response.status_code == 200
    assert "Only 6 of A-101" in line_row(response, "A-101")
    assert Outbound.objects.filter(kind=OutboundKind.RETURN).count() == 1
    assert on_hand(product) == stock_before
    assert selectors.balance(debtor) == owed_before


def test_a_return_needs_a_reason_and_who_agreed_beside_those_fields(sale, assistant, finance):
    client = english(assistant)
    data = return_post(sale, finance, "1", reason="")
    response = client.post(return_url(sale), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say why the goods come back." in html
    # finance cannot be named as having agreed: not among the choices
    assert "Select a valid choice" in html
    assert not Outbound.objects.filter(kind=OutboundKind.RETURN).exists()


def test_an_exchange_posts_a_return_and_a_new_sale_and_moves_stock_both_ways(
    sale, debtor, product, other_product, assistant, salesperson
):
    # given
    client = english(assistant)
    a_before, b_before = on_hand(product), on_hand(other_product)
    owed_before = selectors.balance(debtor)
    # when: 3 × A-101 back, 2 × B-220 out at its standard price (not on the original outbound)
    data = return_post(sale, salesperson, "3", new_code_0="B-220", new_quantity_0="2")
    response = client.post(return_url(sale), data)
    # then
    assert response.status_code == 302
    back = Outbound.objects.get(kind=OutboundKind.RETURN)
    instead = Outbound.objects.get(kind=OutboundKind.SALE, original=sale)
    assert back.number.startswith("TH") and instead.number.startswith("CK")
    assert instead.status == OutboundStatus.POSTED
    assert instead.lines.get().product == other_product
    assert instead.lines.get().unit_price == Decimal("265.0000")
    assert on_hand(product) == a_before + Decimal("3")
    assert on_hand(other_product) == b_before - Decimal("2")
    returned = line_amount(Decimal("3"), sale.lines.get().unit_price)
    assert selectors.balance(debtor) == owed_before - returned + Decimal("530.00")
    assert any(back.number in text and instead.number in text for text in said(response))


def test_an_exchange_short_of_stock_is_refused_on_its_row_and_nothing_is_written(
    sale, product, other_product, assistant, salesperson
):
    client = english(assistant)
    a_before, b_before = on_hand(product), on_hand(other_product)
    data = return_post(sale, salesperson, "3", new_code_1="B-220", new_quantity_1="1000")
    response = client.post(return_url(sale), data)
    assert response.status_code == 200
    row = re.search(r'<tr data-row="1">(.*?)</tr>', response.content.decode(), re.S).group(1)
    assert "errorlist" in row
    assert not Outbound.objects.filter(kind=OutboundKind.RETURN).exists()
    assert on_hand(product) == a_before and on_hand(other_product) == b_before


def test_an_exchange_row_with_an_unknown_model_code_is_refused_on_that_row(sale, assistant, salesperson):
    data = return_post(sale, salesperson, "1", new_code_0="NO-SUCH", new_quantity_0="1")
    response = english(assistant).post(return_url(sale), data)
    assert response.status_code == 200
    row = re.search(r'<tr data-row="0">(.*?)</tr>', response.content.decode(), re.S).group(1)
    assert "NO-SUCH" in row and "errorlist" in row
    assert not Outbound.objects.filter(kind=OutboundKind.RETURN).exists()


def test_who_may_open_the_return_page(sale, salesperson, warehouse, other_assistant, manager, assistant):
    assert client_for(salesperson).get(return_url(sale)).status_code == 403
    assert client_for(warehouse).get(return_url(sale)).status_code == 403
    assert client_for(other_assistant).get(return_url(sale)).status_code == 404
    assert client_for(manager).get(return_url(sale)).status_code == 200
    # a return is not itself returned
    client = client_for(assistant)
    client.post(return_url(sale), return_post(sale, manager, "1"))
    back = Outbound.objects.get(kind=OutboundKind.RETURN)
    assert client.get(reverse("receivables:return-create", args=[back.number])).status_code == 404


def test_a_draft_outbound_cannot_be_returned(debtor, product, assistant, warehouse):
    from salesdesk.warehouse import services as stock
    from tests.orders.conftest import pickup_order
    from tests.warehouse.conftest import released

    order = released(pickup_order(assistant, debtor, product, "3"), assistant)
    draft = stock.outbound_create(
        order=order, by=warehouse, quantities=[stock.ShipQuantity(order.lines.get(), Decimal("3"))]
    )
    url = reverse("receivables:return-create", args=[draft.reference])
    assert client_for(assistant).get(url).status_code == 404


def test_the_list_boxes_lead_to_the_return_and_write_off_pages(sale, debtor, assistant, salesperson):
    listing = reverse("receivables:credit-list")
    client = client_for(assistant)
    response = client.get(listing, {"return_of": f" {sale.number} "})
    assert response.status_code == 302 and response["Location"] == return_url(sale)
    response = client.get(listing, {"write_off_for": debtor.code})
    assert response["Location"] == reverse("receivables:write-off-create", args=[debtor.code])
    assert client.get(listing, {"return_of": "CK/1"}).status_code == 200
    # a salesperson records no returns: the box is not there and the jump does not happen
    response = client_for(salesperson).get(listing, {"return_of": sale.number})
    assert response.status_code == 200 and 'name="return_of"' not in response.content.decode()


def test_the_outbound_page_offers_a_return_only_to_those_who_record_them(sale, assistant, salesperson):
    url = reverse("warehouse:outbound-detail", args=[sale.number])
    assert return_url(sale) in client_for(assistant).get(url).content.decode()
    assert return_url(sale) not in client_for(salesperson).get(url).content.decode()


# --- write-offs ----------------------------------------------------------------------------


def propose(client, customer, sale, reason: str = "客户倒闭"):
    url = reverse("receivables:write-off-create", args=[customer.code])
    return client.post(url, {f"pick_{sale.pk}": "on", "reason": reason})


def open_on(customer, sale) -> Decimal:
    return next((s.open_amount for s in selectors.open_sales(customer) if s.pk == sale.pk), Decimal("0"))


def test_a_write_off_proposed_by_finance_and_approved_by_the_manager_settles_the_sale(
    sale, debtor, finance, manager
):
    # given
    response = propose(english(finance), debtor, sale)
    assert response.status_code == 302
    write_off = Outbound.objects.get(kind=OutboundKind.BAD_DEBT)
    assert response["Location"] == reverse("receivables:write-off-detail", args=[write_off.pk])
    assert open_on(debtor, sale) == sale.amount  # nothing changes before approval
    pending = english(manager).get(reverse("receivables:credit-list")).content.decode()
    assert reverse("receivables:write-off-detail", args=[write_off.pk]) in pending
    # when
    approve = reverse("receivables:write-off-approve", args=[write_off.pk])
    assert english(manager).post(approve).status_code == 302
    # then
    write_off.refresh_from_db()
    assert write_off.status == OutboundStatus.POSTED and write_off.number.startswith("HZ")
    assert write_off.agreed_by == manager and write_off.amount == -sale.amount
    assert open_on(debtor, sale) == Decimal("0")
    listing = english(finance).get(reverse("receivables:credit-list")).content.decode()
    assert write_off.number in listing


def test_a_write_off_of_part_of_a_sale_writes_off_that_amount(sale, debtor, assistant, manager):
    url = reverse("receivables:write-off-create", args=[debtor.code])
    response = english(assistant).post(url, {f"amount_{sale.pk}": "100.50", "reason": "零头"})
    assert response.status_code == 302
    write_off = Outbound.objects.get(kind=OutboundKind.BAD_DEBT)
    services_credits.write_off_approve(write_off=write_off, by=manager)
    assert open_on(debtor, sale) == sale.amount - Decimal("100.50")


def test_writing_off_more_than_is_open_is_refused_beside_that_sale(sale, debtor, assistant):
    url = reverse("receivables:write-off-create", args=[debtor.code])
    too_much = sale.amount + Decimal("1")
    response = english(assistant).post(
        url, {f"pick_{sale.pk}": "on", f"amount_{sale.pk}": too_much, "reason": "x"}
    )
    assert response.status_code == 200
    row = re.search(rf'<tr data-sale="{sale.number}">(.*?)</tr>', response.content.decode(), re.S).group(1)
    assert "is still open" in row
    assert not Outbound.objects.filter(kind=OutboundKind.BAD_DEBT).exists()


def test_the_proposer_cannot_approve_their_own_write_off(sale, debtor, manager):
    client = english(manager)
    propose(client, debtor, sale)
    write_off = Outbound.objects.get(kind=OutboundKind.BAD_DEBT)
    detail = reverse("receivables:write-off-detail", args=[write_off.pk])
    assert 'data-testid="approve"' not in client.get(detail).content.decode()
    response = client.post(reverse("receivables:write-off-approve", args=[write_off.pk]))
    assert response.status_code == 302 and response["Location"] == detail
    assert any("cannot approve" in text for text in said(response))
    write_off.refresh_from_db()
    assert write_off.status == OutboundStatus.DRAFT
    assert open_on(debtor, sale) == sale.amount


def test_only_approvers_decide_on_write_offs(sale, debtor, finance, assistant, warehouse, manager):
    propose(client_for(finance), debtor, sale)
    write_off = Outbound.objects.get(kind=OutboundKind.BAD_DEBT)
    approve = reverse("receivables:write-off-approve", args=[write_off.pk])
    reject = reverse("receivables:write-off-reject", args=[write_off.pk])
    assert client_for(assistant).post(approve).status_code == 403
    assert client_for(assistant).post(reject, {"reason": "不同意"}).status_code == 403
    # finance proposed it, and it is above the limit for finance anyway
    assert any("cannot approve" in text for text in said(english(finance).post(approve)))
    assert client_for(warehouse).get(reverse("receivables:credit-list")).status_code == 403
    write_off.refresh_from_db()
    assert write_off.status == OutboundStatus.DRAFT
    # the manager rejects it: it is gone and nothing was settled
    assert client_for(manager).post(reject, {"reason": "再催一次"}).status_code == 302
    assert not Outbound.objects.filter(kind=OutboundKind.BAD_DEBT).exists()
    assert open_on(debtor, sale) == sale.amount


def test_write_off_pages_keep_to_the_users_customers(sale, debtor, other_assistant, assistant):
    assert (
        client_for(other_assistant)
        .get(reverse("receivables:write-off-create", args=[debtor.code]))
        .status_code
        == 404
    )
    propose(client_for(assistant), debtor, sale)
    write_off = Outbound.objects.get(kind=OutboundKind.BAD_DEBT)
    detail = reverse("receivables:write-off-detail", args=[write_off.pk])
    assert client_for(other_assistant).get(detail).status_code == 404
    assert client_for(assistant).get(detail).status_code == 200
    # Its link, not its reference: "D3" may turn up by chance in a page's CSP nonce or CSRF token.
    assert client_for(assistant).get(reverse("receivables:credit-list")).content.decode().count(detail) == 1
    assert detail not in client_for(other_assistant).get(reverse("receivables:credit-list")).content.decode()


def test_the_credit_list_makes_the_same_number_of_queries_for_more_rows(
    debtor, product, assistant, warehouse, manager, salesperson
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sales = [
        sell(debtor, product, "3", by=assistant, warehouse=warehouse, approver=manager) for _ in range(3)
    ]

    def give_back(sale):
        line = services_credits.ReturnLineInput(sale.lines.get(), Decimal("1"))
        services_credits.return_post(
            original=sale, by=assistant, lines=[line], reason="破损", agreed_by=salesperson
        )

    def queries() -> int:
        client = client_for(manager)
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("receivables:credit-list")).status_code == 200
        return len(seen)

    give_back(sales[0])
    one = queries()
    give_back(sales[1])
    give_back(sales[2])
    assert queries() == one
