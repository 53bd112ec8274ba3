import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from salesdesk.core.audit import events_for, record_event, trail
from salesdesk.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_event_records_who_what_and_on_which_object(manager, assistant):
    event = record_event("user.created", by=manager, obj=assistant, summary="assistant assistant", extra="x")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.by, stored.object_type, stored.object_id) == (
        "user.created",
        manager,
        "auth.user",
        str(assistant.pk),
    )
    assert stored.data == {"extra": "x"}
    assert stored.at is not None
    assert list(events_for(assistant)) == [stored]


def test_an_anonymous_actor_is_stored_as_nobody(db):
    from django.contrib.auth.models import AnonymousUser

    assert record_event("login.failed", by=AnonymousUser(), summary="who").by is None


def test_a_long_summary_is_cut_to_fit():
    assert len(record_event("x", summary="长" * 600).summary) == 500


def test_an_audit_event_cannot_be_changed(manager):
    event = record_event("carrier.suspended", by=manager, summary="回单逾期")
    event.summary = "nothing happened"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == "回单逾期"


def test_an_audit_event_cannot_be_deleted(manager):
    event = record_event("carrier.suspended", by=manager, summary="回单逾期")
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_actor_with_audit_events_cannot_be_deleted(manager):
    from django.db.models import ProtectedError

    record_event("carrier.suspended", by=manager)
    with pytest.raises(ProtectedError):
        manager.delete()


def test_the_database_refuses_to_rewrite_the_audit_trail_behind_the_models_back(manager):
    from django.db import DatabaseError, connection, transaction

    from salesdesk.core.models import StatusChange

    event = record_event("carrier.suspended", by=manager, summary="回单逾期")
    change = StatusChange.objects.create(
        object_type="orders.salesorder", object_id="1", to_status="registered"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="nothing happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        StatusChange.objects.filter(pk=change.pk).update(to_status="cancelled")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "回单逾期"
    assert StatusChange.objects.get(pk=change.pk).to_status == "registered"


def test_a_trail_lists_the_newest_events_with_who_and_what_as_a_page_shows_them(manager, assistant):
    # Late in the evening in China, the next day in UTC: a page shows the local hour.
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 11, 27, 23, 40)), tick=False):
        record_event("user.created", by=manager, obj=assistant, summary="created")
    for action, by in (("user.role_changed", None), ("no.such.code", assistant)):
        record_event(action, by=by, obj=assistant, summary=action)
    assistant.first_name = ""
    assistant.save()

    with translation.override("zh-hans"):
        newest = trail(events_for(assistant), limit=2)
        oldest = trail(events_for(assistant))[-1]

    assert [(line.who, line.summary) for line in newest] == [
        ("assistant", "no.such.code"),  # no first name: the user name
        ("—", "user.role_changed"),  # nobody
    ]
    assert newest[0].name == "no.such.code"  # an unknown code is shown as it is
    assert (oldest.who, oldest.name) == (manager.first_name, "新建用户")
    assert oldest.when == "2026-11-27 23:40"
