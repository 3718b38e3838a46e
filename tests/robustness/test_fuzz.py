"""API fuzzing with schemathesis against /api/openapi.json, authenticated as each role.

A bounded number of generated requests per operation and role; the checks: no server error,
responses conform to the documented schemas, and authentication is never ignored (the same
request without credentials must be refused).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import ignored_auth, not_a_server_error, response_schema_conformance

from casework.accounts.models import User
from casework.accounts.tokens import create_token
from casework.extensions import db
from tests.conftest import case_body

ROLE_USERS = ("worker_a", "supervisor_a", "statistician", "administrator", "auditor")
EXAMPLES_PER_OPERATION = 6


@pytest.fixture()
def api_schema(world):
    # Some real data, so that generated requests also reach existing objects.
    worker = world.client_for("worker_a")
    for case_type in ("trafficking_victim", "post_rehab"):
        worker.post("/api/v1/cases", json=case_body(case_type=case_type))
    return schemathesis.openapi.from_wsgi("/api/openapi.json", world.app)


@pytest.fixture()
def bearer(world):
    tokens = {}
    with world.app.app_context():
        for username in ROLE_USERS:
            user = db.session.scalar(db.select(User).where(User.username == username))
            tokens[username] = create_token(db.session, user, "fuzz", 1)[1]
        db.session.commit()
        db.session.remove()
    return tokens


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def test_no_operation_fails_for_any_role(api_schema, bearer):
    operations = list(_operations(api_schema))
    assert len(operations) >= 10  # the document really lists the API
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            for username in ROLE_USERS:
                response = case.call(headers={"Authorization": f"Bearer {bearer[username]}"})
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance, ignored_auth]
                )

        fuzz()
