from decimal import Decimal

import pytest

from salesdesk import cli
from salesdesk.catalog.models import Product
from salesdesk.customers.models import Customer
from tests.spreadsheets.conftest import xlsx_file

HEADERS = ["型号", "产品名称", "单位", "标准价"]


@pytest.mark.django_db
def test_the_import_command_without_commit_prints_the_problems_and_exits_1(manager, tmp_path, capsys):
    path = xlsx_file(
        tmp_path, [HEADERS, ["KD-101", "外墙乳胶漆", "桶", 120], ["KD-102", "内墙漆", "桶", "贵"]]
    )
    with pytest.raises(SystemExit) as exited:
        cli.main(["import", "products", str(path), "--as", "manager"])
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "Row 3, 标准价: must be a number" in out
    assert "rows ok: 1; rows with problems: 1." in out
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_the_import_command_without_commit_writes_nothing_even_for_a_good_file(manager, tmp_path, capsys):
    path = xlsx_file(tmp_path, [HEADERS, ["KD-101", "外墙乳胶漆", "桶", 120]])
    cli.main(["import", "products", str(path), "--as", "manager"])
    assert "rows ok: 1; rows with problems: 0." in capsys.readouterr().out
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_the_import_command_with_commit_writes_every_row_and_prints_the_count(manager, tmp_path, capsys):
    path = xlsx_file(
        tmp_path, [HEADERS, ["KD-101", "外墙乳胶漆", "桶", 120.5], ["KD-102", "内墙漆", "桶", 88]]
    )
    cli.main(["import", "products", str(path), "--as", "manager", "--commit"])
    assert "rows imported: 2." in capsys.readouterr().out
    assert list(Product.objects.values_list("model_code", "standard_price")) == [
        ("KD-101", Decimal("120.5000")),
        ("KD-102", Decimal("88.0000")),
    ]


@pytest.mark.django_db
def test_the_import_command_with_commit_and_a_bad_row_writes_nothing(manager, tmp_path, capsys):
    path = xlsx_file(tmp_path, [HEADERS, ["KD-101", "外墙乳胶漆", "桶", 120], ["KD-102", "", "桶", 88]])
    with pytest.raises(SystemExit) as exited:
        cli.main(["import", "products", str(path), "--as", "manager", "--commit"])
    assert exited.value.code == 1
    assert "Row 3, 产品名称: must be filled in" in capsys.readouterr().out
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_the_import_command_applies_the_users_permissions(assistant, tmp_path):
    path = xlsx_file(tmp_path, [HEADERS, ["KD-101", "外墙乳胶漆", "桶", 120]])
    with pytest.raises(SystemExit, match="may not import"):
        cli.main(["import", "products", str(path), "--as", "assistant", "--commit"])
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_the_import_command_imports_customers_with_system_codes(assistant, tmp_path, capsys):
    path = xlsx_file(
        tmp_path,
        [["客户类别", "客户名称", "客户编号"], ["GS", "佛山美家", "YW12345"], ["KD", "长沙星城", ""]],
    )
    cli.main(["import", "customers", str(path), "--as", "assistant", "--commit"])
    assert "rows imported: 2." in capsys.readouterr().out
    assert list(Customer.objects.values_list("code", flat=True)) == ["GS00001", "KD00001"]
