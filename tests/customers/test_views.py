"""Customer pages through the test client: create with contacts, edit with history, credit terms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesdesk.customers.models import ApplicationStatus, CreditTermApplication, Customer
from tests.conftest import client_for
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def customer_post(
    contacts: list[tuple[str, str, str]] | None = None, *, existing_contacts: int = 0, **fields: str
) -> dict[str, str]:
    """What the customer form sends: the fields, then the contacts formset.

    On the edit page the customer's current contacts are the formset's initial forms.
    """
    contacts = [("黄志明", "13800138001", "采购")] if contacts is None else contacts
    data = {
        "series": "GS",
        "name": "佛山市顺德区美家装饰工程有限公司",
        "status": "active",
        "region": "顺德",
        "province": "广东",
        "city": "佛山",
        "address": "大良街道新桂路 18 号",
        "credit_days": "0",
        "settlement": "transfer",
        "receipt_seal": "kedi_received",
        "shipping_notes": "送货前电话联系",
        "contacts-TOTAL_FORMS": str(len(contacts)),
        "contacts-INITIAL_FORMS": str(existing_contacts),
        "contacts-MIN_NUM_FORMS": "1",
        "contacts-MAX_NUM_FORMS": "20",
    }
    for i, (name, phone, role) in enumerate(contacts):
        data |= {f"contacts-{i}-name": name, f"contacts-{i}-phone": phone, f"contacts-{i}-role": role}
    return data | fields


def test_the_new_customer_form_opens_with_one_contact_row(assistant):
    response = client_for(assistant).get(reverse("customers:customer-create"))
    assert response.status_code == 200
    assert 'name="contacts-0-phone"' in response.content.decode()


def test_creating_a_customer_with_contacts_shows_its_code(assistant, salesperson):
    # given
    client = client_for(assistant)
    data = customer_post(
        contacts=[("黄志明", "13800138001", "采购"), ("周小红", "0757-22220001", "会计")],
        salesperson=str(salesperson.pk),
    )

    # when
    response = client.post(reverse("customers:customer-create"), data, follow=True)

    # then the detail page of GS00001 shows both contacts and no missing master data
    assert response.redirect_chain[-1][0] == reverse("customers:customer-detail", args=["GS00001"])
    html = response.content.decode()
    assert 'data-testid="customer-code">GS00001<' in html
    assert "13800138001" in html and "0757-22220001" in html
    assert 'data-testid="missing-fields"' not in html
    customer = Customer.objects.get()
    assert (customer.assistant, customer.salesperson, customer.contacts.count()) == (
        assistant,
        salesperson,
        2,
    )


def test_a_new_customer_with_gaps_shows_what_is_missing(assistant):
    data = customer_post(address="", settlement="")
    response = client_for(assistant).post(reverse("customers:customer-create"), data, follow=True)
    html = response.content.decode()
    assert 'data-testid="missing-fields"' in html
    missing = html.split('data-testid="missing-fields"')[1].split("</div>")[0]
    labels = [str(Customer._meta.get_field(f).verbose_name) for f in ("address", "settlement", "salesperson")]
    assert all(label in missing for label in labels)


def test_a_customer_needs_at_least_one_contact(assistant):
    response = client_for(assistant).post(reverse("customers:customer-create"), customer_post(contacts=[]))
    assert response.status_code == 200
    assert response.context["contacts"].non_form_errors()
    assert not Customer.objects.exists()


def test_a_salesperson_asking_for_another_salespersons_customer_gets_404(
    assistant, salesperson, other_salesperson
):
    theirs = make_customer(by=assistant, salesperson=other_salesperson)
    client = client_for(salesperson)
    for name in ("customers:customer-detail", "customers:customer-edit", "catalog:customer-prices"):
        assert client.get(reverse(name, args=[theirs.code])).status_code == 404
    assert theirs.code not in client.get(reverse("customers:customer-list")).content.decode()


def test_a_code_that_does_not_exist_is_404(assistant):
    assert (
        client_for(assistant).get(reverse("customers:customer-detail", args=["GS99999"])).status_code == 404
    )


def test_editing_writes_history_that_the_detail_page_shows(assistant, salesperson, manager):
    # given a customer in 佛山
    customer = make_customer(by=assistant, salesperson=salesperson, city="佛山")
    client = client_for(manager)
    data = customer_post(
        city="广州", salesperson=str(salesperson.pk), assistant=str(assistant.pk), existing_contacts=1
    )
    del data["series"]

    # when the manager moves it to 广州
    response = client.post(reverse("customers:customer-edit", args=[customer.code]), data, follow=True)

    # then the audit trail on the detail page says who changed the city from what to what
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.city == "广州"
    trail = response.content.decode().split('data-testid="audit-trail"')[1]
    row = next(r for r in trail.split("<tr>") if "广州" in r and "<del" in r)
    assert manager.first_name in row
    assert "佛山</del> → 广州" in row


def test_editing_the_contacts_replaces_them(assistant, salesperson):
    customer = make_customer(by=assistant, salesperson=salesperson)
    data = customer_post(
        contacts=[("何丽", "13922200001", "老板娘")], salesperson=str(salesperson.pk), existing_contacts=1
    )
    del data["series"]
    response = client_for(assistant).post(reverse("customers:customer-edit", args=[customer.code]), data)
    assert response.status_code == 302
    assert list(customer.contacts.values_list("name", flat=True)) == ["何丽"]


def test_the_credit_terms_flow_from_application_to_approval(assistant, salesperson, manager):
    # given a cash customer
    customer = make_customer(by=assistant, salesperson=salesperson)
    detail = reverse("customers:customer-detail", args=[customer.code])

    # when the assistant applies for 30 days
    response = client_for(assistant).post(
        reverse("customers:credit-application-submit", args=[customer.code]),
        {"credit_days": "30", "reason": "老客户，信用良好"},
    )
    assert response.status_code == 302
    assert response.url == detail + "#credit"
    application = CreditTermApplication.objects.get()
    assert (application.status, application.applicant) == (ApplicationStatus.PENDING, assistant)

    # then the manager sees an approve button on the customer page, and approves
    manager_client = client_for(manager)
    page = manager_client.get(detail).content.decode()
    assert reverse("customers:credit-application-decide", args=[application.pk]) in page
    response = manager_client.post(
        reverse("customers:credit-application-decide", args=[application.pk]),
        {"approve": "1", "note": "同意"},
    )
    assert response.status_code == 302

    # and the customer now has 30 credit days, with the approval on its page
    customer.refresh_from_db()
    application.refresh_from_db()
    assert customer.credit_days == 30
    assert (application.status, application.approver) == (ApplicationStatus.APPROVED, manager)
    page = manager_client.get(detail).content.decode()
    assert str(ApplicationStatus.APPROVED.label) in page
    assert "credit_application" not in {m.field for m in manager_client.get(detail).context["missing"]}


def test_the_applicant_cannot_approve_their_own_application_through_the_page(assistant, manager):
    customer = make_customer(by=assistant)
    client = client_for(manager)
    client.post(reverse("customers:credit-application-submit", args=[customer.code]), {"credit_days": "30"})
    application = CreditTermApplication.objects.get()
    response = client.post(
        reverse("customers:credit-application-decide", args=[application.pk]), {"approve": "1"}, follow=True
    )
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_a_second_application_while_one_is_pending_is_refused_with_a_message(assistant):
    customer = make_customer(by=assistant)
    client = client_for(assistant)
    url = reverse("customers:credit-application-submit", args=[customer.code])
    client.post(url, {"credit_days": "30"})
    response = client.post(url, {"credit_days": "60"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert CreditTermApplication.objects.count() == 1


def test_a_customer_with_no_salesperson_or_assistant_still_opens(manager):
    # given a customer nobody looks after yet, and an event recorded by no one (an import, a script)
    from salesdesk.core.audit import record_event

    customer = make_customer(by=manager)
    record_event("customer.imported", by=None, obj=customer, summary="import")
    client = client_for(manager)

    # then its page and the list show a dash instead of failing
    assert client.get(reverse("customers:customer-detail", args=[customer.code])).status_code == 200
    assert client.get(reverse("customers:customer-list")).status_code == 200


def test_the_detail_page_reads_the_contacts_and_credit_applications_once(assistant, salesperson, manager):
    customer = make_customer(by=assistant, salesperson=salesperson)
    client_for(assistant).post(
        reverse("customers:credit-application-submit", args=[customer.code]),
        {"credit_days": "30", "reason": "老客户"},
    )
    client = client_for(manager)
    detail = reverse("customers:customer-detail", args=[customer.code])

    with CaptureQueriesContext(connection) as queries:
        page = client.get(detail)

    def reads(table: str) -> int:
        return sum(f'FROM "{table}"' in q["sql"] for q in queries)

    assert page.status_code == 200
    assert (reads("customers_contact"), reads("customers_credittermapplication")) == (1, 1)
    assert [c.phone for c in page.context["contacts"]] == [c.phone for c in customer.contacts.all()]
    assert [a.applicant for a in page.context["credit_applications"]] == [assistant]
