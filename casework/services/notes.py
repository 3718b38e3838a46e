"""Counselling sessions, home visits and calls, and the visits that are now overdue.

A visit is overdue when the latest note of an open case planned a next visit before today: a
later note (any kind) answers it, whether it is the visit or a call that set a new date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from casework.access.actor import Actor
from casework.audit import trail
from casework.cases.models import Case
from casework.errors import Invalid
from casework.model_base import utcnow, vietnam_today
from casework.services.access import ensure_open, may_read_text
from casework.services.models import CaseNote


def list_notes(session: Session, case: Case) -> list[CaseNote]:
    return list(
        session.scalars(
            select(CaseNote)
            .where(CaseNote.case_id == case.id)
            .order_by(CaseNote.occurred_on, CaseNote.created_at, CaseNote.id)
        )
    )


def read_notes(session: Session, user: Actor, case: Case) -> tuple[list[CaseNote], bool]:
    """The notes of ``case``, oldest first, and whether ``user`` may read their content;
    content shown is audited (``note.read``)."""
    show = may_read_text(session, user, case)
    rows = list_notes(session, case)
    if show and rows:
        trail.record(
            session,
            "note.read",
            actor=user,
            object_type="case",
            object_id=case.id,
            unit_path=case.unit.path,
            count=len(rows),
        )
    return rows, show


def add_note(session: Session, actor: Actor, case: Case, data: dict[str, Any]) -> CaseNote:
    """Record a session or visit.

    :raise Conflict: the case is closed.
    :raise Invalid: a date in the future, a next visit before the session.
    """
    ensure_open(case)
    today = vietnam_today()
    occurred_on = data.get("occurred_on") or today
    if occurred_on > today:
        raise Invalid(errors={"occurred_on": [_("The date cannot be in the future.")]})
    next_visit_on = data.get("next_visit_on")
    if next_visit_on is not None and next_visit_on < occurred_on:
        raise Invalid(errors={"next_visit_on": [_("The next visit is before this one.")]})
    note = CaseNote(
        case_id=case.id,
        kind=data["kind"],
        occurred_on=occurred_on,
        next_visit_on=next_visit_on,
        author_id=actor.id,
        created_at=utcnow(),
    )
    note.content = data["content"]
    session.add(note)
    session.flush()
    trail.record(
        session,
        "note.create",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_path=case.unit.path,
        note_id=str(note.id),
        kind=note.kind,
        fields=["content", *(["next_visit_on"] if next_visit_on else [])],
    )
    return note


def visit_overdue_condition(today: date | None = None) -> Any:
    """SQL condition on ``Case``: open, and its latest note planned a visit before ``today``.

    For the caseload filter ``visit_overdue=true`` (``casework.cases.api.filtered_caseload``).
    """
    today = today or vietnam_today()
    later = aliased(CaseNote)
    latest_is_overdue = exists().where(
        CaseNote.case_id == Case.id,
        CaseNote.next_visit_on < today,
        ~exists().where(
            later.case_id == CaseNote.case_id,
            or_(
                later.occurred_on > CaseNote.occurred_on,
                and_(
                    later.occurred_on == CaseNote.occurred_on,
                    later.created_at > CaseNote.created_at,
                ),
            ),
        ),
    )
    return and_(Case.stage != "closed", latest_is_overdue)
