"""Gapless, concurrency-safe numbers: customer codes, register numbers, document numbers."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from salesdesk.core.models import Sequence


def next_value(key: str) -> int:
    """The next number of series `key`, taken inside the caller's transaction.

    Must run inside `transaction.atomic()`: the row stays locked until the caller commits,
    so concurrent callers queue, and a rollback gives the number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must run inside a transaction")
    number = _bump(key)
    if number is None:
        try:
            with transaction.atomic():
                Sequence.objects.create(key=key, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; bump theirs
        number = _bump(key)
    return number


# The table of `Sequence`; one statement takes the next value and locks the row until commit.
_BUMP = "UPDATE core_sequence SET last_value = last_value + 1 WHERE key = %s RETURNING last_value"


def _bump(key: str) -> int | None:
    """Take the next value in one statement (RETURNING: SQLite 3.35+, PostgreSQL), or None when
    the series has no row yet."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP, [key])
        row = cursor.fetchone()
    return None if row is None else row[0]
