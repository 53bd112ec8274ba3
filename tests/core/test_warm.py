"""A server process freezes what it holds once warm (`core.warm`), once."""

from __future__ import annotations

import gc

from django.core.signals import request_finished

from salesdesk.core.warm import freeze_when_warm


def test_the_process_freezes_what_survives_after_its_first_requests_and_only_once():
    assert gc.get_freeze_count() == 0
    freeze_when_warm(after=3)
    try:
        request_finished.send(sender=None)
        request_finished.send(sender=None)
        assert gc.get_freeze_count() == 0  # not yet warm

        request_finished.send(sender=None)
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # what the process had loaded: Django, the test run

        later = [[n] for n in range(1000)]  # noqa: F841  (objects made after the freeze)
        for _ in range(5):
            request_finished.send(sender=None)
        # The handler is gone: nothing frozen again. A frozen object may still die and
        # leave the permanent generation, so the count can fall, never rise.
        assert gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
