"""Loading what support work hangs on, inside the caller's scope, and asking who may do what.

Every endpoint of this package starts here: a case is loaded through
``casework.cases.operations.get_case`` (404 outside the caller's scope, the same answer as for an
unknown id), then the permission the action needs is checked over the case's unit (403).
Records hanging on a case (support items, referrals) are loaded joined to the scoped case query,
so they cannot be reached around the scope either.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.identity import may_see_identity
from casework.access.scoping import case_scope_condition, unit_in_scope
from casework.cases.models import Case
from casework.cases.operations import get_case
from casework.errors import Conflict, Forbidden, NotFound
from casework.units.models import Unit

#: Registering and editing service providers: supervisors and administrators (roles.py).
PROVIDER_MANAGE = "provider.manage"

Record = TypeVar("Record")


def case_for(session: Session, user: Actor, case_id: Any, permission: str) -> Case:
    """The case, if the caller may see it, once they hold ``permission`` over its unit.

    :raise NotFound: unknown, or outside the caller's scope.
    :raise Forbidden: visible, but the caller may not do this here (e.g. an incoming transfer).
    """
    case = get_case(session, user, case_id)
    if not unit_in_scope(user, case.unit, permission):
        raise Forbidden()
    return case


def require_on_case(user: Actor, case: Case, permission: str) -> None:
    """:raise Forbidden: the caller lacks ``permission`` over the case's unit."""
    if not unit_in_scope(user, case.unit, permission):
        raise Forbidden()


def record_in_scope(session: Session, user: Actor, model: type[Record], record_id: Any) -> Record:
    """A record hanging on a case (``model.case_id``), loaded only within the caller's scope.

    :raise NotFound: unknown id, malformed id, or a case outside the caller's scope.
    """
    try:
        key = record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id))
    except ValueError:
        raise NotFound() from None
    record = session.scalar(
        select(model)
        .join(Case, Case.id == model.case_id)  # type: ignore[attr-defined]
        .join(Unit, Case.unit_id == Unit.id)
        .where(model.id == key, case_scope_condition(user))  # type: ignore[attr-defined]
    )
    if record is None:
        raise NotFound()
    return record


def ensure_open(case: Case) -> None:
    """:raise Conflict: the case is closed (a supervisor must reopen it first)."""
    if case.is_closed:
        raise Conflict(_("This case is closed; ask a supervisor to reopen it first."))


def may_read_text(session: Session, user: Actor, case: Case) -> bool:
    """Whether free text about the person may be shown: the same need-to-know as identity.

    Counselling notes and referral notes name people and places, so a caller who sees the case
    with its identity masked sees them masked too.
    """
    return may_see_identity(session, user, case)
