"""Adversary: the database operator (docs/security.md).

A DBA, or whoever took over the database host: they hold the database — as the tables' owner,
able to drop triggers and rewrite rows — but not the application's key, which lives in the
service's environment or key file. They read everything, move ciphertexts between rows, change
a stage behind the history, delete the end of the audit trail, and finally start the service
with a key of their own. Each attempt must either show them nothing or be detected by the
checks the operator's own routine runs (`casework verify`, `audit verify` against the
checkpoint kept off the host).
"""

from __future__ import annotations

import base64
import uuid

from sqlalchemy import create_engine, inspect, text

from casework.audit.grants import unprotect
from casework.extensions import db
from tests.adversaries.world import IDENTITY, NOTE, open_victim
from tests.conftest import case_body, make_app, owner_url


def _as_owner(app):
    url = owner_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def _everything(app) -> bytes:
    """Every value of every table, as the owner reads them (row-level security is the
    service's guard, not the owner's)."""
    engine = _as_owner(app)
    chunks = []
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            chunks.append(bytes(value))
                        elif value is not None:
                            chunks.append(str(value).encode())
    finally:
        engine.dispose()
    return b"\n".join(chunks)


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_reading_every_table_shows_no_personal_data(matrix_world):
    victim = open_victim(matrix_world)
    loot = _everything(matrix_world.app)
    assert victim.reference.encode() in loot  # the scan reads plain columns
    for secret in (*IDENTITY.values(), NOTE):
        assert secret.encode() not in loot, secret


def test_moving_a_ciphertext_to_another_person_shows_nothing_and_verify_names_it(matrix_world):
    victim = open_victim(matrix_world)
    body = case_body("post_rehab", full_name="Lý Văn Tư")
    del body["person"]["national_id"], body["person"]["phone"]
    other = matrix_world.client_for("supervisor_a").post("/api/v1/cases", json=body)
    assert other.status_code == 201, other.get_json()
    other = other.get_json()
    engine = _as_owner(matrix_world.app)
    with engine.begin() as connection:
        person_of = {
            case_id: connection.scalar(
                text("SELECT person_id FROM case_file WHERE id = :id"),
                {"id": uuid.UUID(case_id) if engine.dialect.name == "postgresql" else
                 uuid.UUID(case_id).hex},
            )
            for case_id in (victim.case_id, other["id"])
        }
        stolen = connection.scalar(
            text("SELECT full_name_ct FROM person WHERE id = :id"),
            {"id": person_of[victim.case_id]},
        )
        connection.execute(
            text("UPDATE person SET full_name_ct = :name WHERE id = :id"),
            {"name": stolen, "id": person_of[other["id"]]},
        )
    engine.dispose()
    # The ciphertext is bound to its row: the other case does not show the victim's name.
    read = matrix_world.client_for("supervisor_a").get(f"/api/v1/cases/{other['id']}")
    assert IDENTITY["full_name"] not in read.get_data(as_text=True)
    assert read.status_code != 200
    result = _cli(matrix_world.app, "casework", "verify")
    assert result.exit_code != 0
    assert "person" in result.output and "full_name" in result.output


def test_a_stage_changed_behind_the_history_is_named_by_verify(matrix_world):
    victim = open_victim(matrix_world)
    assert _cli(matrix_world.app, "casework", "verify").exit_code == 0
    engine = _as_owner(matrix_world.app)
    with engine.begin() as connection:
        connection.execute(text("UPDATE case_file SET stage = 'closed'"))
    engine.dispose()
    result = _cli(matrix_world.app, "casework", "verify")
    assert result.exit_code != 0
    assert f"case {victim.reference}: stage closed but history ends at" in result.output


def test_deleting_the_end_of_the_audit_trail_is_found_against_the_checkpoint(matrix_world):
    open_victim(matrix_world)
    assert _cli(matrix_world.app, "audit", "checkpoint").exit_code == 0
    engine = _as_owner(matrix_world.app)
    with engine.begin() as connection:
        unprotect(connection)
        last = connection.scalar(text("SELECT max(seq) FROM audit_event"))
        connection.execute(text("DELETE FROM audit_event WHERE seq > :keep"), {"keep": last - 3})
    engine.dispose()
    result = _cli(matrix_world.app, "audit", "verify")
    assert result.exit_code == 1
    assert f"rows {last - 2:,}..{last:,} missing" in result.output


def test_a_service_started_with_the_operators_own_key_serves_and_writes_nothing(
    matrix_world, tmp_path
):
    open_victim(matrix_world)
    with matrix_world.app.app_context():
        rows = db.session.execute(text("SELECT count(*) FROM audit_event")).scalar()
        db.session.remove()
    own_key = base64.b64encode(b"the operator's 32-byte own key!!").decode()
    theirs = make_app(
        tmp_path / "theirs",
        matrix_world.app.config["SQLALCHEMY_DATABASE_URI"],
        environ={"CASEWORK_ROOT_KEY": own_key},
    )
    client = theirs.test_client()
    login = client.post(
        "/api/v1/auth/login", json={"username": "worker_a", "password": "wrong password!"}
    )
    health = client.get("/healthz")
    opened = client.post("/api/v1/cases", json=case_body())
    assert (login.status_code, health.status_code, opened.status_code) == (503, 503, 503)
    assert health.get_json()["keys"] == "mismatch"
    with matrix_world.app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM audit_event")).scalar() == rows
        db.session.remove()
