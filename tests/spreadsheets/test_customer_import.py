import io

import pytest

from salesdesk.core.errors import NotAllowed
from salesdesk.core.imports import ImportRefused, commit_import, preview_import
from salesdesk.customers import services
from salesdesk.customers.imports import CustomerImport
from salesdesk.customers.models import Contact, Customer
from tests.spreadsheets.conftest import xlsx

HEADERS = [
    "客户编号", "客户类别", "客户名称", "区域", "省份", "城市", "地址", "业务员", "业务助理", "数期",
    "是否开票", "开票日", "发票抬头", "税号", "是否回扣", "出货要求", "结算方式", "收据印章",
    "联系人", "联系电话", "联系人职务",
]  # fmt: skip


def customer_row(name="佛山美家", **overrides):
    row = {
        "客户编号": "XX99999",
        "客户类别": "公司客户",
        "客户名称": name,
        "区域": "珠三角",
        "省份": "广东",
        "城市": "佛山",
        "地址": "禅城区季华路 1 号",
        "业务员": "王强",
        "业务助理": "assistant",
        "数期": 30,
        "是否开票": "是",
        "开票日": 25,
        "发票抬头": "佛山美家装饰有限公司",
        "税号": "91440600MA0000000X",
        "是否回扣": "否",
        "出货要求": "送货前电话联系",
        "结算方式": "月结",
        "收据印章": "",
        "联系人": "黄经理",
        "联系电话": 13800138000,
        "联系人职务": "采购",
        **overrides,
    }
    return [row[h] for h in HEADERS]


def sheet(*rows):
    return io.BytesIO(xlsx([HEADERS, *rows]))


@pytest.fixture
def people(assistant, salesperson):
    return assistant


@pytest.mark.django_db
def test_a_good_file_creates_every_customer_with_codes_the_system_allocates(people, salesperson):
    # given
    source = sheet(
        customer_row("佛山美家"),
        customer_row("广州彩虹", 客户类别="GS"),
        customer_row("长沙星城", 客户类别="代理商"),
    )
    # when
    count = commit_import(CustomerImport(user=people), source)
    # then
    assert count == 3
    assert list(Customer.objects.values_list("code", "name")) == [
        ("GS00001", "佛山美家"),
        ("GS00002", "广州彩虹"),
        ("KD00001", "长沙星城"),
    ]
    first = Customer.objects.get(code="GS00001")
    assert (first.salesperson, first.assistant, first.created_by) == (salesperson, people, people)
    assert (first.credit_days, first.invoice_required, first.invoice_day, first.rebate) == (
        30,
        True,
        25,
        False,
    )
    assert (first.settlement, first.receipt_seal, first.city) == ("monthly", "", "佛山")
    assert list(first.contacts.values_list("name", "phone", "role")) == [("黄经理", "13800138000", "采购")]


@pytest.mark.django_db
def test_the_code_column_of_the_file_is_never_used(people):
    commit_import(CustomerImport(user=people), sheet(customer_row(客户编号="GS00042")))
    assert list(Customer.objects.values_list("code", flat=True)) == ["GS00001"]


@pytest.mark.django_db
def test_preview_names_the_row_and_the_chinese_column_of_each_problem(people):
    # given one row with a problem of each kind
    source = sheet(
        customer_row("好客户"),
        customer_row("坏客户", 客户类别="外星客户", 数期="三十", 是否开票="也许", 开票日=40),
        customer_row("", 业务员="不存在", 结算方式="以物易物", 联系电话=""),
    )
    # when
    preview = preview_import(CustomerImport(user=people), source)
    # then
    assert (preview.ok_count, preview.problem_count) == (1, 2)
    problems = {(p.row, p.column) for p in preview.problems}
    assert {(3, "客户类别"), (3, "数期"), (3, "是否开票"), (3, "开票日")} <= problems
    assert {(4, "客户名称"), (4, "业务员"), (4, "结算方式"), (4, "联系电话")} <= problems
    texts = [str(p) for p in preview.problems]
    assert "Row 3, 数期: must be a whole number" in texts
    assert "Row 4, 客户名称: must be filled in" in texts
    assert "Row 4, 业务员: no salesperson called 不存在" in texts
    assert not preview.can_commit


@pytest.mark.django_db
def test_preview_writes_nothing(people):
    preview = preview_import(CustomerImport(user=people), sheet(customer_row("佛山美家")))
    assert preview.can_commit
    assert not Customer.objects.exists()
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_file_with_one_bad_row_writes_nothing(people):
    source = sheet(customer_row("佛山美家"), customer_row("广州彩虹", 数期=-5))
    with pytest.raises(ImportRefused) as refused:
        commit_import(CustomerImport(user=people), source)
    assert [(p.row, p.column) for p in refused.value.preview.problems] == [(3, "数期")]
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_row_refused_while_writing_undoes_the_rows_before_it_and_gives_the_codes_back(people, monkeypatch):
    # given a service that refuses the second customer at the moment of writing
    real_create = services.customer_create

    def refuse_second(**kwargs):
        if kwargs["name"] == "广州彩虹":
            raise services.DomainError("refused", field="tax_id")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "customer_create", refuse_second)
    # when
    with pytest.raises(ImportRefused) as refused:
        commit_import(CustomerImport(user=people), sheet(customer_row("佛山美家"), customer_row("广州彩虹")))
    # then nothing stays, and the next customer still gets the first code
    assert [str(p) for p in refused.value.preview.problems] == ["Row 3, 税号: refused"]
    assert not Customer.objects.exists()
    monkeypatch.setattr(services, "customer_create", real_create)
    assert real_create(by=people, series="GS", name="江门新客户").code == "GS00001"


@pytest.mark.django_db
def test_a_name_already_in_use_or_repeated_in_the_file_is_a_problem(people):
    services.customer_create(by=people, series="GS", name="佛山美家")
    preview = preview_import(
        CustomerImport(user=people),
        sheet(customer_row("佛山美家"), customer_row("新客户"), customer_row("新客户")),
    )
    assert [str(p) for p in preview.problems] == [
        "Row 2, 客户名称: a customer with this name already exists",
        "Row 4, 客户名称: the same name is on row 3",
    ]


@pytest.mark.django_db
def test_people_are_found_by_username_or_display_name_and_settlement_by_code(people, salesperson):
    commit_import(
        CustomerImport(user=people),
        sheet(
            customer_row(业务员="sales", 业务助理="李敏", 结算方式="cod", 收据印章="科迪公章", 是否回扣="是")
        ),
    )
    customer = Customer.objects.get()
    assert (customer.salesperson, customer.assistant) == (salesperson, people)
    assert (customer.settlement, customer.receipt_seal, customer.rebate) == ("cod", "kedi_official", True)


@pytest.mark.django_db
def test_importing_customers_needs_the_add_customer_permission(warehouse):
    with pytest.raises(NotAllowed):
        preview_import(CustomerImport(user=warehouse), sheet(customer_row()))
