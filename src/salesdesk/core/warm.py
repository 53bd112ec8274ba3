"""A server process sets aside what it has loaded once it is warm.

Python's collector walks every object it tracks on each full collection. A warm server process
holds a few hundred thousand that live as long as it does (Django, the URL patterns, compiled
templates, translation catalogues, model metadata), and a full collection walking them all took
over 100 ms on the benchmark machine: every request in flight waited for it. After its first
requests (`WARM_AFTER`), the process collects once and freezes what is left
(`gc.freeze`): full collections then walk only what came since, about a millisecond.

Only the server installs this (`salesdesk.wsgi`): commands and tests keep the collector as is.
"""

from __future__ import annotations

import gc
import threading

from django.core.signals import request_finished

WARM_AFTER = 200  # requests; by then each kind of page has loaded what it keeps


class _FreezeWhenWarm:
    def __init__(self, after: int) -> None:
        self.left = after
        self.lock = threading.Lock()

    def __call__(self, **kwargs) -> None:
        with self.lock:
            self.left -= 1
            if self.left != 0:
                return
        request_finished.disconnect(self)
        gc.collect()
        gc.freeze()


def freeze_when_warm(after: int = WARM_AFTER) -> None:
    """After `after` requests of this process, collect once and freeze what survives."""
    request_finished.connect(_FreezeWhenWarm(after), weak=False)
