"""Erasure by crypto-shredding: asked by a supervisor, approved by a second person; the person's
data is gone everywhere, coded columns and statistics stay."""

from __future__ import annotations

import shutil
import uuid

import pytest
from sqlalchemy import select, text

from casework.audit.models import AuditEvent
from casework.crypto.person_keys import PersonDataKey
from casework.extensions import db
from casework.people.models import Person
from tests.conftest import case_body

NAME = "Đinh Thị Xoan"


def _actions(app) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        db.session.remove()
    return found


def test_a_supervisor_asks_a_second_person_approves_and_the_person_is_erased(world, people):
    case, person_id = people.closed(full_name=NAME, health_notes="HIV+, điều trị ARV")
    supervisor = world.client_for("supervisor_a")
    asked = supervisor.post(f"/api/v1/people/{person_id}/erasure", json={"reason": "other"})
    assert asked.status_code == 202 and asked.get_json()["status"] == "requested"
    own = supervisor.post(f"/api/v1/people/{person_id}/erasure/approve")
    assert own.status_code == 403
    approved = world.client_for("supervisor_province").post(
        f"/api/v1/people/{person_id}/erasure/approve"
    )
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "erased"

    shown = supervisor.get(f"/api/v1/cases/{case['id']}").get_json()
    person = shown["person"]
    assert person["full_name"] is None and person["health_notes"] is None
    assert person["erased_at"] and person["erasure_reason"] == "other"
    assert person["sex"] == "female" and person["birth_year"] == 1994  # coded columns stay
    assert shown["case_type"] == "post_rehab" and shown["stage"] == "closed"
    with world.app.app_context():
        assert db.session.get(PersonDataKey, person_id) is None
        db.session.remove()
    actions = _actions(world.app)
    assert "person.erasure_request" in actions and "person.erasure" in actions


def test_the_case_page_says_when_and_why_the_person_was_erased(world, people):
    case, person_id = people.closed(full_name=NAME)
    people.erase(person_id)
    page = world.client_for("supervisor_a").get(f"/cases/{case['id']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert NAME not in body
    assert "erased" in body.lower() or "đã xoá" in body.lower()


def test_erasure_is_refused_while_a_case_is_open_or_a_legal_hold_stands(world, people):
    case = people.open(full_name=NAME)
    person_id = people.person_id(case)
    supervisor = world.client_for("supervisor_a")
    refused = supervisor.post(f"/api/v1/people/{person_id}/erasure", json={"reason": "other"})
    assert refused.status_code == 409
    people.close(case)
    with world.app.app_context():
        db.session.get(Person, person_id).legal_hold = True
        db.session.commit()
        db.session.remove()
    held = supervisor.post(f"/api/v1/people/{person_id}/erasure", json={"reason": "other"})
    assert held.status_code == 409
    assert "person.erasure_request" in _actions(world.app)  # the refusal is audited


def test_an_unknown_or_out_of_scope_person_is_not_found_and_a_worker_may_not_ask(world, people):
    _case, person_id = people.closed(full_name=NAME)
    body = {"reason": "data_subject_request"}
    neighbour = world.client_for("supervisor_b")  # another commune
    assert neighbour.post(f"/api/v1/people/{person_id}/erasure", json=body).status_code == 404
    unknown = world.client_for("supervisor_a").post(
        f"/api/v1/people/{uuid.uuid4()}/erasure", json=body
    )
    assert unknown.status_code == 404
    bogus = world.client_for("supervisor_a").post("/api/v1/people/nope/erasure", json=body)
    assert bogus.status_code == 404
    worker = world.client_for("worker_a")
    assert worker.post(f"/api/v1/people/{person_id}/erasure", json=body).status_code == 403
    bad = world.client_for("supervisor_a").post(
        f"/api/v1/people/{person_id}/erasure", json={"reason": "whim"}
    )
    assert bad.status_code == 422


def test_statistics_and_coded_columns_are_identical_before_and_after_an_erasure(world, people):
    for n in range(3):
        people.closed(full_name=f"Người {n}", date_of_birth=f"199{n}-01-01")
    _case, person_id = people.closed(full_name=NAME)
    coded = (
        "SELECT c.case_type, c.stage, c.unit_id, c.recorded_unit_id, c.opened_on, c.closed_on,"
        " c.closure_reason, p.sex, p.birth_year FROM case_file c JOIN person p"
        " ON p.id = c.person_id ORDER BY c.reference"
    )
    history = "SELECT event, from_stage, to_stage, unit_id, at FROM case_event ORDER BY at, seq"
    runner = world.app.test_cli_runner()

    def snapshot():
        assert runner.invoke(args=["stats", "refresh"]).exit_code == 0
        stats = world.client_for("statistician").get("/api/v1/stats/indicators?unit=01&period=2026")
        assert stats.status_code == 200
        with world.app.app_context():
            rows = [[tuple(r) for r in db.session.execute(text(sql))] for sql in (coded, history)]
            db.session.remove()
        return rows, stats.get_json()["sections"]  # every count of every table

    before = snapshot()
    people.erase(person_id)
    after = snapshot()
    assert after == before


def test_a_backup_made_before_the_erasure_restores_without_the_erased_person(
    world, people, tmp_path, database_url, owner_app
):
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    kept_case = people.open(full_name="Vì Văn Còn", national_id="001090000777", phone="0987000111")
    erased_case, person_id = people.closed(full_name=NAME)
    archive = tmp_path / "before-erasure.tar.gz"
    made = world.app.test_cli_runner().invoke(args=["casework", "backup", str(archive)])
    assert made.exit_code == 0, made.output
    people.erase(person_id)

    owner_app.config["CASEWORK_ERASURE_LEDGER"] = str(
        world.app.config.get("CASEWORK_ERASURE_LEDGER")
        or f"{world.app.instance_path}/erasures.jsonl"
    )
    restored = owner_app.test_cli_runner().invoke(
        args=["casework", "restore", "--yes", str(archive)]
    )
    assert restored.exit_code == 0, restored.output
    assert "erasures replayed: 1" in restored.output
    if database_url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        role = make_url(world.app.config["SQLALCHEMY_DATABASE_URI"]).username
        granted = owner_app.test_cli_runner().invoke(
            args=["casework", "grants", "--role", role, "--apply"]
        )
        assert granted.exit_code == 0, granted.output
    api = world.client_for("supervisor_a")
    gone = api.get(f"/api/v1/cases/{erased_case['id']}").get_json()["person"]
    assert gone["full_name"] is None and gone["erased_at"] is not None
    kept = api.get(f"/api/v1/cases/{kept_case['id']}").get_json()["person"]
    assert kept["full_name"] == "Vì Văn Còn" and kept["national_id"] == "001090000777"
    with world.app.app_context():
        assert db.session.get(PersonDataKey, person_id) is None
        db.session.remove()
    # And the archive itself holds no plaintext of the person.
    import tarfile

    with tarfile.open(archive, "r:gz") as tar:
        raw = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    assert NAME.encode() not in raw
    assert case_body  # (imported for the shape of the person above)


def test_nothing_more_is_written_about_an_erased_person(world, people):
    from casework.crypto.person_keys import PersonErasedError

    _case, person_id = people.closed(full_name=NAME)
    people.erase(person_id)
    with world.app.app_context():
        person = db.session.get(Person, person_id)
        with pytest.raises(PersonErasedError):
            person.full_name = "Một tên mới"
            db.session.flush()
        db.session.rollback()
        db.session.remove()


def test_a_write_about_an_erased_person_answers_409_and_keeps_nothing(own_app):
    from casework.crypto.person_keys import PersonErasedError

    @own_app.get("/api/v1/erased-write")
    def erased_write():
        raise PersonErasedError("this person's data was erased: nothing more is written about them")

    response = own_app.test_client().get("/api/v1/erased-write")
    assert response.status_code == 409
    assert response.get_json()["code"] == "person_erased"
