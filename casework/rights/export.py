"""Access and portability: everything held about one person, and who viewed or changed it.

``export_person`` is the user action behind ``GET /api/v1/people/{id}/export`` and the printable
page. It answers a data-subject request under Law 91/2025:

- the person's identity (every field, decrypted) and coded columns;
- each of their cases the caller may see *with the identity* (in scope and need-to-know allowed,
  as ``casework.people.disclosure`` decides for every lookup): the case, its history, notes,
  support, referrals, consent decisions and the list of documents;
- every audit entry about the person or one of those cases: when, what, who (staff username) —
  never the entries' details, which may name other things;
- ``incomplete``: the person has cases the caller may not export (elsewhere, or hidden by
  need-to-know), to be asked of a supervisor above; nothing more is said about them.

Rows are dumped column by column from the mapping (encrypted columns as their decrypted field,
blind indexes left out: they are derived), so a column added later is exported without anyone
remembering to add it here.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from casework.access.identity import may_see_identity
from casework.access.row_security import system_context, using
from casework.access.scoping import scoped_cases
from casework.audit import trail
from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseEvent
from casework.cases.operations import require_any
from casework.crypto.orm import encrypted_fields
from casework.errors import NotFound
from casework.model_base import utcnow
from casework.people.models import Person
from casework.services.models import CaseNote, Consent, Referral, SupportItem

PERMISSION = "people.export"

#: The tables hanging on a case that an export lists, under these names.
CASE_PARTS: tuple[tuple[str, type], ...] = (
    ("history", CaseEvent),
    ("notes", CaseNote),
    ("support", SupportItem),
    ("referrals", Referral),
    ("consents", Consent),
)
_SKIP = {"version"}


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row: Any) -> dict[str, Any]:
    """Every column of ``row``: encrypted ones decrypted under their field's name."""
    model = type(row)
    specs = {spec.ciphertext_attr: spec for spec in encrypted_fields().get(model, [])}
    derived = {spec.blind_index_attr for spec in specs.values() if spec.blind_index_attr}
    out: dict[str, Any] = {}
    for attr in inspect(model).column_attrs:
        name = attr.key
        if name in derived or name in _SKIP:
            continue
        if name in specs:
            out[specs[name].attr] = _plain(getattr(row, specs[name].attr))
        else:
            out[name] = _plain(getattr(row, name))
    return out


def _person_id(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None


def export_person(session: Session, user: Any, person_id: uuid.UUID | str) -> dict[str, Any]:
    """Everything held about the person that the caller may see, and the access log.

    :raise Forbidden: the caller may export nowhere.
    :raise NotFound: unknown person, or none of their cases exportable by the caller.
    """
    require_any(user, PERMISSION)
    key = _person_id(person_id)
    visible = list(
        session.scalars(
            scoped_cases(user, PERMISSION).where(Case.person_id == key).order_by(Case.opened_on)
        )
    )
    cases = [case for case in visible if may_see_identity(session, user, case)]
    if not cases:
        raise NotFound()
    person = session.get(Person, key)
    assert person is not None
    with using(session, system_context("export: are there cases the caller may not export")):
        all_cases = session.scalar(
            select(Case.id)
            .where(Case.person_id == key, Case.id.not_in([c.id for c in cases]))
            .limit(1)
        )
    exported_cases = []
    for case in cases:
        entry = row_dict(case)
        entry["unit"] = {"code": case.unit.code, "name": case.unit.name}
        for part, model in CASE_PARTS:
            order = model.seq if model is CaseEvent else model.id  # type: ignore[attr-defined]
            rows = session.scalars(
                select(model).where(model.case_id == case.id).order_by(order)  # type: ignore[attr-defined]
            )
            entry[part] = [row_dict(row) for row in rows]
        entry["documents"] = documents_of(session, case)
        exported_cases.append(entry)
    objects = [str(key), *(str(c.id) for c in cases)]
    access = [
        {
            "at": _plain(event.at),
            "action": event.action,
            "outcome": event.outcome,
            "by": event.actor_username,
        }
        for event in session.scalars(
            select(AuditEvent)
            .where(or_(AuditEvent.object_id.in_(objects)))
            .order_by(AuditEvent.seq)
        )
    ]
    trail.record(
        session,
        "person.export",
        actor=user,
        object_type="person",
        object_id=key,
        cases=len(cases),
    )
    return {
        "person": row_dict(person),
        "cases": exported_cases,
        "access_log": access,
        "incomplete": all_cases is not None,
        "generated_at": _plain(utcnow()),
    }


def documents_of(session: Session, case: Case) -> list[dict[str, Any]]:
    """The documents of a case (metadata only; the files are fetched one by one)."""
    try:
        from casework.documents.models import Document
    except ImportError:  # pragma: no cover - documents arrive in a later step
        return []
    rows = session.scalars(
        select(Document).where(Document.case_id == case.id).order_by(Document.uploaded_at)
    )
    return [
        {
            "id": str(row.id),
            "kind": row.kind,
            "content_type": row.content_type,
            "size": row.size,
            "uploaded_at": _plain(row.uploaded_at),
        }
        for row in rows
    ]
