"""Four eyes on case access: a case role waits for a supervisor at its unit or above, who is
neither the person who asked nor the account's holder; every step is audited."""

from __future__ import annotations

from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.extensions import db
from tests.accounts.support import bearer, decide, enrol, user_row
from tests.accounts.test_totp import enrol as enrol_totp
from tests.conftest import PASSWORD, ApiClient


def ask(world, username: str = "worker_a", role: str = "supervisor", unit: str = "00004") -> str:
    admin = world.client_for("administrator")
    user_id = user_row(world.app, username).id
    response = admin.post(f"/api/v1/users/{user_id}/roles", json={"role": role, "unit": unit})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def make_user(world, username: str, roles: list[str], unit: str) -> None:
    from casework.accounts.operations import create_user

    with world.app.app_context():
        create_user(db.session, username, PASSWORD, roles=roles, unit_code=unit)
        db.session.commit()


def test_only_a_supervisor_at_the_unit_or_above_decides(world):
    request_id = ask(world)
    for username, status in [
        ("worker_a", 403),  # reads cases, but approves nothing
        ("administrator", 403),
        ("statistician", 403),
        ("supervisor_b", 404),  # the sibling commune: as if it did not exist
    ]:
        assert decide(world.client_for(username), request_id).status_code == status, username
    assert decide(world.client_for("supervisor_province"), request_id).status_code == 200
    assert "supervisor" in user_row(world.app, "worker_a").role_names


def test_a_decision_is_made_once(world):
    request_id = ask(world)
    assert decide(world.client_for("supervisor_a"), request_id, "refuse").status_code == 200
    assert decide(world.client_for("supervisor_province"), request_id).status_code == 409
    assert user_row(world.app, "worker_a").role_names == {"social_worker"}


def test_who_asked_cannot_approve_and_nobody_approves_their_own_role(world):
    make_user(world, "admin_sup", ["administrator", "supervisor"], "01")
    both = world.client_for("admin_sup")
    worker_id = user_row(world.app, "worker_a").id
    asked = both.post(f"/api/v1/users/{worker_id}/roles", json={"role": "supervisor", "unit": "01"})
    assert asked.status_code == 202
    assert decide(both, asked.get_json()["id"]).status_code == 403
    own = ask(world, "admin_sup", "social_worker", "00004")
    assert decide(both, own).status_code == 403
    assert decide(world.client_for("supervisor_province"), own).status_code == 200


def test_an_api_token_cannot_be_the_second_pair_of_eyes(world):
    request_id = ask(world)
    supervisor = world.client_for("supervisor_a")
    secret = supervisor.post("/api/v1/tokens", json={"name": "t", "expires_in_days": 5})
    response = world.app.test_client().post(
        f"/api/v1/role-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=bearer(secret.get_json()["token"]),
    )
    assert response.status_code == 403


def test_supervisors_and_administrators_list_the_requests_of_their_subtree(world):
    here = ask(world)
    there = ask(world, "worker_b", "supervisor", "00008")
    listed = {
        username: {
            r["id"] for r in world.client_for(username).get("/api/v1/role-requests").get_json()
        }
        for username in ("supervisor_a", "supervisor_b", "supervisor_province", "administrator")
    }
    assert listed["supervisor_a"] == {here} and listed["supervisor_b"] == {there}
    assert listed["supervisor_province"] == listed["administrator"] == {here, there}
    assert world.client_for("worker_a").get("/api/v1/role-requests").status_code == 403
    request = world.client_for("supervisor_a").get(f"/api/v1/role-requests/{here}").get_json()
    assert (request["username"], request["role"], request["requested_by"]) == (
        "worker_a",
        "supervisor",
        "administrator",
    )


def test_an_administrator_withdraws_a_waiting_request(world):
    request_id = ask(world)
    assert (
        world.client_for("supervisor_a").delete(f"/api/v1/role-requests/{request_id}").status_code
        == 403
    )
    admin = world.client_for("administrator")
    assert admin.delete(f"/api/v1/role-requests/{request_id}").status_code == 204
    assert admin.delete(f"/api/v1/role-requests/{request_id}").status_code == 409
    assert decide(world.client_for("supervisor_a"), request_id).status_code == 409
    withdrawn = admin.get("/api/v1/role-requests?status=withdrawn").get_json()
    assert [r["id"] for r in withdrawn] == [request_id]


def test_approving_an_unvouched_account_replaces_its_credential(world):
    """The administrator created the account and saw its code: whatever it made of it dies."""
    admin = world.client_for("administrator")
    created = admin.post(
        "/api/v1/users", json={"username": "ghost", "unit": "00004", "roles": ["statistician"]}
    ).get_json()
    assert (
        enrol(world.app, created["enrolment_code"]["code"], "the admin's passphrase").status_code
        == 200
    )
    ghost = ApiClient(world.app.test_client())
    ghost.login("ghost", "the admin's passphrase")
    token = ghost.post("/api/v1/tokens", json={"name": "t", "expires_in_days": 5}).get_json()
    enrol_totp(ghost)  # a second factor on the administrator's phone
    request_id = ask(world, "ghost", "social_worker", "00004")
    approved = decide(world.client_for("supervisor_a"), request_id).get_json()
    code = approved["enrolment_code"]["code"]  # for the supervisor to hand over
    assert ghost.get("/api/v1/me").status_code == 401
    assert (
        world.app.test_client().get("/api/v1/me", headers=bearer(token["token"])).status_code == 401
    )
    assert (
        ApiClient(world.app.test_client()).login("ghost", "the admin's passphrase").status_code
        == 401
    )
    # The real holder, with the supervisor's code, gets in without the administrator's phone.
    assert enrol(world.app, code, "the holder's own phrase").status_code == 200
    holder = ApiClient(world.app.test_client())
    assert holder.login("ghost", "the holder's own phrase").status_code == 200
    roles = {r["role"] for r in holder.get("/api/v1/me").get_json()["roles"]}
    assert roles == {"statistician", "social_worker"}


def test_every_step_is_audited_with_who_did_it(world):
    request_id = ask(world)
    decide(world.client_for("supervisor_a"), request_id)
    with world.app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("user.role_%")).order_by(AuditEvent.seq)
        ).all()
        seen = [(r.action, r.actor_username, r.detail["role"], r.detail["request"]) for r in rows]
    assert seen == [
        ("user.role_request", "administrator", "supervisor", request_id),
        ("user.role_approve", "supervisor_a", "supervisor", request_id),
    ]
