"""A report in a real browser: the assistant opens the sales outbound report from the report list,
filters it by one customer, exports it, and the .xlsx holds that customer's outbounds and their
total — and nothing of another assistant's customer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from salesdesk.catalog import services as catalog_services
from salesdesk.warehouse import services
from tests.e2e.conftest import log_in, posted_sale
from tests.factories import ProductFactory, days_ago, make_customer

pytestmark = pytest.mark.e2e


def customer_at_price(name: str, product, *, assistant, salesperson, manager):
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson, name=name)
    catalog_services.price_set(
        customer=customer, product=product, unit_price=Decimal("349.60"), valid_from=days_ago(10), by=manager
    )
    return customer


@pytest.mark.django_db(transaction=True)
def test_the_sales_outbound_report_exports_one_customers_outbounds_and_their_total(
    page, tmp_path, assistant, salesperson, other_assistant, other_salesperson, warehouse, manager
):
    # given: two outbounds to the customer asked for, one to another customer of the same
    # assistant, and one to a customer of another assistant
    product = ProductFactory(model_code="A-101", name="水性木器漆 红色", standard_price=Decimal("380"))
    services.stock_inbound(product=product, quantity=Decimal("50"), by=warehouse)
    people = {"assistant": assistant, "salesperson": salesperson, "manager": manager}
    wanted = customer_at_price("佛山市顺德区美家装饰工程有限公司", product, **people)
    neighbour = customer_at_price("江门新美建材有限公司", product, **people)
    # Its name carries the code asked for, so the customer filter alone would let it through:
    # only the assistant's scope keeps it out.
    outsider = customer_at_price(
        f"广州彩虹建材有限公司（原{wanted.code}）",
        product,
        assistant=other_assistant,
        salesperson=other_salesperson,
        manager=manager,
    )
    first = posted_sale(wanted, product, "2", by=assistant, warehouse=warehouse)  # 699.20
    second = posted_sale(wanted, product, "3", by=assistant, warehouse=warehouse)  # 1048.80
    beside = posted_sale(neighbour, product, "1", by=assistant, warehouse=warehouse)  # 349.60
    theirs = posted_sale(outsider, product, "4", by=other_assistant, warehouse=warehouse)  # 1398.40

    # when: the assistant opens the report from the list, filters by the code and exports
    log_in(page, assistant.username)
    page.goto("/reports/")
    page.click("[data-report=sales_outbound]")
    page.wait_for_url("**/reports/sales_outbound/")
    page.fill("[data-testid=report-filters] [name=customer]", wanted.code)
    page.click("[data-testid=report-filters] button")
    page.wait_for_url(f"**/reports/sales_outbound/?*customer={wanted.code}*")
    table = page.inner_text("[data-testid=report-table]")
    assert first.number in table and second.number in table
    assert beside.number not in table and theirs.number not in table
    assert "1,748.00" in page.inner_text("[data-testid=report-totals]")
    with page.expect_download() as download_info:
        page.click("[data-testid=report-export]")
    download = download_info.value

    # then: the workbook holds the two outbounds and their total, nothing of the others
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(cell is not None for cell in row)]
    header, *lines, totals = rows
    number_at, amount_at = 1, len(header) - 1
    assert sorted(row[number_at] for row in lines) == sorted([first.number, second.number])
    assert all(wanted.code in row and wanted.name in row for row in lines)
    assert sum(Decimal(str(row[amount_at])) for row in lines) == Decimal("1748.00")
    assert Decimal(str(totals[amount_at])) == Decimal("1748.00")
    cells = {cell for row in rows for cell in row}
    assert not cells & {beside.number, theirs.number, outsider.code, outsider.name, neighbour.name}
