"""Usernames for display, read as names: a view that shows who did something needs no ``User``.

Loading a ``User`` object to print its username also loads its unit and its roles (two more
queries per distinct user); lists and freshly written rows ask here instead, once per page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.accounts.models import User


def usernames(session: Session, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """``{id: username}`` for the given users (None and unknown ids are left out), one query."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {user_id: username for user_id, username in rows}
