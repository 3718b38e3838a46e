"""A social worker's caseload ("Hồ sơ của tôi") and the intake form.

The list is the API's ``CaseloadPage`` (scoped in SQL, the same filters); intake goes
through the API's schema and ``open_case``, so the page cannot accept what the API refuses.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

import workflows
from casework.access.actor import Actor
from casework.access.current import caller
from casework.cases import operations
from casework.cases.caseload import CaseloadPage, filtered_caseload
from casework.cases.models import CASE_TYPES, REFERRAL_SOURCES, REHAB_KINDS
from casework.cases.schemas import CaseCreateSchema, CaseListArgsSchema
from casework.errors import Forbidden, Invalid
from casework.extensions import db
from casework.pagination import MAX_PAGE
from casework.people.models import SEXES
from casework.units.models import Unit
from casework.web import labels
from casework.web.auth import login_required_page
from casework.web.forms import OpenCaseForm
from casework.web.validation import flatten, readable

bp = Blueprint("web_caseload", __name__)

PER_PAGE = 25
PERSON_FORM_FIELDS = (
    "full_name",
    "aliases",
    "sex",
    "date_of_birth",
    "national_id",
    "phone",
    "address",
)
CASE_FORM_FIELDS = (
    "referral_source",
    "referral_note",
    "rehab_kind",
    "rehab_completion_date",
    "release_date",
    "sentence_months",
)


def all_stages() -> list[str]:
    """Every stage of every type, main line first, for the stage filter."""
    seen: list[str] = []
    for case_type in CASE_TYPES:
        for stage in workflows.get_workflow(case_type).stages:
            if stage.name not in seen:
                seen.append(stage.name)
    return seen


def _list_args(user: Actor) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Query-string filters through the API's schema; blanks mean "no filter"."""
    raw = {k: v for k, v in request.args.items() if v != "" and k != "page"}
    if "assigned" not in request.args and "social_worker" in user.role_names:
        raw["assigned"] = "me"  # "my cases" first; "all in my area" is one click away
    if raw.get("assigned") == "all":
        raw.pop("assigned")
    if raw.get("overdue") == "on":
        raw["overdue"] = "true"
    try:
        return CaseListArgsSchema().load(raw), {}
    except ValidationError as error:
        return {}, flatten(error.messages)


@bp.get("/cases")
@login_required_page
def caseload() -> str:
    user = caller()
    operations.require_any(user, "case.read")
    args, errors = _list_args(user)
    caseload_page = CaseloadPage(db.session, user, filtered_caseload(db.session, user, args))
    total = len(caseload_page)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    if page > MAX_PAGE:  # the API's bound: (page - 1) × PER_PAGE must stay a sane OFFSET
        raise Invalid(errors={"page": [_("The number is out of range.")]})
    cases = caseload_page[(page - 1) * PER_PAGE : page * PER_PAGE]
    return render_template(
        "caseload.html",
        cases=cases,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        args=args,
        errors=errors,
        case_types=CASE_TYPES,
        stages=all_stages(),
        assigned=request.args.get("assigned") or args.get("assigned") or "all",
    )


def _intake_units(user: Actor) -> list[Unit]:
    return operations.intake_units(db.session, user)


def _fill_choices(form: OpenCaseForm, user: Actor) -> None:
    blank = [("", "—")]
    form.case_type.choices = [(t, labels.case_type_label(t)) for t in CASE_TYPES]
    form.unit.choices = [(u.code, f"{u.name} ({u.code})") for u in _intake_units(user)]
    form.sex.choices = [(s, str(labels.SEX_LABELS[s])) for s in SEXES]
    form.referral_source.choices = blank + [
        (s, str(labels.REFERRAL_SOURCE_LABELS[s])) for s in REFERRAL_SOURCES
    ]
    form.rehab_kind.choices = blank + [
        (k, labels.choice_label("rehab_kind", k)) for k in REHAB_KINDS
    ]


def _payload(form: OpenCaseForm) -> dict[str, Any]:
    """The API's request body from the form: blank fields are left out, as a client would."""
    values = request.form
    person = {name: values.get(name, "").strip() for name in PERSON_FORM_FIELDS}
    body: dict[str, Any] = {
        "case_type": values.get("case_type", ""),
        "unit": values.get("unit", ""),
        "person": {k: v for k, v in person.items() if v},
        "consent_given": bool(form.consent_given.data),
    }
    for name in CASE_FORM_FIELDS:
        value = values.get(name, "").strip()
        if value:
            body[name] = value
    return body


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required_page
def open_case() -> Any:
    user = caller()
    operations.require_any(user, "case.create")
    form = OpenCaseForm()
    _fill_choices(form, user)
    if request.method == "GET":
        if "social_worker" in user.role_names and not form.unit.data:
            form.unit.data = user.unit.code
        return render_template("open_case.html", form=form, errors={}, message=None)
    errors: dict[str, list[str]] = {}
    if not form.validate_on_submit():  # only the CSRF token and the select choices
        errors = {
            name: [readable(str(m)) for m in messages]
            for name, messages in form.errors.items()
            if name != "csrf_token"
        }
        if "csrf_token" in form.errors:
            raise Forbidden(_("The form expired. Reload the page and try again."))
    if not errors:
        try:
            data = CaseCreateSchema().load(_payload(form))
            case, _duplicates = operations.open_case(db.session, user, data)
            return redirect(url_for("web_case.case_page", case_id=case.id, new=1))
        except ValidationError as error:
            errors = flatten(error.messages)
        except Invalid as error:
            errors = flatten(error.errors) or {"_": [error.message]}
    page = render_template(
        "open_case.html",
        form=form,
        errors=errors,
        message=_("Please correct the fields marked below."),
    )
    return page, 422
