"""Throttling: an exponential per-account lock whatever the address, a per-address limit, and
one answer for every failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.accounts.lockout import lock_minutes
from casework.accounts.sessions import as_utc
from casework.audit.models import AuditEvent
from casework.extensions import db
from casework.model_base import utcnow
from tests.accounts.support import FAILED, set_user, user_row
from tests.conftest import PASSWORD, make_app


def attempt(client, username, password, address="10.0.0.1", **extra):
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, **extra},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(1, None), (4, None), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (40, 60)],
)
def test_lock_schedule_doubles_from_the_fifth_failure_up_to_an_hour(failures, minutes):
    assert lock_minutes(failures, threshold=5, cap=60) == minutes


def test_failures_from_many_addresses_lock_the_account(world, client):
    for n in range(5):
        response = attempt(client, "worker_a", "wrong password!", address=f"10.0.0.{n}")
        assert response.status_code == 401
    user = user_row(world.app, "worker_a")
    assert user.failed_logins == 5 and user.locked_until is not None
    locked = attempt(client, "worker_a", PASSWORD, address="10.9.9.9")
    assert locked.status_code == 401 and locked.get_json()["message"] == FAILED
    assert user_row(world.app, "worker_a").failed_logins == 5  # guessing while locked is free


def test_the_lock_ends_and_a_success_resets_the_count(world, client):
    set_user(world.app, "worker_a", failed_logins=5, locked_until=utcnow() - timedelta(seconds=1))
    assert attempt(client, "worker_a", PASSWORD).status_code == 200
    user = user_row(world.app, "worker_a")
    assert user.failed_logins == 0 and user.locked_until is None


def test_another_failure_after_a_lock_doubles_it(world, client):
    set_user(world.app, "worker_a", failed_logins=5, locked_until=utcnow() - timedelta(seconds=1))
    attempt(client, "worker_a", "wrong password!")
    user = user_row(world.app, "worker_a")
    remaining = as_utc(user.locked_until) - utcnow()
    assert user.failed_logins == 6 and timedelta(seconds=100) < remaining <= timedelta(minutes=2)


def test_every_failure_answers_the_same(world, client):
    import pyotp

    unknown = attempt(client, "nobody", "x" * 12)
    wrong = attempt(client, "worker_a", "x" * 12)
    with world.app.app_context():
        from casework.accounts.models import User

        user = db.session.scalar(select(User).where(User.username == "supervisor_a"))
        secret = pyotp.random_base32()
        user.totp_secret, user.totp_confirmed = secret, True
        db.session.commit()
    missing_otp = attempt(client, "supervisor_a", PASSWORD)
    wrong_otp = attempt(client, "supervisor_a", PASSWORD, otp="000000")
    set_user(world.app, "worker_b", active=False)
    disabled = attempt(client, "worker_b", PASSWORD)
    set_user(world.app, "worker_a2", locked_until=utcnow() + timedelta(minutes=5))
    locked = attempt(client, "worker_a2", PASSWORD)
    answers = [unknown, wrong, missing_otp, wrong_otp, disabled, locked]
    assert {r.status_code for r in answers} == {401}
    assert all(r.get_json() == unknown.get_json() for r in answers)
    assert unknown.get_json()["message"] == FAILED


def test_failed_logins_are_audited_with_their_reason(world, client):
    attempt(client, "nobody", "x" * 12)
    attempt(client, "worker_a", "x" * 12)
    with world.app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.login").order_by(AuditEvent.seq)
        ).all()
        assert [(r.outcome, r.detail["reason"], r.actor_username) for r in rows] == [
            ("failed", "unknown_user", None),
            ("failed", "bad_password", "worker_a"),
        ]
        assert "x" * 12 not in str([r.detail for r in rows])


def test_the_fifth_failure_writes_a_lockout_entry(world, client):
    for _ in range(5):
        attempt(client, "worker_a", "wrong password!")
    with world.app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.lockout"))
        assert row.detail == {"failures": 5, "minutes": 1}


def test_one_address_is_limited_across_accounts(world, tmp_path, migrated):
    app = make_app(
        tmp_path,
        migrated,
        RATELIMIT_ENABLED=True,
        environ={"CASEWORK_LOGIN_RATE_LIMIT": "3 per minute"},
    )
    client = app.test_client()
    for username in ("worker_a", "worker_b", "supervisor_a"):
        assert attempt(client, username, "wrong password!", address="10.1.1.1").status_code == 401
    throttled = attempt(client, "worker_a2", PASSWORD, address="10.1.1.1")
    assert throttled.status_code == 429
    assert throttled.get_json()["code"] == "too_many_requests"
    assert attempt(client, "worker_a2", PASSWORD, address="10.2.2.2").status_code == 200
