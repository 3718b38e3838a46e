"""``/api/v1/users``: administrators manage the accounts of their subtree (never case content).

Load (404 outside the subtree) → check (403) → one operation, as every view here.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page
from sqlalchemy import select

import casework.api.pagination  # noqa: F401 - names the paging parameter per_page
from casework.access.current import caller
from casework.access.paging import SqlPage
from casework.accounts import administration, operations
from casework.accounts.models import RoleAssignment, User
from casework.accounts.schemas import (
    AssignmentSchema,
    PasswordSchema,
    RoleGrantSchema,
    UserCreateSchema,
    UserListArgsSchema,
    UserOutSchema,
    UserPatchSchema,
)
from casework.audit import trail
from casework.errors import Invalid
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


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "unit_code": user.unit.code,
        "active": user.active,
        "roles": [assignment_view(a) for a in user.roles],
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
        return SqlPage(query.order_by(User.username), user_view)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a user in a unit of your subtree; the password is temporary.

        The user must replace it at their first login.
        """
        admin = caller()
        administration.require_administrator(admin)
        unit = administration.managed_unit(db.session, admin, data["unit"])
        try:
            user = operations.create_user(
                db.session,
                data["username"],
                data["password"],
                roles=data["roles"],
                unit_code=unit.code,
                display_name=data.get("display_name", ""),
            )
        except operations.AccountError as exc:
            field = (
                "password"
                if "password" in str(exc)
                else ("roles" if "role" in str(exc) else "username")
            )
            raise Invalid(errors={field: [str(exc)]}) from None
        user.password_must_change = True
        trail.record(
            db.session,
            "user.create",
            actor=admin,
            object_type="user",
            object_id=user.id,
            unit_path=unit.path,
            roles=sorted(user.role_names),
        )
        return user_view(user)


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
    @blp.response(201, AssignmentSchema)
    def post(self, data: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """Give the user a role in a unit of your subtree."""
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        unit = administration.managed_unit(db.session, admin, data["unit"])
        return assignment_view(operations.grant_role(db.session, admin, user, data["role"], unit))


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
    @blp.arguments(PasswordSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any], user_id: uuid.UUID) -> None:
        """Set a temporary password (to be changed at next login); sessions and tokens end."""
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        operations.reset_password(db.session, admin, user, data["password"])


@blp.route("/<uuid:user_id>/totp-reset")
class UserTotpReset(MethodView):
    @blp.response(204)
    def post(self, user_id: uuid.UUID) -> None:
        """Remove a lost second factor; the user sets up a new one at next login."""
        admin = caller()
        administration.require_administrator(admin)
        user = administration.get_managed_user(db.session, admin, user_id)
        operations.reset_totp(db.session, admin, user)
