"""salesdesk's SQLite engine queues writers: one transaction at a time, in the order they came.

The queue is a lock of the process (handed to threads first come, first served) and a lock on
'<database>.writers.lock' for the other processes. Another process is played here by a second
open of that file, which flock treats as a stranger even in the same process.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction

from salesdesk.core.backends.sqlite3.base import WRITE_QUEUE_TIMEOUT, FifoLock, WriteQueue

pytestmark = pytest.mark.skipif(
    not hasattr(connection, "take_write_queue"), reason="the write queue is salesdesk's SQLite engine"
)


def eventually(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait (boundedly) for another thread to reach a state; what is asserted is the state."""
    for _ in range(int(seconds / 0.005)):
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the other thread never got there")


def queue() -> WriteQueue:
    return connection.write_queue


def another_process_could_write() -> bool:
    fd = os.open(queue().path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@contextmanager
def another_process_writing() -> Iterator[None]:
    fd = os.open(queue().path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def queue_is_free() -> bool:
    return not connection.holds_write_queue and not queue().threads.locked() and another_process_could_write()


@pytest.fixture
def short_wait():
    """A queue that gives up after a second, so that a deadlock fails the test instead of hanging it."""
    connection.ensure_connection()
    connection.write_queue_timeout = 1.0
    yield
    connection.write_queue_timeout = WRITE_QUEUE_TIMEOUT


# --- the lock of the process ---------------------------------------------------------------


def test_threads_get_the_lock_in_the_order_they_asked_for_it():
    lock, order = FifoLock(), []
    assert lock.acquire(timeout=1)

    def take_turn(i: int) -> None:
        assert lock.acquire(timeout=30)
        order.append(i)
        lock.release()

    threads = []
    for i in range(6):
        threads.append(threading.Thread(target=take_turn, args=(i,)))
        threads[-1].start()
        eventually(lambda i=i: lock.waiting() == i + 1)
    lock.release()
    for thread in threads:
        thread.join()

    assert order == [0, 1, 2, 3, 4, 5]
    assert not lock.locked()


def test_a_waiter_that_gives_up_leaves_the_queue_and_holds_up_nobody():
    lock = FifoLock()
    assert lock.acquire(timeout=1)

    assert lock.acquire(timeout=0.01) is False

    assert lock.waiting() == 0
    lock.release()
    assert not lock.locked()
    assert lock.acquire(timeout=0)


# --- the engine -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_transaction_holds_the_queue_from_begin_to_commit_and_nested_blocks_take_nothing_more(short_wait):
    assert queue_is_free()
    with transaction.atomic():
        assert connection.holds_write_queue and not another_process_could_write()
        with transaction.atomic():  # a savepoint: waiting here for our own turn would deadlock
            Group.objects.create(name="nested")
            with transaction.atomic():
                Group.objects.filter(name="nested").update(name="deeper")
        assert connection.holds_write_queue and queue().threads.waiting() == 0
    assert queue_is_free()
    assert Group.objects.filter(name="deeper").exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_gives_up_its_turn(short_wait):
    with transaction.atomic():
        Group.objects.create(name="undone")
        transaction.set_rollback(True)
    assert queue_is_free()
    assert not Group.objects.filter(name="undone").exists()


@pytest.mark.django_db(transaction=True)
def test_an_exception_inside_the_transaction_gives_up_its_turn(short_wait):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Group.objects.create(name="undone")
        1 / 0  # noqa: B018
    assert queue_is_free()
    Group.objects.create(name="next")  # the next write gets its turn at once


@pytest.mark.django_db(transaction=True)
def test_a_connection_closed_in_the_middle_of_a_transaction_gives_up_its_turn(short_wait):
    with transaction.atomic():
        Group.objects.create(name="lost")
        connection.close()
    assert queue_is_free()
    assert not Group.objects.filter(name="lost").exists()


@pytest.mark.django_db(transaction=True)
def test_a_lone_save_outside_a_transaction_queues_for_its_statement(short_wait):
    group = Group.objects.create(name="alone")
    assert queue_is_free()

    with another_process_writing():
        assert Group.objects.filter(name="alone").count() == 1  # reads never queue
        group.name = "renamed"
        with pytest.raises(OperationalError, match="write queue"):
            group.save()

    group.save()
    assert queue_is_free()
    assert Group.objects.get(pk=group.pk).name == "renamed"


@pytest.mark.django_db(transaction=True)
def test_a_transaction_waits_while_another_process_writes_and_then_gives_up_clearly(short_wait):
    with (
        another_process_writing(),
        pytest.raises(OperationalError, match="behind another process"),
        transaction.atomic(),
    ):
        Group.objects.create(name="never")
    assert queue_is_free()
    assert not Group.objects.filter(name="never").exists()


@pytest.mark.django_db(transaction=True)
def test_a_writer_thread_waits_for_the_open_transaction_of_another_thread(short_wait):
    events = []

    def write() -> None:
        try:
            with transaction.atomic():
                events.append("thread writes")
                Group.objects.create(name="second")
        finally:
            connection.close()

    with transaction.atomic():
        Group.objects.create(name="first")
        writer = threading.Thread(target=write)
        writer.start()
        eventually(lambda: queue().threads.waiting() == 1)
        events.append("main commits")
    writer.join()

    assert events == ["main commits", "thread writes"]
    assert queue_is_free()
    assert Group.objects.filter(name__in=["first", "second"]).count() == 2
