"""Gapless, concurrency-safe numbers: customer codes, register numbers, document numbers."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from salesdesk.core.models import Sequence


def next_value(key: str) -> int:
    """The next number of series `key`, taken inside the caller's transaction.

    Must run inside `transaction.atomic()`: the row stays locked until the caller commits,
    so concurrent callers queue, and a rollback gives the number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must run inside a transaction")
    seq = Sequence.objects.select_for_update().filter(key=key).first()
    if seq is None:
        try:
            with transaction.atomic():
                Sequence.objects.create(key=key, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs below
        seq = Sequence.objects.select_for_update().get(key=key)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return seq.last_value
