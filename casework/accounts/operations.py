"""Creating and changing user accounts: the only functions that write ``user_account``.

Whatever takes access away (a disabled account, a password reset, a second-factor reset) ends
the user's sessions — and, where the credential itself is in doubt, their API tokens — in the
same transaction, so the change and its effect commit together.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.roles import ROLES
from casework.accounts import lockout, sessions, tokens, totp
from casework.accounts.models import RoleAssignment, User
from casework.accounts.passwords import hash_password, password_problems, verify_password
from casework.audit import trail
from casework.errors import Conflict, Forbidden, Invalid
from casework.model_base import utcnow
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
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise AccountError("username: letters, digits, '.', '_' and '-' only, at most 64")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise AccountError(
            f"unknown role {unknown[0] if unknown else '(none)'}; roles are {', '.join(ROLES)}"
        )
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


def end_all_access(session: Session, user: Any) -> None:
    """Revoke every session and every API token of ``user``."""
    sessions.revoke_sessions(session, user)
    tokens.revoke_tokens(session, user)


def change_own_password(
    session: Session, user: User, current: str, new: str, keep_session: uuid.UUID | None
) -> None:
    """The user replaces their password; their other sessions end.

    :raise Invalid: the current password is wrong (counted like a failed login) or the new one
        is refused by the policy.
    """
    if not verify_password(user.password_hash, current):
        lockout.note_failure(user)
        raise Invalid(errors={"current_password": [_("This is not your current password.")]})
    problems = password_problems(new, user.username)
    if new == current:
        problems.append(_("must differ from the current password"))
    if problems:
        raise Invalid(errors={"new_password": problems})
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.password_must_change = False
    sessions.revoke_sessions(session, user, keep=keep_session)
    trail.record(
        session,
        "user.password_change",
        actor=user,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
    )


def reset_password(session: Session, admin: Any, user: User, temporary: str) -> None:
    """An administrator sets a temporary password; the user must replace it at next login.

    Sessions and tokens end (the old password may have leaked) and the lock is lifted.

    :raise Invalid: the temporary password is refused by the policy.
    """
    problems = password_problems(temporary, user.username)
    if problems:
        raise Invalid(errors={"password": problems})
    user.password_hash = hash_password(temporary)
    user.password_changed_at = utcnow()
    user.password_must_change = True
    lockout.clear_failures(user)
    end_all_access(session, user)
    trail.record(
        session,
        "user.password_reset",
        actor=admin,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
    )


def reset_totp(session: Session, admin: Any, user: User) -> None:
    """An administrator removes a lost second factor; the user sets up a new one at next login."""
    totp.remove_totp(session, user)
    sessions.revoke_sessions(session, user)
    trail.record(
        session,
        "user.totp_reset",
        actor=admin,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
    )


def begin_own_totp_enrolment(session: Session, user: User) -> tuple[str, str]:
    """Start the user's TOTP set-up (audited); returns the secret and its otpauth URI.

    :raise DomainError: two-step login is already on.
    """
    secret, uri = totp.begin_enrolment(user)
    trail.record(
        session,
        "auth.totp_enrol",
        actor=user,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
    )
    return secret, uri


def remove_own_totp(session: Session, user: User, password: str) -> None:
    """The user turns their second factor off, proving it is them with their password.

    :raise Invalid: the password is wrong (counted like a failed login, so a stolen session
        cannot be used to guess the password).
    """
    if not verify_password(user.password_hash, password):
        lockout.note_failure(user)
        raise Invalid(errors={"password": [_("This is not your current password.")]})
    totp.remove_totp(session, user)
    trail.record(
        session,
        "auth.totp_remove",
        actor=user,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
    )


def update_user(session: Session, admin: Any, user: User, data: dict[str, Any]) -> list[str]:
    """Change the display name and/or active flag; disabling ends all access at once.

    :raise Forbidden: an administrator disabling their own account.
    """
    changed = []
    if "display_name" in data and data["display_name"] != user.display_name:
        user.display_name = data["display_name"]
        changed.append("display_name")
    if "active" in data and data["active"] != user.active:
        if user.id == admin.id and not data["active"]:
            raise Forbidden(_("You cannot disable your own account."))
        user.active = data["active"]
        changed.append("active")
        if not user.active:
            end_all_access(session, user)
    if changed:
        trail.record(
            session,
            "user.update",
            actor=admin,
            object_type="user",
            object_id=user.id,
            unit_path=user.unit.path,
            fields=changed,
            **({"active": user.active} if "active" in changed else {}),
        )
    return changed


def grant_role(session: Session, admin: Any, user: User, role: str, unit: Unit) -> RoleAssignment:
    """Give ``user`` ``role`` in ``unit`` (the caller checked that ``unit`` is theirs).

    :raise Invalid: unknown role.
    :raise Forbidden: administrators do not change their own roles.
    :raise Conflict: the user already holds that role there.
    """
    if role not in ROLES:
        raise Invalid(errors={"role": [_("Unknown role.")]})
    if user.id == admin.id:
        raise Forbidden(_("Another administrator must change your roles."))
    if any(a.role == role and a.unit_id == unit.id for a in user.roles):
        raise Conflict(_("The user already holds this role in this unit."))
    assignment = RoleAssignment(role=role, unit_id=unit.id, unit=unit)
    user.roles.append(assignment)
    session.flush()
    trail.record(
        session,
        "user.role_grant",
        actor=admin,
        object_type="user",
        object_id=user.id,
        unit_path=unit.path,
        role=role,
        unit=unit.code,
    )
    return assignment


def revoke_role(session: Session, admin: Any, user: User, assignment: RoleAssignment) -> None:
    """Take a role away (effective on the user's next request: roles are read per request).

    :raise Forbidden: administrators do not change their own roles.
    """
    if user.id == admin.id:
        raise Forbidden(_("Another administrator must change your roles."))
    user.roles.remove(assignment)
    trail.record(
        session,
        "user.role_revoke",
        actor=admin,
        object_type="user",
        object_id=user.id,
        unit_path=assignment.unit.path,
        role=assignment.role,
        unit=assignment.unit.code,
    )
