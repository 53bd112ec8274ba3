"""The workbench lists what needs doing now, only for the user's own customers."""

import pytest
from django.urls import reverse

from salesdesk.catalog import services as catalog_services
from salesdesk.customers import services
from salesdesk.customers.models import Customer
from salesdesk.workbench.selectors import workbench_items
from tests.conftest import client_for
from tests.factories import CarrierFactory, make_customer

pytestmark = pytest.mark.django_db


def section(user, key: str):
    return next((s for s in workbench_items(user=user) if s.key == key), None)


def test_an_incomplete_customer_is_listed_with_what_it_misses(assistant):
    customer = make_customer(by=assistant, address="", settlement="")
    items = section(assistant, "incomplete_customers").items
    assert [i.title for i in items] == [str(customer)]
    assert items[0].url == reverse("customers:customer-detail", args=[customer.code])
    labels = [str(Customer._meta.get_field(f).verbose_name) for f in ("address", "salesperson", "settlement")]
    assert items[0].detail == "、".join(labels)


def test_complete_and_closed_customers_are_not_listed(assistant, salesperson):
    make_customer(by=assistant, salesperson=salesperson)
    make_customer(by=assistant, address="", status="closed")
    assert section(assistant, "incomplete_customers").items == []


def test_only_the_users_own_customers_are_listed(assistant, other_assistant):
    make_customer(by=other_assistant, address="")
    assert section(assistant, "incomplete_customers").items == []
    assert len(section(other_assistant, "incomplete_customers").items) == 1


def test_pending_credit_applications_are_listed_for_the_manager(assistant, manager):
    customer = make_customer(by=assistant)
    services.credit_application_submit(customer=customer, by=assistant, credit_days=30)
    items = section(manager, "credit_applications").items
    assert len(items) == 1
    assert items[0].url.endswith("#credit")
    assert "30" in items[0].detail


def test_the_warehouse_sees_no_customer_or_credit_sections(warehouse):
    keys = {s.key for s in workbench_items(user=warehouse)}
    assert "incomplete_customers" not in keys
    assert "credit_applications" not in keys


def test_suspended_carriers_are_listed_with_the_reason(manager, assistant):
    carrier = CarrierFactory(name="平安达")
    catalog_services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期未回")
    items = section(assistant, "suspended_carriers").items
    assert [(i.title, i.detail) for i in items] == [("平安达", "回单逾期未回")]


@pytest.mark.parametrize("role", ["assistant", "salesperson", "warehouse", "finance", "manager"])
def test_the_workbench_page_opens_for_every_role(request, role):
    response = client_for(request.getfixturevalue(role)).get(reverse("workbench:home"))
    assert response.status_code == 200
    assert 'data-section="suspended_carriers"' in response.content.decode()
