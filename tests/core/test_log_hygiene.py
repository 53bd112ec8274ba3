"""Logs hold no secrets and no customer's personal data, and no URL carries a secret.

The guard that checks every log line of the whole run is tests/log_hygiene.py; these tests show
that it catches what it should, that its collectors see the secrets the app really makes, and
that the app's own logging and URLs give it nothing to catch.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from salesdesk.core import services
from salesdesk.customers.models import Customer
from tests import log_hygiene
from tests.api.conftest import ApiClient, token_for
from tests.conftest import client_for
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"
SRC = Path(__file__).resolve().parents[2] / "src" / "salesdesk"


def plant(message: str, *args) -> None:
    logging.getLogger("salesdesk.planted").error(message, *args, extra={log_hygiene.PLANTED: True})


def test_the_guard_catches_each_kind_of_secret_planted_in_a_log_line():
    secrets = log_hygiene.Secrets()
    planted = {
        "password": "planted-password-12",
        "session id": "q2b7xk0c9m4e1w8s6r3t5y0u2i9o7p1a",
        "CSRF token": "Zq8vN2rT6yL0pK4sW9eX1cB7mH3jF5gD",
        "API token": "uJ3kL9_pQ2-wE7rT1yU5iO0aS4dF8gHj",
        "customer data": "佛山美家涂料",
    }
    for kind, value in planted.items():
        secrets.add(kind, value)

    with log_hygiene.recording(log_hygiene.Recorder(planted=True)) as recorder:
        for kind, value in planted.items():
            plant("%s was %s", kind, value)
        logging.getLogger("salesdesk.planted").error("nothing secret here", extra={log_hygiene.PLANTED: True})

    leaks = secrets.found_in(recorder.messages)
    assert sorted(kind for kind, _line in leaks) == sorted(planted)
    assert not any(value in line for _kind, line in leaks for value in planted.values())  # blacked out
    # and the run's own guard never saw them, so planting them fails nothing
    assert not any("planted" in message for message in log_hygiene.SESSION.messages)


class Reporter:
    def __init__(self):
        self.lines: list[str] = []

    def ensure_newline(self) -> None:
        pass

    def write_sep(self, sep: str, title: str, **markup) -> None:
        self.lines.append(title)

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def test_a_leak_fails_the_run_and_the_report_does_not_repeat_the_secret():
    reporter = Reporter()
    plugins = SimpleNamespace(get_plugin=lambda name: reporter if name == "terminalreporter" else None)
    session = SimpleNamespace(exitstatus=pytest.ExitCode.OK, config=SimpleNamespace(pluginmanager=plugins))
    secrets = log_hygiene.Secrets()
    secrets.add("session id", "q2b7xk0c9m4e1w8s6r3t5y0u2i9o7p1a")

    log_hygiene.fail_on_leaks(session, secrets, ["django.request WARNING Forbidden: /x/"])
    assert session.exitstatus == pytest.ExitCode.OK and reporter.lines == []

    log_hygiene.fail_on_leaks(
        session, secrets, ["salesdesk INFO Cookie: sessionid=q2b7xk0c9m4e1w8s6r3t5y0u2i9o7p1a; Path=/"]
    )
    assert session.exitstatus == pytest.ExitCode.TESTS_FAILED
    assert reporter.lines == [
        "log hygiene: 1 log lines hold secrets or personal data",
        "session id: salesdesk INFO Cookie: sessionid=<session id>; Path=/",
    ]


def test_the_guard_catches_a_secret_in_a_traceback():
    secrets = log_hygiene.Secrets()
    secrets.add("password", "in-a-traceback-99")

    with log_hygiene.recording(log_hygiene.Recorder(planted=True)) as recorder:
        try:
            raise ValueError("bad login in-a-traceback-99")
        except ValueError:
            logging.getLogger("salesdesk.planted").exception("failed", extra={log_hygiene.PLANTED: True})

    assert [kind for kind, _line in secrets.found_in(recorder.messages)] == ["password"]


def test_short_values_are_not_counted_as_secrets():
    secrets = log_hygiene.Secrets()
    secrets.add("password", "short")
    secrets.add("customer data", "黄")
    secrets.add("customer data", "长" * 120)
    secrets.add("customer data", "' OR 1=1 --")  # a hostile-input test's customer, not a person
    assert secrets.kinds == {}


def test_a_real_login_gives_the_guard_its_password_session_id_and_csrf_token(assistant):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()

    response = client.post(
        reverse("login"), {"username": "assistant", "password": PASSWORD, "csrfmiddlewaretoken": form_token}
    )

    assert response.status_code == 302
    known = log_hygiene.SECRETS.kinds
    assert known[PASSWORD] == "password"
    assert known[client.cookies[settings.SESSION_COOKIE_NAME].value] == "session id"
    assert known[form_token] == "CSRF token"
    assert known[client.cookies[settings.CSRF_COOKIE_NAME].value] == "CSRF token"


def test_an_api_token_presented_and_a_customer_saved_are_known_to_the_guard(assistant, salesperson):
    token = token_for(assistant)
    assert ApiClient(token).get("/customers").status_code == 200
    customer = make_customer(
        by=assistant, assistant=assistant, salesperson=salesperson, name="江门新美建材有限公司"
    )

    known = log_hygiene.SECRETS.kinds
    assert known[token] == "API token"
    assert known["江门新美建材有限公司"] == "customer data"
    assert known[customer.contacts.first().phone] == "customer data"


def test_the_password_of_an_account_is_known_to_the_guard_but_not_one_merely_tried(manager):
    services.user_create(username="newbie", password="iloveyou-bj1", role="assistant", by=manager)
    Client().post(reverse("login"), {"username": "newbie", "password": "tried-only-4321"})

    known = log_hygiene.SECRETS.kinds
    assert known["iloveyou-bj1"] == "password"
    assert "tried-only-4321" not in known


def test_refused_and_failed_requests_log_neither_their_query_nor_the_password(
    assistant, other_assistant, salesperson
):
    customer = make_customer(
        by=assistant, assistant=assistant, salesperson=salesperson, name="江门新美建材有限公司"
    )
    secrets = log_hygiene.Secrets()
    secrets.add("customer data", customer.name)
    secrets.add("password", "wrong-password-123")

    with log_hygiene.recording(log_hygiene.Recorder()) as recorder:
        Client().post(reverse("login"), {"username": "assistant", "password": "wrong-password-123"})
        client_for(other_assistant).get(reverse("admin:index"), {"q": customer.name})
        client_for(other_assistant).get(
            reverse("customers:customer-detail", args=[customer.code]), {"q": customer.name}
        )
        Client().get("/api/v1/customers", {"password": "wrong-password-123"})

    assert recorder.messages  # the refusals were logged, by path
    assert secrets.found_in(recorder.messages) == []
    assert all("?" not in message for message in recorder.messages)


def test_the_api_takes_its_token_only_from_the_authorization_header(assistant):
    token = token_for(assistant)

    assert Client().get("/api/v1/customers", {"token": token}).status_code == 401
    assert Client().get("/api/v1/customers", {"access_token": token}).status_code == 401
    assert ApiClient(token).get("/customers").status_code == 200


def test_the_logging_settings_write_no_sql_request_bodies_or_headers():
    config = settings.LOGGING
    handlers = config.get("handlers", {})
    assert all(h["class"] == "logging.StreamHandler" for h in handlers.values())
    for name, logger in config.get("loggers", {}).items():
        # SQL at DEBUG would write every parameter: password hashes, names, phone numbers.
        assert not (name.startswith("django.db") and logger.get("level") == "DEBUG"), name
        assert not (name.startswith("django.request") and logger.get("level") == "DEBUG"), name
    assert config.get("root", {}).get("level") != "DEBUG"


# A log call whose arguments name one of these may write a secret or personal data.
SENSITIVE = re.compile(
    r"password|passwd|token|session|cookie|csrf|authorization|request\.(body|POST|META|headers)"
    r"|\.(name|phone|address|tax_id|payee_\w+)\b",
    re.I,
)
LOG_CALL = re.compile(r"\b(?:log|logger|logging)\.(?:debug|info|warning|error|exception|critical)\((.*)")


def test_no_log_call_in_the_app_writes_a_secret_or_personal_data():
    offending = []
    for path in SRC.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            call = LOG_CALL.search(line)
            if call and SENSITIVE.search(call.group(1)):
                offending.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offending == []


# In a link or a redirect: ?password=…, &token=…, ?csrfmiddlewaretoken=…, ?sessionid=…
SECRET_IN_QUERY = re.compile(
    r"[?&](password|passwd|token|access_token|api_key|csrfmiddlewaretoken|sessionid)=", re.I
)


def test_no_link_or_redirect_in_the_app_carries_a_secret_in_its_query():
    offending = []
    for path in [*SRC.rglob("*.html"), *SRC.rglob("*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SECRET_IN_QUERY.search(line):
                offending.append(f"{path.relative_to(SRC)}:{number}")
    assert offending == []


def test_every_form_with_a_password_box_is_sent_by_post(manager, client):
    pages = [
        (client, reverse("login")),
        (client_for(manager), reverse("core:user-create")),
    ]
    for browser, url in pages:
        html = browser.get(url).content.decode()
        forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", html, re.S | re.I)
        with_password = [attrs for attrs, body in forms if 'type="password"' in body]
        assert with_password, url
        assert all(re.search(r'method="post"', attrs, re.I) for attrs in with_password), url
    assert Customer.objects.count() == 0  # looking at forms writes nothing
