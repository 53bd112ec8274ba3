"""Real threads on separate connections race for the same numbers and the same approval.

Runs on SQLite (a file database, IMMEDIATE transactions) and on PostgreSQL (row locks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from salesdesk.core.errors import Conflict
from salesdesk.core.roles import Role
from salesdesk.customers import services
from salesdesk.customers.models import ApplicationStatus, CreditTermApplication, Customer
from tests.conftest import make_user

THREADS = 8


def race(work: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    """Run work(i) in `threads` threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001  (collected and asserted by the test)
            results[i] = exc
        finally:
            connection.close()  # each thread has its own connection; leave none open

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a worker hung"
    return results


@pytest.mark.django_db(transaction=True)
def test_customers_created_at_the_same_moment_get_distinct_consecutive_codes():
    # given one assistant and 8 clerks' worth of threads
    assistant = make_user("assistant", Role.ASSISTANT)
    per_thread = 3

    # when every thread creates customers of the same series at once
    def create(i: int) -> list[str]:
        return [
            services.customer_create(by=assistant, series="GS", name=f"并发客户 {i}-{n}").code
            for n in range(per_thread)
        ]

    results = race(create)

    # then nothing failed, and the codes are GS00001..GS00024 with no gap and no twin
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    codes = sorted(code for codes in results for code in codes)
    expected = [f"GS{n:05d}" for n in range(1, THREADS * per_thread + 1)]
    assert codes == expected
    assert sorted(Customer.objects.values_list("code", flat=True)) == expected


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_the_same_application_at_once_only_one_wins():
    # given a pending application and two managers
    assistant = make_user("assistant", Role.ASSISTANT)
    managers = [make_user("manager", Role.MANAGER), make_user("deputy", Role.MANAGER)]
    customer = services.customer_create(by=assistant, series="GS", name="佛山美家")
    application = services.credit_application_submit(customer=customer, by=assistant, credit_days=30)

    # when both approve at the same moment
    def approve(i: int):
        pending = CreditTermApplication.objects.get(pk=application.pk)
        return services.credit_application_decide(application=pending, by=managers[i], approve=True)

    results = race(approve, threads=2)

    # then exactly one succeeds and the other is told it was already decided
    succeeded = [r for r in results if isinstance(r, CreditTermApplication)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert (len(succeeded), len(conflicts)) == (1, 1), results
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.approver == succeeded[0].approver
    assert application.history.filter(status=ApplicationStatus.APPROVED).count() == 1
    customer.refresh_from_db()
    assert customer.credit_days == 30
