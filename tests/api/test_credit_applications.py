"""Credit-term applications (《数期申请表》): applied for by the customer's people, decided by the manager."""

from __future__ import annotations

import pytest

from salesdesk.customers.models import ApplicationStatus, CreditTermApplication
from salesdesk.customers.services import credit_application_submit


@pytest.mark.django_db
def test_an_assistant_applies_for_credit_days_for_their_customer(api_as, assistant, own_customer):
    response = api_as(assistant).post(
        f"/customers/{own_customer.code}/credit-applications", {"credit_days": 30, "reason": "老客户，月结"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"] == own_customer.code
    assert body["credit_days"] == 30
    assert body["status"] == "pending"
    assert body["applicant"] == "assistant"
    assert body["approver"] is None


@pytest.mark.django_db
def test_a_second_application_while_one_waits_is_a_conflict(api_as, assistant, own_customer):
    client = api_as(assistant)
    client.post(f"/customers/{own_customer.code}/credit-applications", {"credit_days": 30})

    response = client.post(f"/customers/{own_customer.code}/credit-applications", {"credit_days": 60})

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "credit_days"
    assert CreditTermApplication.objects.count() == 1


@pytest.mark.django_db
def test_the_manager_approves_and_the_customer_gets_the_credit_days(api_as, manager, assistant, own_customer):
    application = credit_application_submit(customer=own_customer, by=assistant, credit_days=45)

    response = api_as(manager).post(f"/credit-applications/{application.pk}/approve", {"note": "同意"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["approver"] == "manager"
    assert body["decision_note"] == "同意"
    assert body["decided_on"]
    own_customer.refresh_from_db()
    assert own_customer.credit_days == 45


@pytest.mark.django_db
def test_the_manager_may_approve_without_a_body(api_as, manager, assistant, own_customer):
    application = credit_application_submit(customer=own_customer, by=assistant, credit_days=45)

    response = api_as(manager).post(f"/credit-applications/{application.pk}/approve", "")

    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_the_manager_rejects_and_the_credit_days_stay(api_as, manager, assistant, own_customer):
    application = credit_application_submit(customer=own_customer, by=assistant, credit_days=45)

    response = api_as(manager).post(f"/credit-applications/{application.pk}/reject", {"note": "先现款"})

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    own_customer.refresh_from_db()
    assert own_customer.credit_days == 0


@pytest.mark.django_db
def test_the_manager_cannot_approve_an_application_they_made_themselves(api_as, manager, own_customer):
    application = credit_application_submit(customer=own_customer, by=manager, credit_days=30)

    response = api_as(manager).post(f"/credit-applications/{application.pk}/approve", {})

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["assistant", "salesperson", "finance", "warehouse"])
def test_only_the_manager_decides_credit_terms(request, api_as, assistant, own_customer, role):
    application = credit_application_submit(customer=own_customer, by=assistant, credit_days=30)
    user = request.getfixturevalue(role)

    response = api_as(user).post(f"/credit-applications/{application.pk}/approve", {})

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


@pytest.mark.django_db
def test_a_decided_application_cannot_be_decided_again(api_as, manager, assistant, own_customer):
    application = credit_application_submit(customer=own_customer, by=assistant, credit_days=30)
    client = api_as(manager)
    client.post(f"/credit-applications/{application.pk}/reject", {})

    response = client.post(f"/credit-applications/{application.pk}/approve", {})

    assert response.status_code == 409


@pytest.mark.django_db
def test_an_unknown_application_answers_404(api_as, manager):
    assert api_as(manager).post("/credit-applications/999999/approve", {}).status_code == 404
