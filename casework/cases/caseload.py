"""The caseload: the caller's scoped cases with the list filters, counted and sliced in SQL.

The API's ``GET /api/v1/cases`` and the caseload page read it the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.scoping import scope_paths, scoped_cases
from casework.cases.models import Case
from casework.cases.operations import list_summaries
from casework.model_base import vietnam_today
from casework.people.operations import search_people
from casework.units.models import CURRENT_TREE, Unit


def filtered_caseload(session: Session, user: Actor, args: dict[str, Any]) -> Select:
    """The caller's scoped caseload with the list filters applied, in SQL."""
    query = scoped_cases(user)
    if "case_type" in args:
        query = query.where(Case.case_type == args["case_type"])
    if "stage" in args:
        query = query.where(Case.stage == args["stage"])
    if "unit" in args:
        unit = session.scalar(
            select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == args["unit"])
        )
        query = query.where(unit.subtree_filter() if unit else Case.id.is_(None))
    if args.get("assigned") == "me":
        query = query.where(Case.assigned_worker_id == user.id)
    elif args.get("assigned") == "none":
        query = query.where(Case.assigned_worker_id.is_(None))
    if args.get("overdue") is True:
        query = query.where(Case.due_on < vietnam_today(), Case.stage != "closed")
    elif args.get("overdue") is False:
        query = query.where(or_(Case.due_on.is_(None), Case.due_on >= vietnam_today()))
    if "due_before" in args:
        query = query.where(Case.due_on < args["due_before"], Case.stage != "closed")
    if "visit_overdue" in args:  # the next visit planned in the latest note has passed (issue 6)
        from casework.services.notes import visit_overdue_condition

        condition = visit_overdue_condition()
        query = query.where(condition if args["visit_overdue"] else ~condition)
    if args.get("q"):
        query = _search(session, query, user, args["q"].strip())
    return query.order_by(Case.due_on.is_(None), Case.due_on, Case.opened_on.desc(), Case.id)


def _search(session: Session, query: Select, user: Actor, text: str) -> Select:
    """``q=``: a case reference, or a national ID or phone looked up like every lookup.

    A reference finds a case of the caller's scope (the list shows such a case anyway, masked
    where need-to-know says so). An ID or phone finds only cases whose identity the caller may
    see: a case whose identity is hidden from them is left out exactly like a case elsewhere, so
    a known identifier cannot be connected to a masked case (``casework.people.disclosure``).
    """
    if text.upper().startswith("HS-"):
        return query.where(Case.reference == text.upper())
    digits = "".join(ch for ch in text if ch.isdigit())
    national_id = digits if len(digits) in (9, 12) else None
    phone = text if 9 <= len(digits) <= 12 else None
    if (national_id is None and phone is None) or not scope_paths(user, "people.search"):
        return query.where(false())  # nothing to look up, or a caller who looks up nobody
    found = search_people(
        session, user, via="caseload_search", national_id=national_id, phone=phone
    )
    return query.where(Case.id.in_([m.case.id for m in found.described]))


class CaseloadPage:
    """A scoped query that flask-smorest's paginator can count and slice in SQL.

    Rows become summaries (identity masked per row) only for the page that is returned; names
    shown are audited (``list_summaries``). The API's list and the caseload page both use it.
    """

    def __init__(self, session: Session, user: Actor, query: Select) -> None:
        self.session, self.query, self.user = session, query, user

    def __len__(self) -> int:
        return self.session.scalar(
            select(func.count()).select_from(self.query.order_by(None).subquery())
        )

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        rows = self.query.offset(window.start).limit(window.stop - window.start)
        return list_summaries(self.session, self.user, self.session.scalars(rows).unique())


def approval_queues(
    session: Session, user: Actor, *, limit: int, recently_closed: int
) -> dict[str, list[Case]]:
    """The supervisor's queues in ``user``'s scope: closures and transfers waiting (oldest due
    first), open cases nobody is assigned to, and the cases closed last."""
    base = scoped_cases(user)

    def cases(query: Select) -> list[Case]:
        return list(session.scalars(query.limit(limit)).unique())

    return {
        "closures": cases(base.where(Case.stage == "closure_requested").order_by(Case.due_on)),
        "transfers": cases(base.where(Case.stage == "transfer_pending").order_by(Case.due_on)),
        "unassigned": cases(
            base.where(Case.assigned_worker_id.is_(None), Case.stage != "closed").order_by(
                Case.opened_on
            )
        ),
        # The later limit replaces this one, as it always has: the page's closed queue.
        "closed": cases(
            base.where(Case.stage == "closed")
            .order_by(Case.closed_on.desc())
            .limit(recently_closed)
        ),
    }
