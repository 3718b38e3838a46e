"""Two-step login: enrolment confirmed by a first code, recovery codes, no replay, and the
restricted session of a supervisor or administrator who must still set it up."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy import func, select

from casework.accounts.models import RecoveryCode
from casework.extensions import db
from tests.accounts.support import FAILED, user_row
from tests.conftest import PASSWORD, ApiClient, case_body


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def enrol(api: ApiClient) -> tuple[str, list[str]]:
    started = api.post("/api/v1/auth/totp/enrol")
    assert started.status_code == 201, started.get_json()
    secret = started.get_json()["secret"]
    assert started.get_json()["otpauth_uri"].startswith("otpauth://totp/casework:")
    confirmed = api.post("/api/v1/auth/totp/confirm", json={"code": code_at(secret, -1)})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"]


def fresh(world) -> ApiClient:
    return ApiClient(world.app.test_client())


def test_enrolment_needs_a_first_valid_code(world):
    api = world.client_for("worker_a")
    api.post("/api/v1/auth/totp/enrol")
    wrong = api.post("/api/v1/auth/totp/confirm", json={"code": "000000"})
    assert wrong.status_code == 422
    assert user_row(world.app, "worker_a").totp_confirmed is False
    # Not confirmed yet: the password alone still logs in.
    assert fresh(world).login("worker_a").status_code == 200


def test_once_enrolled_login_needs_the_code(world):
    secret, codes = enrol(world.client_for("worker_a"))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert fresh(world).login("worker_a").status_code == 401
    assert fresh(world).login("worker_a", otp=code_at(secret)).status_code == 200


def test_a_code_is_refused_the_second_time(world):
    secret, _codes = enrol(world.client_for("worker_a"))
    code = code_at(secret)
    assert fresh(world).login("worker_a", otp=code).status_code == 200
    replay = fresh(world).login("worker_a", otp=code)
    assert replay.status_code == 401 and replay.get_json()["message"] == FAILED
    assert fresh(world).login("worker_a", otp=code_at(secret, 1)).status_code == 200


def test_the_confirmation_code_cannot_be_replayed_at_login(world):
    api = world.client_for("worker_a")
    secret = api.post("/api/v1/auth/totp/enrol").get_json()["secret"]
    code = code_at(secret)
    api.post("/api/v1/auth/totp/confirm", json={"code": code})
    assert fresh(world).login("worker_a", otp=code).status_code == 401


def test_each_recovery_code_works_once_and_is_stored_hashed(world):
    _secret, codes = enrol(world.client_for("worker_a"))
    assert fresh(world).login("worker_a", otp=codes[0]).status_code == 200
    assert fresh(world).login("worker_a", otp=codes[0]).status_code == 401
    assert fresh(world).login("worker_a", otp=codes[1].upper()).status_code == 200
    with world.app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not any(c.replace("-", "") in h for c in codes for h in stored)


def test_removing_totp_needs_the_password(world):
    api = world.client_for("worker_a")
    secret, _codes = enrol(api)
    wrong = api.client.delete(
        "/api/v1/auth/totp",
        json={"password": "not the password"},
        headers={"X-CSRF-Token": api.csrf},
    )
    assert wrong.status_code == 422
    right = api.client.delete(
        "/api/v1/auth/totp", json={"password": PASSWORD}, headers={"X-CSRF-Token": api.csrf}
    )
    assert right.status_code == 204
    assert fresh(world).login("worker_a").status_code == 200
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_enrolling_twice_is_a_conflict(world):
    api = world.client_for("worker_a")
    enrol(api)
    assert api.post("/api/v1/auth/totp/enrol").status_code == 409


def test_a_supervisor_without_totp_gets_a_session_that_can_only_enrol(world):
    world.app.config["CASEWORK_REQUIRE_MFA"] = True
    api = fresh(world)
    login = api.login("supervisor_a")
    assert login.status_code == 200
    assert login.get_json()["pending"] == ["totp_enrolment"]
    refused = api.get("/api/v1/cases")
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "step_required"
    assert "/api/v1/auth/totp/enrol" in refused.get_json()["message"]
    assert api.post("/api/v1/cases", json=case_body()).status_code == 403
    secret, _codes = enrol(api)
    assert api.get("/api/v1/cases").status_code == 200
    assert fresh(world).login("supervisor_a").status_code == 401
    assert fresh(world).login("supervisor_a", otp=code_at(secret)).status_code == 200


def test_workers_are_not_obliged_to_use_totp(world):
    world.app.config["CASEWORK_REQUIRE_MFA"] = True
    api = fresh(world)
    assert api.login("worker_a").get_json()["pending"] == []
    assert api.get("/api/v1/cases").status_code == 200


def test_an_administrator_resets_a_lost_second_factor(world):
    secret, _codes = enrol(world.client_for("worker_a"))
    admin = world.client_for("administrator")
    worker_id = user_row(world.app, "worker_a").id
    assert admin.post(f"/api/v1/users/{worker_id}/totp-reset").status_code == 204
    assert user_row(world.app, "worker_a").totp_confirmed is False
    assert fresh(world).login("worker_a").status_code == 200
