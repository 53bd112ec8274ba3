"""The durability system check fails on settings that could lose or corrupt the books."""

import copy

import pytest
from django.conf import settings
from django.test import override_settings

from salesdesk.core.checks import durability

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")

GOOD_SQLITE = {
    "ENGINE": "salesdesk.core.backends.sqlite3",
    "NAME": "books.sqlite3",
    "OPTIONS": {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA foreign_keys=ON;PRAGMA synchronous=FULL;",
    },
}


def check_ids(db: dict, *, debug: bool = False) -> set[str]:
    with override_settings(DATABASES={"default": db}, DEBUG=debug):
        return {problem.id for problem in durability(None)}


def sqlite(**options) -> dict:
    db = copy.deepcopy(GOOD_SQLITE)
    db["OPTIONS"].update(options)
    return db


def test_the_shipped_settings_pass():
    assert [p for p in durability(None) if p.is_serious()] == []


def test_good_sqlite_settings_pass():
    assert check_ids(GOOD_SQLITE) == set()


def test_deferred_transactions_fail():
    assert check_ids(sqlite(transaction_mode="DEFERRED")) == {"salesdesk.E001"}


def test_a_short_busy_timeout_fails():
    assert check_ids(sqlite(timeout=1)) == {"salesdesk.E002"}


def test_a_missing_timeout_counts_as_five_seconds_and_passes():
    db = copy.deepcopy(GOOD_SQLITE)
    del db["OPTIONS"]["timeout"]
    assert check_ids(db) == set()


def test_rollback_journal_fails():
    assert check_ids(sqlite(init_command="PRAGMA foreign_keys=ON;PRAGMA synchronous=FULL;")) == {
        "salesdesk.E003"
    }


def test_foreign_keys_off_fails():
    assert check_ids(sqlite(init_command="PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;")) == {
        "salesdesk.E004"
    }


def test_synchronous_normal_fails_in_production_only():
    relaxed = sqlite(init_command="PRAGMA journal_mode=WAL;PRAGMA foreign_keys=ON;PRAGMA synchronous=NORMAL;")
    assert check_ids(relaxed) == {"salesdesk.E005"}
    assert check_ids(relaxed, debug=True) == set()


def test_django_s_own_sqlite_engine_fails_because_its_writers_do_not_queue():
    db = copy.deepcopy(GOOD_SQLITE)
    db["ENGINE"] = "django.db.backends.sqlite3"
    assert check_ids(db) == {"salesdesk.E006"}


def test_no_options_at_all_fail_every_sqlite_check():
    db = {"ENGINE": "django.db.backends.sqlite3", "NAME": "books.sqlite3"}
    assert check_ids(db) == {
        "salesdesk.E001",
        "salesdesk.E003",
        "salesdesk.E004",
        "salesdesk.E005",
        "salesdesk.E006",
    }


def test_postgresql_settings_are_not_judged_by_sqlite_rules():
    assert check_ids({"ENGINE": "django.db.backends.postgresql", "NAME": "salesdesk"}) == set()


def test_a_default_language_other_than_chinese_warns():
    with override_settings(LANGUAGE_CODE="en"):
        assert {p.id for p in durability(None)} == {"salesdesk.W001"}


def test_the_check_runs_with_manage_py_check(capsys):
    from django.core.management import call_command

    call_command("check", "--fail-level", "ERROR")
    assert settings.DATABASES["default"]  # ran without raising SystemCheckError
