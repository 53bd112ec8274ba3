import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from salesdesk.catalog.models import CustomerPrice
from salesdesk.customers.models import Customer
from tests.conftest import client_for
from tests.spreadsheets.conftest import xlsx

CUSTOMER_SHEET = [
    ["客户类别", "客户名称", "城市", "联系人", "联系电话"],
    ["GS", "佛山美家", "佛山", "黄经理", "13800138000"],
]


def upload(rows, name="客户.xlsx"):
    return SimpleUploadedFile(name, xlsx(rows), content_type="application/octet-stream")


def stored_uploads(settings):
    folder = settings.DATA_DIR / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.django_db
def test_customers_are_imported_through_upload_preview_and_commit(assistant, settings):
    client = client_for(assistant)
    url = reverse("customers:customer-import")
    # given the upload form
    assert client.get(url).status_code == 200
    # when a file is uploaded, the preview shows the rows and writes nothing
    preview = client.post(url, {"file": upload(CUSTOMER_SHEET)})
    assert preview.status_code == 200
    assert preview.context["preview"].ok_count == 1
    assert "佛山美家" in preview.content.decode()
    assert not Customer.objects.exists()
    token = preview.context["confirm"].initial["upload"]
    assert stored_uploads(settings) == [f"{token}.json", f"{token}.xlsx"]
    assert json.loads((settings.DATA_DIR / "imports" / f"{token}.json").read_text())["owner"] == assistant.pk
    # when the import is confirmed
    done = client.post(url, {"upload": token})
    # then the customers exist, the list shows a message and the stored file is gone
    assert done.status_code == 302 and done["Location"] == reverse("customers:customer-list")
    assert list(Customer.objects.values_list("code", "name", "assistant")) == [
        ("GS00001", "佛山美家", assistant.pk)
    ]
    assert stored_uploads(settings) == []
    assert "1 row imported." in client.get(done["Location"]).content.decode()


@pytest.mark.django_db
def test_a_preview_with_problems_marks_them_in_red_and_offers_no_commit(assistant, settings):
    rows = [*CUSTOMER_SHEET, ["外星", "广州彩虹", "广州", "", ""]]
    response = client_for(assistant).post(reverse("customers:customer-import"), {"file": upload(rows)})
    html = response.content.decode()
    assert 'class="table-danger"' in html
    assert "Row 3, 客户类别: unknown value 外星" in html
    assert "confirm" not in response.context
    assert 'name="upload"' not in html
    assert stored_uploads(settings) == []


@pytest.mark.django_db
def test_only_the_uploader_can_commit_an_upload(assistant, other_assistant):
    preview = client_for(assistant).post(
        reverse("customers:customer-import"), {"file": upload(CUSTOMER_SHEET)}
    )
    token = preview.context["confirm"].initial["upload"]
    response = client_for(other_assistant).post(reverse("customers:customer-import"), {"upload": token})
    assert response.status_code == 404
    assert not Customer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["../../secret_key", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_upload_id_that_is_not_a_stored_uuid_is_not_found(assistant, token):
    response = client_for(assistant).post(reverse("customers:customer-import"), {"upload": token})
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_upload_kept_for_one_import_cannot_be_committed_as_another(manager):
    client = client_for(manager)
    preview = client.post(reverse("customers:customer-import"), {"file": upload(CUSTOMER_SHEET)})
    token = preview.context["confirm"].initial["upload"]
    assert client.post(reverse("catalog:product-import"), {"upload": token}).status_code == 404


@pytest.mark.django_db
def test_a_file_that_is_not_xlsx_is_refused_on_the_form(assistant, settings):
    bad = SimpleUploadedFile("客户.csv", "客户名称\n佛山美家\n".encode())
    response = client_for(assistant).post(reverse("customers:customer-import"), {"file": bad})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Choose an Excel file saved as .xlsx."]
    assert stored_uploads(settings) == []


@pytest.mark.django_db
def test_a_damaged_xlsx_is_refused_on_the_form_and_not_kept(assistant, settings):
    bad = SimpleUploadedFile("客户.xlsx", b"PK\x03\x04 not really a workbook")
    response = client_for(assistant).post(reverse("customers:customer-import"), {"file": bad})
    assert "could not be read" in response.context["form"].errors["file"][0]
    assert stored_uploads(settings) == []


@pytest.mark.django_db
def test_prices_are_imported_through_the_pages(assistant, own_customer, product):
    client = client_for(assistant)
    url = reverse("catalog:price-import")
    rows = [["客户编号", "型号", "单价", "生效日期"], [own_customer.code, "KD-101", 99.5, "2025-03-01"]]
    token = client.post(url, {"file": upload(rows, "价格.xlsx")}).context["confirm"].initial["upload"]
    assert client.post(url, {"upload": token})["Location"] == reverse("catalog:price-list")
    assert CustomerPrice.objects.get().unit_price == pytest.approx(99.5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_fixture", "name", "status"),
    [
        ("salesperson", "catalog:product-import", 403),
        ("assistant", "catalog:product-import", 403),
        ("manager", "catalog:product-import", 200),
        ("salesperson", "catalog:price-import", 403),
        ("assistant", "catalog:price-import", 200),
        ("warehouse", "customers:customer-import", 403),
        ("finance", "customers:customer-import", 403),
        ("salesperson", "customers:customer-import", 200),
    ],
)
def test_import_pages_need_the_permission_to_add_what_they_import(request, user_fixture, name, status):
    user = request.getfixturevalue(user_fixture)
    assert client_for(user).get(reverse(name)).status_code == status


@pytest.mark.django_db
def test_list_pages_show_import_and_export_only_to_those_allowed(assistant, warehouse):
    customers_html = (
        client_for(assistant).get(reverse("customers:customer-list") + "?q=佛山").content.decode()
    )
    assert reverse("customers:customer-import") in customers_html
    assert reverse("customers:customer-export") + "?q=" in customers_html
    warehouse_html = client_for(warehouse).get(reverse("catalog:product-list")).content.decode()
    assert reverse("catalog:product-import") not in warehouse_html
    assert reverse("catalog:product-export") in warehouse_html
    assistant_prices = client_for(assistant).get(reverse("catalog:price-list")).content.decode()
    assert reverse("catalog:price-import") in assistant_prices
    assert reverse("catalog:price-export") in assistant_prices
    assert (
        reverse("catalog:rebate-export")
        in client_for(assistant).get(reverse("catalog:rebate-list")).content.decode()
    )
