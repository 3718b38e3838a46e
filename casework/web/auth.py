"""Logging in and out, the language switch, and the home page that sends each role to its work.

Credentials are checked by ``casework.accounts.authentication`` (the same function the API
uses), so a page and an API client are locked out, throttled and audited alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from casework.access.actor import Actor
from casework.accounts.authentication import authenticate
from casework.accounts.loader import allow_while_pending, pending_steps, require_session
from casework.accounts.operations import change_own_password, enrol, log_out
from casework.config import LOCALES
from casework.errors import Invalid
from casework.extensions import db, limiter
from casework.web.forms import ActionForm, ChangePasswordForm, EnrolForm, LoginForm
from casework.web.validation import flatten

bp = Blueprint("web_auth", __name__)

# A session that owes a step (a temporary password to replace, a second factor to set up) may
# still log out, switch language and, for the password, change it here.
for _step in ("password_change", "totp_enrolment"):
    allow_while_pending(
        _step, "web_auth.logout", "web_auth.switch_language", "web_auth.login", "web_auth.index"
    )
allow_while_pending("password_change", "web_auth.change_password")

F = TypeVar("F", bound=Callable[..., Any])
LANG_COOKIE_DAYS = 365


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything pointing elsewhere becomes ``default``.

    Stops the login page from being used to bounce someone to a look-alike site.
    """
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def login_required_page(view: F) -> F:
    """Pages need a logged-in, active user; others are sent to the login page and back."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not getattr(current_user, "is_authenticated", False) or not current_user.active:
            return redirect(url_for("web_auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def home_for(user: Actor) -> str:
    """Where every role's day starts: today's work for that role (issue 19)."""
    return url_for("web_today.today")


@bp.get("/")
def index() -> Response:
    if getattr(current_user, "is_authenticated", False):
        return redirect(home_for(current_user))
    return redirect(url_for("web_auth.login"))


@bp.get("/home")
@login_required_page
def home() -> str:
    """Roles without a caseload (statistician, auditor) land here: what they may do and where."""
    return render_template("home.html")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def login() -> Any:
    """The same message for every failure (unknown user, wrong password, code, disabled)."""
    form = LoginForm()
    next_url = safe_next(request.args.get("next"), "")
    if request.method == "POST":
        if form.validate_on_submit():
            user = authenticate(
                db.session,
                form.username.data or "",
                form.password.data or "",
                (form.otp.data or "").strip() or None,
                request.remote_addr,
            )
            if user is not None:
                login_user(user)
                steps = pending_steps(user)
                if "password_change" in steps:
                    return redirect(url_for("web_auth.change_password"))
                if "totp_enrolment" in steps:  # required by the configuration, not set up yet
                    return redirect(url_for("web_account.two_step"))
                return redirect(next_url or home_for(user))
        # 401 (not 200) so the unit of work writes the failed attempt's audit entry.
        page = render_template(
            "login.html", form=form, next_url=next_url, error=_("Wrong username, password or code.")
        )
        return page, 401
    if getattr(current_user, "is_authenticated", False):
        return redirect(next_url or home_for(current_user))
    return render_template("login.html", form=form, next_url=next_url, error=None)


@bp.post("/logout")
def logout() -> Response:
    form = ActionForm()
    if form.validate_on_submit() and getattr(current_user, "is_authenticated", False):
        log_out(db.session, current_user._get_current_object(), request.remote_addr)
        logout_user()
    return redirect(url_for("web_auth.login"))


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    """Remember the language in a cookie (a preference, not personal data) and go back."""
    response = redirect(safe_next(request.args.get("next")))
    if code in LOCALES:
        response.set_cookie(
            "lang",
            code,
            max_age=LANG_COOKIE_DAYS * 86400,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


def _enrolment_rate() -> str:
    return current_app.config["CASEWORK_LOGIN_RATE_LIMIT"]


@bp.route("/enrol", methods=["GET", "POST"])
@limiter.limit(_enrolment_rate, methods=["POST"])
def enrol_page() -> Any:
    """Set one's password with the enrolment code handed over in person (no login needed).

    Every reason a code is refused (unknown, used, replaced, expired) gives the same message.
    """
    form = EnrolForm()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise Invalid(errors={k: [str(m) for m in v] for k, v in form.errors.items()})
            if form.new_password.data != form.confirm_password.data:
                raise Invalid(errors={"confirm_password": [_("The two passwords differ.")]})
            user = enrol(db.session, form.code.data, form.new_password.data, request.remote_addr)
            flash(_("Your password is set. Log in as %(name)s.", name=user.username), "success")
            return redirect(url_for("web_auth.login"))
        except Invalid as error:
            errors = flatten(error.errors)
            if "password" in errors:  # the operation's name for what this form calls new_password
                errors["new_password"] = errors.pop("password")
        return render_template("enrol.html", form=form, errors=errors), 422
    return render_template("enrol.html", form=form, errors=errors)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required_page
def change_password() -> Any:
    """Replace one's password (required after an administrator set a temporary one)."""
    form = ChangePasswordForm()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        user = current_user._get_current_object()
        try:
            if not form.validate_on_submit():
                raise Invalid(errors={k: [str(m) for m in v] for k, v in form.errors.items()})
            change_own_password(
                db.session,
                user,
                form.current_password.data,
                form.new_password.data,
                keep_session=require_session().id,
            )
            flash(_("Your password was changed."), "success")
            return redirect(home_for(user))
        except Invalid as error:
            errors = flatten(error.errors)
        return render_template("change_password.html", form=form, errors=errors), 422
    return render_template("change_password.html", form=form, errors=errors)
