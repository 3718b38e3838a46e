"""Administrators manage the accounts of their subtree, and nothing else."""

from __future__ import annotations

from tests.accounts.support import bearer, user_row
from tests.conftest import PASSWORD, ApiClient

NEW_USER = {
    "username": "lan.tran",
    "display_name": "Trần Thị Lan",
    "unit": "00004",
    "roles": ["social_worker"],
    "password": "temporary passphrase 7",
}


def test_an_administrator_creates_a_user_who_must_change_the_password(world):
    admin = world.client_for("administrator")
    created = admin.post("/api/v1/users", json=NEW_USER)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["roles"][0]["role"] == "social_worker" and body["password_must_change"] is True
    assert "password" not in body
    api = ApiClient(world.app.test_client())
    assert api.login("lan.tran", NEW_USER["password"]).get_json()["pending"] == ["password_change"]
    assert api.get("/api/v1/cases").status_code == 403
    changed = api.post(
        "/api/v1/auth/password",
        json={"current_password": NEW_USER["password"], "new_password": "my own long passphrase"},
    )
    assert changed.status_code == 204
    assert api.get("/api/v1/cases").status_code == 200


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
        f"/api/v1/users/{user_id}/roles", json={"role": "supervisor", "unit": "00004"}
    )
    assert granted.status_code == 201
    again = admin.post(
        f"/api/v1/users/{user_id}/roles", json={"role": "supervisor", "unit": "00004"}
    )
    assert again.status_code == 409
    me = world.client_for("worker_a").get("/api/v1/me").get_json()
    assert "case.approve" in me["permissions"]
    removed = admin.delete(f"/api/v1/users/{user_id}/roles/{granted.get_json()['id']}")
    assert removed.status_code == 204
    assert user_row(world.app, "worker_a").role_names == {"social_worker"}


def test_administrators_do_not_change_their_own_roles(world):
    admin = world.client_for("administrator")
    own_id = user_row(world.app, "administrator").id
    response = admin.post(
        f"/api/v1/users/{own_id}/roles", json={"role": "supervisor", "unit": "01"}
    )
    assert response.status_code == 403


def test_a_password_reset_ends_access_and_forces_a_change(world):
    worker = world.client_for("worker_a")
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "worker_a").id
    temporary = "temporary passphrase 9"
    assert (
        admin.post(
            f"/api/v1/users/{user_id}/password-reset", json={"password": temporary}
        ).status_code
        == 204
    )
    assert worker.get("/api/v1/me").status_code == 401
    api = ApiClient(world.app.test_client())
    assert api.login("worker_a", PASSWORD).status_code == 401
    assert api.login("worker_a", temporary).get_json()["pending"] == ["password_change"]


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
