"""The reveal review: who looked at, or looked for, a hidden identity in a supervisor's area.

One list, newest first, of two kinds of entry, so that a pattern shows at a glance (a worker who
probes a case and then breaks the glass on it):

- ``reveal``: a break-glass reveal (``identity_reveal``): who, which case, when, until when, and
  the written reason;
- ``probe``: a lookup (people search, caseload search, intake, import…) that matched a case of a
  need-to-know type whose identity is hidden from its caller (``identity.probe`` audit entries,
  see ``casework.people.disclosure``): who, which case, when, by which lookup path and which
  fields matched — never the value typed.

Reveals are listed by the case's unit, probes by the unit the case was in when probed (kept in
the audit entry), in both cases under the units where the reviewer holds ``reveal.review``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, literal_column, select, union_all
from sqlalchemy.orm import Session, joinedload

from casework.access.actor import Actor
from casework.access.models import IdentityReveal
from casework.access.paging import SqlPage
from casework.access.schemas import KINDS
from casework.access.scoping import path_condition, scope_paths
from casework.accounts.models import User
from casework.audit import trail
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.errors import Forbidden
from casework.people.disclosure import PROBE_ACTION
from casework.units.models import Unit


def reveal_view(reveal: IdentityReveal, case: Case, with_reason: bool) -> dict[str, Any]:
    """A break-glass reveal as its author and the reviewers see it."""
    return {
        "id": reveal.id,
        "kind": "reveal",
        "case_id": case.id,
        "case_reference": case.reference,
        "unit": case.unit.code,
        "username": reveal.user.username,
        "at": reveal.at,
        "expires_at": reveal.expires_at,
        "reason": reveal.reason if with_reason else None,
        "via": None,
        "matched_on": [],
    }


def _unit_code(path: str | None) -> str | None:
    """The code of the unit at the end of a materialised path (``vn2:01/00004/`` → ``00004``)."""
    if not path:
        return None
    return path.split(":", 1)[-1].rstrip("/").rsplit("/", 1)[-1]


def probe_view(entry: AuditEvent, case: Case | None) -> dict[str, Any]:
    """An identity probe as the reviewers see it (the case may since have been erased)."""
    detail = entry.detail or {}
    return {
        "id": entry.id,
        "kind": "probe",
        "case_id": uuid.UUID(entry.object_id) if entry.object_id else None,
        "case_reference": case.reference if case else None,
        "unit": _unit_code(entry.unit_path),
        "username": entry.actor_username,
        "at": entry.at,
        "expires_at": None,
        "reason": None,
        "via": detail.get("via"),
        "matched_on": list(detail.get("matched_on") or []),
    }


def _entries(paths: list[str], filters: dict[str, Any]) -> Select:
    """``(kind, id, at)`` of every reveal and probe in the review, newest first."""
    kinds = [filters["kind"]] if filters.get("kind") else list(KINDS)
    parts = []
    if "reveal" in kinds:
        reveals = (
            select(
                literal_column("'reveal'").label("kind"),
                IdentityReveal.id.label("id"),
                IdentityReveal.at.label("at"),
            )
            .join(Case, IdentityReveal.case_id == Case.id)
            .join(Unit, Case.unit_id == Unit.id)
            .where(path_condition(Unit.path, paths))
        )
        if "username" in filters:
            reveals = reveals.join(User, IdentityReveal.user_id == User.id).where(
                User.username == filters["username"]
            )
        if "case_id" in filters:
            reveals = reveals.where(IdentityReveal.case_id == filters["case_id"])
        parts.append(reveals)
    if "probe" in kinds:
        probes = select(
            literal_column("'probe'").label("kind"),
            AuditEvent.id.label("id"),
            AuditEvent.at.label("at"),
        ).where(AuditEvent.action == PROBE_ACTION, path_condition(AuditEvent.unit_path, paths))
        if "username" in filters:
            probes = probes.where(AuditEvent.actor_username == filters["username"])
        if "case_id" in filters:
            probes = probes.where(AuditEvent.object_id == str(filters["case_id"]))
        parts.append(probes)
    entries = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return select(entries.c.kind, entries.c.id, entries.c.at).order_by(
        entries.c.at.desc(), entries.c.id
    )


def _present(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
    """The page's entries, each read with two queries per kind, not one per row."""
    reveal_ids = [row.id for row in rows if row.kind == "reveal"]
    probe_ids = [row.id for row in rows if row.kind == "probe"]
    views: dict[uuid.UUID, dict[str, Any]] = {}
    if reveal_ids:
        for reveal, case in session.execute(
            select(IdentityReveal, Case)
            .join(Case, IdentityReveal.case_id == Case.id)
            .where(IdentityReveal.id.in_(reveal_ids))
            .options(joinedload(IdentityReveal.user), joinedload(Case.unit))
        ):
            views[reveal.id] = reveal_view(reveal, case, with_reason=True)
    if probe_ids:
        entries = list(session.scalars(select(AuditEvent).where(AuditEvent.id.in_(probe_ids))))
        case_ids = {uuid.UUID(e.object_id) for e in entries if e.object_id}
        cases = {
            case.id: case
            for case in session.scalars(select(Case).where(Case.id.in_(case_ids)))
        }
        for entry in entries:
            case = cases.get(uuid.UUID(entry.object_id)) if entry.object_id else None
            views[entry.id] = probe_view(entry, case)
    return [views[row.id] for row in rows]


def review(session: Session, user: Actor, filters: dict[str, Any]) -> SqlPage:
    """Reveals and identity probes on cases below the reviewer, newest first, as a page.

    ``filters``: ``kind`` (``reveal`` or ``probe``), ``username``, ``case_id``. Reading the
    review is itself audited (``reveal.list``).

    :raise Forbidden: the caller reviews reveals nowhere.
    """
    paths = scope_paths(user, "reveal.review")
    if not paths:
        raise Forbidden()
    if "username" in filters:
        filters = {**filters, "username": filters["username"].strip().lower()}
    trail.record(session, "reveal.list", actor=user, filters=sorted(filters))
    return SqlPage(
        _entries(paths, filters),
        lambda rows: _present(session, rows),
        scalars=False,
        batch=True,
    )
