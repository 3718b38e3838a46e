"""Administrators manage the accounts of their subtree, and nothing else."""

from __future__ import annotations

from tests.accounts.support import bearer, decide, enrol, user_row
from tests.conftest import PASSWORD, ApiClient

NEW_USER = {
    "username": "lan.tran",
    "display_name": "Trần Thị Lan",
    "unit": "00004",
    "roles": ["social_worker"],
}
OWN_PASSWORD = "my own long passphrase"


def test_an_administrator_creates_an_account_whose_holder_sets_the_password(world):
    admin = world.client_for("administrator")
    created = admin.post("/api/v1/users", json={**NEW_USER, "roles": ["statistician"]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["roles"][0]["role"] == "statistician" and body["awaiting_enrolment"] is True
    code = body["enrolment_code"]["code"]
    # Shown once: the account's page never shows it again.
    assert code not in admin.get(f"/api/v1/users/{body['id']}").get_data(as_text=True)
    api = ApiClient(world.app.test_client())
    assert api.login("lan.tran", "!").status_code == 401  # no password works yet
    assert enrol(world.app, code, OWN_PASSWORD).get_json() == {"username": "lan.tran"}
    assert api.login("lan.tran", OWN_PASSWORD).get_json()["pending"] == []
    assert admin.get(f"/api/v1/users/{body['id']}").get_json()["awaiting_enrolment"] is False


def test_an_administrator_cannot_create_a_case_reader_with_a_password_it_chose(world):
    """Issue 16, finding 3: the reproduction, and what takes its place."""
    admin = world.client_for("administrator")
    body = {**NEW_USER, "roles": ["supervisor"], "password": "temporary passphrase 7"}
    refused = admin.post("/api/v1/users", json=body)
    assert refused.status_code == 422 and "password" in refused.get_json()["errors"]
    del body["password"]
    created = admin.post("/api/v1/users", json=body).get_json()
    assert created["roles"] == [] and created["enrolment_code"] is None
    assert [(p["role"], p["unit"]) for p in created["pending_roles"]] == [("supervisor", "00004")]
    api = ApiClient(world.app.test_client())
    assert api.login("lan.tran", "temporary passphrase 7").status_code == 401


def test_units_outside_the_subtree_are_refused(world):
    admin = world.client_for("administrator")
    response = admin.post("/api/v1/users", json={**NEW_USER, "unit": "26734"})
    assert response.status_code == 422 and "unit" in response.get_json()["errors"]
    user_id = user_row(world.app, "worker_a").id
    grant = admin.post(
        f"/api/v1/users/{user_id}/roles", json={"role": "supervisor", "unit": "26734"}
    )
    assert grant.status_code == 422


def test_users_outside_the_subtree_are_not_found(world):
    admin = world.client_for("administrator")
    outsider = user_row(world.app, "worker_hcm").id
    assert admin.get(f"/api/v1/users/{outsider}").status_code == 404
    assert admin.patch(f"/api/v1/users/{outsider}", json={"active": False}).status_code == 404
    usernames = {u["username"] for u in admin.get("/api/v1/users?per_page=100").get_json()}
    assert "worker_a" in usernames and "worker_hcm" not in usernames


def test_unknown_fields_are_refused(world):
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "worker_a").id
    response = admin.patch(f"/api/v1/users/{user_id}", json={"unit": "00008"})
    assert response.status_code == 422


def test_disabling_a_user_ends_sessions_and_tokens(world):
    worker = world.client_for("worker_a")
    token = worker.post("/api/v1/tokens", json={"name": "t", "expires_in_days": 5}).get_json()
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "worker_a").id
    assert admin.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    assert worker.get("/api/v1/me").status_code == 401
    client = world.app.test_client()
    assert client.get("/api/v1/me", headers=bearer(token["token"])).status_code == 401
    # Re-enabling does not bring the old credentials back.
    assert admin.patch(f"/api/v1/users/{user_id}", json={"active": True}).status_code == 200
    assert worker.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer(token["token"])).status_code == 401


def test_roles_are_granted_and_taken_away(world):
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "worker_a").id
    granted = admin.post(
        f"/api/v1/users/{user_id}/roles", json={"role": "statistician", "unit": "00004"}
    )
    assert granted.status_code == 201 and granted.get_json()["status"] == "active"
    again = admin.post(
        f"/api/v1/users/{user_id}/roles", json={"role": "statistician", "unit": "00004"}
    )
    assert again.status_code == 409
    me = world.client_for("worker_a").get("/api/v1/me").get_json()
    assert "report.view" in me["permissions"]
    removed = admin.delete(f"/api/v1/users/{user_id}/roles/{granted.get_json()['id']}")
    assert removed.status_code == 204
    assert user_row(world.app, "worker_a").role_names == {"social_worker"}


def test_a_case_role_waits_for_a_supervisor_of_its_unit(world):
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "worker_a").id
    asked = admin.post(
        f"/api/v1/users/{user_id}/roles", json={"role": "supervisor", "unit": "00004"}
    )
    assert asked.status_code == 202 and asked.get_json()["status"] == "pending"
    again = admin.post(
        f"/api/v1/users/{user_id}/roles", json={"role": "supervisor", "unit": "00004"}
    )
    assert again.status_code == 409
    worker = world.client_for("worker_a")
    assert "case.approve" not in worker.get("/api/v1/me").get_json()["permissions"]
    approved = decide(world.client_for("supervisor_a"), asked.get_json()["id"])
    assert approved.status_code == 200 and approved.get_json()["enrolment_code"] is None
    # worker_a's password was never in an administrator's hands: it stays, and so does the session.
    assert "case.approve" in worker.get("/api/v1/me").get_json()["permissions"]


def test_administrators_do_not_change_their_own_roles(world):
    admin = world.client_for("administrator")
    own_id = user_row(world.app, "administrator").id
    response = admin.post(
        f"/api/v1/users/{own_id}/roles", json={"role": "supervisor", "unit": "01"}
    )
    assert response.status_code == 403


def test_a_password_reset_ends_sessions_and_tokens_and_issues_a_code(world):
    """Issue 16, finding 6 (reset by an administrator): the tokens go with the password."""
    statistician = world.client_for("statistician")
    token = statistician.post("/api/v1/tokens", json={"name": "t", "expires_in_days": 5})
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "statistician").id
    refused = admin.post(f"/api/v1/users/{user_id}/password-reset", json={"password": "x" * 12})
    assert refused.status_code == 422  # an administrator does not choose passwords
    reset = admin.post(f"/api/v1/users/{user_id}/password-reset", json={})
    assert reset.status_code == 200 and reset.get_json()["awaiting_approval"] == []
    assert statistician.get("/api/v1/me").status_code == 401
    client = world.app.test_client()
    assert client.get("/api/v1/me", headers=bearer(token.get_json()["token"])).status_code == 401
    api = ApiClient(world.app.test_client())
    assert api.login("statistician", PASSWORD).status_code == 401
    assert (
        enrol(world.app, reset.get_json()["enrolment_code"]["code"], OWN_PASSWORD).status_code
        == 200
    )
    assert api.login("statistician", OWN_PASSWORD).status_code == 200


def test_a_password_reset_suspends_case_roles_until_a_supervisor_approves_again(world):
    worker = world.client_for("worker_a")
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "worker_a").id
    reset = admin.post(f"/api/v1/users/{user_id}/password-reset").get_json()
    assert reset["enrolment_code"] is None  # the administrator gets nothing to log in with
    [waiting] = reset["awaiting_approval"]
    assert (waiting["role"], waiting["unit"], waiting["cause"]) == (
        "social_worker",
        "00004",
        "reset",
    )
    assert worker.get("/api/v1/me").status_code == 401
    assert user_row(world.app, "worker_a").role_names == set()
    approved = decide(world.client_for("supervisor_a"), waiting["id"]).get_json()
    code = approved["enrolment_code"]["code"]  # handed over by the supervisor, in person
    assert enrol(world.app, code, OWN_PASSWORD).status_code == 200
    again = ApiClient(world.app.test_client())
    again.login("worker_a", OWN_PASSWORD)
    assert again.get("/api/v1/me").get_json()["roles"][0]["role"] == "social_worker"


def test_other_roles_cannot_administer(world):
    for username in ("worker_a", "supervisor_province", "statistician", "auditor"):
        api = world.client_for(username)
        assert api.get("/api/v1/users").status_code == 403
        assert api.post("/api/v1/users", json=NEW_USER).status_code == 403


def test_administrators_see_no_case_rows(world):
    world.client_for("worker_a").post(
        "/api/v1/cases",
        json={
            "case_type": "post_rehab",
            "unit": "00004",
            "person": {"full_name": "A", "sex": "male"},
        },
    )
    assert world.client_for("administrator").get("/api/v1/cases").get_json() == []
