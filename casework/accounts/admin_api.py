"""``/api/v1/users``: administrators manage the accounts of their subtree (never case content).

Load (404 outside the subtree) → check (403) → one operation, as every view here. No request
here carries a password: accounts are created and reset with an enrolment code for their holder,
and a case role waits for a supervisor (``/api/v1/role-requests``).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework.access.current import caller
from casework.access.paging import SqlPage
from casework.accounts import administration, operations
from casework.accounts.enrolment import IssuedCode
from casework.accounts.models import RoleAssignment, RoleRequest, User
from casework.accounts.schemas import (
    CredentialResetSchema,
    NoBodySchema,
    RoleGrantOutSchema,
    RoleGrantSchema,
    UserCreatedSchema,
    UserCreateSchema,
    UserListArgsSchema,
    UserOutSchema,
    UserPatchSchema,
)
from casework.extensions import db
from casework.units.models import CURRENT_TREE, Unit

blp = Blueprint("users", __name__, url_prefix="/users", description="User administration")


def assignment_view(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "id": assignment.id,
        "role": assignment.role,
        "unit_code": assignment.unit.code,
        "unit_name": assignment.unit.name,
    }


def pending_view(request: RoleRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "role": request.role,
        "unit_code": request.unit.code,
        "unit_name": request.unit.name,
        "cause": request.cause,
        "requested_at": request.requested_at,
    }


def code_view(code: IssuedCode | None) -> dict[str, Any] | None:
    return None if code is None else {"code": code.code, "expires_at": code.expires_at}


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "unit_code": user.unit.code,
        "active": user.active,
        "roles": [assignment_view(a) for a in user.roles],
        "pending_roles": [pending_view(r) for r in user.pending_roles],
        "awaiting_enrolment": user.awaiting_enrolment,
        "totp_enrolled": user.totp_confirmed,
        "locked_until": user.locked_until,
        "password_must_change": user.password_must_change,
        "created_at": user.created_at,
    }


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserListArgsSchema, location="query")
    @blp.response(200, UserOutSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """Users whose home unit lies in your subtree, by username."""
        admin = caller()
        administration.require_administrator(admin)
        query = administration.managed_users(admin)
        if "unit" in args:
            unit = db.session.scalar(
                select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == args["unit"])
            )
            query = query.where(unit.subtree_filter() if unit else User.id.is_(None))
        if "role" in args:
            query = query.where(User.roles.any(RoleAssignment.role == args["role"]))
        if "active" in args:
            query = query.where(User.active == args["active"])
        query = query.options(selectinload(User.pending_roles))
        return SqlPage(query.order_by(User.username), user_view)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a user in a unit of your subtree, without a password.

        Roles without case content are granted at once and the answer carries the account's
        enrolment code, shown this once: hand it over in person; its holder sets the password.
        A case role (social worker, supervisor) waits for a supervisor of that unit or above
        (``pending_roles``); then there is no code here — the approving supervisor receives it.
        """
        admin = caller()
        administration.require_administrator(admin)
        unit = administration.managed_unit(db.session, admin, data["unit"])
        created = operations.create_account(
            db.session,
            admin,
            username=data["username"],
            roles=data["roles"],
            unit=unit,
            display_name=data.get("display_name", ""),
        )
        return {**user_view(created.user), "enrolment_code": code_view(created.code)}


@blp.route("/<uuid:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserOutSchema)
    def get(self, user_id: uuid.UUID) -> dict[str, Any]:
        """One user of your subtree."""
        admin = caller()
        administration.require_administrator(admin)
        return user_view(administration.get_managed_user(db.session, admin, user_id))

    @blp.arguments(UserPatchSchema)
    @blp.response(200, UserOutSchema)
    def patch(self, data: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """Rename or (de)activate; disabling ends the user's sessions and tokens at once."""
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        operations.update_user(db.session, admin, user, data)
        return user_view(user)


@blp.route("/<uuid:user_id>/roles")
class UserRoles(MethodView):
    @blp.arguments(RoleGrantSchema)
    @blp.response(201, RoleGrantOutSchema, description="granted (a role without case content)")
    @blp.alt_response(
        202, schema=RoleGrantOutSchema, description="a case role, waiting for a supervisor"
    )
    def post(self, data: dict[str, Any], user_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        """Give the user a role in a unit of your subtree.

        A case role (social worker, supervisor) is not granted by one person: it becomes a
        request (202, ``status: pending``) that a supervisor at that unit or above approves.
        """
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        unit = administration.managed_unit(db.session, admin, data["unit"])
        granted = operations.grant_role(db.session, admin, user, data["role"], unit)
        if isinstance(granted, RoleRequest):
            return {**pending_view(granted), "status": "pending"}, 202
        return {**assignment_view(granted), "status": "active"}, 201


@blp.route("/<uuid:user_id>/roles/<uuid:assignment_id>")
class UserRoleItem(MethodView):
    @blp.response(204)
    def delete(self, user_id: uuid.UUID, assignment_id: uuid.UUID) -> None:
        """Take a role away."""
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        assignment = administration.get_assignment(user, admin, assignment_id)
        operations.revoke_role(db.session, admin, user, assignment)


@blp.route("/<uuid:user_id>/password-reset")
class UserPasswordReset(MethodView):
    @blp.arguments(NoBodySchema)
    @blp.response(200, CredentialResetSchema)
    def post(self, _body: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """End the account's password, sessions and API tokens; issue a new enrolment code.

        The code (shown this once) goes to you only when the account holds no case role: its
        case roles are suspended into requests (``awaiting_approval``) and the supervisor who
        approves them receives the code to hand over.
        """
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        reset = operations.reset_credentials(db.session, admin, user)
        return {
            "enrolment_code": code_view(reset.code),
            "awaiting_approval": [pending_view(r) for r in reset.waiting],
        }


@blp.route("/<uuid:user_id>/totp-reset")
class UserTotpReset(MethodView):
    @blp.response(204)
    def post(self, user_id: uuid.UUID) -> None:
        """Remove a lost second factor; the user sets up a new one at next login."""
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        operations.reset_totp(db.session, admin, user)
