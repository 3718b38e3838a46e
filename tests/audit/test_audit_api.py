"""``GET /api/v1/audit``: auditors only, scoped to their subtree, filterable and paginated."""

from __future__ import annotations

import json

from tests.conftest import case_body


def test_only_auditors_read_the_trail(world):
    for username in ("worker_a", "supervisor_province", "statistician", "administrator"):
        assert world.client_for(username).get("/api/v1/audit").status_code == 403
    assert world.app.test_client().get("/api/v1/audit").status_code == 401
    assert world.client_for("auditor").get("/api/v1/audit").status_code == 200


def test_filters_by_action_actor_object_and_outcome(world):
    worker = world.client_for("worker_a")
    case = worker.post("/api/v1/cases", json=case_body()).get_json()
    world.app.test_client().post(
        "/api/v1/auth/login", json={"username": "worker_b", "password": "wrong password"}
    )
    auditor = world.client_for("auditor")
    created = auditor.get("/api/v1/audit?action=case.create").get_json()
    assert [(e["actor_username"], e["object_id"]) for e in created] == [("worker_a", case["id"])]
    assert created[0]["detail"]["fields"]  # field names …
    assert "Nguyễn Thị Hoa" not in json.dumps(created)  # … never values
    logins = auditor.get("/api/v1/audit?action=auth.&outcome=failed").get_json()
    assert [e["actor_username"] for e in logins] == ["worker_b"]
    by_actor = auditor.get("/api/v1/audit?actor=worker_a").get_json()
    assert {e["action"] for e in by_actor} >= {"auth.login", "case.create"}
    by_object = auditor.get(f"/api/v1/audit?object_id={case['id']}").get_json()
    assert {e["action"] for e in by_object} == {"case.create"}


def test_date_range_and_pagination(world):
    for _ in range(3):
        world.client_for("worker_a")
    auditor = world.client_for("auditor")
    page = auditor.get("/api/v1/audit?action=auth.login&per_page=2")
    assert len(page.get_json()) == 2 and '"total": 4' in page.headers["X-Pagination"]
    assert auditor.get("/api/v1/audit?per_page=101").status_code == 422
    assert auditor.get("/api/v1/audit?until=2000-01-01T00:00:00").get_json() == []
    assert (
        len(auditor.get("/api/v1/audit?since=2000-01-01T00:00:00&action=auth.login").get_json())
        == 4
    )


def test_an_auditor_reads_only_their_subtree(world):
    world.client_for("worker_hcm").post("/api/v1/cases", json=case_body(unit="26734"))
    entries = world.client_for("auditor").get("/api/v1/audit?per_page=100").get_json()
    assert "worker_hcm" not in {e["actor_username"] for e in entries}


def test_denied_access_to_a_case_is_audited(world):
    case = world.client_for("worker_a").post("/api/v1/cases", json=case_body()).get_json()
    outsider = world.client_for("worker_b")
    assert outsider.get(f"/api/v1/cases/{case['id']}").status_code == 404
    statistician = world.client_for("statistician")
    assert statistician.post("/api/v1/cases", json=case_body()).status_code == 403
    denied = world.client_for("auditor").get("/api/v1/audit?outcome=denied").get_json()
    assert {(e["actor_username"], e["object_id"], e["detail"]["status"]) for e in denied} == {
        ("worker_b", case["id"], 404),
        ("statistician", None, 403),
    }


def test_reading_identity_and_searching_are_audited(world):
    worker = world.client_for("worker_a")
    case = worker.post("/api/v1/cases", json=case_body()).get_json()
    worker.get(f"/api/v1/cases/{case['id']}")
    worker.get("/api/v1/people/search?national_id=001194012345")
    actions = [
        e["action"]
        for e in world.client_for("auditor").get("/api/v1/audit?actor=worker_a").get_json()
    ]
    assert "case.view_identity" in actions and "people.search" in actions
