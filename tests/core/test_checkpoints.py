"""The server's connections leave SQLite's checkpoints to a thread of the process
(`core.checkpoints`): no commit copies the write-ahead log into the database on its way out."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest
from django.core.signals import request_started
from django.db import connection, connections
from django.db.backends.signals import connection_created

from salesdesk.core import checkpoints
from tests.core.test_rare import SQLITE_ONLY
from tests.core.test_sqlite_write_queue import eventually


def _database(path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE page (body BLOB)")
    return db


def _fill(db: sqlite3.Connection, pages: int) -> None:
    db.execute("BEGIN")
    db.executemany("INSERT INTO page VALUES (?)", [(b"x" * 4000,) for _ in range(pages)])
    db.execute("COMMIT")


def test_the_thread_copies_the_log_into_the_database(tmp_path):
    path = str(tmp_path / "books.sqlite3")
    db = _database(path)
    _fill(db, 2000)
    before = os.path.getsize(path)
    time.sleep(0.3)
    assert os.path.getsize(path) == before  # nothing copies the log without the thread

    worker = checkpoints.Checkpointer(path, every=0.05).start()
    try:
        eventually(lambda: os.path.getsize(path) > before + 2000 * 4000, seconds=5)
        # A reader still sees every row, and writing goes on while the thread runs.
        assert db.execute("SELECT count(*) FROM page").fetchone()[0] == 2000
        _fill(db, 10)
        assert db.execute("SELECT count(*) FROM page").fetchone()[0] == 2010
    finally:
        worker.stop()
        db.close()


def test_a_bad_round_does_not_stop_the_thread(tmp_path, monkeypatch):
    path = str(tmp_path / "books.sqlite3")
    db = _database(path)
    rounds = []
    real = checkpoints.Checkpointer.checkpoint

    def flaky(self, conn):
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(self, conn)

    monkeypatch.setattr(checkpoints.Checkpointer, "checkpoint", flaky)
    worker = checkpoints.Checkpointer(path, every=0.02).start()
    try:
        eventually(lambda: len(rounds) >= 3, seconds=5)
    finally:
        worker.stop()
        db.close()


@SQLITE_ONLY
@pytest.mark.django_db
def test_the_servers_connections_leave_checkpoints_out_and_its_first_request_starts_the_thread(monkeypatch):
    started = []
    monkeypatch.setattr(checkpoints, "_started", None)
    monkeypatch.setattr(checkpoints.Checkpointer, "start", lambda self: started.append(self) or self)
    checkpoints.checkpoint_in_background()
    fresh = connections.create_connection("default")  # as a server thread opens its own
    try:
        with fresh.cursor() as cursor:
            assert cursor.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0

        request_started.send(sender=None)
        request_started.send(sender=None)
        assert [c.path for c in started] == [str(connection.settings_dict["NAME"])]  # one thread
    finally:
        connection_created.disconnect(checkpoints._leave_checkpoints_out)
        request_started.disconnect(checkpoints._start_at_first_request)
        fresh.close()
