"""Who is calling: flask-login's ``current_user`` from a server-side session or an API token.

``current_user`` stays the one API for views (``casework.access.current.caller``). Behind it:
- ``Authorization: Bearer cwp_…`` → the token's user; a bad token is anonymous, never a fallback
  to the cookie (a request carrying a token is judged by the token alone).
- otherwise the cookie's ``sid`` → a live ``UserSession``'s user.
``login_user``/``logout_user`` keep working for the pages and the API: their signals start a new
server-side session (a fresh id at every login) and revoke it.
Once the caller is known, the database is told too (``row_security.bind_caller``): resolving
them was the transaction's first statement and read no case table; every later one is scoped.

A session may be *restricted* while the user owes a step (``pending_steps``): a temporary
password to replace, or a second factor to set up when it is required. Until then only the
endpoints that let them complete the step answer; everything else is a 403 saying what to do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in, user_logged_out

from casework.access import row_security
from casework.access.actor import Actor
from casework.accounts import lockout
from casework.accounts.models import User, UserSession
from casework.accounts.sessions import (
    SESSION_KEY,
    resolve_session,
    revoke_by_secret,
    revoke_session,
    start_session,
)
from casework.accounts.tokens import resolve_token
from casework.accounts.totp import mfa_required
from casework.errors import Forbidden
from casework.extensions import db, login_manager

_AUTH = "casework_authentication"


@dataclass(frozen=True)
class Authentication:
    """How this request's caller proved who they are."""

    kind: str  # "session" or "token"
    session_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None

    @property
    def session(self) -> UserSession | None:
        """The login session's row (loaded when asked: logout and credential changes need it)."""
        return db.session.get(UserSession, self.session_id) if self.session_id else None


class StepRequired(Forbidden):
    """The session may only complete a pending step (set a password, set up TOTP)."""

    code = "step_required"


STEP_MESSAGES = {
    "password_change": "Đổi mật khẩu tạm trước / change your temporary password first: "
    "POST /api/v1/auth/password.",
    "totp_enrolment": "Cài đặt đăng nhập hai bước trước / set up two-step login first: "
    "POST /api/v1/auth/totp/enrol, then /api/v1/auth/totp/confirm.",
}

#: Endpoints a restricted session may always reach.
ALWAYS_ALLOWED = {
    "auth.Login",
    "auth.Logout",
    "auth.Me",
    "auth.Enrolment",
    "web_auth.enrol_page",
    "static",
    "health.healthz",
}
#: Endpoints that complete each step; the web pages add theirs with ``allow_while_pending``.
STEP_ENDPOINTS: dict[str, set[str]] = {
    "password_change": {"auth.Password"},
    "totp_enrolment": {"auth.TotpEnrol", "auth.TotpConfirm"},
}


def allow_while_pending(step: str, *endpoints: str) -> None:
    """Let a restricted session reach ``endpoints`` while ``step`` is pending (web pages)."""
    STEP_ENDPOINTS.setdefault(step, set()).update(endpoints)


def pending_steps(user: Actor) -> list[str]:
    """What ``user`` must do before the service opens up to them."""
    steps = []
    if user.password_must_change:
        steps.append("password_change")
    if mfa_required(user) and not user.totp_confirmed:
        steps.append("totp_enrolment")
    return steps


def authentication() -> Authentication | None:
    """How the current caller authenticated (None when anonymous)."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    return g.get(_AUTH)


def require_session() -> UserSession:
    """:raise Forbidden: the caller used an API token (tokens cannot manage credentials)."""
    auth = authentication()
    if auth is None or auth.session is None:
        raise Forbidden(_("This needs a login session, not an API token."))
    return auth.session


def _load_caller(req: Any) -> User | None:
    header = req.headers.get("Authorization")
    if header is not None:
        scheme, _sep, credential = header.partition(" ")
        if scheme != "Bearer" or not credential.strip():
            return None
        token = resolve_token(db.session, credential.strip())
        if token is None:
            return None
        g.setdefault(_AUTH, Authentication("token", token_id=token.id))
        row_security.bind_caller(db.session, token.principal)
        return token.principal
    secret = session.get(SESSION_KEY)
    if not isinstance(secret, str):
        return None
    resolved = resolve_session(db.session, secret)
    if resolved is None:
        session.pop(SESSION_KEY, None)
        return None
    g.setdefault(_AUTH, Authentication("session", session_id=resolved.id))
    row_security.bind_caller(db.session, resolved.principal)
    return resolved.principal


def _on_login(_app: Flask, user: User, **_extra: Any) -> None:
    """A new server-side session at every login; the old one (if any) ends."""
    g.pop(_AUTH, None)
    previous = session.get(SESSION_KEY)
    if isinstance(previous, str):
        revoke_by_secret(db.session, previous)
    session.clear()  # flask-login's own keys and the old CSRF token go too
    row, secret = start_session(
        db.session, user, request.remote_addr, request.headers.get("User-Agent")
    )
    session[SESSION_KEY] = secret
    g.pop("csrf_token", None)
    g.setdefault(_AUTH, Authentication("session", session_id=row.id))


def _on_logout(_app: Flask, user: Actor | None = None, **_extra: Any) -> None:
    auth = g.pop(_AUTH, None)
    if auth is not None and auth.session is not None:
        revoke_session(auth.session)
    session.clear()


def _enforce_pending_steps() -> None:
    endpoint = request.endpoint
    if endpoint is None or endpoint in ALWAYS_ALLOWED:
        return
    if not getattr(current_user, "is_authenticated", False):
        return
    steps = pending_steps(current_user)
    if not steps:
        return
    if any(endpoint in STEP_ENDPOINTS.get(step, ()) for step in steps):
        return
    raise StepRequired(STEP_MESSAGES[steps[0]], errors={"pending": steps})


def install(app: Flask) -> None:
    """Wire the loader, the login/logout signals, restricted sessions and the lockout counter."""
    login_manager.session_protection = None  # the server-side session does better
    login_manager.request_loader(_load_caller)
    user_logged_in.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)
    app.before_request(_enforce_pending_steps)
    lockout.init_app(app)
