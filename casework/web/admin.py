"""An administrator's pages: the users of their subtree and the unit tree.

Accounts change only through ``casework.accounts.operations`` and are reached only through
``casework.accounts.administration`` (scoped in SQL) — the same functions as the admin API —
so these views parse the form, call one of them and show its refusal. An administrator sees no
case content, and only users whose unit lies in their own subtree. It never types a password:
creating or resetting an account shows an enrolment code once, to hand over in person, and a
case role waits for a supervisor (``casework.web.role_requests``).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.access.actor import Actor
from casework.access.current import caller
from casework.access.roles import ROLES
from casework.accounts import administration, operations, role_requests
from casework.accounts.models import RoleRequest, User
from casework.errors import DomainError, Forbidden, NotFound
from casework.extensions import db
from casework.web import labels
from casework.web.auth import login_required_page
from casework.web.forms import ActionForm, CreateUserForm, RoleForm
from casework.web.validation import flatten

bp = Blueprint("web_admin", __name__, url_prefix="/admin")


def _role_choices() -> list[tuple[str, str]]:
    return [(r, labels.label_of(labels.ROLE_LABELS, r)) for r in ROLES]


def _users_page(admin: Actor, form: CreateUserForm, errors: dict[str, list[str]]) -> str:
    rows = administration.managed_user_list(db.session, admin)
    return render_template("admin_users.html", users=rows, form=form, errors=errors)


@bp.get("/users")
@login_required_page
def users() -> str:
    admin = caller()
    administration.require_administrator(admin)
    form = CreateUserForm()
    form.role.choices = _role_choices()
    return _users_page(admin, form, {})


@bp.post("/users")
@login_required_page
def create_user() -> Any:
    """Create an account without a password; show its enrolment code this once (or say which
    case roles wait for a supervisor, who will receive the code)."""
    admin = caller()
    administration.require_administrator(admin)
    form = CreateUserForm()
    form.role.choices = _role_choices()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            unit = administration.managed_unit(db.session, admin, form.unit.data.strip())
            created = operations.create_account(
                db.session,
                admin,
                username=form.username.data,
                roles=[form.role.data],
                unit=unit,
                display_name=form.display_name.data or "",
            )
            return render_template(
                "admin_enrolment.html",
                account=created.user,
                code=created.code,
                waiting=created.waiting,
                created=True,
            )
        except DomainError as error:
            errors = flatten(error.errors) or {"_": [error.message]}
    else:
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    db.session.rollback()
    return _users_page(admin, form, errors), 422


def _user_page(
    admin: Actor, account: User, errors: dict[str, list[str]] | None = None, status: int = 200
) -> Any:
    role_form = RoleForm()
    role_form.role.choices = _role_choices()
    page = render_template(
        "admin_user.html",
        account=account,
        role_form=role_form,
        errors=errors or {},
        is_self=account.id == admin.id,
    )
    return page, status


@bp.get("/users/<uuid:user_id>")
@login_required_page
def user_page(user_id: uuid.UUID) -> Any:
    """:raise 404: unknown user, or one outside the administrator's subtree."""
    admin = caller()
    administration.require_administrator(admin)
    return _user_page(admin, administration.get_managed_user(db.session, admin, user_id))


def _act(user_id: uuid.UUID, action: Any) -> Any:
    """Load the managed user, run one account operation, show its refusal on the user's page.

    ``action(admin, account)`` returns the message to flash, or a ``(page, status)`` to show
    instead (a code, shown once, must not travel through a redirect and the session cookie).
    """
    admin = caller()
    administration.require_administrator(admin)
    account = administration.get_managed_user(db.session, admin, user_id)
    try:
        if not ActionForm().validate_on_submit():
            raise Forbidden()
        done = action(admin, account)
    except DomainError as error:
        db.session.rollback()
        account = administration.get_managed_user(db.session, admin, user_id)
        errors = flatten(error.errors) if error.errors else {"_": [error.message]}
        return _user_page(admin, account, errors, error.status)
    if not isinstance(done, str):
        return done
    flash(done, "success")
    return redirect(url_for("web_admin.user_page", user_id=user_id))


@bp.post("/users/<uuid:user_id>/active")
@login_required_page
def set_active(user_id: uuid.UUID) -> Any:
    """Disable (ends every session and token at once) or enable an account."""
    active = request.form.get("active") == "1"

    def set_state(admin: Actor, account: User) -> str:
        operations.update_user(db.session, admin, account, {"active": active})
        return _("The account was enabled.") if active else _("The account was disabled.")

    return _act(user_id, set_state)


@bp.post("/users/<uuid:user_id>/password")
@login_required_page
def reset_password(user_id: uuid.UUID) -> Any:
    """End the password, sessions and tokens; show the new enrolment code once (or the case
    roles now waiting for a supervisor, who will receive it)."""

    def reset(admin: Actor, account: User) -> tuple[str, int]:
        done = operations.reset_credentials(db.session, admin, account)
        page = render_template(
            "admin_enrolment.html",
            account=account,
            code=done.code,
            waiting=done.waiting,
            created=False,
        )
        return page, 200

    return _act(user_id, reset)


@bp.post("/users/<uuid:user_id>/totp")
@login_required_page
def reset_totp(user_id: uuid.UUID) -> Any:
    def reset(admin: Actor, account: User) -> str:
        operations.reset_totp(db.session, admin, account)
        return _("Two-step login was removed; the user sets it up again at the next login.")

    return _act(user_id, reset)


@bp.post("/users/<uuid:user_id>/roles")
@login_required_page
def grant_role(user_id: uuid.UUID) -> Any:
    role, code = request.form.get("role", ""), request.form.get("unit", "").strip()

    def grant(admin: Actor, account: User) -> str:
        unit = administration.managed_unit(db.session, admin, code)
        granted = operations.grant_role(db.session, admin, account, role, unit)
        if isinstance(granted, RoleRequest):
            return _("The role waits for the approval of a supervisor of that unit or above.")
        return _("The role was given.")

    return _act(user_id, grant)


@bp.post("/users/<uuid:user_id>/roles/<uuid:assignment_id>/revoke")
@login_required_page
def revoke_role(user_id: uuid.UUID, assignment_id: uuid.UUID) -> Any:
    def revoke(admin: Actor, account: User) -> str:
        assignment = administration.get_assignment(account, admin, assignment_id)
        operations.revoke_role(db.session, admin, account, assignment)
        return _("The role was taken away.")

    return _act(user_id, revoke)


@bp.post("/users/<uuid:user_id>/role-requests/<uuid:request_id>/withdraw")
@login_required_page
def withdraw_request(user_id: uuid.UUID, request_id: uuid.UUID) -> Any:
    """Take back a case role still waiting for approval."""

    def withdraw(admin: Actor, account: User) -> str:
        pending = role_requests.get_request(db.session, admin, request_id)
        if pending.user_id != account.id:
            raise NotFound()
        role_requests.withdraw(db.session, admin, pending)
        return _("The request was withdrawn.")

    return _act(user_id, withdraw)


@bp.get("/units")
@login_required_page
def units() -> str:
    """Children of ``?parent=CODE`` (or the top of the administrator's subtree).

    :raise 404: a code outside the administrator's subtree (like an unknown one).
    """
    tree = administration.unit_tree(db.session, caller(), request.args.get("parent", ""))
    return render_template(
        "admin_units.html",
        parent=tree.parent,
        units=tree.units,
        counts=tree.counts,
        trail=tree.ancestors,
    )
