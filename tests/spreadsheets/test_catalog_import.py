import datetime as dt
import io
from decimal import Decimal

import pytest

from salesdesk.catalog import services
from salesdesk.catalog.imports import PriceImport, ProductImport
from salesdesk.catalog.models import CustomerPrice, Product
from salesdesk.core.errors import NotAllowed
from salesdesk.core.imports import ImportRefused, commit_import, preview_import
from tests.spreadsheets.conftest import xlsx

PRODUCT_HEADERS = ["型号", "产品名称", "规格", "单位", "标准价", "新产品", "卖点"]
PRICE_HEADERS = ["客户编号", "型号", "单价", "生效日期", "备注"]


def products(*rows, headers=PRODUCT_HEADERS):
    return io.BytesIO(xlsx([headers, *rows]))


def prices(*rows):
    return io.BytesIO(xlsx([PRICE_HEADERS, *rows]))


@pytest.mark.django_db
def test_a_product_file_creates_products_with_exact_prices(manager):
    count = commit_import(
        ProductImport(user=manager),
        products(
            ["KD-101", "外墙乳胶漆", "18L", "桶", 120.5, "是", "耐候十年"],
            ["KD-102", "内墙乳胶漆", "5L", "罐", "88.88", "否", None],
        ),
    )
    assert count == 2
    assert list(Product.objects.values_list("model_code", "name", "standard_price", "is_new", "unit")) == [
        ("KD-101", "外墙乳胶漆", Decimal("120.5000"), True, "桶"),
        ("KD-102", "内墙乳胶漆", Decimal("88.8800"), False, "罐"),
    ]


@pytest.mark.django_db
def test_reimporting_products_updates_them_by_model_code(manager, product):
    # given KD-101 exists at 120.00; the file changes its price and adds KD-103
    source = products(
        ["KD-101", "外墙乳胶漆(新版)", "18L", "桶", "135.00", "是", "更耐候"],
        ["KD-103", "防水涂料", "20kg", "桶", 260, "否", ""],
    )
    # when
    commit_import(ProductImport(user=manager), source)
    # then
    product.refresh_from_db()
    assert (product.name, product.standard_price, product.is_new) == (
        "外墙乳胶漆(新版)",
        Decimal("135.0000"),
        True,
    )
    assert Product.objects.count() == 2
    assert Product.objects.get(model_code="KD-103").standard_price == Decimal("260.0000")


@pytest.mark.django_db
def test_columns_missing_from_the_file_leave_a_product_alone(manager, product):
    commit_import(ProductImport(user=manager), products(["KD-101", "好卖"], headers=["型号", "卖点"]))
    product.refresh_from_db()
    assert (product.name, product.standard_price, product.selling_points) == (
        "外墙乳胶漆",
        Decimal("120.0000"),
        "好卖",
    )


@pytest.mark.django_db
def test_product_preview_names_each_problem_and_writes_nothing(manager, product):
    preview = preview_import(
        ProductImport(user=manager),
        products(
            ["KD-201", "", "", "桶", "贵", "是", ""],
            ["KD-202", "底漆", "", "桶", -3, "也许", ""],
            ["KD-201", "重复", "", "桶", 10, "否", ""],
            ["KD-203", "新漆", "", "", None, "否", ""],
        ),
    )
    found = {(p.row, p.column) for p in preview.problems}
    assert {(2, "产品名称"), (2, "标准价"), (3, "标准价"), (3, "新产品"), (4, "型号"), (5, "单位")} <= found
    texts = [str(p) for p in preview.problems]
    assert "Row 2, 标准价: must be a number" in texts
    assert "Row 3, 标准价: must not be negative" in texts
    assert "Row 4, 型号: the same model code is on row 2" in texts
    assert "Row 5, 标准价: must be filled in" in texts
    assert list(Product.objects.values_list("model_code", flat=True)) == ["KD-101"]


@pytest.mark.django_db
def test_a_product_file_with_one_bad_row_writes_nothing(manager, product):
    with pytest.raises(ImportRefused):
        commit_import(
            ProductImport(user=manager),
            products(["KD-101", "改名", "", "桶", 99, "否", ""], ["KD-301", "新", "", "桶", "x", "否", ""]),
        )
    product.refresh_from_db()
    assert (product.name, product.standard_price) == ("外墙乳胶漆", Decimal("120.0000"))
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_an_assistant_may_not_import_products(assistant):
    with pytest.raises(NotAllowed):
        preview_import(ProductImport(user=assistant), products(["KD-1", "漆", "", "桶", 1, "否", ""]))


@pytest.mark.django_db
def test_prices_are_agreed_for_the_assistants_own_customers(assistant, own_customer, product):
    count = commit_import(
        PriceImport(user=assistant),
        prices(
            [own_customer.code, "KD-101", 115.5, dt.datetime(2025, 3, 1), "年度协议"],
            [own_customer.code, "KD-101", "112.345678", "2025-06-01", ""],
        ),
    )
    assert count == 2
    assert list(
        CustomerPrice.objects.order_by("valid_from").values_list("unit_price", "valid_from", "note")
    ) == [
        (Decimal("115.5000"), dt.date(2025, 3, 1), "年度协议"),
        (Decimal("112.3457"), dt.date(2025, 6, 1), ""),
    ]
    assert {p.created_by for p in CustomerPrice.objects.all()} == {assistant}


@pytest.mark.django_db
def test_a_price_for_another_assistants_customer_reads_as_no_such_customer(
    assistant, own_customer, others_customer, product
):
    source = prices(
        [own_customer.code, "KD-101", 100, "2025-03-01", ""],
        [others_customer.code, "KD-101", 100, "2025-03-01", ""],
    )
    with pytest.raises(ImportRefused) as refused:
        commit_import(PriceImport(user=assistant), source)
    assert [str(p) for p in refused.value.preview.problems] == ["Row 3, 客户编号: no such customer"]
    assert not CustomerPrice.objects.exists()


@pytest.mark.django_db
def test_price_preview_finds_unknown_products_bad_prices_and_existing_dates(assistant, own_customer, product):
    services.price_set(
        customer=own_customer,
        product=product,
        unit_price=Decimal("100"),
        valid_from=dt.date(2025, 1, 1),
        by=assistant,
    )
    preview = preview_import(
        PriceImport(user=assistant),
        prices(
            [own_customer.code, "KD-999", 100, "2025-03-01", ""],
            [own_customer.code, "KD-101", "一百", "明天", ""],
            [own_customer.code, "KD-101", 90, "2025-01-01", ""],
            [own_customer.code, "KD-101", 90, "2025-02-01", ""],
            [own_customer.code, "KD-101", 95, "2025-02-01", ""],
            ["", "KD-101", 95, "2025-04-01", ""],
        ),
    )
    assert [str(p) for p in preview.problems] == [
        "Row 2, 型号: no such product",
        "Row 3, 单价: must be a number",
        "Row 3, 生效日期: must be a date like 2025-03-01",
        "Row 4, 生效日期: a price for this product from this date already exists",
        "Row 6, 生效日期: the same price is on row 5",
        "Row 7, 客户编号: must be filled in",
    ]
    assert CustomerPrice.objects.count() == 1


@pytest.mark.django_db
def test_a_product_no_longer_sold_cannot_get_a_new_price(assistant, own_customer, product, manager):
    services.product_update(product=product, by=manager, active=False)
    preview = preview_import(
        PriceImport(user=assistant), prices([own_customer.code, "KD-101", 1, "2025-03-01", ""])
    )
    assert [str(p) for p in preview.problems] == ["Row 2, 型号: this product is no longer sold"]


@pytest.mark.django_db
def test_a_salesperson_may_not_import_prices(salesperson):
    with pytest.raises(NotAllowed):
        preview_import(PriceImport(user=salesperson), prices(["GS00001", "KD-101", 1, "2025-03-01", ""]))
