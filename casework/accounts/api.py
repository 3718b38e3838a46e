"""``/api/v1/auth`` (sessions, password, second factor) and ``/api/v1/me``."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_login import login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from casework.access.actor import Actor
from casework.access.current import caller
from casework.access.roles import permissions_of
from casework.accounts import operations
from casework.accounts.authentication import authenticate
from casework.accounts.loader import pending_steps, require_session
from casework.accounts.schemas import (
    EnrolledSchema,
    EnrolSchema,
    LoginOutSchema,
    LoginSchema,
    MeDetailSchema,
    PasswordChangeSchema,
    PasswordSchema,
    RecoveryCodesSchema,
    TotpConfirmSchema,
    TotpEnrolOutSchema,
)
from casework.errors import Unauthorized
from casework.extensions import db, limiter

blp = Blueprint("auth", __name__, url_prefix="", description="Sessions and the caller")

LOGIN_FAILED = "Tên đăng nhập, mật khẩu hoặc mã OTP không đúng / wrong username, password or code."


def me_view(user: Actor) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit.code,
        "roles": [
            {"role": a.role, "unit_code": a.unit.code, "unit_name": a.unit.name} for a in user.roles
        ],
        "permissions": sorted(permissions_of(user.role_names)),
        "totp_enrolled": user.totp_confirmed,
        "pending": pending_steps(user),
    }


def _login_rate() -> str:
    return current_app.config["CASEWORK_LOGIN_RATE_LIMIT"]


@blp.route("/auth/login")
class Login(MethodView):
    # Per client address; the per-account lock (casework.accounts.lockout) covers the rest.
    decorators = [limiter.limit(_login_rate, methods=["POST"])]

    @blp.arguments(LoginSchema)
    @blp.response(200, LoginOutSchema)
    @blp.alt_response(401, description="unknown user, wrong password, locked or missing OTP")
    @blp.alt_response(429, description="too many attempts from this address")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Start a session (a new id every time). Every failure answers the same 401.

        Send ``otp`` (a TOTP code or a recovery code) once two-step login is set up. A session
        with ``pending`` steps can only complete them (change the password, set up TOTP).
        """
        user = authenticate(
            db.session,
            data["username"],
            data["password"],
            data.get("otp"),
            remote_addr=request.remote_addr,
        )
        if user is None:
            raise Unauthorized(LOGIN_FAILED)
        login_user(user)
        return {**me_view(user), "csrf_token": generate_csrf()}


@blp.route("/auth/enrolment")
class Enrolment(MethodView):
    # Unauthenticated like the login, and limited the same way per client address.
    decorators = [limiter.limit(_login_rate, methods=["POST"])]

    @blp.arguments(EnrolSchema)
    @blp.response(200, EnrolledSchema)
    @blp.alt_response(422, description="the code is not valid (one answer for every reason)")
    @blp.alt_response(429, description="too many attempts from this address")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Set your password with the enrolment code handed to you (single use, expiring).

        Any session or API token the account had ends. Then log in with the username returned.
        """
        user = operations.enrol(db.session, data["code"], data["password"], request.remote_addr)
        return {"username": user.username}


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self) -> None:
        """End this session, server-side."""
        user = caller()
        require_session()
        operations.log_out(db.session, user, request.remote_addr)
        logout_user()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeDetailSchema)
    def get(self) -> dict[str, Any]:
        """The caller: username, roles, unit, permissions, pending steps."""
        return me_view(caller())


@blp.route("/auth/password")
class Password(MethodView):
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> None:
        """Change your password. Your other sessions end and every personal access token you
        made is revoked (make new ones afterwards)."""
        user = caller()
        current = require_session()
        operations.change_own_password(
            db.session,
            user,
            data["current_password"],
            data["new_password"],
            keep_session=current.id,
        )


@blp.route("/auth/totp/enrol")
class TotpEnrol(MethodView):
    @blp.response(201, TotpEnrolOutSchema)
    def post(self) -> dict[str, Any]:
        """Start setting up two-step login: the secret, shown this once.

        It counts only after ``/auth/totp/confirm`` with a first code from the authenticator.
        """
        user = caller()
        require_session()
        secret, uri = operations.begin_own_totp_enrolment(db.session, user)
        return {"secret": secret, "otpauth_uri": uri}


@blp.route("/auth/totp/confirm")
class TotpConfirm(MethodView):
    @blp.arguments(TotpConfirmSchema)
    @blp.response(200, RecoveryCodesSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Confirm with a first code; returns ten one-time recovery codes (shown once)."""
        user = caller()
        require_session()
        codes = operations.confirm_own_totp(db.session, user, data["code"])
        return {"recovery_codes": codes}


@blp.route("/auth/totp")
class Totp(MethodView):
    @blp.arguments(PasswordSchema)
    @blp.response(204)
    def delete(self, data: dict[str, Any]) -> None:
        """Remove two-step login (your password is required)."""
        user = caller()
        require_session()
        operations.remove_own_totp(db.session, user, data["password"])
