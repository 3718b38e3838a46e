"""Checking credentials. Every failure looks the same to the client (one 401, same timing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.accounts.models import User
from casework.accounts.passwords import burn_time, hash_password, needs_rehash, verify_password
from casework.audit import trail
from casework.unit_of_work import audit_failure


def authenticate(
    session: Session, username: str, password: str, otp: str | None, remote_addr: str | None
) -> User | None:
    """The user these credentials belong to, or None (and an audited failure)."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        burn_time()
        audit_failure("auth.login", outcome="failed", remote_addr=remote_addr,
                      reason="unknown_user")
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        audit_failure("auth.login", actor=user, outcome="failed", remote_addr=remote_addr,
                      reason="bad_password" if user.active else "disabled")
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    trail.record(session, "auth.login", actor=user, remote_addr=remote_addr)
    return user
