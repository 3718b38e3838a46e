"""Need-to-know: who may see the identity of a person behind a case.

For the case types named in ``CASEWORK_NEED_TO_KNOW_TYPES`` (trafficking victims by default: Law
53/2024 Art 3(10) forbids disclosure without consent) identity is shown only to the assigned
worker, to supervisors whose unit contains the case, and to a user who broke the glass with a
written reason. For other types every worker of the unit with ``case.read_identity`` sees it.
Statisticians, administrators and auditors never see case content at all.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.models import IdentityReveal
from casework.access.scoping import unit_in_scope
from casework.cases.models import Case
from casework.model_base import utcnow

REVEAL_HOURS = 8


def need_to_know_types() -> set[str]:
    raw = current_app.config.get("CASEWORK_NEED_TO_KNOW_TYPES") or ""
    return {part.strip() for part in raw.split(",") if part.strip()}


def is_supervisor_of(user: Actor, case: Case) -> bool:
    return any(
        a.role == "supervisor" and case.unit.path.startswith(a.unit.path) for a in user.roles
    )


def has_active_reveal(session: Session, user: Actor, case: Case) -> bool:
    return (
        session.scalar(
            select(IdentityReveal.id)
            .where(
                IdentityReveal.user_id == user.id,
                IdentityReveal.case_id == case.id,
                IdentityReveal.expires_at > utcnow(),
            )
            .limit(1)
        )
        is not None
    )


def may_see_identity(session: Session, user: Actor, case: Case) -> bool:
    """True when ``user`` may see the identity fields of ``case`` right now."""
    if not unit_in_scope(user, case.unit, "case.read_identity"):
        return False
    if case.case_type not in need_to_know_types():
        return True
    if case.assigned_worker_id == user.id or is_supervisor_of(user, case):
        return True
    return has_active_reveal(session, user, case)


def reveal_identity(session: Session, user: Actor, case: Case, reason: str) -> IdentityReveal:
    """Record a break-glass reveal (the caller audits it)."""
    reveal = IdentityReveal(
        user_id=user.id, case_id=case.id, expires_at=utcnow() + timedelta(hours=REVEAL_HOURS)
    )
    reveal.reason = reason
    session.add(reveal)
    session.flush()
    return reveal
