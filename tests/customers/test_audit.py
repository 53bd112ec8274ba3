"""Every change to master data records who, when and what."""

import pytest

from salesdesk.core.models import AuditEvent
from salesdesk.customers import services
from salesdesk.customers.selectors import customer_history
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_creating_a_customer_writes_history_rows_by_its_creator(assistant):
    customer = make_customer(by=assistant)

    created = customer.history.get()
    assert (created.history_type, created.history_user, created.code) == ("+", assistant, "GS00001")
    assert customer.contacts.get().history.get().history_user == assistant


def test_a_credit_decision_writes_an_audit_event_naming_the_customer(assistant, manager):
    customer = make_customer(by=assistant)
    application = services.credit_application_submit(customer=customer, by=assistant, credit_days=30)
    services.credit_application_decide(application=application, by=manager, approve=True)
    event = AuditEvent.objects.get(action="credit_application.approved")
    assert (event.by, event.object_type, event.object_id) == (
        manager,
        "customers.credittermapplication",
        str(application.pk),
    )
    assert "GS00001" in event.summary


def test_an_update_records_who_changed_what_from_what(assistant, manager):
    # given
    customer = make_customer(by=assistant, city="佛山")

    # when the manager moves the customer to another city
    services.customer_update(customer=customer, by=manager, city="广州")

    # then the history has the change, by the manager, with old and new value
    latest = customer.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_type, latest.history_user, latest.city) == ("~", manager, "广州")
    changes = customer_history(customer)
    change = next(c for c in changes if c.changes)
    assert change.by == manager.first_name
    assert [(old, new) for _label, old, new in change.changes] == [("佛山", "广州")]


def test_replacing_contacts_records_the_removal(assistant):
    customer = make_customer(
        by=assistant, contacts=[{"name": "黄志明", "phone": "1"}, {"name": "何丽", "phone": "2"}]
    )
    first = customer.contacts.first()
    services.contacts_replace(
        customer=customer, by=assistant, contacts=[{"id": str(first.pk), "name": "黄志明", "phone": "1"}]
    )
    removed = customer.contacts.model.history.filter(history_type="-").get()
    assert (removed.name, removed.history_user) == ("何丽", assistant)


def test_the_oldest_change_shown_is_compared_with_its_predecessor_not_shown(assistant, manager):
    customer = make_customer(by=assistant, city="佛山")
    services.customer_update(customer=customer, by=manager, city="广州")
    services.customer_update(customer=customer, by=manager, city="深圳")

    # Only the newest row is read: its predecessor is asked for by itself.
    [latest] = customer_history(customer, limit=1)

    assert [(old, new) for _label, old, new in latest.changes] == [("广州", "深圳")]


def test_a_history_read_whole_asks_for_no_predecessor(assistant, manager, django_assert_num_queries):
    # A customer whose history began after it was entered (as imported or generated data's does).
    customer = make_customer(by=assistant, city="佛山")
    customer.history.filter(history_type="+").delete()
    services.customer_update(customer=customer, by=manager, city="广州")
    services.customer_update(customer=customer, by=manager, city="深圳")

    with django_assert_num_queries(3):  # the customer's, its contacts' and its credit terms' rows
        changes = customer_history(customer)

    # The first change has nothing to compare with, and every row was read: it is left out.
    assert [(old, new) for c in changes for _label, old, new in c.changes] == [("广州", "深圳")]
