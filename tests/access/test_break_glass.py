"""Need-to-know and break-glass: a masked identity revealed only with a written, audited reason
that the supervisors above can read."""

from __future__ import annotations

from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.extensions import db
from tests.conftest import case_body


def trafficking_case(world, unit="00004"):
    opener = world.client_for("supervisor_province")  # opens unassigned
    response = opener.post("/api/v1/cases", json=case_body("trafficking_victim", unit=unit))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


REASON = {"reason": "Gọi điện xác minh địa chỉ cho lần thăm nhà ngày mai"}


def test_a_worker_reveals_a_masked_identity_with_a_reason(world):
    case_id = trafficking_case(world)
    worker = world.client_for("worker_a")
    assert worker.get(f"/api/v1/cases/{case_id}").get_json()["person"]["full_name"] is None
    revealed = worker.post(f"/api/v1/cases/{case_id}/reveal", json=REASON)
    assert revealed.status_code == 201, revealed.get_json()
    person = worker.get(f"/api/v1/cases/{case_id}").get_json()["person"]
    assert person["full_name"] == "Nguyễn Thị Hoa" and person["masked"] == []
    with world.app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == case_id)
            .order_by(AuditEvent.seq)
        ).all()
        assert "case.break_glass" in actions and actions[-1] == "case.view_identity"
        entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.break_glass"))
        assert REASON["reason"] not in str(entry.detail)  # the reason stays encrypted


def test_the_reason_is_required_and_substantial(world):
    case_id = trafficking_case(world)
    worker = world.client_for("worker_a")
    assert worker.post(f"/api/v1/cases/{case_id}/reveal", json={}).status_code == 422
    assert (
        worker.post(f"/api/v1/cases/{case_id}/reveal", json={"reason": "need it"}).status_code
        == 422
    )
    assert worker.get(f"/api/v1/cases/{case_id}").get_json()["person"]["full_name"] is None


def test_a_case_out_of_scope_cannot_be_revealed(world):
    case_id = trafficking_case(world, unit="00008")
    response = world.client_for("worker_a").post(f"/api/v1/cases/{case_id}/reveal", json=REASON)
    assert response.status_code == 404


def test_no_reveal_for_who_already_sees_or_may_never_see(world):
    case_id = trafficking_case(world)
    assert (
        world.client_for("supervisor_a")
        .post(f"/api/v1/cases/{case_id}/reveal", json=REASON)
        .status_code
        == 409
    )
    for username in ("statistician", "administrator", "auditor"):
        response = world.client_for(username).post(f"/api/v1/cases/{case_id}/reveal", json=REASON)
        assert response.status_code == 404


def test_supervisors_above_see_the_reveals_and_their_reasons(world):
    case_id = trafficking_case(world)
    world.client_for("worker_a").post(f"/api/v1/cases/{case_id}/reveal", json=REASON)
    for username in ("supervisor_a", "supervisor_province"):
        listed = world.client_for(username).get("/api/v1/reveals").get_json()
        assert [(r["username"], r["reason"]) for r in listed] == [("worker_a", REASON["reason"])]
    assert world.client_for("supervisor_b").get("/api/v1/reveals").get_json() == []
    assert world.client_for("worker_a").get("/api/v1/reveals").status_code == 403
