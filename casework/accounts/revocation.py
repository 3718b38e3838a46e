"""Ending every way into an account at once: its login sessions and its API tokens.

Whatever puts an account's credential in doubt — a password changed or reset, an enrolment code
redeemed, an approval that replaces a credential an administrator may hold, a disabled account —
calls this in the same transaction, so the change and its effect commit together. A token is a
credential derived from the password that made it: it must not outlive that password.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.accounts import sessions, tokens


def end_all_access(session: Session, user: Actor, *, keep_session: uuid.UUID | None = None) -> None:
    """Revoke every API token and every session of ``user`` but ``keep_session`` (the one in
    which the user changed their own password)."""
    sessions.revoke_sessions(session, user, keep=keep_session)
    tokens.revoke_tokens(session, user)
