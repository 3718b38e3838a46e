"""Four eyes on case access: a role that reads case content needs a second person's approval.

An administrator manages accounts but reads no case content. Letting it grant ``social_worker``
or ``supervisor`` (``CASE_ROLES``) outright would let it give such a role to an account whose
password it knows. So such a grant is a ``RoleRequest``; a supervisor at the request's unit or
above (``role.approve``) approves or refuses it; the person who asked, and the account's
holder, cannot approve it.

Approval alone would not be enough: the administrator may hold the account's way in (it saw
the account's enrolment code and used it). So an approval on an account whose credential is not
vouched (``User.credential_vouched``) ends that credential — password, codes, sessions and
tokens — and gives the approver a fresh enrolment code to hand over in person. From then on no
administrator can know how to log into an account that holds a case role: see docs/access.md,
"Accounts: enrolment codes and a second pair of eyes", for the whole argument.

These functions are the operations (they audit); the faces load, call one, render.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.roles import CASE_ROLES
from casework.access.scoping import path_condition, scope_paths, unit_in_scope
from casework.accounts import enrolment, totp
from casework.accounts.models import UNUSABLE_PASSWORD, RoleAssignment, RoleRequest, User
from casework.accounts.revocation import end_all_access
from casework.audit import trail
from casework.errors import Conflict, Forbidden, NotFound
from casework.model_base import utcnow
from casework.units.models import Unit

APPROVE = "role.approve"
MANAGE = "user.manage"
STATUSES = ("pending", "approved", "refused", "withdrawn")


def needs_approval(role: str) -> bool:
    """A role that reads case content is never granted by one person alone."""
    return role in CASE_ROLES


@dataclass(frozen=True)
class Decision:
    """What an approval did: the request, and the code to hand over when one was issued."""

    request: RoleRequest
    code: enrolment.IssuedCode | None


# --- who sees which requests ---------------------------------------------------------------


def require_reader(caller: Actor) -> None:
    """:raise Forbidden: the caller neither approves roles nor manages users anywhere."""
    if not (scope_paths(caller, APPROVE) or scope_paths(caller, MANAGE)):
        raise Forbidden()


def visible_requests(caller: Actor) -> Select:
    """``SELECT role_request`` whose unit lies where the caller approves roles or manages users."""
    paths = scope_paths(caller, APPROVE) + scope_paths(caller, MANAGE)
    return (
        select(RoleRequest)
        .join(Unit, RoleRequest.unit_id == Unit.id)
        .where(or_(path_condition(Unit.path, paths)))
    )


def pending_requests(session: Session, caller: Actor, limit: int) -> list[RoleRequest]:
    """The requests of ``caller``'s subtree waiting for a decision, oldest first."""
    query = visible_requests(caller).where(RoleRequest.status == "pending")
    return list(session.scalars(query.order_by(RoleRequest.requested_at).limit(limit)))


def get_request(session: Session, caller: Actor, request_id: uuid.UUID) -> RoleRequest:
    """:raise NotFound: unknown, or outside every unit where the caller approves or manages."""
    request = session.scalar(visible_requests(caller).where(RoleRequest.id == request_id))
    if request is None:
        raise NotFound()
    return request


def pending_for(session: Session, user: Actor) -> list[RoleRequest]:
    """The requests of ``user`` still waiting for a decision, oldest first."""
    return list(
        session.scalars(
            select(RoleRequest)
            .where(RoleRequest.user_id == user.id, RoleRequest.status == "pending")
            .order_by(RoleRequest.requested_at)
        )
    )


def unvouched_case_accounts(session: Session) -> list[str]:
    """Accounts holding a case role whose way in an administrator could know — what these
    operations never produce; ``casework verify`` reports any (a hand-edited database)."""
    rows = session.scalars(
        select(User.username)
        .where(
            User.credential_vouched.is_(False),
            User.roles.any(RoleAssignment.role.in_(sorted(CASE_ROLES))),
        )
        .order_by(User.username)
    )
    return [f"user {name}: holds a case role on a credential not vouched for" for name in rows]


# --- the operations ------------------------------------------------------------------------


def request_role(
    session: Session, admin: Actor, user: User, role: str, unit: Unit, *, cause: str = "grant"
) -> RoleRequest:
    """Ask for ``role`` in ``unit`` for ``user`` (the caller checked both lie in its subtree).

    :raise Conflict: the user already holds the role there, or it is already asked for.
    """
    if any(a.role == role and a.unit_id == unit.id for a in user.roles):
        raise Conflict(_("The user already holds this role in this unit."))
    waiting = session.scalar(
        select(RoleRequest.id).where(
            RoleRequest.user_id == user.id,
            RoleRequest.role == role,
            RoleRequest.unit_id == unit.id,
            RoleRequest.status == "pending",
        )
    )
    if waiting is not None:
        raise Conflict(_("This role is already waiting for approval."))
    request = RoleRequest(
        user_id=user.id,
        user=user,
        role=role,
        unit_id=unit.id,
        unit=unit,
        cause=cause,
        status="pending",
        requested_by_id=getattr(admin, "id", None),
    )
    session.add(request)
    session.flush()
    _audit(session, "user.role_request", admin, request, cause=cause)
    return request


def suspend_case_roles(session: Session, admin: Actor, user: User) -> list[RoleRequest]:
    """Turn ``user``'s active case roles back into requests (an administrator reset the
    account's credential, which it could then hold: a second person must vouch again)."""
    suspended = []
    for assignment in [a for a in user.roles if needs_approval(a.role)]:
        user.roles.remove(assignment)
        session.flush()
        suspended.append(
            request_role(session, admin, user, assignment.role, assignment.unit, cause="reset")
        )
    return suspended


def _audit(
    session: Session, action: str, actor: Actor, request: RoleRequest, **detail: Any
) -> None:
    """One audit entry about ``request``: codes and ids only."""
    trail.record(
        session,
        action,
        actor=actor,
        object_type="user",
        object_id=request.user_id,
        unit_path=request.unit.path,
        role=request.role,
        unit=request.unit.code,
        request=str(request.id),
        **detail,
    )


def _require_in_scope(caller: Actor, request: RoleRequest, permission: str) -> None:
    """:raise Forbidden: the caller holds ``permission`` nowhere.
    :raise NotFound: not over the request's unit (as if it did not exist)."""
    if not scope_paths(caller, permission):
        raise Forbidden()
    if not unit_in_scope(caller, request.unit, permission):
        raise NotFound()


def _decide(approver: Actor, request: RoleRequest, status: str) -> None:
    if request.status != "pending":
        raise Conflict(_("This request was already decided."))
    if request.user_id == approver.id:
        raise Forbidden(_("You cannot decide on a role for your own account."))
    request.status = status
    request.decided_by_id = approver.id
    request.decided_at = utcnow()


def approve(session: Session, approver: Actor, request: RoleRequest) -> Decision:
    """Activate the requested role; if the account's way in was not vouched for (it may be in
    the requesting administrator's hands), end it — password, codes, sessions, tokens, second
    factor — and hand the approver a fresh code.

    :raise Forbidden: the approver approves no roles, asked for it, or it is for their own
        account.
    :raise NotFound: the request's unit lies outside where the approver approves roles.
    :raise Conflict: already decided.
    """
    _require_in_scope(approver, request, APPROVE)
    if request.requested_by_id == approver.id:
        raise Forbidden(_("Who asked for a role cannot approve it: a second person must."))
    _decide(approver, request, "approved")
    user = request.user
    code = None
    if not user.credential_vouched:
        user.password_hash = UNUSABLE_PASSWORD
        user.password_must_change = False
        user.password_changed_at = utcnow()
        end_all_access(session, user)
        # A second factor set up by whoever held the old credential would let them lock the
        # real holder out: it goes with the credential.
        totp.remove_totp(session, user)
        code = enrolment.issue_code(session, user, approver, vouched=True)
        user.credential_vouched = True
    if not any(a.role == request.role and a.unit_id == request.unit_id for a in user.roles):
        user.roles.append(
            RoleAssignment(role=request.role, unit_id=request.unit_id, unit=request.unit)
        )
    session.flush()
    _audit(
        session,
        "user.role_approve",
        approver,
        request,
        requested_by=str(request.requested_by_id) if request.requested_by_id else None,
        code_issued=code is not None,
    )
    return Decision(request, code)


def refuse(session: Session, approver: Actor, request: RoleRequest) -> RoleRequest:
    """Refuse the requested role.

    :raise Forbidden: the approver approves no roles, or it is for their own account.
    :raise NotFound: the request's unit lies outside where the approver approves roles.
    :raise Conflict: already decided.
    """
    _require_in_scope(approver, request, APPROVE)
    _decide(approver, request, "refused")
    _audit(session, "user.role_refuse", approver, request)
    return request


def withdraw(session: Session, admin: Actor, request: RoleRequest) -> None:
    """An administrator takes back a request that is still waiting.

    :raise Forbidden: the caller manages no users.
    :raise NotFound: the request's unit lies outside the administrator's subtree.
    :raise Conflict: already decided.
    """
    _require_in_scope(admin, request, MANAGE)
    if request.status != "pending":
        raise Conflict(_("This request was already decided."))
    request.status = "withdrawn"
    request.decided_by_id = admin.id
    request.decided_at = utcnow()
    _audit(session, "user.role_withdraw", admin, request)
