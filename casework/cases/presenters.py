"""Turning a case into what a caller may see: identity masked where need-to-know says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_dict
from sqlalchemy.orm.base import NO_VALUE

from casework.access.actor import Actor
from casework.access.identity import may_see_identity
from casework.accounts.names import usernames
from casework.cases.models import Case
from casework.model_base import vietnam_today
from casework.people.disclosure import SearchResult
from casework.people.models import IDENTITY_FIELDS, SENSITIVE_FIELDS
from casework.units.models import Unit

MASKABLE = IDENTITY_FIELDS + SENSITIVE_FIELDS


def unit_ref(unit: Unit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"code": unit.code, "name": unit.name, "kind": unit.kind}


def is_overdue(case: Case, today: date | None = None) -> bool:
    return (
        case.due_on is not None and case.due_on < (today or vietnam_today()) and not case.is_closed
    )


def person_view(case: Case, show_identity: bool) -> dict[str, Any]:
    person = case.person
    view: dict[str, Any] = {"id": person.id, "sex": person.sex, "birth_year": person.birth_year}
    for name in MASKABLE:
        view[name] = getattr(person, name) if show_identity else None
    view["masked"] = [] if show_identity else list(MASKABLE)
    view["erased_at"] = person.erased_at
    view["erasure_reason"] = person.erasure_reason
    return view


def assigned_username(
    session: Session, user: Actor, case: Case, known: dict[Any, str] | None = None
) -> str | None:
    """The assigned worker's username without loading their ``User`` (and roles) as objects.

    Reading a case is the commonest request, and an ORM load of the worker cost more than the
    rest of its view. A worker set in this session is used as set; the caller is known already;
    ``known`` holds names a list looked up for all its rows at once (``worker_usernames``).
    """
    # The loaded value straight from the instance's dict: ``inspect(case).attrs`` builds a state
    # object for each of the case's ~40 attributes, once per case (most of a list row's cost).
    loaded = instance_dict(case).get("assigned_worker", NO_VALUE)
    if loaded is not NO_VALUE:
        return loaded.username if loaded is not None else None
    worker_id = case.assigned_worker_id
    if worker_id is None:
        return None
    if worker_id == user.id:
        return user.username
    if known is None or worker_id not in known:
        known = usernames(session, [worker_id])
    return known.get(worker_id)


def worker_usernames(session: Session, user: Actor, cases: list[Case]) -> dict[Any, str]:
    """The usernames of the workers assigned to ``cases`` (other than the caller), one query."""
    return usernames(session, {c.assigned_worker_id for c in cases} - {user.id})


def case_view(session: Session, user: Actor, case: Case) -> dict[str, Any]:
    """The full case as ``user`` may see it (identity fields null and listed when masked)."""
    show = may_see_identity(session, user, case)
    return {
        "id": case.id,
        "reference": case.reference,
        "case_type": case.case_type,
        "stage": case.stage,
        "version": case.version,
        "unit": unit_ref(case.unit),
        "recorded_unit": unit_ref(case.recorded_unit),
        "assigned_to": assigned_username(session, user, case),
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "closure_reason": case.closure_reason,
        "referral_source": case.referral_source,
        "referral_note": case.referral_note if show else None,
        "due_on": case.due_on,
        "overdue": is_overdue(case),
        "stage_before_suspension": case.stage_before_suspension,
        "transfer_to": unit_ref(case.transfer_to_unit),
        "victim_status": case.victim_status,
        "consent_given": case.consent_given,
        "rehab_kind": case.rehab_kind,
        "rehab_completion_date": case.rehab_completion_date,
        "release_date": case.release_date,
        "sentence_months": case.sentence_months,
        "record_cleared_on": case.record_cleared_on,
        "classification": case.classification,
        "relapse_count": case.relapse_count,
        "person": person_view(case, show),
    }


def case_summaries(session: Session, user: Actor, cases: Any) -> list[dict[str, Any]]:
    """``case_summary`` for a list of cases, the assigned workers' names read in one query."""
    cases = list(cases)
    known = worker_usernames(session, user, cases)
    return [case_summary(session, user, case, known) for case in cases]


def case_summary(
    session: Session, user: Actor, case: Case, known: dict[Any, str] | None = None
) -> dict[str, Any]:
    show = may_see_identity(session, user, case)
    return {
        "id": case.id,
        "reference": case.reference,
        "case_type": case.case_type,
        "stage": case.stage,
        "version": case.version,
        "unit": unit_ref(case.unit),
        "assigned_to": assigned_username(session, user, case, known),
        "opened_on": case.opened_on,
        "due_on": case.due_on,
        "overdue": is_overdue(case),
        "full_name": case.person.full_name if show else None,
    }


def undisclosed_message() -> str:
    """What every lookup answers about a match the caller may not be shown.

    One sentence for a case outside the caller's scope and one hidden from them by need-to-know,
    so the two cannot be told apart; true of both.
    """
    return _("A possible match exists that you may not see; ask your supervisor.")


def duplicates_view(result: SearchResult) -> list[dict[str, Any]]:
    """The duplicate warning: matches the caller may see linked, any other only mentioned."""
    warnings: list[dict[str, Any]] = [
        {
            "case_id": match.case.id,
            "reference": match.case.reference,
            "matched_on": match.matched_on,
            "elsewhere": False,
            "message": _(
                "A case with the same %(fields)s exists: %(reference)s.",
                fields=", ".join(match.matched_on),
                reference=match.case.reference,
            ),
        }
        for match in result.described
    ]
    if result.undisclosed:
        warnings.append(
            {
                "case_id": None,
                "reference": None,
                "matched_on": [],
                "elsewhere": True,
                "message": undisclosed_message(),
            }
        )
    return warnings
