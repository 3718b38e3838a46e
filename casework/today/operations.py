"""What a user's day holds (``/today``): per role, the work waiting, computed in a few scoped
queries. Lists show references, stages and dates — no names — so the page reveals no identity
and needs no audit entry of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.access.scoping import scoped_cases
from casework.cases.models import Case, CaseEvent
from casework.notifications.operations import inbox

LIST_LIMIT = 10
#: "Due soon" on a worker's today: within this many days.
DUE_SOON_DAYS = 2
#: Support planned within this many days counts as a visit due.
VISITS_AHEAD_DAYS = 7
#: A returned closure stays on the worker's today for this long (or until asked again).
RETURNED_DAYS = 14


@dataclass
class Today:
    roles: set[str]
    today: date
    due: list[Case] = field(default_factory=list)
    overdue: list[Case] = field(default_factory=list)
    overdue_total: int = 0
    visits: list[tuple[Case, Any]] = field(default_factory=list)
    assigned: list[Any] = field(default_factory=list)
    returned: list[Case] = field(default_factory=list)
    approvals: list[Case] = field(default_factory=list)
    approvals_total: int = 0
    transfers: list[Case] = field(default_factory=list)
    unassigned: list[Case] = field(default_factory=list)
    unassigned_total: int = 0
    overdue_by_worker: list[tuple[str, int]] = field(default_factory=list)
    inbox: list[Any] = field(default_factory=list)
    unread: int = 0


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())))


def today_for(session: Session, user: Any, today: date) -> Today:
    """The day of ``user`` as of ``today`` (a Vietnamese calendar date)."""
    from casework.accounts.models import User
    from casework.services.models import SupportItem

    roles = set(user.role_names)
    day = Today(roles=roles, today=today)
    day.inbox, day.unread = inbox(session, user)
    day.inbox = day.inbox[:LIST_LIMIT]
    open_cases = scoped_cases(user).where(Case.stage != "closed")
    if "social_worker" in roles:
        mine = open_cases.where(Case.assigned_worker_id == user.id)
        day.overdue = list(
            session.scalars(
                mine.where(Case.due_on < today).order_by(Case.due_on).limit(LIST_LIMIT)
            ).unique()
        )
        day.overdue_total = _count(session, mine.where(Case.due_on < today))
        day.due = list(
            session.scalars(
                mine.where(
                    Case.due_on >= today, Case.due_on <= today + timedelta(days=DUE_SOON_DAYS)
                )
                .order_by(Case.due_on)
                .limit(LIST_LIMIT)
            ).unique()
        )
        my_ids = mine.with_only_columns(Case.id).order_by(None)
        day.visits = [
            (item.case, item)
            for item in session.scalars(
                select(SupportItem)
                .where(
                    SupportItem.case_id.in_(my_ids),
                    SupportItem.status == "planned",
                    SupportItem.planned_on <= today + timedelta(days=VISITS_AHEAD_DAYS),
                )
                .order_by(SupportItem.planned_on)
                .limit(LIST_LIMIT)
            )
        ]
        day.assigned = [n for n in day.inbox if n.kind == "assigned" and n.read_at is None]
        returned_ids = (
            select(CaseEvent.case_id)
            .where(
                CaseEvent.event == "return_closure",
                CaseEvent.at >= _start_of(today - timedelta(days=RETURNED_DAYS)),
            )
            .scalar_subquery()
        )
        day.returned = list(
            session.scalars(
                mine.where(Case.id.in_(returned_ids), Case.stage != "closure_requested")
                .order_by(Case.due_on)
                .limit(LIST_LIMIT)
            ).unique()
        )
    if "supervisor" in roles:
        waiting = open_cases.where(Case.stage == "closure_requested")
        day.approvals = list(
            session.scalars(waiting.order_by(Case.due_on).limit(LIST_LIMIT)).unique()
        )
        day.approvals_total = _count(session, waiting)
        day.transfers = list(
            session.scalars(
                open_cases.where(Case.stage == "transfer_pending")
                .order_by(Case.due_on)
                .limit(LIST_LIMIT)
            ).unique()
        )
        nobody = open_cases.where(Case.assigned_worker_id.is_(None))
        day.unassigned = list(
            session.scalars(nobody.order_by(Case.opened_on).limit(LIST_LIMIT)).unique()
        )
        day.unassigned_total = _count(session, nobody)
        late = (
            open_cases.where(Case.due_on < today, Case.assigned_worker_id.is_not(None))
            .with_only_columns(Case.assigned_worker_id, func.count())
            .group_by(Case.assigned_worker_id)
            .order_by(None)
        )
        counts = dict(session.execute(late).all())
        names = dict(
            session.execute(select(User.id, User.username).where(User.id.in_(list(counts))))
            .all()
        ) if counts else {}
        day.overdue_by_worker = sorted(
            ((names.get(worker_id, "?"), count) for worker_id, count in counts.items()),
            key=lambda pair: (-pair[1], pair[0]),
        )
    return day


def _start_of(day: date) -> Any:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time.min, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
