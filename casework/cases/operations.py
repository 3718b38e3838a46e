"""The only functions that change cases. Web pages, the API, imports and the CLI all call these.

Each writes the case, its history row and its audit entry into the caller's session; the
request's unit of work commits them together or not at all.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import TextClause, Uuid, bindparam, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casework.access.actor import Actor
from casework.access.identity import REVEAL_HOURS, may_see_identity, reveal_identity
from casework.access.models import IdentityReveal
from casework.access.scoping import case_by_id, path_condition, scope_paths, unit_in_scope
from casework.accounts.models import User
from casework.audit import trail
from casework.cases.models import Case, CaseEvent
from casework.cases.presenters import case_summaries, case_view
from casework.errors import Conflict, Forbidden, Invalid, NotFound
from casework.model_base import utcnow
from casework.people.disclosure import SearchResult
from casework.people.models import Person
from casework.people.operations import find_people
from casework.units.loader import current_unit_for
from casework.units.models import CURRENT_TREE, Unit
from workflows.dates import local_date

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PERSON_TEXT_FIELDS = (
    "full_name",
    "aliases",
    "national_id",
    "phone",
    "address",
    "family_contacts",
    "health_notes",
    "justice_notes",
)
CASE_DETAIL_FIELDS = (
    "referral_source",
    "rehab_kind",
    "rehab_completion_date",
    "release_date",
    "sentence_months",
)


def new_reference(today: date) -> str:
    """A reference that says nothing about the person or the unit: HS-<year>-<random>.

    Eight characters of a 32-letter alphabet (10^12 per year): a new case meets an existing
    reference about once in a million openings even at national scale, and ``free_reference``
    draws again when it does.
    """
    return f"HS-{today.year}-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def free_reference(session: Session, today: date) -> str:
    """A new reference not yet used by any case."""
    while True:
        reference = new_reference(today)
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return reference


def get_case(
    session: Session, user: Actor, case_id: uuid.UUID | str, permission: str = "case.read"
) -> Case:
    """Load a case the caller may see.

    :raise NotFound: unknown id, or a case outside the caller's scope (the same answer).
    """
    try:
        key = case_id if isinstance(case_id, uuid.UUID) else uuid.UUID(str(case_id))
    except ValueError:
        raise NotFound() from None
    case = session.scalar(case_by_id(user, permission), {"case_id": key})
    if case is None:
        raise NotFound()
    return case


def require(user: Actor, permission: str, unit: Unit) -> None:
    """:raise Forbidden: the caller lacks ``permission`` over ``unit``."""
    if not unit_in_scope(user, unit, permission):
        raise Forbidden()


def requested_version(body_version: int | None, if_match: str | None) -> int | None:
    """The version a client says it read: the body's ``version`` or an ``If-Match`` header.

    :raise Invalid: an If-Match header that is not a version number.
    """
    if body_version is not None or not if_match:
        return body_version
    try:
        return int(if_match.strip('"W/ '))
    except ValueError:
        raise Invalid(errors={"If-Match": ["not a version number"]}) from None


def check_version(case: Case, version: int | None) -> None:
    """:raise Conflict: the client edited an older version than the stored one."""
    if version is not None and version != case.version:
        raise Conflict()


def resolve_case_unit(session: Session, user: Actor, code: str) -> Unit:
    """The commune a new case of ``user`` belongs to, from its code.

    Public so that an import can resolve each distinct code of a list once and hand the unit to
    ``open_case(unit=…)``, instead of one lookup per row.

    :raise Invalid: unknown code, a unit outside the user's area, or not a commune.
    """
    unit = current_unit_for(session, code)
    if unit is None:
        raise Invalid(errors={"unit": [_("Unknown unit code.")]})
    if not unit_in_scope(user, unit, "case.create"):
        raise Invalid(errors={"unit": [_("This unit is outside your area.")]})
    if unit.kind not in ("commune", "neighbourhood"):
        raise Invalid(errors={"unit": [_("A case belongs to a commune: give a commune code.")]})
    return unit


def _resolve_worker(session: Session, username: str | None, unit: Unit) -> User | None:
    if not username:
        return None
    worker = session.scalar(select(User).where(User.username == username.lower(), User.active))
    if worker is None or not unit_in_scope(worker, unit, "case.transition"):
        raise Invalid(
            errors={"assigned_to": [_("No active worker of this unit has that username.")]}
        )
    return worker


def apply_person_fields(person: Person, data: dict[str, Any]) -> list[str]:
    """Set person attributes from validated input; returns the names of fields that changed."""
    changed: list[str] = []
    for name in (*PERSON_TEXT_FIELDS, "sex"):
        if name in data and getattr(person, name) != data[name]:
            setattr(person, name, data[name])
            changed.append(name)
    if "date_of_birth" in data and person.date_of_birth != data["date_of_birth"]:
        person.date_of_birth = data["date_of_birth"]
        changed.append("date_of_birth")
        if data["date_of_birth"] is not None:
            person.birth_year = data["date_of_birth"].year
    if "birth_year" in data and person.birth_year != data["birth_year"]:
        person.birth_year = data["birth_year"]
        changed.append("birth_year")
    return changed


def _due_on(case_type: str, stage: str, entered_at: datetime) -> date | None:
    from workflows.deadlines import due_date
    from workflows.registry import get_workflow

    return due_date(get_workflow(case_type), stage, entered_at)


def open_case(
    session: Session,
    actor: Actor,
    data: dict[str, Any],
    now: datetime | None = None,
    *,
    unit: Unit | None = None,
    duplicates: SearchResult | None = None,
    unique_reference: bool = True,
) -> tuple[Case, SearchResult]:
    """Open a case for a (possibly new) person in the actor's area.

    ``now`` is the moment of intake (defaults to the present; imports and the demo pass others).
    ``unit`` and ``duplicates`` let a bulk caller (an import) pass what it already worked out
    for the whole list, since per row they are half the cost of opening a case: ``unit`` must
    come from ``resolve_case_unit(session, actor, data["unit"])`` and ``duplicates`` from
    ``find_people``/``find_people_many`` for this person's national ID and phone, by ``actor``
    (which describe only what the actor may see and audit probes of hidden identities).
    Left out, both are worked out here, as for a case opened by hand. ``unique_reference=False``
    skips the per-case check that the drawn reference is free: a bulk caller checks the whole
    batch with one query instead.

    :raise Invalid: unknown or out-of-scope unit, missing identity where the type needs it.
    :raise Forbidden: the actor may not open cases.
    """
    from workflows.registry import get_workflow

    case_type = data["case_type"]
    if unit is None:
        unit = resolve_case_unit(session, actor, data["unit"])
    person_data = data["person"]
    if case_type != "sex_work_exit" and not person_data.get("full_name"):
        raise Invalid(
            errors={"person": {"full_name": [_("A name is required for this case type.")]}}
        )
    person = Person(sex=person_data["sex"])
    apply_person_fields(person, person_data)
    session.add(person)
    if duplicates is None:
        duplicates = find_people(
            session,
            actor,
            via="intake",
            national_id=person_data.get("national_id"),
            phone=person_data.get("phone"),
        )
    now = now or utcnow()
    # Dates a person sees are Vietnamese calendar dates (20:00 UTC is already tomorrow there).
    opened_on = data.get("opened_on") or local_date(now)
    if opened_on > local_date(utcnow()):
        raise Invalid(errors={"opened_on": [_("The opening date cannot be in the future.")]})
    workflow = get_workflow(case_type)
    case = Case(
        reference=(
            free_reference(session, opened_on) if unique_reference else new_reference(opened_on)
        ),
        case_type=case_type,
        stage=workflow.initial,
        unit_id=unit.id,
        recorded_unit_id=unit.id,
        person_id=person.id,
        assigned_worker_id=None,
        created_by_id=actor.id,
        opened_on=opened_on,
        stage_entered_at=now,
        consent_given=bool(data.get("consent_given", False)),
        victim_status="under_identification" if case_type == "trafficking_victim" else None,
    )
    case.unit, case.recorded_unit, case.person = unit, unit, person
    worker = _resolve_worker(session, data.get("assigned_to"), unit)
    if worker is None and "social_worker" in actor.role_names:
        worker = actor  # a worker opening a case takes it on unless they name someone else
    # By id: the actor may be the request's ``Principal``, not a ``User`` row.
    case.assigned_worker_id = worker.id if worker else None
    for name in CASE_DETAIL_FIELDS:
        if name in data:
            setattr(case, name, data[name])
    if data.get("referral_note"):
        case.referral_note = data["referral_note"]
    case.due_on = _due_on(case_type, case.stage, now)
    session.add(case)
    session.add(
        CaseEvent(
            case_id=case.id,
            seq=1,
            event="open",
            from_stage=None,
            to_stage=case.stage,
            actor_id=actor.id,
            unit_id=unit.id,
            at=now,
            data={},
        )
    )
    session.flush()
    trail.record(
        session,
        "case.create",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_path=unit.path,
        case_type=case_type,
        fields=sorted(k for k, v in person_data.items() if v not in (None, "")),
        duplicate_warning=duplicates.found,
    )
    if case.assigned_worker_id is not None and case.assigned_worker_id != actor.id:
        from casework.notifications.operations import case_assigned

        case_assigned(session, actor, case)
    return case, duplicates


def update_case(
    session: Session, actor: Actor, case: Case, data: dict[str, Any], version: int | None
) -> list[str]:
    """Edit case and person details (optimistic locking on ``version``).

    :raise Forbidden: the actor may not edit cases here, or may not see the identity it edits.
    :raise Conflict: ``version`` is not the stored one.
    """
    from casework.access.identity import may_see_identity

    require(actor, "case.update", case.unit)
    if case.transfer_to_unit_id and not unit_in_scope(actor, case.unit, "case.update"):
        raise Forbidden()
    if version is None:
        raise Invalid(errors={"version": [_("Send the version you read (field or If-Match).")]})
    check_version(case, version)
    if case.is_closed:
        raise Conflict(_("A closed case cannot be edited; ask a supervisor to reopen it."))
    changed: list[str] = []
    person_data = data.get("person") or {}
    if person_data:
        if not may_see_identity(session, actor, case):
            raise Forbidden(_("You may not edit the identity of this person."))
        changed += [f"person.{name}" for name in apply_person_fields(case.person, person_data)]
    for name in CASE_DETAIL_FIELDS:
        if name in data and getattr(case, name) != data[name]:
            setattr(case, name, data[name])
            changed.append(name)
    if "referral_note" in data and case.referral_note != data["referral_note"]:
        case.referral_note = data["referral_note"]
        changed.append("referral_note")
    if changed:
        case.updated_at = utcnow()
        session.flush()  # the version check happens here (UPDATE … WHERE version = :old)
        trail.record(
            session,
            "case.update",
            actor=actor,
            object_type="case",
            object_id=case.id,
            unit_path=case.unit.path,
            fields=changed,
        )
    return changed


def next_event_seq_sql(case: Case) -> TextClause:
    """The next history ``seq`` of ``case`` as SQL, computed by the INSERT of the history row.

    No round trip of its own, and as safe as reading ``max(seq)`` first: the flush that inserts
    the row first updates the case (``WHERE version = :read``), which locks it until commit, so a
    concurrent writer of the same case waits and then fails its version check; the unique
    ``(case_id, seq)`` constraint stays the last line. Reading ``event.seq`` afterwards loads it.
    """
    return _NEXT_EVENT_SEQ.bindparams(bindparam("of_case", case.id, type_=Uuid))


# Text rather than a select(): it is built on every transition, and text costs far less to build.
_NEXT_EVENT_SEQ = text(
    "(SELECT coalesce(max(seq), 0) + 1 FROM case_event WHERE case_event.case_id = :of_case)"
)


def require_any(user: Actor, permission: str) -> None:
    """:raise Forbidden: the caller holds ``permission`` nowhere."""
    from casework.access.scoping import scope_paths

    if not scope_paths(user, permission):
        raise Forbidden()


def assignable_workers(session: Session, case: Case) -> list[User]:
    """Active social workers whose area contains the case's unit (who may work on it)."""
    from casework.accounts.models import RoleAssignment

    return list(
        session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .join(Unit, RoleAssignment.unit_id == Unit.id)
            .where(
                User.active,
                RoleAssignment.role == "social_worker",
                Unit.path.in_(case.unit.ancestors_paths()),
            )
            .order_by(User.username)
        ).unique()
    )


def find_user(session: Session, username: str) -> User | None:
    """The account named ``username`` (any state), for a form that names a worker."""
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def assign_case(
    session: Session, actor: Actor, case: Case, worker: User | None, version: int | None = None
) -> None:
    """Give ``case`` to ``worker`` (None: unassign), versioned and audited.

    :raise Forbidden: the actor may not assign cases of this unit.
    :raise Conflict: ``version`` is stale, or the case is closed or waiting for a transfer.
    :raise Invalid: ``worker`` is not an active social worker whose area contains the case.
    """
    require(actor, "case.assign", case.unit)
    check_version(case, version)
    if case.is_closed or case.stage == "transfer_pending":
        raise Conflict(_("A closed case, or one waiting for a transfer, cannot be reassigned."))
    if worker is not None and worker.id not in {w.id for w in assignable_workers(session, case)}:
        raise Invalid(errors={"worker": [_("No active worker of this unit has that username.")]})
    previous = case.assigned_worker
    if (previous.id if previous else None) == (worker.id if worker else None):
        return
    case.assigned_worker = worker
    case.assigned_worker_id = worker.id if worker else None
    case.updated_at = utcnow()
    try:
        session.flush()  # UPDATE … WHERE version = :read
    except StaleDataError:
        raise Conflict() from None
    trail.record(
        session,
        "case.assign",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_path=case.unit.path,
        worker=worker.username if worker else None,
        previous=previous.username if previous else None,
    )
    if worker is not None:
        from casework.notifications.operations import case_assigned

        case_assigned(session, actor, case)


def view_case(
    session: Session, user: Actor, case: Case, *, via: str | None = None
) -> dict[str, Any]:
    """One case as ``user`` may see it; identity shown is audited (``case.view_identity``).

    The API and the case page both read a case through this (``via="web"`` for the page).
    """
    view = case_view(session, user, case)
    if not view["person"]["masked"]:
        trail.record(
            session,
            "case.view_identity",
            actor=user,
            object_type="case",
            object_id=case.id,
            unit_path=case.unit.path,
            **({"via": via} if via else {}),
        )
    return view


def list_summaries(session: Session, user: Actor, cases: Any) -> list[dict[str, Any]]:
    """Summaries of one page of a caseload; names on a list are identity shown, audited like a
    case view (``case.list_identity``)."""
    summaries = case_summaries(session, user, cases)
    shown = [str(s["id"]) for s in summaries if s["full_name"] is not None]
    if shown:
        trail.record(session, "case.list_identity", actor=user, object_type="case", cases=shown)
    return summaries


def break_glass(session: Session, user: Actor, case: Case, reason: str | None) -> IdentityReveal:
    """Reveal a masked identity for a few hours, with a written reason; audited
    (``case.break_glass``). The API and the case page both call this.

    :raise Forbidden: the caller may not break the glass or read identities in the case's unit.
    :raise Conflict: the caller already sees the identity.
    :raise Invalid: no reason of at least 10 characters.
    """
    require(user, "case.break_glass", case.unit)
    require(user, "case.read_identity", case.unit)
    if may_see_identity(session, user, case):
        raise Conflict(_("You already see the identity of this person."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise Invalid(errors={"reason": [_("Give a reason of at least 10 characters.")]})
    reveal = reveal_identity(session, user, case, reason)
    trail.record(
        session,
        "case.break_glass",
        actor=user,
        object_type="case",
        object_id=case.id,
        unit_path=case.unit.path,
        reveal_id=str(reveal.id),
        hours=REVEAL_HOURS,
    )
    return reveal


def intake_units(session: Session, user: Actor) -> list[Unit]:
    """Communes where the caller may open cases (a case belongs to a commune)."""
    paths = scope_paths(user, "case.create")
    return list(
        session.scalars(
            select(Unit)
            .where(
                Unit.tree == CURRENT_TREE,
                Unit.valid_to.is_(None),
                Unit.kind.in_(("commune", "neighbourhood")),
                path_condition(Unit.path, paths),
            )
            .order_by(Unit.name)
        )
    )
