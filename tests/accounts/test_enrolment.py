"""Enrolment codes: single use, expiring, replaced by a newer one, stored only as a hash, one
answer for every refusal, rate-limited, audited — through the API and the page alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from casework.accounts.models import EnrolmentCode, User
from casework.audit.models import AuditEvent
from casework.extensions import db
from casework.model_base import utcnow
from tests.accounts.support import bearer, enrol, set_user, user_row
from tests.conftest import ApiClient, make_app
from tests.web.conftest import Browser

OWN = "a passphrase of my own"


def new_account(world, username: str = "thu.le", roles: tuple[str, ...] = ("auditor",)) -> dict:
    admin = world.client_for("administrator")
    response = admin.post(
        "/api/v1/users", json={"username": username, "unit": "00004", "roles": list(roles)}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def invalid(response) -> bool:  # noqa: ANN001
    body = response.get_json()
    return response.status_code == 422 and list(body["errors"]) == ["code"]


def test_a_code_works_once(world):
    code = new_account(world)["enrolment_code"]["code"]
    assert enrol(world.app, code, OWN).status_code == 200
    again = enrol(world.app, code, "another passphrase 2")
    assert invalid(again)
    assert ApiClient(world.app.test_client()).login("thu.le", OWN).status_code == 200


def test_every_refused_code_gets_the_same_answer(world):
    first = new_account(world, "a.one")["enrolment_code"]["code"]
    used = new_account(world, "b.two")["enrolment_code"]["code"]
    expired = new_account(world, "c.three")["enrolment_code"]["code"]
    disabled = new_account(world, "d.four")["enrolment_code"]["code"]
    enrol(world.app, used, OWN)
    admin = world.client_for("administrator")
    replaced_for = user_row(world.app, "a.one").id
    assert admin.post(f"/api/v1/users/{replaced_for}/password-reset").status_code == 200
    with world.app.app_context():
        db.session.execute(
            update(EnrolmentCode)
            .where(
                EnrolmentCode.user_id
                == select(User.id).where(User.username == "c.three").scalar_subquery()
            )
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    set_user(world.app, "d.four", active=False)
    answers = [
        enrol(world.app, typed, OWN)
        for typed in (first, used, expired, disabled, "ABCD-EFGH-JKMN-PQRS", "not a code", "x" * 64)
    ]
    assert all(invalid(a) for a in answers), [a.get_json() for a in answers]
    assert len({a.get_data() for a in answers}) == 1


def test_a_refused_password_does_not_spend_the_code(world):
    code = new_account(world)["enrolment_code"]["code"]
    weak = enrol(world.app, code, "1234567890")
    assert weak.status_code == 422 and "password" in weak.get_json()["errors"]
    assert enrol(world.app, code, OWN).status_code == 200


def test_the_code_is_typed_as_read(world):
    """Lower case, spaces instead of dashes, O for 0 and I or L for 1 (Crockford's rules)."""
    code = new_account(world)["enrolment_code"]["code"]
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert enrol(world.app, typed, OWN).status_code == 200


def test_only_a_hash_of_the_code_is_stored(world):
    code = new_account(world)["enrolment_code"]["code"]
    with world.app.app_context():
        rows = db.session.execute(text("SELECT * FROM enrolment_code")).all()
        audit = db.session.execute(text("SELECT * FROM audit_event")).all()
    stored = repr(rows) + repr(audit)
    assert code not in stored and code.replace("-", "") not in stored


def test_enrolment_ends_whatever_access_the_account_had(world):
    """A code issued after a reset must not leave a token made with the old password alive."""
    auditor = world.client_for("auditor")
    token = auditor.post("/api/v1/tokens", json={"name": "t", "expires_in_days": 5}).get_json()
    admin = world.client_for("administrator")
    user_id = user_row(world.app, "auditor").id
    code = admin.post(f"/api/v1/users/{user_id}/password-reset").get_json()["enrolment_code"]
    assert enrol(world.app, code["code"], OWN).status_code == 200
    client = world.app.test_client()
    assert client.get("/api/v1/me", headers=bearer(token["token"])).status_code == 401


def test_enrolment_is_audited_and_so_is_a_wrong_code(world):
    code = new_account(world)["enrolment_code"]["code"]
    enrol(world.app, "ABCD-EFGH-JKMN-PQRS", OWN)
    enrol(world.app, code, OWN)
    with world.app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["auth.enrol", "user.enrol"]))
        ).all()
        seen = [(r.action, r.outcome, r.actor_username, r.detail.get("vouched")) for r in rows]
    assert ("auth.enrol", "failed", None, None) in seen
    assert ("user.enrol", "ok", "thu.le", False) in seen


def test_the_enrolment_page_sets_the_password(world):
    code = new_account(world)["enrolment_code"]["code"]
    browser = Browser(world.app.test_client())
    assert "enrol" in browser.text("/login")  # the login page points to it
    mismatch = browser.submit(
        "/enrol", "/enrol", {"code": code, "new_password": OWN, "confirm_password": OWN + "!"}
    )
    assert mismatch.status_code == 422
    wrong = browser.submit(
        "/enrol",
        "/enrol",
        {"code": "ABCD-EFGH-JKMN-PQRS", "new_password": OWN, "confirm_password": OWN},
    )
    assert wrong.status_code == 422 and "Mã không hợp lệ" in wrong.get_data(as_text=True)
    done = browser.submit(
        "/enrol", "/enrol", {"code": code, "new_password": OWN, "confirm_password": OWN}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert browser.login("thu.le", OWN).status_code == 302


@pytest.mark.parametrize("path", ["/api/v1/auth/enrolment", "/enrol"])
def test_guessing_codes_is_limited_per_address(world, tmp_path, migrated, path):
    app = make_app(
        tmp_path,
        migrated,
        RATELIMIT_ENABLED=True,
        environ={"CASEWORK_LOGIN_RATE_LIMIT": "3 per minute"},
    )
    browser = Browser(app.test_client())
    guess = {"code": "ABCD-EFGH-JKMN-PQRS", "password": OWN}

    def attempt() -> int:
        if path.startswith("/api/"):
            return browser.client.post(path, json=guess).status_code
        form = {"code": guess["code"], "new_password": OWN, "confirm_password": OWN}
        return browser.submit(path, path, form).status_code

    assert [attempt() for _ in range(4)] == [422, 422, 422, 429]
