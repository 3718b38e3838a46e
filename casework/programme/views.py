"""The programme pages (Vietnamese first): activities, and later groups, ratings and the report
calendar. Each page parses the form through the API's schema, calls one operation, renders."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from casework.access.current import caller
from casework.errors import DomainError, Forbidden, Invalid
from casework.extensions import db
from casework.model_base import vietnam_today
from casework.programme import activities, groups, ratings
from casework.programme.schemas import (
    ActivityInSchema,
    GroupInSchema,
    MeetingInSchema,
    RatingInSchema,
    RatingReviewSchema,
)
from casework.programme.vocabulary import choices, vocabulary
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


# --- groups ------------------------------------------------------------------------------------

GROUP_FIELDS = ("unit", "kind", "name", "founded_on")
MEETING_FIELDS = ("held_on", "topic", "members_present", "others_present")


def _groups_page(user: Any, errors: dict | None = None, values: dict | None = None,
                 message: str | None = None, status: int = 200) -> Any:
    page = render_template(
        "programme/groups.html",
        rows=groups.list_groups(db.session, user, {}),
        errors=errors or {},
        values=values or {"unit": _home_unit(user)},
        message=message,
        may_record=bool(activities.scope_paths(user, activities.RECORD)),
        kinds=choices("group_kinds"),
    )
    return page, status


@bp.get("/groups")
@login_required_page
def groups_list() -> Any:
    """The groups of the caller's subtree, and the form to found one."""
    user = caller()
    activities.require_reader(user)
    return _groups_page(user)


@bp.post("/groups")
@login_required_page
def groups_create() -> Any:
    """Found a group (``programme.record``)."""
    user = caller()
    body = form_body(GROUP_FIELDS)
    try:
        if not ActionForm().validate_on_submit():
            raise Forbidden()
        group = groups.create_group(db.session, user, load(GroupInSchema(), body))
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Forbidden):
            raise
        return _groups_page(user, flatten(error.errors), body, error.message, error.status)
    flash(_("The group was created."), "success")
    return redirect(url_for("web_programme.group_page", group_id=group.id))


def _group_page(user: Any, group: Any, errors: dict | None = None, values: dict | None = None,
                message: str | None = None, status: int = 200) -> Any:
    keeper = activities.unit_in_scope(user, group.unit, activities.RECORD)
    page = render_template(
        "programme/group.html",
        summary=groups.group_summary(db.session, group),
        group=group,
        members=groups.members(db.session, user, group) if keeper else None,
        meetings=groups.meetings(db.session, user, group),
        errors=errors or {},
        values=values or {"held_on": vietnam_today().isoformat()},
        message=message,
        keeper=keeper,
        topics=choices("topics"),
    )
    return page, status


@bp.get("/groups/<uuid:group_id>")
@login_required_page
def group_page(group_id: uuid.UUID) -> Any:
    """One group: members (as need-to-know allows), meetings, the form to record a meeting."""
    user = caller()
    return _group_page(user, groups.get_group(db.session, user, group_id))


@bp.post("/groups/<uuid:group_id>/meetings")
@login_required_page
def group_meeting(group_id: uuid.UUID) -> Any:
    """Record a meeting of the group."""
    user = caller()
    group = groups.get_group(db.session, user, group_id)
    body = form_body(MEETING_FIELDS)
    try:
        if not ActionForm().validate_on_submit():
            raise Forbidden()
        groups.record_meeting(db.session, user, group, load(MeetingInSchema(), body))
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Forbidden):
            raise
        group = groups.get_group(db.session, user, group_id)
        return _group_page(user, group, flatten(error.errors), body, error.message, error.status)
    flash(_("The meeting was recorded."), "success")
    return redirect(url_for("web_programme.group_page", group_id=group_id))


# --- commune ratings ---------------------------------------------------------------------------


def _year() -> int:
    try:
        return int(request.values.get("year") or vietnam_today().year)
    except ValueError:
        return vietnam_today().year


def _ratings_page(user: Any, errors: dict | None = None, values: dict | None = None,
                  message: str | None = None, status: int = 200) -> Any:
    year = _year()
    page = render_template(
        "programme/ratings.html",
        year=year,
        rows=ratings.ratings_in_scope(db.session, user, year),
        may_review=lambda r: ratings.may_review(user, r.unit),
        errors=errors or {},
        values=values or {"unit": _home_unit(user), "year": str(year)},
        message=message,
        may_record=bool(activities.scope_paths(user, activities.RECORD)),
        criteria=vocabulary()["rating_criteria"],
        hotspot_topics=choices("hotspot_topics"),
        results=choices("rating_results"),
    )
    return page, status


@bp.get("/ratings")
@login_required_page
def ratings_list() -> Any:
    """The year's commune ratings of the caller's subtree, and the self-assessment form."""
    user = caller()
    activities.require_reader(user)
    return _ratings_page(user)


@bp.post("/ratings")
@login_required_page
def ratings_create() -> Any:
    """A commune's self-assessment."""
    user = caller()
    body: dict[str, Any] = form_body(("year",))
    body["scores"] = {c["code"]: v.strip() for c in vocabulary()["rating_criteria"]
                      if (v := request.form.get(f"score_{c['code']}")) and v.strip()}
    body["hotspots"] = request.form.getlist("hotspots")
    body["no_social_evils"] = request.form.get("no_social_evils") in ("on", "y", "1")
    code = (request.form.get("unit") or "").strip()
    try:
        if not ActionForm().validate_on_submit():
            raise Forbidden()
        unit = ratings.commune(db.session, user, code)
        ratings.self_assess(db.session, user, unit, load(RatingInSchema(), body))
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Forbidden):
            raise
        errors = {k.replace("scores.", "score_"): v for k, v in flatten(error.errors).items()}
        if error.status == 404:
            errors["unit"] = [_("No commune with this code in your area.")]
        values = {**request.form.to_dict(), "unit": code}
        status = 422 if error.status == 404 else error.status  # a field of the form
        return _ratings_page(user, errors, values, error.message, status)
    flash(_("The self-assessment was recorded."), "success")
    return redirect(url_for("web_programme.ratings_list", year=body.get("year")))


@bp.post("/ratings/<string:unit_code>/<int:year>/review")
@login_required_page
def ratings_review(unit_code: str, year: int) -> Any:
    """The district's or province's review of one commune's rating."""
    user = caller()
    unit = ratings.commune(db.session, user, unit_code)
    try:
        if not ActionForm().validate_on_submit():
            raise Forbidden()
        body = {"result": request.form.get("result", "")}
        ratings.review(db.session, user, unit, year, load(RatingReviewSchema(), body))
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Forbidden):
            raise
        return _ratings_page(user, flatten(error.errors), None, error.message, error.status)
    flash(_("The rating was reviewed."), "success")
    return redirect(url_for("web_programme.ratings_list", year=year))
