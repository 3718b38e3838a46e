"""Per-account lockout: exponential, and blind to where the attempts come from.

The counter lives on the user row, so an attacker spreading guesses over many addresses (which
the per-address limit cannot see) still locks the account: after ``CASEWORK_LOCKOUT_THRESHOLD``
failures in a row (5) the account is locked 1 minute, then 2, 4, 8 … up to
``CASEWORK_LOCKOUT_MAX_MINUTES`` (60) for each further failure. Attempts while locked are refused
without checking the password and do not lengthen the lock (otherwise anyone could keep a worker
locked out forever by guessing slowly). A successful login resets the counter.

A failed login answers 401, so the request's transaction rolls back; the failure is counted in a
transaction of its own at the end of the request (``persist_failures``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from flask import Flask, current_app, g
from sqlalchemy import update

from casework.accounts.models import User
from casework.accounts.sessions import as_utc
from casework.audit import trail
from casework.extensions import db
from casework.model_base import utcnow

log = logging.getLogger(__name__)
_PENDING = "casework_login_failures"


def lock_minutes(failures: int, threshold: int, cap: int) -> int | None:
    """How long the ``failures``-th failure in a row locks the account (None: not yet)."""
    if failures < threshold:
        return None
    return min(2 ** (failures - threshold), cap)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > (now or utcnow())


def note_failure(user: User) -> None:
    """Count a failed attempt on ``user`` once this request has rolled back."""
    g.setdefault(_PENDING, []).append(user.id)


def clear_failures(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def _count_failure(user_id: uuid.UUID) -> None:
    failures = db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins, User.username),
        execution_options={"synchronize_session": False},
    ).first()
    if failures is None:
        return
    minutes = lock_minutes(
        failures[0],
        current_app.config["CASEWORK_LOCKOUT_THRESHOLD"],
        current_app.config["CASEWORK_LOCKOUT_MAX_MINUTES"],
    )
    if minutes is None:
        return
    until = utcnow() + timedelta(minutes=minutes)
    db.session.execute(
        update(User).where(User.id == user_id).values(locked_until=until),
        execution_options={"synchronize_session": False},
    )
    trail.record(
        db.session,
        "auth.lockout",
        object_type="user",
        object_id=user_id,
        failures=failures[0],
        minutes=minutes,
    )


def persist_failures(_exc: BaseException | None = None) -> None:
    """Teardown hook: count this request's failed logins (after its rollback)."""
    pending: list[uuid.UUID] = g.pop(_PENDING, [])
    if not pending:
        return
    try:
        for user_id in pending:
            _count_failure(user_id)
        db.session.commit()
    except Exception:  # the 401 stands; losing one count must not turn it into a 500
        db.session.rollback()
        log.exception("could not count a failed login")


def init_app(app: Flask) -> None:
    app.teardown_request(persist_failures)
