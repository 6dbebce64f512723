"""The whole API fuzzed from its own OpenAPI document (schemathesis): no request, valid or
malformed, gets a server error or a status code the document does not declare.

Run on PostgreSQL (CI's second run), where NUL bytes, out-of-range integers and overlong
text fail loudly; a bounded number of examples per operation and mode keeps it short.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from shequtong.core import services
from shequtong.wsgi import application

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="fuzzed against PostgreSQL, in CI's second run"
    ),
]

EXAMPLES = 15
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OPERATIONS = {op.label: op for result in SCHEMA.get_all_operations() if (op := result.ok())}


@pytest.fixture
def in_process() -> Iterator[None]:
    """Requests made in-process share the test's transaction: the app must not close the
    connection after each one (as Django's test client arranges too)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(tree, district_admin) -> str:
    return services.api_token_create(actor=district_admin, name="fuzz")[1]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_request_gets_a_server_error_or_an_undeclared_status(label, mode, token, in_process):
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def fuzz(case) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error, status_code_conformance],
        )

    fuzz()
