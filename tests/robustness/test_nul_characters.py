"""The NUL character (U+0000) is refused with a 422 naming the field, wherever it is sent.

PostgreSQL cannot store it in text, so before this guard a NUL in a filter reached the driver
and became a 500 (schemathesis found ``GET /api/v1/audit?object_id=…%00…``).
"""

from __future__ import annotations

from casework.audit.models import AuditEvent
from casework.extensions import db


def test_a_nul_in_a_query_parameter_is_a_422_naming_it(world):
    auditor = world.client_for("auditor")
    response = auditor.get("/api/v1/audit?object_id=ab%00cd&outcome=failed")
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["object_id"]
    assert auditor.get("/api/v1/audit?object_id=abcd&outcome=failed").status_code == 200


def test_a_nul_in_a_json_string_is_a_422_with_its_path(world):
    worker = world.client_for("worker_a")
    response = worker.post("/api/v1/cases", json={"case_type": "post_rehab", "unit": "00004",
                                                  "person": {"full_name": "Lê\x00Văn"}})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["body.person.full_name"]


def test_an_escaped_backslash_u0000_is_ordinary_text(world):
    """Only a decoded NUL is refused: the six characters \\u0000 typed as text pass."""
    from tests.conftest import case_body

    worker = world.client_for("worker_a")
    body = case_body()
    body["referral_note"] = "ghi chú \\u0000 (gõ tay)"
    response = worker.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.get_json()


def test_a_nul_in_a_form_field_is_refused_before_anything_is_written(world):
    with world.app.app_context():
        before = db.session.query(AuditEvent).count()
    client = world.app.test_client()
    response = client.post("/login", data={"username": "worker_a\x00", "password": "x"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["username"]
    with world.app.app_context():
        assert db.session.query(AuditEvent).count() == before
