"""Fuzzing every operation of /api/v1/openapi.json with schemathesis (issue 9).

Each operation gets generated requests, valid and invalid (positive and negative generation),
with a staff token (the center, who sees everything) and without one. Every response must not be
a server error (5xx), must carry a status code the operation declares, and must match the schema
declared for that code. Operations are read from the OpenAPI document at run time, so an endpoint
added later is fuzzed without anyone adding it here.

Bounded for CI: FUZZ_EXAMPLES examples per operation, mode and caller (default 8; 2 for staff operations without a token), derandomized
(the same cases on every run), and a time budget per caller (FUZZ_SECONDS, default 60): past it the
remaining operations get one example each, so every operation is still called. The summary line
(operations, cases, seconds) is printed with `-s` and in the terminal summary.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation.hypothesis.builder import (  # noqa: E402
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from daiban.api.models import ApiToken  # noqa: E402
from daiban.org.models import User  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
BUDGET = float(os.environ.get("FUZZ_SECONDS", "60"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
SUMMARY: list[str] = []


@contextmanager
def _keep_test_connection() -> Iterator[None]:
    # Django closes the database connection around each request; inside a test transaction that
    # would throw the test's data away. The test client does the same as this.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class App:
    """The project's WSGI handler, run inside the test's database transaction."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        with _keep_test_connection():
            response = self.handler(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
        return [body]


def _operations(schema) -> list:
    found = []
    for result in schema.get_all_operations():
        found.append(result.ok())
    return found


def _fuzz(schema, operation, headers: dict[str, str], examples: int, failures: list[str]) -> int:
    """Run one operation: its coverage cases (boundary values of every parameter, valid and not:
    the largest integers, dates, empty and odd strings) and `examples` generated cases of each
    mode. Returns how many requests were made."""
    calls = 0

    def check(case) -> None:
        nonlocal calls
        calls += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # noqa: BLE001 (an exception out of the app is a server error)
            failures.append(f"{operation.label} raised {type(exc).__name__}: {str(exc)[:300]}\n"
                            f"    {case.as_curl_command()}")
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, ExceptionGroup) as exc:  # noqa: BLE001 (collect every failure, then report)
            failures.append(f"{operation.label} → {response.status_code}: {str(exc)[:600]}\n"
                            f"    {case.as_curl_command()}")

    config = HypothesisTestConfig(
        project=schema.config, modes=list(HypothesisTestMode),
        settings=settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck)),
    )
    test = create_test(operation=operation, test_func=check, config=config)
    with suppress(Unsatisfiable):
        test()
    return calls


@pytest.mark.parametrize("caller", ["center", None], ids=["staff-token", "no-token"])
def test_every_operation_answers_within_its_schema_and_never_5xx(caller, org, petitions_to_fuzz):
    app = App()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = _operations(schema)
    assert len(operations) > 40  # the whole API, read from its own document
    started = time.monotonic()
    failures: list[str] = []
    cases = 0
    for operation in operations:
        headers = {}
        if caller:  # a fresh token each time: DELETE /auth/token revokes the one it is called with
            _, token = ApiToken.issue(User.objects.get(username=caller))
            headers["Authorization"] = f"Bearer {token}"
        late = time.monotonic() - started > BUDGET
        # Without a token a staff operation answers 401 before reading anything: its boundary
        # cases and a couple of generated ones show that; the public ones get the full share.
        public = "/public/" in operation.path or operation.path.endswith("/auth/token")
        examples = 1 if late else EXAMPLES if caller or public else 2
        calls = _fuzz(schema, operation, headers, examples, failures)
        if os.environ.get("FUZZ_VERBOSE"):
            print(f"  {operation.label}: {calls}")
        cases += calls
    line = (f"fuzz ({'token of ' + caller if caller else 'no token'}): {len(operations)} operations, "
            f"{cases} cases, {time.monotonic() - started:.0f} s, {len(failures)} failures")
    print(line)
    SUMMARY.append(line)
    assert not failures, "\n\n".join(failures[:40])


@pytest.fixture
def petitions_to_fuzz(new_petition, routed):
    """A few real petitions, so generated ids sometimes meet an object (ids are small integers)."""
    return [new_petition(), routed()]
