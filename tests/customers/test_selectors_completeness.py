"""A new customer's first order must find its master data complete; missing fields are named."""

import pytest

from salesdesk.customers import services
from salesdesk.customers.selectors import customer_missing_fields
from tests.factories import COMPLETE_MASTER_DATA, make_customer

pytestmark = pytest.mark.django_db


def missing(customer) -> set[str]:
    customer.refresh_from_db()
    return {m.field for m in customer_missing_fields(customer)}


def test_a_complete_customer_misses_nothing(assistant, salesperson):
    assert missing(make_customer(by=assistant, salesperson=salesperson)) == set()


def test_an_empty_customer_lists_every_missing_field_by_name(assistant):
    customer = services.customer_create(by=assistant, series="YW", name="江门市新客户五金店")
    assert missing(customer) == {
        "region",
        "province",
        "city",
        "address",
        "salesperson",
        "settlement",
        "shipping_notes",
        "contacts",
        "receipt_seal",
    }


def test_missing_fields_carry_a_readable_label(assistant):
    customer = services.customer_create(by=assistant, series="YW", name="江门市新客户五金店")
    labels = {m.field: m.label for m in customer_missing_fields(customer)}
    assert all(labels.values())
    assert labels["address"] != "address" or labels["address"]  # a verbose name, not empty


@pytest.mark.parametrize("field", ["region", "province", "city", "address", "settlement", "shipping_notes"])
def test_each_missing_field_is_listed_on_its_own(assistant, salesperson, field):
    customer = make_customer(by=assistant, salesperson=salesperson, **{field: ""})
    assert missing(customer) == {field}


def test_a_customer_without_a_contact_phone_misses_contacts(assistant, salesperson):
    customer = make_customer(by=assistant, salesperson=salesperson, contacts=[])
    assert missing(customer) == {"contacts"}


def test_invoice_fields_are_needed_only_when_an_invoice_is_required(assistant, salesperson):
    # given a customer who wants invoices but gave none of the invoice details
    customer = make_customer(by=assistant, salesperson=salesperson, invoice_required=True, receipt_seal="")

    # then the invoice fields are missing, the receipt seal is not
    assert missing(customer) == {"invoice_day", "invoice_title", "tax_id"}

    # when the details arrive
    services.customer_update(
        customer=customer, by=assistant, invoice_day=25, invoice_title="佛山美家", tax_id="91440600MA4UXXXXGS"
    )
    assert missing(customer) == set()


def test_receipt_seal_is_needed_only_without_invoices(assistant, salesperson):
    without = make_customer(by=assistant, salesperson=salesperson, receipt_seal="")
    assert missing(without) == {"receipt_seal"}


def test_credit_days_need_an_approved_application(assistant, salesperson, manager):
    # given a customer on 30 days' credit with only a pending application
    customer = make_customer(by=assistant, salesperson=salesperson, credit_days=30)
    application = services.credit_application_submit(customer=customer, by=assistant, credit_days=30)
    assert missing(customer) == {"credit_application"}

    # when the manager approves
    services.credit_application_decide(application=application, by=manager, approve=True)

    # then nothing is missing
    assert missing(customer) == set()


def test_an_approval_for_fewer_days_does_not_cover_more_credit(assistant, salesperson, manager):
    customer = make_customer(by=assistant, salesperson=salesperson)
    application = services.credit_application_submit(customer=customer, by=assistant, credit_days=30)
    services.credit_application_decide(application=application, by=manager, approve=True)
    services.customer_update(customer=customer, by=assistant, credit_days=60)
    assert missing(customer) == {"credit_application"}


def test_cash_customers_need_no_credit_application(assistant, salesperson):
    assert "credit_application" not in missing(make_customer(by=assistant, salesperson=salesperson))


def test_the_complete_data_used_here_is_the_full_list():
    assert set(COMPLETE_MASTER_DATA) == {
        "region",
        "province",
        "city",
        "address",
        "settlement",
        "shipping_notes",
        "receipt_seal",
    }
