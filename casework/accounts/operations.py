"""Creating and changing user accounts: the only functions that write ``user_account``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.roles import ROLES
from casework.accounts.models import RoleAssignment, User
from casework.accounts.passwords import hash_password, password_problems
from casework.units.models import CURRENT_TREE, Unit


class AccountError(Exception):
    """The account cannot be created or changed as asked; the message says why."""


def find_unit(session: Session, code: str) -> Unit:
    """The current-tree unit with this official code.

    :raise AccountError: no such unit.
    """
    unit = session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
    if unit is None:
        raise AccountError(f"no unit with code {code} in the current unit tree")
    return unit


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    roles: list[str],
    unit_code: str,
    display_name: str = "",
) -> User:
    """Create an active user holding ``roles`` in the unit ``unit_code``.

    :raise AccountError: taken username, unknown role or unit, or a refused password.
    """
    username = username.strip().lower()
    if not username or len(username) > 64 or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise AccountError("username: letters, digits, '.', '_' and '-' only, at most 64")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise AccountError(f"unknown role {unknown[0] if unknown else '(none)'}; "
                           f"roles are {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(User.username == username)):
        raise AccountError(f"username {username} is taken")
    problems = password_problems(password, username)
    if problems:
        raise AccountError("password refused: " + "; ".join(problems))
    unit = find_unit(session, unit_code)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        unit_id=unit.id,
    )
    user.unit = unit
    for role in dict.fromkeys(roles):
        user.roles.append(RoleAssignment(role=role, unit_id=unit.id, unit=unit))
    session.add(user)
    session.flush()
    return user
