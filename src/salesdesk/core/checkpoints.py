"""A server process copies SQLite's write-ahead log into the database from a thread of its own.

In WAL mode a commit appends its pages to the log, and every so often the log is copied back
into the database file (a checkpoint) and flushed to disk. Left to SQLite, the checkpoint is run
by whichever commit takes the log past a thousand pages: about one order in thirty, and that
assistant's save waited 100–400 ms for it at scale 1 while the others took 15. The server's
connections leave checkpoints out (`wal_autocheckpoint=0`) and a thread of the process runs a
passive one every second: it copies what no reader still needs, never waits for a lock and
never holds up a writer or a reader.

Only the server installs this (`salesdesk.wsgi`), lazily at its first request, so each process
gunicorn forks has its own thread. Commands and tests keep SQLite's own checkpoints: a command
that runs without the server (gendata, restore) would otherwise grow the log without end.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from django.core.signals import request_started
from django.db import connection
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

EVERY = 1.0  # seconds between checkpoints


class Checkpointer:
    """A daemon thread that runs `PRAGMA wal_checkpoint(PASSIVE)` on `path` every `every` s."""

    def __init__(self, path: str, every: float = EVERY) -> None:
        self.path, self.every = path, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)

    def start(self) -> Checkpointer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def checkpoint(self, db: sqlite3.Connection) -> tuple[int, int, int]:
        """(busy, pages in the log, pages copied), as SQLite reports them."""
        return db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def _run(self) -> None:
        db = sqlite3.connect(self.path, timeout=0, check_same_thread=False, isolation_level=None)
        try:
            while not self.stopped.wait(self.every):
                try:
                    self.checkpoint(db)
                except Exception:  # the thread must outlive a bad round: the log would grow unchecked
                    log.warning("SQLite checkpoint failed; retrying in %s s", self.every, exc_info=True)
        finally:
            db.close()


_started: Checkpointer | None = None
_lock = threading.Lock()


def _leave_checkpoints_out(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")


def _start_at_first_request(**kwargs) -> None:
    global _started
    with _lock:
        if _started is not None:
            return
        _started = Checkpointer(str(connection.settings_dict["NAME"])).start()
    request_started.disconnect(_start_at_first_request)


def checkpoint_in_background() -> None:
    """For the server: its connections leave checkpoints to a thread of the process."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    connection_created.connect(_leave_checkpoints_out, weak=False)
    request_started.connect(_start_at_first_request, weak=False)
