"""Calls over the API: log a call, pass on a question, resolve it, turn a caller into a customer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesdesk.calls import services
from salesdesk.calls.models import CallRecord, FollowUp
from salesdesk.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def prospect_call(assistant) -> CallRecord:
    """A caller who is not a customer yet."""
    return services.call_log(
        by=assistant,
        company="顺德新风装饰",
        contact_name="梁生",
        phone="13900000001",
        address="顺德区大良镇 8 号",
        need="问水性木器漆的价格",
    )


@pytest.fixture
def others_call(other_salesperson, others_customer) -> CallRecord:
    return services.call_log(by=other_salesperson, customer=others_customer, need="催货")


def test_a_call_is_logged_with_its_customer_and_who_answered(api_as, assistant, own_customer):
    response = api_as(assistant).post(
        "/calls",
        {
            "at": "2026-11-27T10:05",
            "customer": own_customer.code.lower(),
            "contact_name": "黄经理",
            "phone": "13800138000",
            "need": "要 20 桶 A-101",
            "duration_minutes": 4,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["customer"], body["customer_name"], body["company"]) == (
        own_customer.code,
        "佛山美家涂料",
        "佛山美家涂料",
    )
    assert body["answered_by"] == "assistant" and body["follow_ups"] == []
    assert dt.datetime.fromisoformat(body["at"]) == dt.datetime(2026, 11, 27, 2, 5, tzinfo=dt.UTC)
    assert CallRecord.objects.get().duration_minutes == 4


def test_a_call_without_a_time_is_logged_now_and_one_with_an_offset_keeps_it(api_as, assistant):
    client = api_as(assistant)

    now = client.post("/calls", {"company": "新客户"}).json()
    with_offset = client.post("/calls", {"company": "新客户", "at": "2026-11-27T09:00:00+00:00"}).json()

    assert abs(dt.datetime.fromisoformat(now["at"]) - timezone.now()) < dt.timedelta(minutes=1)
    assert dt.datetime.fromisoformat(with_offset["at"]) == dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    assert now["customer"] is None


def test_a_customer_outside_the_users_scope_cannot_be_named_on_a_call(api_as, salesperson, others_customer):
    response = api_as(salesperson).post("/calls", {"customer": others_customer.code})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer"
    assert CallRecord.objects.count() == 0


def test_the_list_filters_by_day_and_search_text_and_pages(api_as, assistant, prospect_call, own_customer):
    client = api_as(assistant)
    client.post("/calls", {"customer": own_customer.code, "at": "2026-11-20T15:00", "need": "对账"})
    today = timezone.localdate().isoformat()

    everything = client.get("/calls").json()
    on_the_20th = client.get("/calls", {"day": "2026-11-20"}).json()
    searched = client.get("/calls", {"q": "新风"}).json()
    paged = client.get("/calls", {"limit": 1, "offset": 1, "day": ""}).json()

    assert everything["count"] == 2
    assert [c["need"] for c in on_the_20th["items"]] == ["对账"]
    assert [c["id"] for c in searched["items"]] == [prospect_call.pk]
    assert paged["count"] == 2 and [c["need"] for c in paged["items"]] == ["对账"]
    assert prospect_call.pk in [c["id"] for c in client.get("/calls", {"day": today}).json()["items"]]


def test_another_salespersons_call_answers_404_and_stays_out_of_the_list(
    api_as, salesperson, assistant, others_call
):
    for user in (salesperson, assistant):
        client = api_as(user)
        assert client.get(f"/calls/{others_call.pk}").status_code == 404
        follow_up = {"question": "?", "assigned_to": "sales"}
        assert client.post(f"/calls/{others_call.pk}/follow-ups", follow_up).status_code == 404
        assert others_call.pk not in [c["id"] for c in client.get("/calls").json()["items"]]
    assert FollowUp.objects.count() == 0


def test_a_question_is_passed_on_and_resolved_by_the_person_it_was_given_to(
    api_as, assistant, salesperson, prospect_call
):
    raised = api_as(assistant).post(
        f"/calls/{prospect_call.pk}/follow-ups",
        {"question": "大单能不能再便宜 5%?", "assigned_to": "sales", "due_on": "2026-11-30"},
    )
    follow_up = raised.json()
    resolved = api_as(salesperson).post(
        f"/follow-ups/{follow_up['id']}/resolve", {"resolution": "已回电：可以让 3%"}
    )
    again = api_as(salesperson).post(f"/follow-ups/{follow_up['id']}/resolve", {"resolution": "再次"})
    call = api_as(assistant).get(f"/calls/{prospect_call.pk}").json()

    assert raised.status_code == 201, raised.content
    assert (follow_up["status"], follow_up["assigned_to"], follow_up["due_on"]) == (
        "open",
        "sales",
        "2026-11-30",
    )
    assert follow_up["created_by"] == "assistant" and follow_up["call"] == prospect_call.pk
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolved_by"]) == ("resolved", "sales")
    assert again.status_code == 409
    assert [f["resolution"] for f in call["follow_ups"]] == ["已回电：可以让 3%"]


def test_someone_unconnected_to_a_follow_up_cannot_see_or_resolve_it(
    api_as, assistant, salesperson, other_salesperson, prospect_call
):
    follow_up = services.follow_up_raise(
        call=prospect_call, by=assistant, question="有没有现货?", assigned_to=salesperson
    )

    response = api_as(other_salesperson).post(f"/follow-ups/{follow_up.pk}/resolve", {"resolution": "我来"})

    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == "open"


def test_a_question_for_an_unknown_person_is_refused_on_assigned_to(api_as, assistant, prospect_call):
    response = api_as(assistant).post(
        f"/calls/{prospect_call.pk}/follow-ups", {"question": "?", "assigned_to": "ghost"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "assigned_to"
    assert FollowUp.objects.count() == 0


def test_a_caller_becomes_a_customer_carrying_over_what_the_call_recorded(
    api_as, assistant, salesperson, prospect_call
):
    client = api_as(assistant)

    response = client.post(
        f"/calls/{prospect_call.pk}/customer", {"series": "GS", "province": "广东", "salesperson": "sales"}
    )
    again = client.post(f"/calls/{prospect_call.pk}/customer", {"series": "GS"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "GS00001"
    assert (body["name"], body["address"], body["province"]) == ("顺德新风装饰", "顺德区大良镇 8 号", "广东")
    assert (body["salesperson"], body["assistant"]) == ("sales", "assistant")
    assert [(c["name"], c["phone"]) for c in body["contacts"]] == [("梁生", "13900000001")]
    assert client.get(f"/calls/{prospect_call.pk}").json()["customer"] == "GS00001"
    assert again.status_code == 409
    assert Customer.objects.count() == 1


def test_contacts_sent_with_a_new_customer_replace_the_callers(api_as, assistant, prospect_call):
    response = api_as(assistant).post(
        f"/calls/{prospect_call.pk}/customer",
        {
            "series": "KD",
            "name": "新风代理",
            "contacts": [{"name": "梁总", "phone": "075722220000", "role": "老板"}],
        },
    )

    body = response.json()
    assert (body["code"], body["name"]) == ("KD00001", "新风代理")
    assert [(c["name"], c["role"]) for c in body["contacts"]] == [("梁总", "老板")]


@pytest.mark.parametrize("persona", ["warehouse", "finance"])
def test_roles_that_do_not_add_customers_cannot_turn_a_call_into_one(request, api_as, persona):
    user = request.getfixturevalue(persona)
    call = services.call_log(by=user, company="来电公司", phone="1")

    response = api_as(user).post(f"/calls/{call.pk}/customer", {"series": "GS"})

    assert response.status_code == 403
    assert Customer.objects.count() == 0


def test_the_call_list_makes_the_same_number_of_queries_for_3_or_30_calls(
    api_as, manager, assistant, salesperson, own_customer
):
    client = api_as(manager)

    def add(n: int) -> None:
        for i in range(n):
            call = services.call_log(by=assistant, customer=own_customer if i % 2 else None, need=f"第{i}个")
            follow_up = services.follow_up_raise(
                call=call, by=assistant, question="?", assigned_to=salesperson
            )
            services.follow_up_resolve(follow_up=follow_up, by=salesperson, resolution="已答复")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/calls", {"limit": 200})
        assert response.status_code == 200
        return len(queries)

    add(3)
    with_3 = count_queries()
    add(27)
    with_30 = count_queries()

    assert client.get("/calls").json()["count"] == 30
    assert with_30 == with_3


def test_the_warehouse_sees_only_the_calls_it_answered(api_as, warehouse, prospect_call):
    client = api_as(warehouse)

    logged = client.post("/calls", {"company": "物流公司", "need": "提货时间"})

    assert logged.status_code == 201
    assert [c["id"] for c in client.get("/calls").json()["items"]] == [logged.json()["id"]]
    assert client.get(f"/calls/{prospect_call.pk}").status_code == 404
