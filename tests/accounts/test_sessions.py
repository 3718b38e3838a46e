"""Server-side sessions: random ids stored hashed, timeouts, revocation, a new id per login."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from tests.accounts.support import SESSION_COOKIE, age_sessions, sessions_of, set_user
from tests.conftest import PASSWORD, ApiClient


def cookie_of(api: ApiClient) -> str:
    return api.client.get_cookie(SESSION_COOKIE).value


def sid_in(app, cookie: str) -> str:
    return app.session_interface.get_signing_serializer(app).loads(cookie)["sid"]


def test_login_stores_only_a_hash_of_a_random_session_id(world):
    api = world.client_for("worker_a")
    sid = sid_in(world.app, cookie_of(api))
    assert len(sid) >= 43  # 256 bits, url-safe base64
    [row] = sessions_of(world.app, "worker_a")
    assert row.token_hash == hashlib.sha256(sid.encode()).hexdigest()
    assert row.revoked_at is None and row.user_agent is not None


def test_each_login_gets_a_new_session_id_and_ends_the_old_one(world):
    api = world.client_for("worker_a")
    first = sid_in(world.app, cookie_of(api))
    assert api.login("worker_a").status_code == 200
    second = sid_in(world.app, cookie_of(api))
    assert first != second
    rows = sessions_of(world.app, "worker_a")
    assert len(rows) == 2 and rows[0].revoked_at is not None and rows[1].revoked_at is None


def test_logging_in_as_someone_else_ends_the_previous_users_session(world):
    api = world.client_for("worker_a")  # a shared computer: the next person logs in over it
    assert api.login("worker_b").status_code == 200
    [old] = sessions_of(world.app, "worker_a")
    [new] = sessions_of(world.app, "worker_b")
    assert old.revoked_at is not None and new.revoked_at is None
    assert api.get("/api/v1/me").get_json()["username"] == "worker_b"


def test_the_cookie_holds_no_user_id(world):
    api = world.client_for("worker_a")
    data = world.app.session_interface.get_signing_serializer(world.app).loads(cookie_of(api))
    assert set(data) <= {"sid", "csrf_token"}


def test_logout_ends_the_session_on_the_server(world):
    api = world.client_for("worker_a")
    stolen = cookie_of(api)
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/me").status_code == 401
    thief = world.app.test_client()
    thief.set_cookie(SESSION_COOKIE, stolen)
    assert thief.get("/api/v1/me").status_code == 401


def test_an_idle_session_expires(world):
    api = world.client_for("worker_a")
    age_sessions(world.app, "worker_a", last_seen_at=timedelta(minutes=29))
    assert api.get("/api/v1/me").status_code == 200
    age_sessions(world.app, "worker_a", last_seen_at=timedelta(minutes=31))
    assert api.get("/api/v1/me").status_code == 401


def test_a_session_ends_at_its_absolute_limit_even_when_busy(world):
    api = world.client_for("worker_a")
    age_sessions(world.app, "worker_a", expires_at=timedelta(seconds=1))
    assert api.get("/api/v1/me").status_code == 401


def test_last_seen_moves_at_most_once_a_minute(world):
    api = world.client_for("worker_a")
    before = sessions_of(world.app, "worker_a")[0].last_seen_at
    api.get("/api/v1/me")
    assert sessions_of(world.app, "worker_a")[0].last_seen_at == before
    age_sessions(world.app, "worker_a", last_seen_at=timedelta(minutes=2))
    aged = sessions_of(world.app, "worker_a")[0].last_seen_at
    api.get("/api/v1/me")
    assert sessions_of(world.app, "worker_a")[0].last_seen_at > aged


def test_changing_the_password_ends_the_other_sessions(world):
    laptop = world.client_for("worker_a")
    phone = world.client_for("worker_a")
    new = "a new and long passphrase 42"
    response = laptop.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": new}
    )
    assert response.status_code == 204
    assert laptop.get("/api/v1/me").status_code == 200
    assert phone.get("/api/v1/me").status_code == 401
    assert ApiClient(world.app.test_client()).login("worker_a", new).status_code == 200


def test_password_change_checks_the_old_password_and_the_policy(world):
    api = world.client_for("worker_a")
    wrong = api.post(
        "/api/v1/auth/password",
        json={"current_password": "not my password", "new_password": "x" * 20},
    )
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    weak = api.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "1234567890"}
    )
    assert weak.status_code == 422 and "new_password" in weak.get_json()["errors"]


def test_disabling_a_user_ends_their_session_at_once(world):
    api = world.client_for("worker_a")
    set_user(world.app, "worker_a", active=False)
    assert api.get("/api/v1/me").status_code == 401


def test_state_changes_with_a_session_need_the_csrf_token(world):
    api = world.client_for("worker_a")
    api.csrf = None
    assert api.post("/api/v1/auth/logout").status_code == 400
    assert api.get("/api/v1/me").status_code == 200
