"""Erasure by crypto-shredding: destroy a person's data key, keep the coded columns.

``request_erasure`` (a supervisor) and ``approve_erasure`` (a second person holding the same
permission, never the requester) are the user actions; ``shred`` is what approval and
``retention run`` do:

- the person's row of ``person_data_key`` is deleted: every value sealed under that key is
  unreadable wherever a copy lies (replicas, dumps, archives) for anyone without the key;
- every encrypted value about the person still in the live database (their fields, and the free
  text of their cases: notes, reasons, referral notes…) is set to NULL with its blind index, so
  nothing stored under a root key survives either;
- coded columns stay (case type, stage, units, sex, birth year, dates, history codes): the
  statistics and the audit trail's counts do not change; the person row says when and why;
- the person's id and the date go to the *erasure ledger*, a file kept with the keys, not with
  the database. Restoring a backup made before the erasure replays the ledger
  (``replay_ledger``), so a restored archive never brings the person back.

Refused while a legal hold or an open case stands. An unknown person, or one the caller has no
case of in scope, is 404 (the same answer).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from casework.access.row_security import system_context, using
from casework.access.scoping import scoped_cases
from casework.audit import trail
from casework.cases.models import Case
from casework.cases.operations import require_any
from casework.crypto.person_keys import PersonDataKey
from casework.crypto.tables import encrypted_tables
from casework.errors import Conflict, Forbidden, Invalid, NotFound
from casework.model_base import utcnow
from casework.people.models import Person
from casework.rights.models import REQUESTABLE_REASONS, ErasureRequest
from casework.unit_of_work import audit_failure

PERMISSION = "people.erase"
_LEDGER_PENDING = "casework_erasure_ledger_pending"


def _person_in_scope(session: Session, user: Any, person_id: uuid.UUID | str) -> Person:
    """The person, when the caller has a case of theirs in scope for ``people.erase``.

    :raise NotFound: unknown id, or no case of theirs in the caller's scope (the same answer).
    """
    try:
        key = person_id if isinstance(person_id, uuid.UUID) else uuid.UUID(str(person_id))
    except ValueError:
        raise NotFound() from None
    case = session.scalars(scoped_cases(user, PERMISSION).where(Case.person_id == key)).first()
    if case is None:
        raise NotFound()
    return case.person


def _refusal(session: Session, person: Person) -> str | None:
    if person.erased_at is not None:
        return _("This person's data was already erased.")
    if person.legal_hold:
        return _("A legal hold stands on this person's record: it cannot be erased.")
    with using(session, system_context("erasure: checks every case of the person")):
        open_cases = session.scalar(
            select(Case.id).where(Case.person_id == person.id, Case.stage != "closed").limit(1)
        )
    if open_cases is not None:
        return _("A case about this person is still open: close it first.")
    return None


def pending_request(session: Session, person_id: uuid.UUID) -> ErasureRequest | None:
    return session.scalars(
        select(ErasureRequest).where(
            ErasureRequest.person_id == person_id, ErasureRequest.status == "requested"
        )
    ).first()


def erasure_status(session: Session, user: Any, person_id: uuid.UUID | str) -> dict[str, Any]:
    """Where the person's erasure stands, for a caller with a case of theirs in scope."""
    person = _person_in_scope(session, user, person_id)
    request = pending_request(session, person.id)
    return _status(person, request)


def _status(person: Person, request: ErasureRequest | None) -> dict[str, Any]:
    return {
        "person_id": person.id,
        "status": "erased" if person.erased_at else (request.status if request else "none"),
        "erased_at": person.erased_at,
        "reason": person.erasure_reason or (request.reason if request else None),
        "request_id": request.id if request else None,
        "requested_at": request.requested_at if request else None,
    }


def request_erasure(
    session: Session, user: Any, person_id: uuid.UUID | str, reason: str
) -> dict[str, Any]:
    """A supervisor asks for the person's erasure; a second person must approve it.

    :raise Forbidden: the caller may not ask for erasures.
    :raise NotFound: unknown person, or none of their cases in the caller's scope.
    :raise Invalid: an unknown reason.
    :raise Conflict: a legal hold, an open case, an erasure already asked for or done.
    """
    require_any(user, PERMISSION)
    person = _person_in_scope(session, user, person_id)
    if reason not in REQUESTABLE_REASONS:
        raise Invalid(errors={"reason": [_("Unknown reason.")]})
    problem = _refusal(session, person)
    if problem is None and pending_request(session, person.id) is not None:
        problem = _("An erasure of this person is already waiting for approval.")
    if problem is not None:
        audit_failure(
            "person.erasure_request",
            actor=user,
            outcome="refused",
            object_type="person",
            object_id=person.id,
        )
        raise Conflict(problem)
    request = ErasureRequest(
        person_id=person.id, reason=reason, status="requested", requested_by_id=user.id
    )
    session.add(request)
    session.flush()
    trail.record(
        session,
        "person.erasure_request",
        actor=user,
        object_type="person",
        object_id=person.id,
        reason=reason,
        request_id=str(request.id),
    )
    return _status(person, request)


def approve_erasure(session: Session, user: Any, person_id: uuid.UUID | str) -> dict[str, Any]:
    """A second person approves the pending request: the person's data is shredded now.

    :raise Forbidden: the caller may not approve erasures, or asked for this one.
    :raise NotFound: unknown person, none of their cases in scope, or no pending request.
    :raise Conflict: a legal hold or an open case appeared meanwhile.
    """
    require_any(user, PERMISSION)
    person = _person_in_scope(session, user, person_id)
    request = pending_request(session, person.id)
    if request is None:
        raise NotFound(_("No erasure of this person is waiting for approval."))
    if request.requested_by_id == user.id:
        raise Forbidden(_("A second person must approve the erasure you asked for."))
    problem = _refusal(session, person)
    if problem is not None:
        raise Conflict(problem)
    at = utcnow()
    request.status = "approved"
    request.approved_by_id = user.id
    request.approved_at = at
    session.flush()
    shred(session, person.id, request.reason, at)
    trail.record(
        session,
        "person.erasure",
        actor=user,
        object_type="person",
        object_id=person.id,
        reason=request.reason,
        request_id=str(request.id),
    )
    session.refresh(person)
    return _status(person, None)


def shred(session: Session, person_id: uuid.UUID, reason: str, at: datetime) -> None:
    """Destroy the person's data key and every encrypted value about them; keep coded columns.

    Runs in the system context (their cases may lie in several units); the ledger line is
    written when the transaction commits.
    """
    with using(session, system_context("erasure: shreds one person everywhere")):
        _shred_rows(session, [person_id])
        session.execute(
            update(Person.__table__)
            .where(Person.__table__.c.id == person_id)
            .values(erased_at=at, erasure_reason=reason)
        )
    session.expire_all()
    session.info.setdefault(_LEDGER_PENDING, []).append(
        {"person_id": str(person_id), "erased_at": at.isoformat(), "reason": reason}
    )


def _shred_rows(session: Session, people: list[uuid.UUID]) -> None:
    cases = select(Case.id).where(Case.person_id.in_(people))
    session.execute(delete(PersonDataKey.__table__).where(PersonDataKey.__table__.c.id.in_(people)))
    for table in encrypted_tables(session):
        columns = table.table.c
        if table.name == "person":
            where = columns.id.in_(people)
        elif table.name == "case_file":
            where = columns.person_id.in_(people)
        elif "case_id" in columns:
            where = columns.case_id.in_(cases)
        else:
            continue
        nulls: dict[Any, None] = {c.ciphertext: None for c in table.columns}
        nulls.update({c.blind_index: None for c in table.columns if c.blind_index is not None})
        session.execute(update(table.table).where(where).values(nulls))


# --- the erasure ledger ------------------------------------------------------------------------


def ledger_path() -> Path | None:
    if not has_app_context():
        return None
    configured = current_app.config.get("CASEWORK_ERASURE_LEDGER")
    if configured:
        return Path(configured)
    return Path(current_app.instance_path) / "erasures.jsonl"


@event.listens_for(Session, "after_commit")
def _write_ledger(session: Session) -> None:
    entries = session.info.pop(_LEDGER_PENDING, None)
    if not entries:
        return
    path = ledger_path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as ledger:
        for entry in entries:
            ledger.write(json.dumps(entry) + "\n")
        ledger.flush()
        os.fsync(ledger.fileno())


@event.listens_for(Session, "after_soft_rollback")
def _forget_ledger(session: Session, _previous: Any) -> None:
    session.info.pop(_LEDGER_PENDING, None)


def read_ledger(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def replay_ledger(session: Session, entries: Iterable[dict[str, str]]) -> int:
    """Shred again everyone the ledger lists whose data a restore brought back; how many.

    Runs in the caller's transaction and context (a restore runs as the system).
    """
    replayed = 0
    for entry in entries:
        person_id = uuid.UUID(entry["person_id"])
        row = session.execute(
            select(Person.__table__.c.id, Person.__table__.c.erased_at).where(
                Person.__table__.c.id == person_id
            )
        ).first()
        key = session.scalar(
            select(PersonDataKey.__table__.c.id).where(PersonDataKey.__table__.c.id == person_id)
        )
        if row is None or (row.erased_at is not None and key is None):
            continue
        _shred_rows(session, [person_id])
        session.execute(
            update(Person.__table__)
            .where(Person.__table__.c.id == person_id)
            .values(
                erased_at=datetime.fromisoformat(entry["erased_at"]), erasure_reason=entry["reason"]
            )
        )
        replayed += 1
    return replayed
