"""The forms of a case page that record support work: plan items, sessions and visits,
referrals and consent.

Each form posts to its own URL. The view loads the case within the caller's scope (404 for a
case elsewhere, as for an unknown one), checks the permission the API checks (403), reads the
form through the API's own schema, calls the one operation of ``casework.services`` and goes
back to the case. A refusal — a schema error or the operation's ``Invalid``/``Conflict``/
``Forbidden`` (no consent, an override by someone who is not a supervisor, a move the table does
not allow) — re-renders the case page with the messages next to that form, in the page's
language; the unit of work rolls the request back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from casework.access.actor import Actor
from casework.access.current import caller
from casework.cases.models import Case
from casework.cases.operations import get_case
from casework.errors import DomainError, Invalid, NotFound
from casework.extensions import db
from casework.services import consent as consents
from casework.services import notes, referrals, support
from casework.services.access import case_for, record_in_scope, require_on_case
from casework.services.models import Referral, SupportItem
from casework.services.schemas import (
    ConsentInSchema,
    NoteInSchema,
    ReferralInSchema,
    ReferralPatchSchema,
    SupportItemInSchema,
    SupportItemPatchSchema,
)
from casework.web.auth import login_required_page
from casework.web.case_page import render_case
from casework.web.validation import flatten

bp = Blueprint("web_support", __name__)

#: Form fields of each form (anything else posted is ignored, as a browser never sends it).
NEW_ITEM_FIELDS = (
    "kind",
    "provider",
    "planned_on",
    "amount_vnd",
    "loan_programme",
    "course",
    "employer_name",
    "started_on",
    "ended_on",
    "outcome_note",
)
ITEM_UPDATE_FIELDS = (
    "status",
    "provider",
    "referred_on",
    "started_on",
    "ended_on",
    "amount_vnd",
    "loan_programme",
    "loan_status",
    "course",
    "training_result",
    "employer_name",
    "kept_3_months",
    "kept_6_months",
    "outcome_note",
)
NOTE_FIELDS = ("kind", "occurred_on", "content", "next_visit_on")
REFERRAL_FIELDS = ("provider", "service_kind", "support_item", "note", "consent_override_reason")
CONSENT_FIELDS = ("scope", "decision", "decided_on", "document_reference")
#: Yes/no questions asked with a select (— / yes / no), so "not known yet" stays possible.
YES_NO = frozenset({"kept_3_months", "kept_6_months"})
CHECKBOXES = frozenset({"shares_personal_data"})


def form_body(names: Iterable[str], checkboxes: Iterable[str] = ()) -> dict[str, Any]:
    """The API's request body from the posted form: blank fields are left out, as a client
    would leave them out; a checkbox is a boolean; a yes/no select is a boolean."""
    body: dict[str, Any] = {}
    for name in names:
        value = (request.form.get(name) or "").strip()
        if not value:
            continue
        if name in YES_NO:
            body[name] = {"yes": True, "no": False}.get(value, value)
        else:
            body[name] = value
    for name in checkboxes:
        body[name] = request.form.get(name) in ("on", "true", "1", "y")
    return body


def _refused(case_id: uuid.UUID, form_key: str, error: DomainError) -> Any:
    """The case page again, with the refusal next to the form ``form_key``."""
    db.session.rollback()
    case = get_case(db.session, caller(), case_id)
    errors = flatten(error.errors)
    return render_case(
        case, status=error.status, failed_event=form_key, event_errors=errors, message=error.message
    )


def _record(
    case_id: uuid.UUID,
    form_key: str,
    schema: Schema,
    body: dict[str, Any],
    operation: Callable[[dict[str, Any]], Any],
    done: str,
    anchor: str,
) -> Any:
    """Load ``body`` through ``schema``, run ``operation``, go back to the case (or refuse)."""
    try:
        try:
            data = schema.load(body)
        except ValidationError as error:
            raise Invalid(
                errors=error.messages if isinstance(error.messages, dict) else {"_": error.messages}
            ) from None
        operation(data)
    except DomainError as error:
        return _refused(case_id, form_key, error)
    flash(done, "success")
    return redirect(url_for("web_case.case_page", case_id=case_id, _anchor=anchor))


def _on_case(model: type, record_id: uuid.UUID, case: Case) -> Any:
    """A record of ``case`` (loaded within scope); one of another case answers 404."""
    record = record_in_scope(db.session, caller(), model, record_id)
    if record.case_id != case.id:
        raise NotFound()
    return record


# --- support plan ------------------------------------------------------------------------------


@bp.post("/cases/<uuid:case_id>/support-items")
@login_required_page
def add_support_item(case_id: uuid.UUID) -> Any:
    """Plan a support item. :raise 404: case out of scope. :raise 403: no ``case.update``."""
    user = caller()
    case = case_for(db.session, user, case_id, "case.update")
    return _record(
        case_id,
        "support-new",
        SupportItemInSchema(),
        form_body(NEW_ITEM_FIELDS),
        lambda data: support.create_item(db.session, user, case, data),
        _("The support item was added to the plan."),
        "support",
    )


@bp.post("/cases/<uuid:case_id>/support-items/<uuid:item_id>")
@login_required_page
def update_support_item(case_id: uuid.UUID, item_id: uuid.UUID) -> Any:
    """Move an item on and record its details. :raise 404: case or item out of scope."""
    user = caller()
    case = get_case(db.session, user, case_id)
    item = _on_case(SupportItem, item_id, case)
    require_on_case(user, case, "case.update")
    body = form_body(ITEM_UPDATE_FIELDS)
    if not body:
        return _refused(
            case_id, f"support-{item.id}", Invalid(errors={"status": [_("Nothing to change.")]})
        )
    return _record(
        case_id,
        f"support-{item.id}",
        SupportItemPatchSchema(),
        body,
        lambda data: support.update_item(db.session, user, item, data),
        _("The support item was updated."),
        f"support-{item.id}",
    )


# --- sessions and visits -----------------------------------------------------------------------


@bp.post("/cases/<uuid:case_id>/notes")
@login_required_page
def add_note(case_id: uuid.UUID) -> Any:
    """Record a counselling session, a home visit or a call (its content is encrypted)."""
    user = caller()
    case = case_for(db.session, user, case_id, "note.write")
    return _record(
        case_id,
        "note-new",
        NoteInSchema(),
        form_body(NOTE_FIELDS),
        lambda data: notes.add_note(db.session, user, case, data),
        _("The session was recorded."),
        "notes",
    )


# --- referrals ---------------------------------------------------------------------------------


@bp.post("/cases/<uuid:case_id>/referrals")
@login_required_page
def send_referral(case_id: uuid.UUID) -> Any:
    """Refer the case; sharing personal data needs consent or a supervisor's written reason."""
    user = caller()
    case = case_for(db.session, user, case_id, "referral.manage")
    return _record(
        case_id,
        "referral-new",
        ReferralInSchema(),
        form_body(REFERRAL_FIELDS, CHECKBOXES),
        lambda data: referrals.send_referral(db.session, user, case, data),
        _("The referral was sent."),
        "referrals",
    )


@bp.post("/cases/<uuid:case_id>/referrals/<uuid:referral_id>")
@login_required_page
def update_referral(case_id: uuid.UUID, referral_id: uuid.UUID) -> Any:
    """Record the provider's answer, the service delivered, or revoke the referral."""
    user = caller()
    case = get_case(db.session, user, case_id)
    referral = _on_case(Referral, referral_id, case)
    require_on_case(user, case, "referral.manage")
    return _record(
        case_id,
        f"referral-{referral.id}",
        ReferralPatchSchema(),
        form_body(("status", "note")),
        lambda data: referrals.update_referral(db.session, user, referral, data),
        _("The referral was updated."),
        f"referral-{referral.id}",
    )


# --- consent -----------------------------------------------------------------------------------


def _record_consent(user: Actor, case: Case, data: dict[str, Any]) -> None:
    _consent, stopped = consents.record_consent(db.session, user, case, data)
    if stopped:
        flash(_("Sharing stopped at once for %(n)d open referral(s).", n=len(stopped)), "warning")


@bp.post("/cases/<uuid:case_id>/consents")
@login_required_page
def record_consent(case_id: uuid.UUID) -> Any:
    """Record consent given or withdrawn for one scope, with the signed form's reference."""
    user = caller()
    case = case_for(db.session, user, case_id, "case.update")
    return _record(
        case_id,
        "consent-new",
        ConsentInSchema(),
        form_body(CONSENT_FIELDS),
        lambda data: _record_consent(user, case, data),
        _("The consent decision was recorded."),
        "consents",
    )


__all__ = ["bp", "form_body"]
