"""Personal access tokens for API clients.

A token is ``cwp_`` followed by 256 random bits, shown once at creation; the database keeps its
SHA-256 and a short prefix so a user can tell their tokens apart. A token acts as its user —
their roles, scope and need-to-know, never more — so disabling the user kills the token too.
Tokens expire (at most a year) and can be revoked one by one.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.accounts.models import ApiToken, User
from casework.accounts.principal import Bearer, bearer_from, bearer_row
from casework.accounts.sessions import as_utc, secret_digest, touch
from casework.errors import NotFound
from casework.model_base import utcnow

TOKEN_PREFIX = "cwp_"
MAX_DAYS = 365
SHOWN_PREFIX_LENGTH = 12


#: What the token lookup reads of the token row (besides its id, its user and their roles).
_TOKEN_COLUMNS = ("expires_at", "revoked_at", "last_used_at")


def create_token(session: Session, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user`` valid ``days`` days; returns the row and the secret (once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        token_hash=secret_digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return token, secret


def resolve_token(session: Session, secret: str) -> Bearer | None:
    """The live token with this secret (its user active), or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    row = bearer_row(session, ApiToken.__table__, secret_digest(secret), _TOKEN_COLUMNS)
    now = utcnow()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now or not row.active:
        return None
    touch(session, ApiToken.__table__, row, "last_used_at", now)
    return bearer_from(session, row)


def tokens_of(session: Session, user: Actor) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
        )
    )


def own_token(session: Session, user: Actor, token_id: uuid.UUID) -> ApiToken:
    """:raise NotFound: no such token, or another user's (the same answer)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    return token


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def revoke_tokens(session: Session, user: Actor) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
