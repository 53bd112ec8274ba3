"""System checks that keep the database settings durable (run by `check` and in CI)."""

from django.conf import settings
from django.core.checks import Error, Warning, register

# Django's SQLite engine with salesdesk's write queue (see its module for why).
QUEUED_SQLITE_ENGINE = "salesdesk.core.backends.sqlite3"


@register("salesdesk", deploy=False)
def durability(app_configs, **kwargs):
    problems = []
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        options = db.get("OPTIONS", {})
        init = options.get("init_command", "").replace(" ", "").lower()
        if db["ENGINE"] != QUEUED_SQLITE_ENGINE:
            problems.append(
                Error(f"SQLite writers must queue: use {QUEUED_SQLITE_ENGINE}.", id="salesdesk.E006")
            )
        if options.get("transaction_mode") != "IMMEDIATE":
            problems.append(Error("SQLite must use IMMEDIATE transactions.", id="salesdesk.E001"))
        if float(options.get("timeout", 5)) < 5:
            problems.append(Error("SQLite busy timeout must be at least 5 s.", id="salesdesk.E002"))
        if "journal_mode=wal" not in init:
            problems.append(Error("SQLite must run in WAL mode.", id="salesdesk.E003"))
        if "foreign_keys=on" not in init:
            problems.append(Error("SQLite foreign keys must be on.", id="salesdesk.E004"))
        if not settings.DEBUG and "synchronous=full" not in init:
            problems.append(Error("SQLite must use synchronous=FULL in production.", id="salesdesk.E005"))
    if settings.LANGUAGE_CODE != "zh-hans":
        problems.append(Warning("The default language should be zh-hans.", id="salesdesk.W001"))
    return problems
