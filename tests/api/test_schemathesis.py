"""Every operation of /api/v1/openapi.json, fuzzed by schemathesis once per role and once without a token.

Per role, each operation gets a fixed number of generated requests (SALESDESK_SCHEMATHESIS_EXAMPLES,
default 8; derandomized so a run is repeatable) against a database holding a customer of the
assistant and salesperson, stocked products and a posted outbound. Pass: no 5xx, and every response
matches what the schema documents (status code, content type, headers, body); requests that break the
schema are refused with a 4xx. Without a token, every protected operation answers 401 or 403.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import jsonschema_rs
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ApiClient, token_for
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (shared fixtures)
from tests.receivables.conftest import debtor, sell  # noqa: F401  (shared fixtures)
from tests.warehouse.conftest import stocked  # noqa: F401  (shared fixtures)

EXAMPLES = int(os.environ.get("SALESDESK_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ["assistant", "salesperson", "warehouse", "finance", "manager"]

# Operations left out of the fuzzing, each with the reason. Keep this empty.
KNOWN_EXCLUSIONS: dict[str, str] = {}


def load_schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def operations(schema):
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.label not in KNOWN_EXCLUSIONS:
            yield operation


def describe(exc: BaseException) -> str:
    failures = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    return "; ".join(
        f"{getattr(f, 'title', type(f).__name__)}: {getattr(f, 'message', str(f))[:600]}" for f in failures
    )


def fuzz(
    operation, *, headers: dict[str, str], examples: int, check, mode=GenerationMode.POSITIVE
) -> str | None:
    """Run `examples` generated requests of one operation; the first problem found, or None."""
    problems: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, headers=headers or None))
    def run(case):
        if problems:
            return
        try:
            check(case, headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001  (reported below, one per operation)
            problems.append(f"{operation.label}: {describe(exc)}")

    try:
        run()
    except Unsatisfiable:
        return None  # nothing in this operation's input can be made invalid (no parameters, no body)
    return problems[0] if problems else None


@contextmanager
def database_kept_open():
    """The WSGI handler closes the database connection after each request, as a server should; the
    test database lives in that connection's transaction, so keep it open (as django.test.Client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(debtor, product, assistant, warehouse, manager):  # noqa: F811
    """Some data for the fuzzer to run into: the debtor has a posted, unpaid outbound."""
    return sell(debtor, product, "2", by=assistant, warehouse=warehouse, approver=manager)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_5xx_or_breaks_its_schema(role, request, world):
    user = request.getfixturevalue(role)
    headers = {"Authorization": f"Bearer {token_for(user)}"}

    def validate(case, headers):
        case.call_and_validate(headers=headers, checks=CHECKS)

    with database_kept_open():
        problems = [
            problem
            for operation in operations(load_schema())
            if (problem := fuzz(operation, headers=headers, examples=EXAMPLES, check=validate))
        ]

    assert problems == [], "\n\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_invalid_requests_are_refused_with_4xx(role, request, world):
    user = request.getfixturevalue(role)
    headers = {"Authorization": f"Bearer {token_for(user)}"}

    def validate(case, headers):
        case.call_and_validate(headers=headers, checks=[*CHECKS, negative_data_rejection])

    with database_kept_open():
        problems = [
            problem
            for operation in operations(load_schema())
            if (
                problem := fuzz(
                    operation,
                    headers=headers,
                    examples=EXAMPLES,
                    check=validate,
                    mode=GenerationMode.NEGATIVE,
                )
            )
        ]

    assert problems == [], "\n\n".join(problems)


@pytest.mark.django_db
def test_without_a_token_every_protected_operation_answers_401_or_403(world):
    refused: list[str] = []

    def unauthenticated(case, headers):
        response = case.call(headers=headers)
        if response.status_code not in (401, 403):
            raise AssertionError(f"answered {response.status_code} without a token")

    with database_kept_open():
        protected = [op for op in operations(load_schema()) if op.definition.raw.get("security")]
        for operation in protected:
            if problem := fuzz(operation, headers={}, examples=2, check=unauthenticated):
                refused.append(problem)

    assert len(protected) > 80  # all but POST /auth/token
    assert refused == [], "\n".join(refused)


def documented(path: str, method: str = "get") -> dict:
    return Client().get("/api/v1/openapi.json").json()["paths"][f"/api/v1{path}"][method]


@pytest.mark.django_db
def test_the_token_endpoint_documents_its_refusals(assistant):
    responses = documented("/auth/token", "post")["responses"]

    assert {"200", "401", "422", "429"} <= set(responses)
    wrong = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "assistant", "password": "wrong-password-123"}),
        content_type="application/json",
    )
    assert wrong.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("role, branch", [("manager", "CustomerOut"), ("warehouse", "CustomerWarehouseOut")])
def test_a_customer_answer_matches_exactly_one_documented_schema(role, branch, request, world):
    spec = Client().get("/api/v1/openapi.json").json()
    answer = ApiClient(token_for(request.getfixturevalue(role))).get(f"/customers/{world.customer.code}")
    matching = [
        name
        for name in ("CustomerOut", "CustomerWarehouseOut")
        if jsonschema_rs.validator_for(
            {**spec["components"]["schemas"][name], "components": spec["components"]}
        ).is_valid(answer.json())
    ]

    assert answer.status_code == 200
    assert matching == [branch]


@pytest.mark.django_db
def test_an_empty_filter_box_is_taken_as_no_filter_and_documented_as_allowed(finance, world):
    parameters = {p["name"]: p["schema"] for p in documented("/receipts")["parameters"]}
    blank = {"type": "string", "maxLength": 0}

    answer = ApiClient(token_for(finance)).get("/receipts", {"date_from": "", "date_to": ""})

    assert answer.status_code == 200
    assert blank in parameters["date_to"]["anyOf"]
    assert blank in parameters["date_from"]["anyOf"]
