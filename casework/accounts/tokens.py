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
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from casework.accounts.models import ApiToken, User
from casework.accounts.sessions import TOUCH_INTERVAL, as_utc, secret_digest
from casework.errors import NotFound
from casework.model_base import utcnow

TOKEN_PREFIX = "cwp_"
MAX_DAYS = 365
SHOWN_PREFIX_LENGTH = 12

# Built once: every API request runs it. The user's roles (and their units) come in the same
# query, since every request needs them.
_BY_DIGEST = (
    select(ApiToken)
    .options(joinedload(ApiToken.user).joinedload(User.roles))
    .where(ApiToken.token_hash == bindparam("digest"))
)


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
    token.user = user
    session.add(token)
    session.flush()
    return token, secret


def resolve_token(session: Session, secret: str) -> ApiToken | None:
    """The live token with this secret (its user active), or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    token = session.scalars(_BY_DIGEST, {"digest": secret_digest(secret)}).unique().one_or_none()
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or as_utc(token.expires_at) <= now
        or not token.user.active
    ):
        return None
    if token.last_used_at is None or now - as_utc(token.last_used_at) >= TOUCH_INTERVAL:
        token.last_used_at = now
    return token


def tokens_of(session: Session, user: Any) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
        )
    )


def own_token(session: Session, user: Any, token_id: uuid.UUID) -> ApiToken:
    """:raise NotFound: no such token, or another user's (the same answer)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    return token


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def revoke_tokens(session: Session, user: Any) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
