"""Personal access tokens: shown once, stored hashed, expiring, revocable, never more than
their user."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select, update

from casework.accounts.models import ApiToken
from casework.extensions import db
from casework.model_base import utcnow
from tests.accounts.support import bearer, set_user
from tests.conftest import case_body


def new_token(api, name="sync", days=30):
    response = api.post("/api/v1/tokens", json={"name": name, "expires_in_days": days})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_token_is_shown_once_and_stored_as_a_hash(world):
    api = world.client_for("worker_a")
    created = new_token(api)
    secret = created["token"]
    assert secret.startswith("cwp_") and len(secret) > 40
    listed = api.get("/api/v1/tokens").get_json()
    assert [t["name"] for t in listed] == ["sync"]
    assert "token" not in listed[0] and secret not in str(listed)
    assert secret.startswith(listed[0]["prefix"])
    with world.app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_a_token_authenticates_without_csrf(world):
    secret = new_token(world.client_for("worker_a"))["token"]
    client = world.app.test_client()
    assert client.get("/api/v1/me", headers=bearer(secret)).get_json()["username"] == "worker_a"
    created = client.post("/api/v1/cases", json=case_body(), headers=bearer(secret))
    assert created.status_code == 201


def test_a_token_has_its_users_scope_not_more(world):
    case = world.client_for("worker_b").post("/api/v1/cases", json=case_body(unit="00008"))
    secret = new_token(world.client_for("worker_a"))["token"]
    client = world.app.test_client()
    assert (
        client.get(f"/api/v1/cases/{case.get_json()['id']}", headers=bearer(secret)).status_code
        == 404
    )
    assert client.get("/api/v1/users", headers=bearer(secret)).status_code == 403


def test_a_revoked_token_is_dead(world):
    api = world.client_for("worker_a")
    created = new_token(api)
    assert api.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    assert (
        world.app.test_client().get("/api/v1/me", headers=bearer(created["token"])).status_code
        == 401
    )


def test_an_expired_token_is_dead(world):
    secret = new_token(world.client_for("worker_a"))["token"]
    with world.app.app_context():
        db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert world.app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_disabled_users_token_is_dead(world):
    secret = new_token(world.client_for("worker_a"))["token"]
    set_user(world.app, "worker_a", active=False)
    assert world.app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_tokens_live_at_most_a_year(world):
    api = world.client_for("worker_a")
    response = api.post("/api/v1/tokens", json={"name": "x", "expires_in_days": 366})
    assert response.status_code == 422 and "expires_in_days" in response.get_json()["errors"]


def test_a_token_cannot_mint_tokens_or_change_credentials(world):
    secret = new_token(world.client_for("worker_a"))["token"]
    client = world.app.test_client()
    assert (
        client.post(
            "/api/v1/tokens", json={"name": "y", "expires_in_days": 1}, headers=bearer(secret)
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/auth/password",
            json={"current_password": "a", "new_password": "b"},
            headers=bearer(secret),
        ).status_code
        == 403
    )


def test_a_bad_token_never_falls_back_to_the_cookie(world):
    api = world.client_for("worker_a")
    assert api.get("/api/v1/me", headers=bearer("cwp_not-a-token")).status_code == 401
    assert api.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_someone_elses_token_cannot_be_revoked(world):
    created = new_token(world.client_for("worker_a"))
    other = world.client_for("worker_a2")
    assert other.delete(f"/api/v1/tokens/{created['id']}").status_code == 404
    assert (
        world.app.test_client().get("/api/v1/me", headers=bearer(created["token"])).status_code
        == 200
    )


def test_last_used_is_set_on_first_use_then_moves_at_most_once_a_minute(world):
    secret = new_token(world.client_for("worker_a"))["token"]
    client = world.app.test_client()

    def last_used():
        with world.app.app_context():
            return db.session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    first = last_used()
    assert first is not None
    client.get("/api/v1/me", headers=bearer(secret))
    assert last_used() == first
    with world.app.app_context():
        db.session.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
    aged = last_used()
    client.get("/api/v1/me", headers=bearer(secret))
    assert last_used() > aged
