"""Settings → two-step login: set up an authenticator (TOTP), see the recovery codes once,
turn it off with the password.

The rules are ``casework.accounts.totp`` (secret made on the server, counted only after a first
valid code, ten recovery codes) and ``casework.accounts.operations.remove_own_totp`` — the same
the API calls. A user the configuration obliges to use a second factor (``CASEWORK_REQUIRE_MFA``)
is brought here after logging in, and from any other page until it is done, instead of meeting
a refusal page.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casework.access.actor import Actor
from casework.accounts import totp
from casework.accounts.loader import StepRequired, allow_while_pending, require_session
from casework.accounts.operations import (
    begin_own_totp_enrolment,
    confirm_own_totp,
    remove_own_totp,
)
from casework.errors import DomainError, error_response, wants_json
from casework.extensions import db
from casework.web.auth import login_required_page
from casework.web.forms import ActionForm, TotpConfirmForm, TotpRemoveForm
from casework.web.validation import flatten

bp = Blueprint("web_account", __name__)

allow_while_pending(
    "totp_enrolment", "web_account.two_step", "web_account.start", "web_account.confirm"
)


def _pending_uri(user: Actor) -> tuple[str, str] | None:
    """The secret being set up (not yet confirmed) and its otpauth URI, or None."""
    if user.totp_confirmed or not user.totp_secret:
        return None
    secret = user.totp_secret
    import pyotp

    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=totp.ISSUER)
    return secret, uri


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code: an SVG drawn on the server, as a ``data:`` image (the CSP
    allows ``img-src data:``; nothing is fetched from elsewhere)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def _page(
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    message: str | None = None,
    recovery_codes: list[str] | None = None,
) -> Any:
    user = current_user._get_current_object()
    pending = _pending_uri(user)
    return render_template(
        "two_step.html",
        user=user,
        required=totp.mfa_required(user),
        secret=pending[0] if pending else None,
        uri=pending[1] if pending else None,
        qr=qr_data_uri(pending[1]) if pending else None,
        start_form=ActionForm(),
        confirm_form=TotpConfirmForm(),
        remove_form=TotpRemoveForm(),
        errors=errors or {},
        message=message,
        recovery_codes=recovery_codes,
    ), status


@bp.get("/account/two-step")
@login_required_page
def two_step() -> Any:
    """Where two-step login stands for the caller, and the next thing to do."""
    return _page()


@bp.post("/account/two-step/start")
@login_required_page
def start() -> Any:
    """Make a new secret (replacing one not yet confirmed) and show it.

    :raise 409: two-step login is already on (turn it off first).
    """
    user = current_user._get_current_object()
    require_session()
    try:
        begin_own_totp_enrolment(db.session, user)
    except DomainError as error:
        return _page(error.status, message=error.message)
    return redirect(url_for("web_account.two_step", _anchor="confirm"))


@bp.post("/account/two-step/confirm")
@login_required_page
def confirm() -> Any:
    """Prove the authenticator with a first code; the recovery codes are shown this once."""
    user = current_user._get_current_object()
    require_session()
    form = TotpConfirmForm()
    try:
        codes = confirm_own_totp(db.session, user, (form.code.data or "").strip())
    except DomainError as error:
        db.session.rollback()
        return _page(error.status, errors=flatten(error.errors), message=error.message)
    # 200, not a redirect: the codes exist in clear only in this response.
    return _page(recovery_codes=codes)


@bp.post("/account/two-step/remove")
@login_required_page
def remove() -> Any:
    """Turn two-step login off; the password is asked again."""
    user = current_user._get_current_object()
    require_session()
    form = TotpRemoveForm()
    try:
        remove_own_totp(db.session, user, form.password.data or "")
    except DomainError as error:
        # The 422 rolls back; the failed attempt is still counted (lockout, after the rollback).
        return _page(error.status, errors=flatten(error.errors), message=error.message)
    flash(_("Two-step login is off."), "success")
    return redirect(url_for("web_account.two_step"))


@bp.app_errorhandler(StepRequired)
def _take_to_the_step(error: StepRequired) -> Any:
    """A page asked for while a step is owed sends the browser to that step (the API keeps its
    403 saying what to do)."""
    steps = error.errors.get("pending") or []
    if not wants_json() and steps:
        if steps[0] == "password_change":
            return redirect(url_for("web_auth.change_password"))
        if steps[0] == "totp_enrolment":
            return redirect(url_for("web_account.two_step"))
    return error_response(error.status, error.code, error.message, error.errors)


__all__ = ["bp", "qr_data_uri"]
