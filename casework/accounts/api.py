"""``/api/v1/auth`` and ``/api/v1/me``."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_login import login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from casework.access.current import caller
from casework.access.roles import permissions_of
from casework.accounts.authentication import authenticate
from casework.accounts.schemas import LoginResultSchema, LoginSchema, MeSchema
from casework.audit import trail
from casework.errors import Unauthorized
from casework.extensions import db

blp = Blueprint("auth", __name__, url_prefix="", description="Sessions and the caller")


def me_view(user: Any) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit.code,
        "roles": [
            {"role": a.role, "unit_code": a.unit.code, "unit_name": a.unit.name} for a in user.roles
        ],
        "permissions": sorted(permissions_of(user.role_names)),
    }


@blp.route("/auth/login")
class Login(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, LoginResultSchema)
    @blp.alt_response(401, description="unknown user, wrong password, locked or missing OTP")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Start a session. Every failure answers the same 401."""
        user = authenticate(db.session, data["username"], data["password"], data.get("otp"),
                            remote_addr=request.remote_addr)
        if user is None:
            raise Unauthorized("Tên đăng nhập, mật khẩu hoặc mã OTP không đúng / "
                               "wrong username, password or code.")
        login_user(user)
        return {**me_view(user), "csrf_token": generate_csrf()}


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self) -> None:
        """End the session."""
        user = caller()
        trail.record(db.session, "auth.logout", actor=user, remote_addr=request.remote_addr)
        logout_user()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """The caller: username, roles, unit, permissions."""
        return me_view(caller())
