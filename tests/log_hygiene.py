"""The test run's log guard: every log record written during the run is kept, and at its end none
may hold a password, session id, CSRF token, API token or a customer's personal data (name,
address, phone, tax id, payee account): log lines name people and documents by id only.

What counts as secret is collected while the tests run, where it is made: the password of every
account saved, every session key and CSRF token issued, every API token presented, every customer and
contact saved. tests/conftest.py installs this at the start of the session and fails the run at
its end when anything leaked; tests/core/test_log_hygiene.py shows that it does.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

# Shorter values would turn up inside ordinary words and numbers by chance.
MIN_LENGTH = {"password": 8, "session id": 20, "CSRF token": 20, "API token": 20, "customer data": 3}
# A record logged with extra={PLANTED: True} is seen only by a recorder that asks for planted
# records: the guard's own test plants secrets without failing the run.
PLANTED = "log_hygiene_planted"
TOKENS = {"session id", "CSRF token", "API token"}  # made of the characters below, nothing else
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}")


def _looks_personal(text: str) -> bool:
    """Names and addresses here are Chinese; phones, tax ids and accounts are long numbers. The
    hostile-input tests' customers called "' OR 1=1 --" are neither, and their URLs repeat it."""
    return bool(re.search(r"[\u3400-\u9fff]|\d{6}", text))


@dataclass
class Secrets:
    kinds: dict[str, str] = field(default_factory=dict)  # value → what it is

    def add(self, kind: str, value: object) -> None:
        text = str(value or "").strip()
        # "长" * 120 is a hostile-input test's filler that a hostile URL repeats, not a secret.
        if len(text) < MIN_LENGTH[kind] or len(set(text)) < 3:
            return
        if kind == "customer data" and not _looks_personal(text):
            return
        self.kinds.setdefault(text, kind)

    def found_in(self, messages: Iterable[str]) -> list[tuple[str, str]]:
        """(kind, log line) for every log line holding a secret, the secret blacked out so that
        the report does not leak it again."""
        unique = list(dict.fromkeys(messages))
        text = "\n".join(unique)
        # A run issues tens of thousands of tokens: those are looked up among the words of the
        # log, the few passwords and names searched for anywhere in it.
        words = set(TOKEN.findall(text))
        leaks = []
        for value, kind in self.kinds.items():
            if value in words if kind in TOKENS else value in text:
                leaks += [(kind, line.replace(value, f"<{kind}>")) for line in unique if value in line]
        return leaks


@dataclass(eq=False)  # each recorder is itself: two with the same lines are not one
class Recorder:
    planted: bool = False
    messages: list[str] = field(default_factory=list)
    _format: Callable[[logging.LogRecord], str] = field(default=logging.Formatter().format)

    def keep(self, record: logging.LogRecord) -> None:
        if getattr(record, PLANTED, False) and not self.planted:
            return
        self.messages.append(f"{record.name} {record.levelname} {self._format(record)}")


_recorders: list[Recorder] = []
_original_call_handlers = logging.Logger.callHandlers


def _call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
    # Every record any logger lets through, whichever handlers (or none) it has.
    for recorder in list(_recorders):
        recorder.keep(record)
    _original_call_handlers(self, record)


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    _recorders.append(recorder)
    logging.Logger.callHandlers = _call_handlers
    try:
        yield recorder
    finally:
        _recorders.remove(recorder)


def _wrap(owner, name: str, note: Callable) -> None:
    """Let `owner.name` run as before, and hand its arguments and result to `note`."""
    original = getattr(owner, name)
    if getattr(original, "_log_hygiene", False):
        return

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        note(result, *args, **kwargs)
        return result

    wrapper._log_hygiene = True
    setattr(owner, name, wrapper)


def _wrap_everywhere(module, name: str, note: Callable) -> None:
    """_wrap a function in its module and in every module that imported it by name."""
    original = getattr(module, name)
    _wrap(module, name, note)
    for other in list(sys.modules.values()):
        if other is not module and getattr(other, name, None) is original:
            setattr(other, name, getattr(module, name))


def collect_secrets(secrets: Secrets) -> None:
    """Note each secret as the code under test makes or receives it."""
    from django.contrib.auth import get_user_model, hashers
    from django.contrib.sessions.backends.base import SessionBase
    from django.db.models.signals import post_save
    from django.middleware import csrf

    from salesdesk import api
    from salesdesk.catalog.models import RebatePrice
    from salesdesk.customers.models import Contact, Customer

    # The password of every account saved. Passwords merely tried are left out: the API fuzzer
    # tries report names and random text as passwords, then sends them again as report names.
    hashed: dict[str, str] = {}
    _wrap_everywhere(hashers, "make_password", lambda encoded, raw, *_a, **_k: hashed.update({encoded: raw}))

    def account_saved(sender, instance, **kwargs) -> None:
        secrets.add("password", hashed.get(instance.password))

    _wrap(SessionBase, "_get_new_session_key", lambda key, _store: secrets.add("session id", key))
    _wrap(csrf, "_get_new_csrf_string", lambda value: secrets.add("CSRF token", value))
    _wrap(csrf, "_mask_cipher_secret", lambda value, _secret: secrets.add("CSRF token", value))
    _wrap(api.BearerToken, "authenticate", lambda _r, _auth, _req, token: secrets.add("API token", token))

    def personal(fields: tuple[str, ...]):
        def note(sender, instance, **kwargs) -> None:
            for name in fields:
                secrets.add("customer data", getattr(instance, name))

        return note

    post_save.connect(account_saved, sender=get_user_model(), weak=False, dispatch_uid="log-hygiene-user")
    for model, fields in (
        (Customer, ("name", "address", "tax_id", "invoice_title")),
        (Contact, ("name", "phone")),
        (RebatePrice, ("payee_name", "payee_id_number", "payee_account")),
    ):
        post_save.connect(personal(fields), sender=model, weak=False, dispatch_uid=f"log-hygiene-{model}")


SESSION = Recorder()
SECRETS = Secrets()
_session_recording = recording(SESSION)


def pytest_sessionstart(session: pytest.Session) -> None:
    collect_secrets(SECRETS)
    _session_recording.__enter__()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _session_recording.__exit__(None, None, None)
    fail_on_leaks(session, SECRETS, SESSION.messages)


def fail_on_leaks(session, secrets: Secrets, messages: list[str]) -> None:
    """Fail the run, saying which log lines leaked what (the secret itself blacked out)."""
    leaks = secrets.found_in(messages)
    if not leaks:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_sep(
            "=", f"log hygiene: {len(leaks)} log lines hold secrets or personal data", red=True
        )
        for kind, line in leaks[:50]:
            reporter.write_line(f"{kind}: {line[:300]}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
