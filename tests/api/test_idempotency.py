"""A retried write with the same Idempotency-Key gets the first answer and creates nothing new."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from salesdesk.customers.models import Customer
from tests.api.conftest import ApiClient, token_for

NEW_CUSTOMER = {"series": "GS", "name": "佛山美家", "contacts": [{"name": "黄经理", "phone": "13800138000"}]}


@pytest.mark.django_db
def test_the_same_key_and_body_twice_creates_one_customer_and_replays_the_first_answer(api_as, assistant):
    client = api_as(assistant)

    first = client.post("/customers", NEW_CUSTOMER, **{"Idempotency-Key": "call-2026-0001"})
    second = client.post("/customers", NEW_CUSTOMER, **{"Idempotency-Key": "call-2026-0001"})

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replay"] == "true"
    assert not first.has_header("Idempotent-Replay")
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_a_conflict(api_as, assistant):
    client = api_as(assistant)
    client.post("/customers", NEW_CUSTOMER, **{"Idempotency-Key": "call-2026-0002"})

    response = client.post(
        "/customers", {**NEW_CUSTOMER, "name": "广州彩虹"}, **{"Idempotency-Key": "call-2026-0002"}
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert list(Customer.objects.values_list("name", flat=True)) == ["佛山美家"]


@pytest.mark.django_db
def test_different_keys_create_different_customers(api_as, assistant):
    client = api_as(assistant)

    codes = {
        client.post("/customers", NEW_CUSTOMER, **{"Idempotency-Key": key}).json()["code"]
        for key in ("k-1", "k-2")
    }

    assert codes == {"GS00001", "GS00002"}


@pytest.mark.django_db
def test_a_refused_request_replays_its_refusal_and_still_writes_nothing(api_as, assistant):
    client = api_as(assistant)
    bad = {"series": "GS", "name": ""}

    first = client.post("/customers", bad, **{"Idempotency-Key": "bad-1"})
    second = client.post("/customers", bad, **{"Idempotency-Key": "bad-1"})

    assert first.status_code == second.status_code == 422
    assert second.content == first.content
    assert Customer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_five_concurrent_retries_with_one_key_create_exactly_one_customer(assistant):
    token = token_for(assistant)
    responses: list = []
    failures: list[BaseException] = []
    start = threading.Barrier(5)

    def send() -> None:
        try:
            client = ApiClient(token)  # its own Client, and so its own database connection
            start.wait()
            responses.append(client.post("/customers", NEW_CUSTOMER, **{"Idempotency-Key": "burst-1"}))
        except BaseException as exc:  # a thread's failure must fail the test, not vanish
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert [r.status_code for r in responses] == [201] * 5
    assert {r.json()["code"] for r in responses} == {"GS00001"}
    assert len({r.content for r in responses}) == 1
    assert sorted(r.get("Idempotent-Replay", "") for r in responses) == ["", "true", "true", "true", "true"]
    assert Customer.objects.count() == 1
