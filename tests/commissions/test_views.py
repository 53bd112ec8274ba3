"""The commission pages: a month's statement drawn up, approved and paid once through the pages,
what would otherwise be missed, who may see and do what, the .xlsx, and fixed query counts."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    PayoutItem,
    StatementStatus,
)
from salesdesk.receivables import services as receivables
from tests.conftest import client_for
from tests.receivables.conftest import sell

pytestmark = pytest.mark.django_db


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def pay_in_full(sale, by) -> None:
    receivables.receipt_create(
        customer=sale.customer,
        by=by,
        amount=sale.amount,
        received_on=timezone.localdate(),
        method="transfer",
        allocations=[receivables.AllocationInput(sale)],
    )


def section(html: str, testid: str, end: str = "</table>") -> str:
    match = re.search(rf'data-testid="{testid}">(.*?){end}', html, re.S)
    assert match, f"no {testid} on the page"
    return match.group(1)


def row_of(html: str, outbound_number: str) -> str:
    match = re.search(rf'<tr data-accrual="\d+" data-outbound="{outbound_number}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {outbound_number}"
    return match.group(1)


@pytest.fixture
def sales(rebate_customer, product, assistant, warehouse):
    """Two orders of the rebate customer: 10 × A-101 paid in full (125.00), 4 unpaid (50.00)."""
    paid = sell(rebate_customer, product, "10", by=assistant, warehouse=warehouse)
    unpaid = sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)
    pay_in_full(paid, assistant)
    return paid, unpaid


def build(user, month: str | None = None):
    return english(user).post(reverse("commissions:statement-build"), {"month": month or this_month()})


def detail_url(statement, action: str = "") -> str:
    if not action:
        return reverse("commissions:statement-detail", args=[statement.number])
    return reverse(f"commissions:statement-{action}", args=[statement.number])


@pytest.fixture
def statement(sales, assistant):
    response = build(assistant)
    assert response.status_code == 302, response.content.decode()[:2000]
    return CommissionStatement.objects.get()


# --- the scenario -----------------------------------------------------------------------------


def test_the_months_statement_drawn_up_on_the_page_holds_only_the_paid_order_and_is_paid_once(
    sales, assistant, finance
):
    paid, unpaid = sales
    # given the statement drawn up by the assistant
    response = build(assistant)
    assert response.status_code == 302 and response["Location"] == reverse("commissions:statement-list")
    statement = CommissionStatement.objects.get()
    assert statement.total == Decimal("125.00") and statement.status == StatementStatus.SUBMITTED
    assert any(statement.number in m and "黄先生" in m for m in said(response))
    page = english(assistant).get(detail_url(statement)).content.decode()
    lines = section(page, "statement-lines")
    assert paid.number in lines and unpaid.number not in lines
    assert "6222 0000 1234 5678" in page and "中国工商银行佛山分行" in page and "125.00" in lines

    # when finance approves, then pays
    finance_client = english(finance)
    response = finance_client.post(detail_url(statement, "approve"))
    assert response.status_code == 302 and any("approved" in m for m in said(response))
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED and statement.decided_by == finance
    payment = {"paid_on": timezone.localdate().isoformat(), "reference": "工行 0012"}
    response = finance_client.post(detail_url(statement, "pay"), payment)
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID

    # then a second payment is refused with a message, and each accrual is paid once
    response = finance_client.post(detail_url(statement, "pay"), payment)
    assert response.status_code == 302 and response["Location"] == detail_url(statement)
    assert any("already paid" in m for m in said(response))
    assert CommissionPayout.objects.count() == 1
    assert list(PayoutItem.objects.values_list("accrual__outbound_id", flat=True)) == [paid.pk]
    page = finance_client.get(detail_url(statement)).content.decode()
    assert "工行 0012" in page and 'data-testid="statement-pay-form"' not in page


def test_the_assistant_may_not_approve_and_a_manager_may_not_approve_his_own_statement(
    sales, assistant, manager
):
    response = build(assistant)
    statement = CommissionStatement.objects.get()
    assert english(assistant).post(detail_url(statement, "approve")).status_code == 403
    assert english(assistant).post(detail_url(statement, "pay"), {"reference": "x"}).status_code == 403
    assert english(assistant).post(detail_url(statement, "send-back"), {"reason": "x"}).status_code == 403

    # the manager draws up next month's statements himself, after sending this one back
    response = english(manager).post(detail_url(statement, "send-back"), {"reason": "金额待核对"})
    assert response.status_code == 302
    response = build(manager)
    assert response.status_code == 302
    own = CommissionStatement.objects.get(status=StatementStatus.SUBMITTED)
    assert own.created_by == manager and own.total == Decimal("125.00")
    response = english(manager).post(detail_url(own, "approve"))
    assert response.status_code == 302
    assert "Whoever drew up a statement cannot approve it." in said(response)
    own.refresh_from_db()
    assert own.status == StatementStatus.SUBMITTED and own.decided_by is None
    page = english(manager).get(detail_url(own)).content.decode()
    assert 'data-testid="own-statement"' in page


def test_nothing_payable_or_a_wrong_month_is_said_beside_the_month_and_draws_up_nothing(
    rebate_customer, product, assistant, warehouse
):
    sell(rebate_customer, product, "4", by=assistant, warehouse=warehouse)  # not paid
    response = build(assistant)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing is payable for" in html and 'data-testid="statement-build-form"' in html
    assert "Enter a month such as 2025-03." in build(assistant, "2026-13").content.decode()
    for month in ("2026-13", "next month", "\x00", ""):
        response = build(assistant, month)
        assert response.status_code == 200
        assert 'id="id_month_error"' in response.content.decode()  # beside the month box
    later = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    assert "That month has not begun." in build(assistant, later).content.decode()
    assert CommissionStatement.objects.count() == 0


def test_the_build_form_is_only_offered_to_those_who_draw_up(sales, assistant, salesperson, finance):
    url = reverse("commissions:statement-list")
    assert 'data-testid="statement-build-form"' in english(assistant).get(url).content.decode()
    for user in (salesperson, finance):
        assert 'data-testid="statement-build-form"' not in english(user).get(url).content.decode()
        assert build(user).status_code == 403
    assert CommissionStatement.objects.count() == 0


# --- what would be missed, and the accrual list ------------------------------------------------


def test_the_missed_page_shows_the_payable_and_the_unpaid_order_with_its_reason(sales, assistant):
    paid, unpaid = sales
    html = english(assistant).get(reverse("commissions:missed")).content.decode()
    payable, waiting = section(html, "missed-payable"), section(html, "missed-waiting")
    assert paid.number in payable and unpaid.number not in payable
    assert unpaid.number in waiting and paid.number not in waiting
    assert f"{unpaid.amount} of {unpaid.number} is still unpaid." in row_of(waiting, unpaid.number)

    build(assistant)
    html = english(assistant).get(reverse("commissions:missed")).content.decode()
    assert paid.number not in section(html, "missed-payable")  # now on a statement
    assert unpaid.number in section(html, "missed-waiting")


def test_the_missed_page_sums_by_customer_cuts_long_lists_and_shows_a_chosen_customer_whole(
    sales, assistant, warehouse, product, monkeypatch
):
    from salesdesk.commissions import views

    paid, unpaid = sales
    later = sell(paid.customer, product, "2", by=assistant, warehouse=warehouse)  # 25.00, unpaid
    monkeypatch.setattr(views, "MISSED_SHOWN", 1)
    client = english(assistant)
    html = client.get(reverse("commissions:missed")).content.decode()
    summary = section(html, "missed-by-customer")
    row = re.search(rf'<tr data-customer="{paid.customer.code}">(.*?)</tr>', summary, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1:6] == ["黄先生", "1", "125.00", "2", "75.00"]
    assert cells[6] == f"{paid.posting_date:%Y-%m-%d}"
    # one row of each kind, the oldest, and the totals still of them all
    waiting = section(html, "missed-waiting")
    assert unpaid.number in waiting and later.number not in waiting
    assert re.search(r'data-testid="waiting-total">75.00<', html)
    assert "The oldest 1 of 2; choose a customer above" in html
    assert 'data-testid="payable-cut"' not in html  # one payable row: nothing was cut

    chosen = {"customer": paid.customer.code.lower()}
    html = client.get(reverse("commissions:missed"), chosen).content.decode()
    waiting = section(html, "missed-waiting")
    assert unpaid.number in waiting and later.number in waiting and "The oldest" not in html
    assert f"Showing customer {paid.customer.code} only." in html

    # a code that is not one of the summary's shows nothing below it
    html = client.get(reverse("commissions:missed"), {"customer": "ZZ99999"}).content.decode()
    assert paid.number not in section(html, "missed-payable")
    assert unpaid.number not in section(html, "missed-waiting")
    assert re.search(r'data-testid="payable-total">0.00<', html)


def test_the_accrual_list_filters_by_state_customer_payee_and_month_with_totals(sales, assistant):
    paid, unpaid = sales
    client = english(assistant)
    url = reverse("commissions:accrual-list")

    def shown(**filters) -> tuple[str, str]:
        html = client.get(url, filters).content.decode()
        total = re.search(r'data-testid="accrual-total">([^<]*)<', html).group(1)
        return section(html, "accrual-list"), total

    rows, total = shown()
    assert paid.number in rows and unpaid.number in rows and total == "175.00"
    assert "Waiting for the customer" in row_of(rows, unpaid.number)
    rows, total = shown(state="waiting")
    assert unpaid.number in rows and paid.number not in rows and total == "50.00"
    rows, total = shown(state="payable")
    assert paid.number in rows and unpaid.number not in rows and total == "125.00"
    build(assistant)
    rows, total = shown(state="on_statement")
    assert paid.number in rows and unpaid.number not in rows and total == "125.00"
    rows, total = shown(state="payable")
    assert paid.number not in rows and total == "0.00"
    rows, total = shown(customer=paid.customer.code.lower(), payee="黄")
    assert paid.number in rows and unpaid.number in rows
    rows, total = shown(payee="someone else")
    assert paid.number not in rows and total == "0.00"
    last_year = f"{timezone.localdate().year - 1}-01"
    rows, total = shown(month=last_year)
    assert paid.number not in rows and total == "0.00"
    rows, total = shown(month=this_month())
    assert total == "175.00"
    # a wrong filter is said beside its box and the others still apply
    html = client.get(url, {"month": "2026-99", "state": "waiting"}).content.decode()
    assert "Enter a month such as 2025-03." in html
    assert unpaid.number in section(html, "accrual-list") and paid.number not in section(html, "accrual-list")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_accrual_list_takes_the_same_number_of_queries_for_one_or_three_accruals(
    rebate_customer, product, assistant, warehouse
):
    client = english(assistant)
    sell(rebate_customer, product, "2", by=assistant, warehouse=warehouse)  # unpaid: one waiting, then three
    urls = [reverse("commissions:accrual-list"), reverse("commissions:accrual-list") + "?state=waiting"]
    client.get(urls[0])  # sessions and caches warmed
    with_one = [_queries(client, url) for url in urls]
    sell(rebate_customer, product, "3", by=assistant, warehouse=warehouse)
    sell(rebate_customer, product, "5", by=assistant, warehouse=warehouse)
    assert CommissionAccrual.objects.count() == 3
    assert [_queries(client, url) for url in urls] == with_one


# --- access ---------------------------------------------------------------------------------


def test_another_assistant_gets_404_on_the_statement_and_sees_none_of_its_accruals(
    statement, sales, other_assistant, other_salesperson
):
    paid, unpaid = sales
    for user in (other_assistant, other_salesperson):
        client = english(user)
        assert client.get(detail_url(statement)).status_code == 404
        assert client.get(reverse("commissions:statement-xlsx", args=[statement.number])).status_code == 404
        assert client.post(detail_url(statement, "confirm")).status_code == 404
        for url in ("accrual-list", "missed", "statement-list"):
            html = client.get(reverse(f"commissions:{url}")).content.decode()
            assert paid.number not in html and unpaid.number not in html and statement.number not in html


def test_the_customers_own_salesperson_sees_the_statement(statement, sales, salesperson):
    client = english(salesperson)
    assert statement.number in client.get(detail_url(statement)).content.decode()
    assert sales[1].number in client.get(reverse("commissions:missed")).content.decode()


def test_the_warehouse_is_refused_every_commission_page(statement, warehouse):
    client = english(warehouse)
    for name in ("accrual-list", "missed", "statement-list"):
        assert client.get(reverse(f"commissions:{name}")).status_code == 403
    assert client.get(detail_url(statement)).status_code == 403
    assert client.get(reverse("commissions:statement-xlsx", args=[statement.number])).status_code == 403
    assert client.post(reverse("commissions:statement-build"), {"month": this_month()}).status_code == 403
    for action in ("approve", "send-back", "pay", "confirm"):
        assert (
            client.post(detail_url(statement, action), {"reason": "x", "reference": "x"}).status_code == 403
        )
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SUBMITTED


def test_a_nul_in_a_statement_number_is_refused_not_a_server_error(statement, finance):
    url = detail_url(statement).replace(statement.number, "YJ\x00")
    assert english(finance).get(url).status_code in {400, 404}


# --- sending back, paying, confirming ----------------------------------------------------------


def test_sending_back_needs_a_reason_and_frees_the_accruals(statement, sales, finance, assistant):
    client = english(finance)
    response = client.post(detail_url(statement, "send-back"), {"reason": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SUBMITTED
    response = client.post(detail_url(statement, "send-back"), {"reason": "回扣单价不对"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.RETURNED and statement.return_reason == "回扣单价不对"
    page = client.get(detail_url(statement)).content.decode()
    assert "回扣单价不对" in page and sales[0].number in section(page, "statement-lines")
    html = english(assistant).get(reverse("commissions:missed")).content.decode()
    assert sales[0].number in section(html, "missed-payable")


def test_paying_refuses_a_future_date_or_no_reference_beside_the_field(statement, finance):
    client = english(finance)
    response = client.post(detail_url(statement, "pay"), {"paid_on": "2026-01-01", "reference": "x"})
    assert response.status_code == 302 and "Only an approved statement is paid." in said(response)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SUBMITTED  # not approved yet: refused with a message
    client.post(detail_url(statement, "approve"))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for data, text in (
        ({"paid_on": tomorrow, "reference": "工行 1"}, "A payment cannot be dated in the future."),
        ({"paid_on": timezone.localdate().isoformat(), "reference": ""}, "This field is required."),
        ({"paid_on": "1999-12-31", "reference": "工行 1"}, "Choose a date between 2000 and 2100."),
        ({"paid_on": "31/31/2026", "reference": "工行 1"}, "Enter a valid date."),
    ):
        response = client.post(detail_url(statement, "pay"), data)
        assert response.status_code == 200
        assert text in section(response.content.decode(), "statement-pay-form", "</form>")
    assert CommissionPayout.objects.count() == 0 and PayoutItem.objects.count() == 0


def test_only_the_customers_people_confirm_a_paid_statement(statement, finance, salesperson):
    client = english(finance)
    client.post(detail_url(statement, "approve"))
    client.post(detail_url(statement, "pay"), {"paid_on": timezone.localdate().isoformat(), "reference": "1"})
    response = client.post(detail_url(statement, "confirm"))
    assert "The customer's salesperson or assistant confirms the payment." in said(response)
    assert (
        'data-testid="statement-confirm-form"'
        in english(salesperson).get(detail_url(statement)).content.decode()
    )
    response = english(salesperson).post(detail_url(statement, "confirm"))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.confirmed_by == salesperson
    assert "Already confirmed with the customer." in said(
        english(salesperson).post(detail_url(statement, "confirm"))
    )


# --- the spreadsheet ------------------------------------------------------------------------


def test_the_statement_xlsx_holds_the_payee_bank_lines_and_total(statement, sales, assistant):
    response = english(assistant).get(reverse("commissions:statement-xlsx", args=[statement.number]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"commission-{statement.number}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = [c for r in rows for c in r if c is not None]
    assert statement.number in cells and "黄先生" in cells
    assert "中国工商银行佛山分行" in cells and "6222 0000 1234 5678" in cells
    assert sales[0].number in cells and sales[1].number not in cells
    (total_row,) = [r for r in rows if r[0] == "合计 Total"]
    assert Decimal(str(total_row[5])) == Decimal("125.00")


def test_the_statement_list_filters_by_status_and_month(statement, finance):
    client = english(finance)
    url = reverse("commissions:statement-list")

    def listed(**filters) -> str:
        return section(client.get(url, filters).content.decode(), "statement-list")

    assert statement.number in listed()
    assert statement.number in listed(status="submitted", month=this_month())
    assert statement.number not in listed(status="paid")
    assert statement.number not in listed(month=f"{timezone.localdate().year - 1}-12")
    html = client.get(url, {"month": "12/2026", "status": "submitted"}).content.decode()
    assert "Enter a month such as 2025-03." in html and statement.number in section(html, "statement-list")
