"""Checking credentials. Every failure looks the same to the client (one 401, same timing).

Order matters: a locked account is refused before its password is checked (so guessing while
locked learns nothing and costs the attacker the lock), a wrong password or second factor counts
towards the lock (``casework.accounts.lockout``), and only a full success resets the count.
The reason of each failure goes to the audit trail, never to the client.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.accounts import lockout
from casework.accounts.models import User
from casework.accounts.passwords import burn_time, hash_password, needs_rehash, verify_password
from casework.accounts.totp import verify_second_factor
from casework.audit import trail
from casework.unit_of_work import audit_failure


def _refuse(user: User | None, reason: str, remote_addr: str | None, count: bool) -> None:
    if user is not None and count:
        lockout.note_failure(user)
    audit_failure(
        "auth.login",
        actor=user,
        outcome="failed",
        remote_addr=remote_addr,
        unit_path=user.unit.path if user is not None else None,
        reason=reason,
    )


def authenticate(
    session: Session, username: str, password: str, otp: str | None, remote_addr: str | None
) -> User | None:
    """The user these credentials belong to, or None (and an audited, counted failure).

    ``otp`` is a current TOTP code or an unused recovery code; it is required once the user has
    confirmed TOTP.
    """
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        burn_time()
        _refuse(None, "unknown_user", remote_addr, count=False)
        return None
    if lockout.is_locked(user):
        burn_time()
        _refuse(user, "locked", remote_addr, count=False)
        return None
    if not verify_password(user.password_hash, password):
        _refuse(user, "bad_password", remote_addr, count=True)
        return None
    if not user.active:
        _refuse(user, "disabled", remote_addr, count=False)
        return None
    method = "password"
    if user.totp_confirmed:
        if not otp:
            _refuse(user, "missing_otp", remote_addr, count=True)
            return None
        factor = verify_second_factor(session, user, otp)
        if factor is None:
            _refuse(user, "bad_otp", remote_addr, count=True)
            return None
        method = f"password+{factor}"
    lockout.clear_failures(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    trail.record(
        session,
        "auth.login",
        actor=user,
        remote_addr=remote_addr,
        unit_path=user.unit.path,
        method=method,
    )
    return user
