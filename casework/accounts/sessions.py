"""Server-side login sessions: random ids, idle and absolute timeouts, revocation.

The signed Flask cookie carries only a random 256-bit session id (``sid``); the database keeps
its SHA-256. Every request looks the row up, so logging out, changing a password or disabling
a user ends the sessions at once on every app server — nothing lives in process memory.
``last_seen_at`` moves at most once a minute, so reading pages does not write on every request.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.accounts.models import User, UserSession
from casework.accounts.principal import Bearer, bearer_from, bearer_row
from casework.model_base import utcnow

SESSION_KEY = "sid"
TOUCH_INTERVAL = timedelta(minutes=1)


#: What the session lookup reads of the session row (besides its id, its user and their roles).
_SESSION_COLUMNS = ("expires_at", "revoked_at", "last_seen_at")


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive (they are stored as UTC): make them comparable."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def secret_digest(secret: str) -> str:
    """What the database stores of a bearer secret (a session id or an API token).

    A plain SHA-256 is enough: the secrets are 256-bit random values, not guessable passwords.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["CASEWORK_SESSION_IDLE_MINUTES"])


def max_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["CASEWORK_SESSION_MAX_HOURS"])


def start_session(
    session: Session, user: User, remote_addr: str | None, user_agent: str | None
) -> tuple[UserSession, str]:
    """A new session for ``user``; returns the row and the secret to put in the cookie."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        token_hash=secret_digest(secret),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + max_lifetime(),
        remote_addr=(remote_addr or "")[:64] or None,
        user_agent=(user_agent or "")[:255] or None,
    )
    session.add(row)
    return row, secret


def is_live(row: Any, now: datetime | None = None) -> bool:
    """Not revoked, within its absolute lifetime and not idle for too long; user still active.

    ``row`` carries the session's timestamps and its user's ``active`` flag.
    """
    now = now or utcnow()
    return (
        row.revoked_at is None
        and as_utc(row.expires_at) > now
        and as_utc(row.last_seen_at) + idle_timeout() > now
        and row.active
    )


def resolve_session(session: Session, secret: str) -> Bearer | None:
    """The live session with this secret (its ``last_seen_at`` refreshed), or None."""
    if not secret or len(secret) > 128:
        return None
    row = bearer_row(session, UserSession.__table__, secret_digest(secret), _SESSION_COLUMNS)
    now = utcnow()
    if row is None or not is_live(row, now):
        return None
    touch(session, UserSession.__table__, row, "last_seen_at", now)
    return bearer_from(session, row)


def touch(session: Session, table: Table, row: Any, column: str, now: datetime) -> None:
    """Record that a session or token (``row`` from ``bearer_row``) was used, at most once per
    ``TOUCH_INTERVAL``: a write on every request would cost each one a row update."""
    last = getattr(row, column)
    if last is not None and now - as_utc(last) < TOUCH_INTERVAL:
        return
    session.execute(update(table).where(table.c.id == row.bearer_id).values({column: now}))


def revoke_session(row: UserSession) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_by_secret(session: Session, secret: str) -> None:
    """End the session this cookie secret names, if still open (a login over an old session).

    One UPDATE by the secret's digest: the old session need not be resolved into its user and
    grants only to be ended.
    """
    if not secret or len(secret) > 128:
        return
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == secret_digest(secret), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_sessions(session: Session, user: Actor, *, keep: uuid.UUID | None = None) -> None:
    """End every session of ``user`` (but ``keep``) now: logout everywhere."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    session.execute(
        query.values(revoked_at=utcnow()), execution_options={"synchronize_session": False}
    )
