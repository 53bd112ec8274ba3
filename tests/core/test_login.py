"""Logging in: password guessing is throttled, idle sessions end."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesdesk.core.models import AuditEvent, LoginAttempt
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


def log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def error_codes(response) -> set[str]:
    return {e.code for e in response.context["form"].non_field_errors().as_data()}


def test_the_right_password_logs_in_and_is_audited(client, assistant):
    response = log_in(client, "assistant", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("workbench:home")
    assert AuditEvent.objects.filter(action="login.succeeded", by=assistant).exists()


def test_a_wrong_password_is_refused_counted_and_audited(client, assistant):
    response = log_in(client, "assistant", "wrong-password-123")
    assert response.status_code == 200
    assert error_codes(response) == {"invalid_login"}
    assert LoginAttempt.objects.filter(username="assistant").count() == 1
    assert AuditEvent.objects.filter(action="login.failed").count() == 1


def test_after_the_limit_of_failures_even_the_right_password_is_refused(client, assistant, settings):
    # given as many failed logins as the limit allows, with the name typed in capitals too
    settings.LOGIN_THROTTLE_LIMIT = 3
    for attempt in ("wrong-1-password", "wrong-2-password", "wrong-3-password"):
        log_in(client, "Assistant", attempt)

    # when the right password comes next
    response = log_in(client, "assistant", PASSWORD)

    # then it is refused with the throttle message and nobody is logged in
    assert response.status_code == 200
    assert error_codes(response) == {"throttled"}
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("workbench:home")).status_code == 302


def test_failures_below_the_limit_still_let_the_right_password_in(client, assistant, settings):
    settings.LOGIN_THROTTLE_LIMIT = 3
    log_in(client, "assistant", "wrong-1-password")
    log_in(client, "assistant", "wrong-2-password")
    assert log_in(client, "assistant", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(username="assistant").exists()  # a success clears the count


def test_the_throttle_is_per_username(client, assistant, other_assistant, settings):
    settings.LOGIN_THROTTLE_LIMIT = 2
    log_in(client, "assistant", "wrong-1-password")
    log_in(client, "assistant", "wrong-2-password")
    assert log_in(client, "assistant2", PASSWORD).status_code == 302


def test_one_address_guessing_many_usernames_is_throttled(client, assistant, settings):
    settings.LOGIN_THROTTLE_LIMIT = 2
    for i in range(10):  # limit x 5 failures from one address, each on another name
        log_in(client, f"nobody{i}", "wrong-password-123")
    response = log_in(client, "assistant", PASSWORD)
    assert error_codes(response) == {"throttled"}


def test_old_failures_no_longer_count(client, assistant, settings):
    settings.LOGIN_THROTTLE_LIMIT = 2
    log_in(client, "assistant", "wrong-1-password")
    log_in(client, "assistant", "wrong-2-password")
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 0
    time.sleep(0.01)
    assert log_in(client, "assistant", PASSWORD).status_code == 302


def test_pages_need_a_login(client, db):
    response = client.get(reverse("customers:customer-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_idle_session_is_logged_out(assistant, settings):
    # given a logged-in user whose last request was longer ago than the idle limit
    client = client_for(assistant)
    assert client.get(reverse("workbench:home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 1
    session.save()

    # when they come back
    response = client.get(reverse("customers:customer-list"))

    # then they must log in again, and the old session is gone
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get(reverse("workbench:home")).status_code == 302


def test_a_session_used_within_the_idle_limit_stays(assistant, settings):
    client = client_for(assistant)
    client.get(reverse("workbench:home"))
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS + 60
    session.save()
    assert client.get(reverse("customers:customer-list")).status_code == 200


def test_logging_out_needs_a_post_and_ends_the_session(assistant):
    client = client_for(assistant)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("workbench:home")).status_code == 302
    assert AuditEvent.objects.filter(action="logout", by=assistant).exists()


def test_pages_viewed_within_a_minute_do_not_write_the_session(assistant):
    client = client_for(assistant)
    client.get(reverse("workbench:home"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("customers:customer-list")).status_code == 200
    assert not [q for q in captured if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_a_page_viewed_after_a_minute_moves_the_idle_clock(assistant):
    client = client_for(assistant)
    client.get(reverse("workbench:home"))
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    client.get(reverse("customers:customer-list"))
    assert client.session["last_seen"] >= int(time.time()) - 5
