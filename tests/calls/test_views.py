from __future__ import annotations

import pytest

from salesdesk.calls import services
from salesdesk.calls.models import CallRecord, FollowUp
from tests.conftest import client_for
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

HOSTILE = ["x" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "A\x00B", "-1", "1e309", "💥" * 300]


def test_a_call_logged_through_the_form_links_the_customer_by_code(assistant):
    customer = make_customer(by=assistant, assistant=assistant)
    client = client_for(assistant)
    response = client.post(
        "/calls/new/",
        {
            "at": "2026-11-27T09:30",
            "company": "",
            "phone": "13800138001",
            "customer_code": customer.code.lower(),
            "need": "A-101 20 桶",
        },
    )
    call = CallRecord.objects.get()
    assert response.status_code == 302 and call.customer == customer and call.company == customer.name
    assert customer.code in client.get(f"/calls/{call.pk}/").content.decode()


def test_another_assistants_customer_code_is_refused_on_the_call_form(assistant, other_assistant):
    customer = make_customer(by=other_assistant, assistant=other_assistant)
    response = client_for(assistant).post(
        "/calls/new/", {"at": "2026-11-27T09:30", "customer_code": customer.code}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert CallRecord.objects.count() == 0


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["company", "phone", "duration_minutes", "at", "customer_code"])
def test_hostile_call_input_is_a_form_error_or_stored_as_text_never_a_500(assistant, field, value):
    response = client_for(assistant).post("/calls/new/", {"at": "2026-11-27T09:30", field: value})
    assert response.status_code in {200, 302}
    if response.status_code == 200:
        assert "errorlist" in response.content.decode() and CallRecord.objects.count() == 0
    else:
        assert "\x00" not in CallRecord.objects.get().company


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_follow_up_input_never_gives_a_500(assistant, manager, value):
    call = services.call_log(by=assistant, company="江门新光")
    client = client_for(assistant)
    response = client.post(f"/calls/{call.pk}/follow-ups/", {"question": value, "assigned_to": value})
    assert response.status_code == 302 and FollowUp.objects.count() == 0
    follow_up = services.follow_up_raise(call=call, by=assistant, question="价格？", assigned_to=manager)
    response = client.post(f"/calls/follow-ups/{follow_up.pk}/resolve/", {"resolution": value[:2000]})
    assert response.status_code == 302


def test_a_follow_up_passed_on_the_page_reaches_the_colleagues_list(assistant, manager):
    call = services.call_log(by=assistant, company="江门新光")
    client_for(assistant).post(
        f"/calls/{call.pk}/follow-ups/", {"question": "D-500 能做哑光吗？", "assigned_to": manager.pk}
    )
    page = client_for(manager).get("/calls/follow-ups/").content.decode()
    assert "D-500 能做哑光吗？" in page


def test_saving_a_caller_as_customer_opens_the_customer_form(assistant):
    call = services.call_log(
        by=assistant, company="江门新光五金", phone="0750-3330001", contact_name="李先生"
    )
    response = client_for(assistant).post(f"/calls/{call.pk}/customer/", {"series": "YW"})
    assert response.status_code == 302 and response["Location"] == "/customers/YW00001/edit/"
