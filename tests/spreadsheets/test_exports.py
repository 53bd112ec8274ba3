import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.imports import ProductImport
from salesdesk.catalog.models import Product
from salesdesk.core.imports import commit_import
from salesdesk.customers import services as customer_services
from tests.conftest import client_for
from tests.spreadsheets.conftest import download_sheet, read_download


@pytest.mark.django_db
def test_an_assistants_customer_export_holds_none_of_another_assistants_customers(
    assistant, own_customer, others_customer
):
    response = client_for(assistant).get(reverse("customers:customer-export"))
    assert response.status_code == 200
    rows = read_download(response)
    assert rows[0][:3] == ("客户编号", "客户类别", "客户名称")
    assert [row[0] for row in rows[1:]] == [own_customer.code]
    assert others_customer.name not in {cell for row in rows for cell in row}


@pytest.mark.django_db
def test_the_customer_export_follows_the_list_filters(manager, assistant, own_customer):
    agent = customer_services.customer_create(by=assistant, series="KD", name="长沙星城")
    rows = read_download(client_for(manager).get(reverse("customers:customer-export") + "?series=KD"))
    assert [row[0] for row in rows[1:]] == [agent.code]


@pytest.mark.django_db
def test_the_customer_export_writes_labels_people_read_and_its_first_contact(manager, assistant, salesperson):
    customer_services.customer_create(
        by=assistant,
        series="YW",
        name="江门新客户",
        salesperson=salesperson,
        settlement="monthly",
        credit_days=30,
        contacts=[{"name": "黄经理", "phone": "13800138000", "role": "采购"}],
    )
    header, row = read_download(client_for(manager).get(reverse("customers:customer-export")))
    values = dict(zip(header, row, strict=True))
    assert (values["客户类别"], values["业务员"], values["业务助理"]) == ("业务员客户", "王强", "李敏")
    assert (values["结算方式"], values["数期"], values["是否开票"]) == ("月结", 30, "否")
    assert (values["联系人"], values["联系电话"]) == ("黄经理", "13800138000")


@pytest.mark.django_db
def test_the_warehouse_customer_export_leaves_out_credit_terms_and_rebates(warehouse, own_customer):
    header = read_download(client_for(warehouse).get(reverse("customers:customer-export")))[0]
    assert "客户名称" in header
    assert "数期" not in header and "是否回扣" not in header


@pytest.mark.django_db
def test_the_download_is_named_in_chinese_with_an_ascii_fallback(manager):
    response = client_for(manager).get(reverse("customers:customer-export"))
    today = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"customers-{today}.xlsx\"; filename*=UTF-8''{quote(f'客户资料-{today}.xlsx')}"
    )
    assert response.streaming


@pytest.mark.django_db
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(manager, assistant):
    customer_services.customer_create(
        by=assistant, series="GS", name='=HYPERLINK("http://evil","点我")', address="@SUM(1+1)", city="-2+3"
    )
    sheet = download_sheet(client_for(manager).get(reverse("customers:customer-export")))
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["客户名称"].value == '\'=HYPERLINK("http://evil","点我")'
    assert row["地址"].value == "'@SUM(1+1)"
    assert row["城市"].value == "'-2+3"
    assert {row[h].data_type for h in ("客户名称", "地址", "城市")} == {"s"}


@pytest.mark.django_db
def test_the_product_export_writes_prices_as_numbers_with_a_number_format(manager, product):
    sheet = download_sheet(client_for(manager).get(reverse("catalog:product-export")))
    header = [c.value for c in sheet[1]]
    price = sheet[2][header.index("标准价")]
    assert (price.value, price.data_type, price.number_format) == (120, "n", "0.00##")


@pytest.mark.django_db
def test_the_warehouse_product_export_has_no_price_column(warehouse, product):
    rows = read_download(client_for(warehouse).get(reverse("catalog:product-export")))
    assert rows[0] == ("型号", "产品名称", "规格", "单位", "新产品", "在售", "卖点")
    assert rows[1][0] == "KD-101"
    assert 120 not in rows[1]


@pytest.mark.django_db
def test_exported_products_import_back_to_the_same_data(manager, product):
    # given a second product with fractional price, a formula-like selling point and no longer sold
    catalog_services.product_create(
        by=manager,
        model_code="KD-102",
        name="内墙乳胶漆",
        specification="5L",
        unit="罐",
        standard_price=Decimal("88.8850"),
        is_new=True,
        active=False,
        selling_points="=低气味",
    )
    fields = [
        "model_code",
        "name",
        "specification",
        "unit",
        "standard_price",
        "is_new",
        "active",
        "selling_points",
    ]
    before = list(Product.objects.values_list(*fields))
    content = b"".join(client_for(manager).get(reverse("catalog:product-export")).streaming_content)
    # when the file is imported back
    count = commit_import(ProductImport(user=manager), io.BytesIO(content))
    # then
    assert count == 2
    assert list(Product.objects.values_list(*fields)) == before
    assert Product.objects.get(model_code="KD-102").standard_price == Decimal("88.8850")
    assert Product.objects.get(model_code="KD-102").selling_points == "=低气味"


@pytest.mark.django_db
def test_the_price_export_holds_only_the_assistants_customers_with_dates_as_dates(
    assistant, other_assistant, own_customer, others_customer, product
):
    for customer, by in ((own_customer, assistant), (others_customer, other_assistant)):
        catalog_services.price_set(
            customer=customer,
            product=product,
            unit_price=Decimal("99.5"),
            valid_from=dt.date(2025, 3, 1),
            by=by,
        )
    sheet = download_sheet(client_for(assistant).get(reverse("catalog:price-export")))
    rows = list(sheet.iter_rows(min_row=2))
    assert [[c.value for c in row][:3] for row in rows] == [[own_customer.code, "佛山美家", "KD-101"]]
    valid_from = rows[0][5]
    assert (valid_from.value, valid_from.number_format) == (dt.datetime(2025, 3, 1), "yyyy-mm-dd")
    price = rows[0][4]
    assert (Decimal(str(price.value)), price.data_type, price.number_format) == (
        Decimal("99.5"),
        "n",
        "0.00##",
    )


@pytest.mark.django_db
def test_the_rebate_export_lists_the_rebates_the_user_may_see(assistant, manager, own_customer, product):
    customer_services.customer_update(customer=own_customer, by=manager, rebate=True)
    own_customer.refresh_from_db()
    catalog_services.rebate_set(
        customer=own_customer,
        product=product,
        rebate_unit_price=Decimal("3.5"),
        valid_from=dt.date(2025, 3, 1),
        by=assistant,
        payee_name="黄经理",
    )
    rows = read_download(client_for(assistant).get(reverse("catalog:rebate-export")))
    assert rows[0][:5] == ("客户编号", "客户名称", "型号", "产品名称", "回扣单价")
    assert rows[1][:5] == (own_customer.code, "佛山美家", "KD-101", "外墙乳胶漆", 3.5)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["catalog:price-export", "catalog:rebate-export"])
def test_the_warehouse_may_not_export_prices_or_rebates(warehouse, name):
    assert client_for(warehouse).get(reverse(name)).status_code == 403
