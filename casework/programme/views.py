"""The programme pages (Vietnamese first): activities, and later groups, ratings and the report
calendar. Each page parses the form through the API's schema, calls one operation, renders."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from casework.access.current import caller
from casework.errors import DomainError, Forbidden, Invalid
from casework.extensions import db
from casework.programme import activities
from casework.programme.schemas import ActivityInSchema
from casework.programme.vocabulary import choices
from casework.web.auth import login_required_page
from casework.web.forms import ActionForm
from casework.web.validation import flatten

bp = Blueprint("web_programme", __name__, url_prefix="/programme")

ACTIVITY_FIELDS = (
    "unit",
    "kind",
    "campaign_day",
    "topic",
    "title",
    "held_on",
    "members_reached",
    "officials_reached",
)


def form_body(names: tuple[str, ...]) -> dict[str, Any]:
    """The API body from the posted form: blank fields are left out, as a client would."""
    return {n: v.strip() for n in names if (v := request.form.get(n)) and v.strip()}


def load(schema: Schema, body: dict[str, Any]) -> dict[str, Any]:
    """:raise Invalid: the schema's field errors."""
    try:
        return schema.load(body)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        raise Invalid(errors=messages) from None


def _home_unit(user: Any) -> str:
    return next((a.unit.code for a in user.roles), "")


def _activities_page(user: Any, errors: dict | None = None, values: dict | None = None,
                     message: str | None = None, status: int = 200) -> Any:
    rows = activities.list_activities(db.session, user, {"limit": 100})
    may_record = bool(activities.scope_paths(user, activities.RECORD))
    page = render_template(
        "programme/activities.html",
        rows=rows,
        errors=errors or {},
        values=values or {"unit": _home_unit(user)},
        message=message,
        may_record=may_record,
        kinds=choices("activity_kinds"),
        days=choices("campaign_days"),
        topics=choices("topics"),
    )
    return page, status


@bp.get("/activities")
@login_required_page
def activities_list() -> Any:
    """The activities of the caller's subtree, and the form to record one."""
    user = caller()
    activities.require_reader(user)
    return _activities_page(user)


@bp.post("/activities")
@login_required_page
def activities_create() -> Any:
    """Record an activity (``programme.record``)."""
    user = caller()
    body = form_body(ACTIVITY_FIELDS)
    try:
        if not ActionForm().validate_on_submit():
            raise Forbidden()
        activities.record_activity(db.session, user, load(ActivityInSchema(), body))
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Forbidden):
            raise
        return _activities_page(user, flatten(error.errors), body, error.message, error.status)
    flash(_("The activity was recorded."), "success")
    return redirect(url_for("web_programme.activities_list"))
