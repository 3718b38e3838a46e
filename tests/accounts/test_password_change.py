"""Issue 16, finding 6: personal access tokens do not survive a password change, and the page
and the API say so before the change is made."""

from __future__ import annotations

from tests.accounts.support import bearer
from tests.conftest import PASSWORD
from tests.web.conftest import Browser

NEW = "a brand new passphrase 3"


def token_of(api) -> str:  # noqa: ANN001
    made = api.post("/api/v1/tokens", json={"name": "script", "expires_in_days": 30})
    assert made.status_code == 201
    return made.get_json()["token"]


def test_changing_ones_password_through_the_api_revokes_every_token(world):
    worker = world.client_for("worker_a")
    tokens = [token_of(worker), token_of(worker)]
    changed = worker.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert changed.status_code == 204
    client = world.app.test_client()
    assert [client.get("/api/v1/me", headers=bearer(t)).status_code for t in tokens] == [401, 401]
    assert worker.get("/api/v1/me").status_code == 200  # the session that changed it stays
    listed = worker.get("/api/v1/tokens").get_json()
    assert all(t["revoked_at"] for t in listed)


def test_changing_ones_password_on_the_page_revokes_every_token(world):
    token = token_of(world.client_for("worker_a"))
    browser = Browser(world.app.test_client())
    browser.login("worker_a")
    page = browser.text("/account/password")
    assert "mã truy cập cá nhân" in page  # said before the change: tokens will be revoked
    changed = browser.submit(
        "/account/password",
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW},
    )
    assert changed.status_code == 302
    assert world.app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_the_api_documents_that_tokens_are_revoked(world):
    spec = world.app.test_client().get("/api/openapi.json").get_json()
    described = spec["paths"]["/api/v1/auth/password"]["post"]
    text = (described.get("summary", "") + described.get("description", "")).lower()
    assert "token" in text and "revoked" in text


def test_a_refused_change_keeps_the_tokens(world):
    worker = world.client_for("worker_a")
    token = token_of(worker)
    wrong = worker.post(
        "/api/v1/auth/password", json={"current_password": "not my password", "new_password": NEW}
    )
    assert wrong.status_code == 422
    assert world.app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200
