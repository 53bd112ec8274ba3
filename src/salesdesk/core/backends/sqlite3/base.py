"""Django's SQLite engine with a queue in front of the write lock.

SQLite lets one writer in at a time and makes the others retry on a timer of its own, with no
queue: a writer that has waited for a while sleeps up to 100 ms between tries, while a newcomer
tries within a millisecond or two. Under a steady stream of writers the newcomers keep winning,
and an unlucky writer waits past the busy timeout and fails with "database is locked" although
the database was never stuck. This engine makes the writers queue instead:

- a lock of this process, handed to waiting threads in the order they came, and then
- a lock on the file '<database>.writers.lock', so that several processes (the server and a
  `salesdesk` command beside it) queue too,

taken before BEGIN IMMEDIATE and given back after COMMIT or ROLLBACK (or when the connection
closes). Inside the transaction nested atomic blocks are savepoints and take nothing more. A
lone write in autocommit mode (a save() outside any atomic block) queues for that statement.
Reads never queue: in WAL mode they do not wait for writers.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# How long a writer waits in the queue before giving up; longer than the busy timeout on
# purpose, since in the queue nobody can overtake it. OPTIONS["write_queue_timeout"] overrides.
WRITE_QUEUE_TIMEOUT = 60.0
# How often the first writer of a process looks whether another process has let go of the
# file. The same short interval for every waiter keeps the odds even between processes.
FILE_POLL_SECONDS = 0.002
# Statements that only read; anything else in autocommit mode takes the queue.
READ_ONLY = ("SELECT", "PRAGMA", "EXPLAIN")


class FifoLock:
    """A lock handed over to its waiters in the order they began to wait."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=max(timeout, 0)):
            return True  # handed over by release(): the lock stayed held for us
        with self._mutex:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
            return True  # handed over just as the wait ran out

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False

    def waiting(self) -> int:
        with self._mutex:
            return len(self._waiters)

    def locked(self) -> bool:
        with self._mutex:
            return self._held


class WriteQueue:
    """The writers of one database file: a FIFO of this process's threads, then a file lock."""

    def __init__(self, database: str) -> None:
        self.path = database + ".writers.lock"
        self.threads = FifoLock()
        self._fd: int | None = None

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout):
            raise self._gave_up(timeout, "other threads of this process")
        try:
            fd = self._file()
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise self._gave_up(timeout, "another process") from None
                    time.sleep(FILE_POLL_SECONDS)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        finally:
            self.threads.release()

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o660)
        return self._fd

    def _gave_up(self, timeout: float, behind: str) -> OperationalError:
        return OperationalError(
            f"Waited {timeout:g} s in the write queue of {self.path} behind {behind} without "
            "getting a turn: a transaction is holding the database far longer than any should."
        )


_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()


def write_queue(database: str) -> WriteQueue:
    """The one queue of this process for a database file."""
    key = os.path.realpath(database)
    with _queues_lock:
        if key not in _queues:
            _queues[key] = WriteQueue(key)
        return _queues[key]


_generation = 0  # of the queues: a connection's remembered queue is stale once it changes


def _forget_queues_in_child() -> None:
    # A forked child shares the parent's open lock file (flock is per open file) and copies
    # locks that the parent's other threads may hold: it starts its queues afresh.
    global _queues_lock, _generation
    _queues.clear()
    _queues_lock = threading.Lock()
    _generation += 1


os.register_at_fork(after_in_child=_forget_queues_in_child)


class QueuedCursor(base.SQLiteCursorWrapper):
    """Puts a write made outside a transaction (autocommit mode) in the queue for its statement."""

    wrapper: DatabaseWrapper

    def execute(self, query, params=None):
        with self._turn_for(query):
            return super().execute(query, params)

    def executemany(self, query, param_list):
        with self._turn_for(query):
            return super().executemany(query, param_list)

    @contextmanager
    def _turn_for(self, query: str) -> Iterator[None]:
        took = (
            not (self.connection.in_transaction or query.lstrip()[:7].upper().startswith(READ_ONLY))
            and self.wrapper.take_write_queue()
        )
        try:
            yield
        finally:
            if took:
                self.wrapper.leave_write_queue()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.write_queue_timeout = WRITE_QUEUE_TIMEOUT
        self._held_queue: WriteQueue | None = None
        self._queue_for: tuple[tuple[str, int], WriteQueue | None] | None = None

    def get_connection_params(self):
        kwargs = super().get_connection_params()
        self.write_queue_timeout = float(kwargs.pop("write_queue_timeout", WRITE_QUEUE_TIMEOUT))
        return kwargs

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.wrapper = self
        return cursor

    @property
    def write_queue(self) -> WriteQueue | None:
        """The queue of this connection's database file (none for a database in memory)."""
        # Looked up once per file name (and fork), not at every transaction: resolving the path
        # is syscalls.
        key = (str(self.settings_dict["NAME"]), _generation)
        if self._queue_for is None or self._queue_for[0] != key:
            self._queue_for = (key, None if self.is_in_memory_db() else write_queue(key[0]))
        return self._queue_for[1]

    @property
    def holds_write_queue(self) -> bool:
        return self._held_queue is not None

    def take_write_queue(self) -> bool:
        """Wait for this connection's turn to write; False when it already has it."""
        if self._held_queue is not None or (queue := self.write_queue) is None:
            return False
        queue.acquire(self.write_queue_timeout)
        self._held_queue = queue
        return True

    def leave_write_queue(self, *, closed: bool = False) -> None:
        """Let the next writer in, unless this connection is still inside a transaction."""
        if self._held_queue is None or (not closed and self._in_transaction()):
            return
        queue, self._held_queue = self._held_queue, None
        queue.release()

    def _in_transaction(self) -> bool:
        try:
            return self.connection is not None and self.connection.in_transaction
        except sqlite3.ProgrammingError:  # closed: SQLite rolled back what was open
            return False

    def _start_transaction_under_autocommit(self):
        self.take_write_queue()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.leave_write_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self.leave_write_queue()  # kept when COMMIT failed: the rollback that follows lets go

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.leave_write_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self.leave_write_queue(closed=True)  # closing rolls back whatever was open
