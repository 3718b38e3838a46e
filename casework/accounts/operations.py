"""Creating and changing user accounts: the only functions that write ``user_account``.

Whatever takes access away (a disabled account, a password changed or reset, an enrolment code
redeemed) ends the user's sessions and API tokens in the same transaction, so the change and its
effect commit together.

An administrator never sets or learns a password: accounts are created and reset without one,
and the person who will hold the account sets it with a single-use enrolment code
(``casework.accounts.enrolment``). Roles that read case content wait for a second person
(``casework.accounts.role_requests``). Only the operator at the command line, who holds the
database and its key anyway, types a password for someone (``create_account`` without a
creator; ``create_user`` for the demo and the test fixtures).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.roles import ROLES
from casework.accounts import enrolment, lockout, role_requests, sessions, tokens, totp
from casework.accounts.models import (
    UNUSABLE_PASSWORD,
    ApiToken,
    RoleAssignment,
    RoleRequest,
    User,
)
from casework.accounts.passwords import hash_password, password_problems, verify_password
from casework.accounts.revocation import end_all_access
from casework.audit import trail
from casework.errors import Conflict, Forbidden, Invalid
from casework.model_base import utcnow
from casework.unit_of_work import audit_failure
from casework.units.models import CURRENT_TREE, Unit


class AccountError(Exception):
    """The account cannot be created as asked; the message says why, ``field`` says where."""

    def __init__(self, message: str, field: str = "username") -> None:
        super().__init__(message)
        self.field = field


def find_unit(session: Session, code: str) -> Unit:
    """The current-tree unit with this official code.

    :raise AccountError: no such unit.
    """
    unit = session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
    if unit is None:
        raise AccountError(f"no unit with code {code} in the current unit tree", "unit")
    return unit


def _check_new_account(session: Session, username: str, roles: list[str]) -> str:
    """The normalised username.

    :raise AccountError: a malformed or taken username, an unknown role or none.
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
            f"unknown role {unknown[0] if unknown else '(none)'}; roles are {', '.join(ROLES)}",
            "roles",
        )
    if session.scalar(select(User.id).where(User.username == username)):
        raise AccountError(f"username {username} is taken")
    return username


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    roles: list[str],
    unit_code: str,
    display_name: str = "",
) -> User:
    """An active user holding ``roles`` in ``unit_code`` with a password the caller chose.

    Not audited and not offered to administrators: the operator's command goes through
    ``create_account``; the demo world and the test fixtures call this directly.

    :raise AccountError: taken username, unknown role or unit, or a refused password.
    """
    username = _check_new_account(session, username, roles)
    problems = password_problems(password, username)
    if problems:
        raise AccountError("password refused: " + "; ".join(problems), "password")
    unit = find_unit(session, unit_code)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        unit_id=unit.id,
        credential_vouched=True,
    )
    user.unit = unit
    for role in dict.fromkeys(roles):
        user.roles.append(RoleAssignment(role=role, unit_id=unit.id, unit=unit))
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class NewAccount:
    """A created account, the code to hand over (shown once; None when a case role waits for
    approval — the approver receives it) and the roles waiting for approval."""

    user: User
    code: enrolment.IssuedCode | None = None
    waiting: list[RoleRequest] = field(default_factory=list)


def create_account(
    session: Session,
    creator: Actor | None,
    *,
    username: str,
    roles: list[str],
    unit: Unit,
    display_name: str = "",
    password: str | None = None,
) -> NewAccount:
    """Create an account in ``unit`` (the caller checked the creator may use it). Audited.

    ``creator`` an administrator: no password (the faces offer no such field). Roles without
    case content are granted now; a case role becomes a request for a supervisor. The account
    has no password yet: if no case role waits, the administrator gets its enrolment code.

    ``creator`` None: the operator at the command line (bootstrap of the first administrator
    and supervisors). Trusted like the database and key it holds: the roles are granted, the
    typed ``password`` is set and must be changed at the first login.

    :raise Invalid: malformed or taken username, unknown role, or a refused password.
    """
    if creator is not None and password is not None:
        raise ValueError("an administrator never sets the password of an account")
    try:
        if creator is None:
            if password is None:
                raise ValueError("the operator's account creation needs a password")
            user = create_user(
                session,
                username,
                password,
                roles=roles,
                unit_code=unit.code,
                display_name=display_name,
            )
            user.password_must_change = True
            created = NewAccount(user)
        else:
            created = _create_for_administrator(
                session, creator, username, roles, unit, display_name
            )
    except AccountError as error:
        raise Invalid(errors={error.field: [str(error)]}) from None
    user = created.user
    trail.record(
        session,
        "user.create",
        actor=creator,
        object_type="user",
        object_id=user.id,
        unit_path=unit.path,
        roles=sorted(user.role_names),
        roles_requested=sorted(r.role for r in created.waiting),
        code_issued=created.code is not None,
        **({"via": "command_line"} if creator is None else {}),
    )
    return created


def _create_for_administrator(
    session: Session, admin: Actor, username: str, roles: list[str], unit: Unit, display_name: str
) -> NewAccount:
    username = _check_new_account(session, username, roles)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=UNUSABLE_PASSWORD,
        unit_id=unit.id,
        credential_vouched=False,
    )
    user.unit = unit
    session.add(user)
    for role in dict.fromkeys(roles):
        if not role_requests.needs_approval(role):
            user.roles.append(RoleAssignment(role=role, unit_id=unit.id, unit=unit))
    session.flush()
    waiting = [
        role_requests.request_role(session, admin, user, role, unit, cause="new_account")
        for role in dict.fromkeys(roles)
        if role_requests.needs_approval(role)
    ]
    code = None if waiting else enrolment.issue_code(session, user, admin, vouched=False)
    return NewAccount(user, code, waiting)


def enrol(session: Session, typed_code: str, password: str, remote_addr: str | None) -> User:
    """Set an account's password with its enrolment code, which is spent. Audited.

    Ends every session and token the account had; the code's origin decides whether the new
    password counts as vouched (see ``User.credential_vouched``).

    :raise Invalid: the code is unknown, used, void or expired, or its account disabled (one
        message for all: a guess learns nothing), or the password is refused (the code is
        then kept, so a weak first try does not spend it).
    """
    invalid = _("This code is not valid: mistyped, used, replaced or expired. Ask for a new one.")
    code = enrolment.live_code(session, typed_code)
    if code is None:
        audit_failure("auth.enrol", outcome="failed", remote_addr=remote_addr)
        raise Invalid(invalid, errors={"code": [invalid]})
    user = code.user
    problems = password_problems(password, user.username)
    if problems:
        raise Invalid(errors={"password": problems})
    if not enrolment.spend(session, code):
        raise Invalid(invalid, errors={"code": [invalid]})
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.password_must_change = False
    user.credential_vouched = code.vouched
    lockout.clear_failures(user)
    end_all_access(session, user)
    trail.record(
        session,
        "user.enrol",
        actor=user,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
        remote_addr=remote_addr,
        issued_by=str(code.issued_by_id) if code.issued_by_id else "operator",
        vouched=code.vouched,
    )
    return user


def change_own_password(
    session: Session, user: User, current: str, new: str, keep_session: uuid.UUID | None
) -> None:
    """The user replaces their password; their other sessions and every API token end.

    Tokens go too: one made by whoever knew the old password must not outlive it.

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
    end_all_access(session, user, keep_session=keep_session)
    trail.record(
        session,
        "user.password_change",
        actor=user,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
    )


@dataclass(frozen=True)
class CredentialReset:
    """What a reset did: the code for the administrator to hand over (None when case roles wait
    for a supervisor, who receives it on approval) and the roles waiting."""

    code: enrolment.IssuedCode | None
    waiting: list[RoleRequest]


def reset_credentials(session: Session, admin: Actor, user: User) -> CredentialReset:
    """An administrator resets an account's password: it stops working, every session and token
    ends, the lock is lifted, and a new enrolment code replaces it. Audited.

    An administrator holding that code could log in, so the account's case roles are suspended
    into requests that a supervisor must approve again; while any case role waits, no code goes
    to the administrator — the approving supervisor gets one to hand over.
    """
    user.password_hash = UNUSABLE_PASSWORD
    user.password_changed_at = utcnow()
    user.password_must_change = False
    user.credential_vouched = False
    lockout.clear_failures(user)
    enrolment.void_codes(session, user)
    end_all_access(session, user)
    suspended = role_requests.suspend_case_roles(session, admin, user)
    waiting = role_requests.pending_for(session, user)
    code = None if waiting else enrolment.issue_code(session, user, admin, vouched=False)
    trail.record(
        session,
        "user.password_reset",
        actor=admin,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
        suspended=sorted(f"{r.role}@{r.unit.code}" for r in suspended),
        code_issued=code is not None,
    )
    return CredentialReset(code, waiting)


def reset_totp(session: Session, admin: Actor, user: User) -> None:
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


def confirm_own_totp(session: Session, user: User, code: str) -> list[str]:
    """Confirm the user's TOTP set-up with a first code (audited); returns the recovery codes,
    shown this once. The API and the two-step page both call this.

    :raise DomainError: no set-up waiting, or a wrong code.
    """
    codes = totp.confirm_enrolment(session, user, code)
    trail.record(
        session,
        "auth.totp_confirm",
        actor=user,
        object_type="user",
        object_id=user.id,
        unit_path=user.unit.path,
    )
    return codes


def log_out(session: Session, user: Actor, remote_addr: str | None) -> None:
    """Audit the end of the user's session (``auth.logout``); the face then ends the login."""
    trail.record(
        session,
        "auth.logout",
        actor=user,
        remote_addr=remote_addr,
        unit_path=user.unit.path,
    )


def create_own_token(
    session: Session, user: User, name: str, expires_in_days: int
) -> tuple[ApiToken, str]:
    """A personal access token of ``user`` and its secret (shown once); audited."""
    token, secret = tokens.create_token(session, user, name, expires_in_days)
    trail.record(
        session,
        "token.create",
        actor=user,
        object_type="api_token",
        object_id=token.id,
        unit_path=user.unit.path,
        expires_in_days=expires_in_days,
    )
    return token, secret


def revoke_own_token(session: Session, user: Actor, token_id: uuid.UUID) -> None:
    """Revoke one of the user's tokens (404 for anyone else's); audited."""
    token = tokens.own_token(session, user, token_id)
    tokens.revoke_token(token)
    trail.record(
        session,
        "token.revoke",
        actor=user,
        object_type="api_token",
        object_id=token.id,
        unit_path=user.unit.path,
    )


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


def update_user(session: Session, admin: Actor, user: User, data: dict[str, Any]) -> list[str]:
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


def grant_role(
    session: Session, admin: Actor, user: User, role: str, unit: Unit
) -> RoleAssignment | RoleRequest:
    """Give ``user`` ``role`` in ``unit`` (the caller checked that ``unit`` is theirs). Audited.

    A role without case content is granted now (a ``RoleAssignment``); a case role becomes a
    ``RoleRequest`` waiting for a supervisor (``casework.accounts.role_requests``).

    :raise Invalid: unknown role.
    :raise Forbidden: administrators do not change their own roles.
    :raise Conflict: the user already holds that role there, or it already waits for approval.
    """
    if role not in ROLES:
        raise Invalid(errors={"role": [_("Unknown role.")]})
    if user.id == admin.id:
        raise Forbidden(_("Another administrator must change your roles."))
    if role_requests.needs_approval(role):
        return role_requests.request_role(session, admin, user, role, unit)
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


def revoke_role(session: Session, admin: Actor, user: User, assignment: RoleAssignment) -> None:
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
