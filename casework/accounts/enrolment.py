"""Enrolment codes: how a password is set without the person who issues the code knowing it.

An account is created (or reset) with no usable password; whoever issues its code hands it over
in person, and the holder types it into the enrolment page with a password of their own. A code
is 16 characters of Crockford's base32 (80 random bits, grouped ``XXXX-XXXX-XXXX-XXXX`` so it can
be read out and typed), valid for ``CASEWORK_ENROLMENT_HOURS``, spent by its first use, and void
as soon as another code is issued for the same account. The database keeps only its SHA-256.

There is no link form: a secret in a URL ends up in browser histories, proxy logs and Referer
headers. This module only keeps the codes; the operations that issue and redeem them decide
who may and audit it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.accounts.models import EnrolmentCode, User
from casework.accounts.sessions import as_utc, secret_digest
from casework.model_base import utcnow

#: Crockford's base32: no I, L, O or U, so what is read out cannot be mistyped as another code.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
#: Letters a person may type for a digit they read (Crockford's decoding rules).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class IssuedCode:
    """A code as shown to the person who hands it over: this once, never stored."""

    code: str
    expires_at: datetime


def normalise(typed: str) -> str:
    """The code as stored: upper case, without spaces or dashes, look-alike letters folded."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t").translate(_READ_AS)


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["CASEWORK_ENROLMENT_HOURS"])


def void_codes(session: Session, user: Actor) -> None:
    """Make every outstanding code of ``user`` unusable (a newer code, a reset, an approval)."""
    session.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.user_id == user.id,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.voided_at.is_(None),
        )
        .values(voided_at=utcnow()),
        execution_options={"synchronize_session": False},
    )


def issue_code(session: Session, user: User, issued_by: Any, *, vouched: bool) -> IssuedCode:
    """A new code for ``user``; every older one is void. ``issued_by`` None is the operator."""
    void_codes(session, user)
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    now = utcnow()
    row = EnrolmentCode(
        user_id=user.id,
        code_hash=secret_digest(raw),
        issued_by_id=getattr(issued_by, "id", None),
        issued_at=now,
        expires_at=now + lifetime(),
        vouched=vouched,
    )
    session.add(row)
    session.flush()
    shown = "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))
    return IssuedCode(shown, row.expires_at)


def live_code(session: Session, typed: str) -> EnrolmentCode | None:
    """The code typed, if it can still be used: None when it is unknown, used, void or expired,
    or its account is disabled (one answer for all, so a guess learns nothing)."""
    code = normalise(typed)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    row = session.scalar(
        select(EnrolmentCode).where(EnrolmentCode.code_hash == secret_digest(code))
    )
    if (
        row is None
        or row.used_at is not None
        or row.voided_at is not None
        or as_utc(row.expires_at) <= utcnow()
        or not row.user.active
    ):
        return None
    return row


def spend(session: Session, row: EnrolmentCode) -> bool:
    """Mark ``row`` used; False when another request spent or voided it first.

    A conditional UPDATE: of two requests racing with the same code, one wins.
    """
    spent = session.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.id == row.id,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.voided_at.is_(None),
        )
        .values(used_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    return spent.rowcount == 1


def outstanding_code(session: Session, user: Actor) -> EnrolmentCode | None:
    """The code of ``user`` that could still be used, if any (for the administrator's page)."""
    return session.scalar(
        select(EnrolmentCode)
        .where(
            EnrolmentCode.user_id == user.id,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.voided_at.is_(None),
            EnrolmentCode.expires_at > utcnow(),
        )
        .order_by(EnrolmentCode.issued_at.desc())
        .limit(1)
    )
