"""A supervisor's page of the case roles waiting for their approval (the second pair of eyes).

Each decision goes through ``casework.accounts.role_requests`` — the same operations as
``/api/v1/role-requests`` — which check the scope, refuse the person who asked and the account's
holder, and audit. An approval that replaced an unvouched credential shows the new enrolment
code on the answer page, once: a code must not travel through a redirect and the session cookie.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from casework.access.actor import Actor
from casework.access.current import caller
from casework.access.scoping import scope_paths
from casework.accounts import role_requests
from casework.accounts.loader import require_session
from casework.errors import DomainError, Forbidden
from casework.extensions import db
from casework.web.auth import login_required_page
from casework.web.forms import ActionForm
from casework.web.validation import flatten

bp = Blueprint("web_role_requests", __name__, url_prefix="/supervisor/role-requests")

LIST_LIMIT = 100


def _require_approver(user: Actor) -> None:
    if not scope_paths(user, role_requests.APPROVE):
        raise Forbidden()


def _list_page(user: Actor, errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    rows = role_requests.pending_requests(db.session, user, LIST_LIMIT)
    page = render_template("role_requests.html", requests=rows, errors=errors or {}, me=user.id)
    return page, status


@bp.get("")
@login_required_page
def pending() -> Any:
    """The requests of the caller's subtree that wait for a decision."""
    user = caller()
    _require_approver(user)
    return _list_page(user)


@bp.post("/<uuid:request_id>")
@login_required_page
def decide(request_id: uuid.UUID) -> Any:
    """Approve or refuse one request (``decision`` = approve | refuse).

    :raise 404: unknown, or outside the supervisor's subtree.
    """
    user = caller()
    _require_approver(user)
    asked = role_requests.get_request(db.session, user, request_id)
    try:
        if not ActionForm().validate_on_submit():
            raise Forbidden()
        require_session()
        if request.form.get("decision") == "approve":
            decision = role_requests.approve(db.session, user, asked)
            if decision.code is not None:
                return render_template(
                    "role_request_code.html", asked=asked, account=asked.user, code=decision.code
                )
            flash(_("The role was approved: it is active now."), "success")
        elif request.form.get("decision") == "refuse":
            role_requests.refuse(db.session, user, asked)
            flash(_("The role was refused."), "success")
        else:
            raise Forbidden()
    except DomainError as error:
        db.session.rollback()
        return _list_page(user, flatten(error.errors) or {"_": [error.message]}, error.status)
    return redirect(url_for("web_role_requests.pending"))
