"""Counselling sessions and visits, and overdue visits on the worker's list."""

from __future__ import annotations

from datetime import timedelta

from casework.extensions import db
from casework.model_base import vietnam_today
from tests.conftest import recorded_statements
from tests.services.conftest import open_case, set_case

TODAY = vietnam_today()


def note(api, case_id, **body):
    body = {"kind": "home_visit", "content": "Thăm nhà, gia đình hỗ trợ tốt.", **body}
    return api.post(f"/api/v1/cases/{case_id}/notes", json=body)


def days(n):
    return (TODAY + timedelta(days=n)).isoformat()


def test_a_note_is_written_read_back_and_encrypted_at_rest(world, worker, case):
    response = note(
        worker,
        case["id"],
        kind="counselling_psychological",
        content="Tư vấn tâm lý lần 1",
        next_visit_on=days(7),
    )
    assert response.status_code == 201
    notes = worker.get(f"/api/v1/cases/{case['id']}/notes").get_json()
    assert [(n["kind"], n["content"], n["author"]) for n in notes] == [
        ("counselling_psychological", "Tư vấn tâm lý lần 1", "worker_a")
    ]
    with world.app.app_context():
        raw = db.session.execute(db.text("SELECT content_ct FROM case_note")).scalar()
        db.session.remove()
    assert "Tư vấn".encode() not in bytes(raw)


def test_note_dates_must_make_sense(world, worker, case):
    assert note(worker, case["id"], occurred_on=days(1)).status_code == 422
    assert note(worker, case["id"], occurred_on=days(-3), next_visit_on=days(-5)).status_code == 422
    assert note(worker, case["id"], kind="gossip").status_code == 422
    assert note(worker, case["id"], content="").status_code == 422


def test_trafficking_notes_are_masked_for_colleagues_without_need_to_know(world, worker):
    case = open_case(worker, case_type="trafficking_victim")
    note(worker, case["id"], content="Nạn nhân kể về đường dây")
    seen = world.client_for("worker_a2").get(f"/api/v1/cases/{case['id']}/notes").get_json()
    assert seen[0]["content"] is None and seen[0]["masked"] is True


def test_a_worker_without_note_permission_cannot_write(world, case):
    assert note(world.client_for("statistician"), case["id"]).status_code == 404


def overdue_ids(api, flag="true"):
    return {c["id"] for c in api.get(f"/api/v1/cases?visit_overdue={flag}&per_page=100").get_json()}


def test_a_visit_planned_before_today_makes_the_case_overdue_until_a_later_note(world, worker):
    late = open_case(worker)
    on_time = open_case(worker, national_id="001194099999", phone="0987654321")
    no_notes = open_case(worker, national_id="001194088888", phone="0987654322")
    note(worker, late["id"], occurred_on=days(-30), next_visit_on=days(-2))
    note(worker, on_time["id"], occurred_on=days(-30), next_visit_on=days(3))
    assert overdue_ids(worker) == {late["id"]}
    assert late["id"] not in overdue_ids(worker, "false")
    assert {on_time["id"], no_notes["id"]} <= overdue_ids(worker, "false")

    note(worker, late["id"], kind="phone_call", occurred_on=days(-1), next_visit_on=days(10))
    assert overdue_ids(worker) == set()


def test_a_closed_case_is_never_visit_overdue(world, worker, case):
    note(worker, case["id"], occurred_on=days(-30), next_visit_on=days(-2))
    set_case(world, case["id"], stage="closed")
    assert overdue_ids(worker) == set()
    assert note(worker, case["id"]).status_code == 409


def test_notes_name_their_authors_without_loading_users(world, worker, case):
    """The note just written names its author, and a list of several authors' notes names them
    all from one lookup (not a User object, with its unit and roles, per author)."""
    supervisor = world.client_for("supervisor_a")
    with recorded_statements(world.app) as seen:
        written = note(worker, case["id"]).get_json()
        assert note(supervisor, case["id"]).status_code == 201
        listed = worker.get(f"/api/v1/cases/{case['id']}/notes").get_json()
    assert written["author"] == "worker_a"
    assert sorted(n["author"] for n in listed) == ["supervisor_a", "worker_a"]
    user_reads = [
        s for s in seen if "user_account" in s and "user_session" not in s
    ]  # the bearer lookups read user_session
    assert len(user_reads) == 1 and "role_assignment" not in user_reads[0]
