from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.customers import services
from salesdesk.customers.models import Contact, Customer
from tests.conftest import client_for
from tests.factories import COMPLETE_MASTER_DATA, make_customer

pytestmark = pytest.mark.django_db


def edit_data(customer, **changes):
    contact = customer.contacts.get()
    data = {
        "name": customer.name,
        "status": "active",
        "credit_days": "0",
        **COMPLETE_MASTER_DATA,
        "assistant": customer.assistant_id or "",
        "salesperson": customer.salesperson_id or "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-MIN_NUM_FORMS": "1",
        "contacts-MAX_NUM_FORMS": "20",
        "contacts-0-id": str(contact.pk),
        "contacts-0-name": contact.name,
        "contacts-0-phone": contact.phone,
        "contacts-0-role": contact.role,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credit_limit", "-1"),
        ("invoice_day", "32"),
        ("credit_days", "400"),
        ("contract_valid_to", "2020-01-01"),
    ],
)
def test_a_broken_rule_is_shown_on_its_field_and_nothing_changes(assistant, field, value):
    customer = make_customer(by=assistant, assistant=assistant)
    data = edit_data(customer, contract_valid_from="2026-01-01", **{field: value})
    response = client_for(assistant).post(f"/customers/{customer.code}/edit/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    customer.refresh_from_db()
    assert customer.credit_limit is None and customer.invoice_day is None


def test_editing_keeps_contacts_so_their_history_shows_only_real_changes(assistant):
    customer = make_customer(by=assistant, assistant=assistant)
    contact_id = customer.contacts.get().pk
    client = client_for(assistant)
    client.post(f"/customers/{customer.code}/edit/", edit_data(customer, address="新地址 1 号"))
    client.post(
        f"/customers/{customer.code}/edit/", edit_data(customer, **{"contacts-0-phone": "13900000000"})
    )
    contact = Contact.objects.get()
    assert contact.pk == contact_id and contact.phone == "13900000000"
    assert [h.history_type for h in contact.history.order_by("history_date")] == ["+", "~"]


def test_the_customer_page_makes_as_many_queries_for_3_changes_as_for_30(assistant):
    customer = make_customer(by=assistant, assistant=assistant)
    client = client_for(assistant)

    def change(n):
        for i in range(n):
            services.customer_update(
                customer=Customer.objects.get(pk=customer.pk), by=assistant, notes=f"第 {i} 次"
            )

    change(3)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/customers/{customer.code}/")
    change(27)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/customers/{customer.code}/")
    assert len(many) == len(few)
