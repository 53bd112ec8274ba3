import pytest

from salesdesk.core.errors import DomainError, FieldErrors
from salesdesk.customers import services
from salesdesk.customers.models import Contact, Customer
from salesdesk.customers.selectors import customer_missing_fields

pytestmark = pytest.mark.django_db


def test_customer_codes_follow_their_series(assistant):
    first = services.customer_create(by=assistant, series="GS", name="佛山美家")
    second = services.customer_create(by=assistant, series="GS", name="广州彩虹")
    agent = services.customer_create(by=assistant, series="KD", name="长沙星城")
    assert [first.code, second.code, agent.code] == ["GS00001", "GS00002", "KD00001"]


def test_each_series_counts_on_its_own(assistant):
    codes = [
        services.customer_create(by=assistant, series=series, name=f"客户{i}").code
        for i, series in enumerate(["YW", "KD", "YW", "GS", "KD", "YW"])
    ]
    assert codes == ["YW00001", "KD00001", "YW00002", "GS00001", "KD00002", "YW00003"]


def test_unknown_series_is_refused_naming_the_series_field(assistant):
    with pytest.raises(DomainError) as refused:
        services.customer_create(by=assistant, series="XX", name="无名客户")
    assert refused.value.field == "series"
    assert Customer.objects.count() == 0


def test_unknown_field_is_refused_naming_it(assistant):
    with pytest.raises(DomainError) as refused:
        services.customer_create(by=assistant, series="GS", name="佛山美家", code="GS99999")
    assert refused.value.field == "code"


def test_missing_name_is_refused_on_the_name_field(assistant):
    with pytest.raises(FieldErrors) as refused:
        services.customer_create(by=assistant, series="GS", name="")
    assert "name" in refused.value.errors
    assert Customer.objects.count() == 0


def test_an_assistant_becomes_the_owner_of_the_customers_they_create(assistant, salesperson):
    customer = services.customer_create(by=assistant, series="GS", name="佛山美家", salesperson=salesperson)
    assert customer.assistant == assistant
    assert customer.salesperson == salesperson
    assert customer.created_by == assistant


def test_a_salesperson_becomes_the_salesperson_of_the_customers_they_create(salesperson):
    customer = services.customer_create(by=salesperson, series="YW", name="东莞华艺家具厂")
    assert customer.salesperson == salesperson
    assert customer.assistant is None


def test_an_explicitly_chosen_assistant_is_kept(assistant, other_assistant):
    customer = services.customer_create(by=assistant, series="GS", name="佛山美家", assistant=other_assistant)
    assert customer.assistant == other_assistant


def test_a_manager_creating_a_customer_is_not_made_its_owner(manager):
    customer = services.customer_create(by=manager, series="KD", name="长沙星城")
    assert customer.assistant is None
    assert customer.salesperson is None


def test_contacts_are_saved_with_the_customer(assistant):
    customer = services.customer_create(
        by=assistant,
        series="GS",
        name="佛山美家",
        contacts=[
            {"name": " 黄志明 ", "phone": "13800138001", "role": "采购"},
            {"name": "周小红", "phone": "0769-85550001"},
        ],
    )
    assert [(c.name, c.phone, c.role) for c in customer.contacts.all()] == [
        ("黄志明", "13800138001", "采购"),
        ("周小红", "0769-85550001", ""),
    ]


def test_a_contact_without_phone_is_refused_naming_its_position(assistant):
    # given a second contact with no phone
    contacts = [{"name": "黄志明", "phone": "13800138001"}, {"name": "周小红", "phone": "  "}]

    # when
    with pytest.raises(FieldErrors) as refused:
        services.customer_create(by=assistant, series="GS", name="佛山美家", contacts=contacts)

    # then the error names the field, and nothing was written, no number was used up
    assert set(refused.value.errors) == {"contacts[1].phone"}
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0
    assert services.customer_create(by=assistant, series="GS", name="下一个").code == "GS00001"


def test_every_bad_contact_is_listed_at_once(assistant):
    contacts = [
        {"name": "", "phone": "138"},
        {"name": "周小红", "phone": ""},
        {"name": "x" * 51, "phone": "1"},
    ]
    with pytest.raises(FieldErrors) as refused:
        services.customer_create(by=assistant, series="GS", name="佛山美家", contacts=contacts)
    assert set(refused.value.errors) == {"contacts[0].name", "contacts[1].phone", "contacts[2].name"}


def test_customer_with_credit_days_and_no_approved_application_lists_it_as_missing(assistant):
    customer = services.customer_create(by=assistant, series="YW", name="江门新客户", credit_days=30)
    missing = {m.field for m in customer_missing_fields(customer)}
    assert "credit_application" in missing
    assert {"address", "contacts", "settlement"} <= missing


def test_update_changes_only_the_given_fields(assistant):
    customer = services.customer_create(by=assistant, series="GS", name="佛山美家", city="佛山")
    services.customer_update(customer=customer, by=assistant, city="广州")
    customer.refresh_from_db()
    assert (customer.name, customer.city, customer.code) == ("佛山美家", "广州", "GS00001")


def test_update_refuses_a_negative_credit_limit(assistant):
    customer = services.customer_create(by=assistant, series="GS", name="佛山美家")
    with pytest.raises(FieldErrors):
        services.customer_update(customer=customer, by=assistant, credit_limit=-1)
    customer.refresh_from_db()
    assert customer.credit_limit is None


def test_contacts_replace_keeps_updates_and_removes_by_id(assistant):
    # given
    customer = services.customer_create(
        by=assistant,
        series="GS",
        name="佛山美家",
        contacts=[{"name": "黄志明", "phone": "1"}, {"name": "周小红", "phone": "2"}],
    )
    first, second = customer.contacts.all()

    # when the first is edited, the second dropped and a third added
    services.contacts_replace(
        customer=customer,
        by=assistant,
        contacts=[
            {"id": str(first.pk), "name": "黄志明", "phone": "13800138001"},
            {"name": "何丽", "phone": "3"},
        ],
    )

    # then
    rows = list(customer.contacts.values_list("pk", "name", "phone"))
    assert rows[0] == (first.pk, "黄志明", "13800138001")
    assert [r[1] for r in rows] == ["黄志明", "何丽"]
    assert not Contact.objects.filter(pk=second.pk).exists()
