from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salesdesk.calls import selectors, services
from salesdesk.calls.models import FollowUpStatus
from salesdesk.core.errors import Conflict, DomainError, NotAllowed
from salesdesk.core.models import StatusChange
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def log(by, **fields):
    data = {
        "company": "江门新光五金",
        "contact_name": "李先生",
        "phone": "0750-3330001",
        "need": "问 D-500 价格",
    }
    return services.call_log(by=by, **{**data, **fields})


def test_a_call_is_logged_by_whoever_answered_it(assistant):
    call = log(assistant, duration_minutes=3)
    assert (call.answered_by, call.company, call.duration_minutes) == (assistant, "江门新光五金", 3)


def test_a_call_for_a_known_customer_takes_its_name(assistant):
    customer = make_customer(by=assistant, assistant=assistant)
    call = services.call_log(by=assistant, customer=customer, phone="13800138001")
    assert call.company == customer.name


def test_an_unanswered_question_stays_open_on_the_assignees_list_until_resolved(assistant, manager):
    call = log(assistant)
    follow_up = services.follow_up_raise(
        call=call, by=assistant, question="D-500 能否做哑光？", assigned_to=manager
    )
    assert list(selectors.follow_ups_for(user=manager)) == [follow_up]
    services.follow_up_resolve(follow_up=follow_up, by=manager, resolution="可以，需加哑光剂，已电话回复")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.RESOLVED and follow_up.resolved_by == manager
    assert list(selectors.follow_ups_for(user=manager)) == []
    assert StatusChange.objects.filter(to_status="resolved", by=manager).exists()


def test_a_follow_up_needs_a_question_and_someone_to_answer_it(assistant, manager):
    call = log(assistant)
    with pytest.raises(DomainError) as error:
        services.follow_up_raise(call=call, by=assistant, question=" ", assigned_to=manager)
    assert error.value.field == "question"
    with pytest.raises(DomainError) as error:
        services.follow_up_raise(call=call, by=assistant, question="价格？", assigned_to=None)
    assert error.value.field == "assigned_to"


def test_only_the_assignee_the_author_or_a_manager_resolves_and_only_once(
    assistant, other_assistant, salesperson, manager
):
    follow_up = services.follow_up_raise(
        call=log(assistant), by=assistant, question="交期？", assigned_to=salesperson
    )
    with pytest.raises(NotAllowed):
        services.follow_up_resolve(follow_up=follow_up, by=other_assistant, resolution="不知道")
    with pytest.raises(DomainError):
        services.follow_up_resolve(follow_up=follow_up, by=salesperson, resolution="")
    services.follow_up_resolve(follow_up=follow_up, by=salesperson, resolution="周五到货")
    with pytest.raises(Conflict):
        services.follow_up_resolve(follow_up=follow_up, by=manager, resolution="again")


def test_a_caller_becomes_a_customer_with_the_calls_data_in_one_step(assistant):
    call = log(assistant, address="江门市蓬江区建设路 1 号")
    customer = services.call_to_customer(call=call, by=assistant, series="YW")
    call.refresh_from_db()
    assert customer.code == "YW00001" and call.customer == customer
    assert (customer.name, customer.address, customer.assistant) == (
        "江门新光五金",
        "江门市蓬江区建设路 1 号",
        assistant,
    )
    assert [(c.name, c.phone) for c in customer.contacts.all()] == [("李先生", "0750-3330001")]
    with pytest.raises(Conflict):
        services.call_to_customer(call=call, by=assistant, series="YW")


def test_calls_about_a_customer_follow_the_customers_scope(
    assistant, other_assistant, salesperson, other_salesperson, manager, finance, warehouse
):
    mine = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    call = services.call_log(by=assistant, customer=mine)
    prospect = log(assistant)
    for to_cut in (False, True):  # the list counted and the list a page is cut from
        assert set(selectors.call_list(user=assistant, to_cut=to_cut)) == {call, prospect}
        assert set(selectors.call_list(user=salesperson, to_cut=to_cut)) == {call}
        # a prospect may become anyone's
        assert set(selectors.call_list(user=other_assistant, to_cut=to_cut)) == {prospect}
        assert set(selectors.call_list(user=other_salesperson, to_cut=to_cut)) == set()
        for everyone in (manager, finance):
            assert list(selectors.call_list(user=everyone, to_cut=to_cut)) == [prospect, call]  # newest first
        assert list(selectors.call_list(user=warehouse, to_cut=to_cut)) == []


def test_a_call_whose_follow_ups_someone_owes_is_theirs_to_see_once(assistant, other_salesperson, manager):
    call = log(assistant)
    taken = services.call_log(by=manager, company="佛山某店")
    for question in ("交期？", "能否做哑光？"):
        services.follow_up_raise(call=call, by=assistant, question=question, assigned_to=other_salesperson)
    for to_cut in (False, True):
        assert list(selectors.call_list(user=other_salesperson, to_cut=to_cut)) == [
            call
        ]  # two follow-ups, one line
        # a prospect, and the one they took
        assert list(selectors.call_list(user=assistant, to_cut=to_cut)) == [taken, call]


def test_a_days_calls_run_from_local_midnight_to_the_next(assistant):
    local = timezone.get_current_timezone()
    late = log(assistant, at=dt.datetime(2026, 11, 19, 23, 59, 59, tzinfo=local))
    early = log(assistant, at=dt.datetime(2026, 11, 20, 0, 0, tzinfo=local))
    assert list(selectors.call_list(user=assistant, day=dt.date(2026, 11, 19))) == [late]
    assert list(selectors.call_list(user=assistant, day=dt.date(2026, 11, 20))) == [early]
