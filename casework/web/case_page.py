"""One case: the person (masked where need-to-know says so), where the case stands, what may be
done next, and its history. Every action posts to its own URL and calls one operation.

A case outside the caller's scope answers exactly like an unknown one (``get_case`` → 404).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from casework.access.actor import Actor
from casework.access.current import caller
from casework.access.identity import may_see_identity
from casework.access.scoping import unit_in_scope
from casework.cases import operations
from casework.cases.models import REFERRAL_SOURCES, REHAB_KINDS, Case
from casework.cases.schemas import CasePatchSchema
from casework.cases.transitions import case_history, fire, options_for
from casework.cases.workflow_api import option_view
from casework.errors import Conflict, DomainError, Forbidden, Invalid
from casework.extensions import db
from casework.people.models import SEXES
from casework.people.operations import find_people
from casework.web import diagram, labels
from casework.web.auth import login_required_page, safe_next
from casework.web.forms import ActionForm, AssignForm, EditCaseForm, RevealForm
from casework.web.validation import flatten

bp = Blueprint("web_case", __name__)

#: Form keys that are not event fields.
CONTROL_KEYS = frozenset({"csrf_token", "version", "next"})


def _duplicates(user: Actor, case: Case, show: bool) -> dict[str, Any] | None:
    """Right after intake: other cases of the same national ID or phone (never their details).

    The same lookup as the warning of ``open_case``: cases the caller may not be told about are
    only mentioned, and a probe of a hidden identity is audited.
    """
    if request.args.get("new") != "1" or not show:
        return None
    person = case.person
    if not (person.national_id or person.phone):
        return None
    found = find_people(
        db.session,
        user,
        via="intake_page",
        national_id=person.national_id,
        phone=person.phone,
        exclude_person=person.id,
    )
    others = [m for m in found.described if m.case.id != case.id]
    if not others and not found.undisclosed:
        return None
    return {"described": others, "undisclosed": found.undisclosed}


def _services(user: Actor, case: Case) -> dict[str, Any] | None:
    """Support plan, sessions and visits, referrals and consent, when the services exist."""
    try:
        from casework.web import services_panel
    except ImportError:
        return None
    return services_panel.for_case(db.session, user, case)


def _may_edit(user: Actor, case: Case) -> bool:
    return not case.is_closed and unit_in_scope(user, case.unit, "case.update")


def render_case(
    case: Case,
    *,
    status: int = 200,
    event_errors: dict[str, Any] | None = None,
    failed_event: str | None = None,
    message: str | None = None,
) -> Any:
    """The case page; after a refused action, with its errors next to that action's form."""
    user = caller()
    view = operations.view_case(db.session, user, case, via="web")
    show = not view["person"]["masked"]
    history = case_history(db.session, user, case)
    options = [option_view(o, labels.lang()) for o in options_for(user, case)]
    may_assign = unit_in_scope(user, case.unit, "case.assign") and not case.is_closed
    assign_form = None
    if may_assign:
        assign_form = AssignForm()
        workers = operations.assignable_workers(db.session, case)
        assign_form.worker.choices = [("", _("Nobody"))] + [
            (w.username, w.display_name or w.username) for w in workers
        ]
        assign_form.worker.data = view["assigned_to"] or ""
    may_reveal = (
        not show
        and unit_in_scope(user, case.unit, "case.break_glass")
        and unit_in_scope(user, case.unit, "case.read_identity")
    )
    page = render_template(
        "case.html",
        case=case,
        view=view,
        show_identity=show,
        history=history,
        options=options,
        timeline=diagram.timeline(case, [h["row"] for h in history]),
        side=diagram.side_status(case),
        diagram=diagram.build(case.case_type, case.stage),
        duplicates=_duplicates(user, case, show),
        assign_form=assign_form,
        reveal_form=RevealForm() if may_reveal else None,
        services=_services(user, case),
        event_errors=event_errors or {},
        failed_event=failed_event,
        message=message,
        form_values=request.form if failed_event else {},
        may_edit=_may_edit(user, case),
    )
    return page, status


@bp.get("/cases/<uuid:case_id>")
@login_required_page
def case_page(case_id: uuid.UUID) -> Any:
    """:raise 404: unknown case, or one outside the caller's scope (the same page)."""
    case = operations.get_case(db.session, caller(), case_id)
    return render_case(case)


def _version() -> int | None:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    raw = request.form.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _back(case: Case) -> Any:
    return redirect(
        safe_next(request.form.get("next"), url_for("web_case.case_page", case_id=case.id))
    )


@bp.post("/cases/<uuid:case_id>/events/<event>")
@login_required_page
def fire_event(case_id: uuid.UUID, event: str) -> Any:
    """Fire one workflow event with the fields of its form; refusals come back inline."""
    user = caller()
    case = operations.get_case(db.session, user, case_id)
    data = {k: v for k, v in request.form.items() if k not in CONTROL_KEYS}
    try:
        fire(db.session, user, case, event, data, version=_version())
    except DomainError as error:
        db.session.rollback()
        case = operations.get_case(db.session, user, case_id)
        return render_case(
            case,
            status=error.status,
            failed_event=event,
            event_errors=flatten(error.errors),
            message=error.message,
        )
    flash(_("Done: %(action)s.", action=labels.event_label(event, case.case_type)), "success")
    return _back(case)


@bp.post("/cases/<uuid:case_id>/reveal")
@login_required_page
def reveal(case_id: uuid.UUID) -> Any:
    """Break the glass: a written reason, a time-limited reveal, an audit entry."""
    user = caller()
    case = operations.get_case(db.session, user, case_id)
    form = RevealForm()
    try:
        operations.break_glass(
            db.session, user, case, form.reason.data if form.validate_on_submit() else None
        )
    except Invalid as error:
        db.session.rollback()
        return render_case(
            case,
            status=error.status,
            failed_event="reveal",
            event_errors=flatten(error.errors),
            message=_("Some fields are not valid."),
        )
    flash(_("The identity is shown for a few hours; your reason was recorded."), "success")
    return redirect(url_for("web_case.case_page", case_id=case.id))


@bp.post("/cases/<uuid:case_id>/assign")
@login_required_page
def assign(case_id: uuid.UUID) -> Any:
    """A supervisor gives the case to a worker of its unit (or to nobody)."""
    user = caller()
    case = operations.get_case(db.session, user, case_id)
    form = AssignForm()
    username = (request.form.get("worker") or "").strip().lower()
    worker = None
    if username:
        worker = operations.find_user(db.session, username)
        if worker is None:
            error: DomainError = Invalid(errors={"worker": [_("Unknown worker.")]})
            return render_case(
                case,
                status=422,
                failed_event="assign",
                event_errors=flatten(error.errors),
                message=error.message,
            )
    try:
        if not form.validate_on_submit():
            raise Forbidden()
        operations.assign_case(db.session, user, case, worker, version=_version())
    except (Conflict, Invalid) as error:
        db.session.rollback()
        case = operations.get_case(db.session, user, case_id)
        return render_case(
            case,
            status=error.status,
            failed_event="assign",
            event_errors=flatten(error.errors),
            message=error.message,
        )
    flash(_("The case was assigned."), "success")
    return _back(case)


# --- editing the details ----------------------------------------------------------------------

EDIT_PERSON_FIELDS = (
    "full_name",
    "aliases",
    "sex",
    "date_of_birth",
    "national_id",
    "phone",
    "address",
    "family_contacts",
    "health_notes",
    "justice_notes",
)
#: Case details on the edit form, and the case types that have them (None: every type).
EDIT_CASE_FIELDS: dict[str, tuple[str, ...] | None] = {
    "referral_source": None,
    "referral_note": None,
    "rehab_kind": ("post_rehab",),
    "rehab_completion_date": ("post_rehab",),
    "release_date": ("post_prison",),
    "sentence_months": ("post_prison",),
}


def _case_fields(case: Case, show: bool) -> list[str]:
    """The case fields this caller edits: the type's own, and the referral note (free text
    about the person) only where the identity is visible."""
    return [
        name
        for name, types in EDIT_CASE_FIELDS.items()
        if (types is None or case.case_type in types) and (show or name != "referral_note")
    ]


def _edit_form(case: Case, show: bool) -> EditCaseForm:
    form = EditCaseForm() if request.method == "POST" else EditCaseForm(data=_current(case, show))
    blank = [("", "—")]
    form.sex.choices = [(s, str(labels.SEX_LABELS[s])) for s in SEXES]
    form.referral_source.choices = blank + [
        (s, str(labels.REFERRAL_SOURCE_LABELS[s])) for s in REFERRAL_SOURCES
    ]
    form.rehab_kind.choices = blank + [
        (k, labels.choice_label("rehab_kind", k)) for k in REHAB_KINDS
    ]
    return form


def _current(case: Case, show: bool) -> dict[str, Any]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    values = {name: text(getattr(case, name)) for name in _case_fields(case, show)}
    if show:
        values.update({name: text(getattr(case.person, name)) for name in EDIT_PERSON_FIELDS})
    return values


def _edit_payload(case: Case, show: bool) -> dict[str, Any]:
    """The API's PATCH body from the form, loaded through its schema.

    A case field left empty is cleared (the schema allows null). A person field emptied is
    cleared too; the schema has no null for them, so it sees only the filled ones.

    :raise ValidationError: as the API would answer.
    """
    form = request.form
    body: dict[str, Any] = {
        name: form.get(name, "").strip() or None for name in _case_fields(case, show)
    }
    cleared: list[str] = []
    if show:
        person = {}
        for name in EDIT_PERSON_FIELDS:
            value = form.get(name, "").strip()
            if value:
                person[name] = value
            elif name != "sex" and getattr(case.person, name) is not None:
                cleared.append(name)
        body["person"] = person
    data = CasePatchSchema().load(body)
    if cleared:
        data.setdefault("person", {}).update(dict.fromkeys(cleared))
    if not data.get("person"):
        data.pop("person", None)
    return data


@bp.route("/cases/<uuid:case_id>/edit", methods=["GET", "POST"])
@login_required_page
def edit_case(case_id: uuid.UUID) -> Any:
    """Edit case and person details, versioned like the API's PATCH.

    :raise 404: case out of scope. :raise 403: no ``case.update`` there.
    :raise 409: the case is closed (GET); a stale form comes back with the conflict message.
    """
    user = caller()
    case = operations.get_case(db.session, user, case_id)
    operations.require(user, "case.update", case.unit)
    if case.is_closed:
        raise Conflict(_("A closed case cannot be edited; ask a supervisor to reopen it."))
    show = may_see_identity(db.session, user, case)
    form = _edit_form(case, show)
    errors: dict[str, list[str]] = {}
    message = None
    status = 200
    version = _version() if request.method == "POST" else case.version
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise Forbidden(_("The form expired. Reload the page and try again."))
            changed = operations.update_case(
                db.session, user, case, _edit_payload(case, show), version
            )
            flash(_("The details were saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("web_case.case_page", case_id=case.id))
        except ValidationError as error:
            errors, status = flatten(error.messages), 422
            message = _("Please correct the fields marked below.")
        except (Conflict, Invalid) as error:
            db.session.rollback()
            case = operations.get_case(db.session, user, case_id)
            errors, status, message = flatten(error.errors), error.status, error.message
    return render_template(
        "case_edit.html",
        case=case,
        form=form,
        show_identity=show,
        errors=errors,
        message=message,
        version=version,
        conflict=status == 409,
        case_fields=_case_fields(case, show),
    ), status


__all__ = ["ActionForm", "bp", "render_case"]
