import pytest
from django.utils import timezone

from salesdesk.core.errors import Conflict, FieldErrors, NotAllowed
from salesdesk.core.models import AuditEvent
from salesdesk.core.roles import Role
from salesdesk.customers import services
from salesdesk.customers.models import ApplicationStatus, CreditTermApplication
from tests.conftest import make_user
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(assistant, salesperson):
    return make_customer(by=assistant, salesperson=salesperson)


@pytest.fixture
def application(customer, assistant):
    return services.credit_application_submit(
        customer=customer, by=assistant, credit_days=30, reason="老客户"
    )


def test_submitting_an_application_leaves_it_pending_and_the_customer_on_cash(application, customer):
    assert application.status == ApplicationStatus.PENDING
    assert application.approver is None
    customer.refresh_from_db()
    assert customer.credit_days == 0


def test_a_second_pending_application_is_refused(application, customer, salesperson):
    with pytest.raises(Conflict) as refused:
        services.credit_application_submit(customer=customer, by=salesperson, credit_days=60)
    assert refused.value.field == "credit_days"
    assert CreditTermApplication.objects.count() == 1


def test_a_new_application_is_accepted_once_the_last_was_decided(application, customer, manager, assistant):
    services.credit_application_decide(application=application, by=manager, approve=False)
    again = services.credit_application_submit(customer=customer, by=assistant, credit_days=15)
    assert again.status == ApplicationStatus.PENDING


def test_zero_credit_days_is_refused(customer, assistant):
    with pytest.raises(FieldErrors):
        services.credit_application_submit(customer=customer, by=assistant, credit_days=0)
    assert not CreditTermApplication.objects.exists()


def test_the_manager_approving_sets_the_customers_credit_days(application, customer, manager):
    # when
    decided = services.credit_application_decide(
        application=application, by=manager, approve=True, note="同意"
    )

    # then
    assert decided.status == ApplicationStatus.APPROVED
    assert decided.approver == manager
    assert decided.decided_on == timezone.localdate()
    assert decided.decision_note == "同意"
    customer.refresh_from_db()
    assert customer.credit_days == 30


def test_a_rejection_leaves_the_customer_on_cash(application, customer, manager):
    decided = services.credit_application_decide(application=application, by=manager, approve=False)
    assert decided.status == ApplicationStatus.REJECTED
    assert decided.approver == manager
    customer.refresh_from_db()
    assert customer.credit_days == 0


@pytest.mark.parametrize("who", ["assistant", "salesperson", "finance", "warehouse"])
def test_only_the_manager_decides(request, application, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.credit_application_decide(application=application, by=user, approve=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_whoever_applied_cannot_approve_their_own_application(customer, manager):
    own = services.credit_application_submit(customer=customer, by=manager, credit_days=45)
    with pytest.raises(NotAllowed):
        services.credit_application_decide(application=own, by=manager, approve=True)
    own.refresh_from_db()
    assert own.status == ApplicationStatus.PENDING
    customer.refresh_from_db()
    assert customer.credit_days == 0


def test_another_manager_may_approve_a_managers_application(customer, manager):
    own = services.credit_application_submit(customer=customer, by=manager, credit_days=45)
    deputy = make_user("deputy", Role.MANAGER)
    services.credit_application_decide(application=own, by=deputy, approve=True)
    customer.refresh_from_db()
    assert customer.credit_days == 45


def test_a_decided_application_cannot_be_decided_again(application, manager):
    services.credit_application_decide(application=application, by=manager, approve=True)
    with pytest.raises(Conflict):
        services.credit_application_decide(application=application, by=manager, approve=False)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_submission_and_decision_are_in_the_audit_trail(application, manager, assistant):
    services.credit_application_decide(application=application, by=manager, approve=True)
    events = AuditEvent.objects.filter(
        object_type="customers.credittermapplication", object_id=str(application.pk)
    )
    assert sorted((e.action, e.by) for e in events) == [
        ("credit_application.approved", manager),
        ("credit_application.submitted", assistant),
    ]
    history = list(application.history.order_by("history_date").values_list("status", "history_user"))
    assert history == [("pending", assistant.pk), ("approved", manager.pk)]
