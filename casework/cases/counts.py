"""Counts of the caller's cases for the supervisor's dashboard, computed in SQL in scope.

Only counts leave the database (grouped by stage, type, day and worker); no row about a person
is read. ``casework.web.dashboard`` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.scoping import scoped_cases
from casework.accounts.models import User


@dataclass(frozen=True)
class OpenCaseCounts:
    by_stage: dict[str, int]
    by_type: dict[str, int]
    opened_days: list[Any]  # (day, count)
    closed_days: list[Any]  # (day, count)
    overdue_by_worker: list[Any]  # (username or None, count), most first


def open_case_counts(session: Session, user: Actor, *, since: date, today: date) -> OpenCaseCounts:
    """What ``user`` may see (``case.read`` scope): open cases by stage and type, cases opened
    and closed per day since ``since``, overdue open cases per assigned worker."""
    cases = scoped_cases(user).subquery()
    open_cases = cases.c.stage != "closed"

    by_stage = dict(
        session.execute(
            select(cases.c.stage, func.count()).where(open_cases).group_by(cases.c.stage)
        ).all()
    )
    by_type = dict(
        session.execute(
            select(cases.c.case_type, func.count()).where(open_cases).group_by(cases.c.case_type)
        ).all()
    )

    first = since
    opened_days = session.execute(
        select(cases.c.opened_on, func.count())
        .where(cases.c.opened_on >= first)
        .group_by(cases.c.opened_on)
    ).all()
    closed_days = session.execute(
        select(cases.c.closed_on, func.count())
        .where(cases.c.closed_on >= first)
        .group_by(cases.c.closed_on)
    ).all()
    overdue_rows = session.execute(
        select(User.username, func.count())
        .select_from(cases)
        .outerjoin(User, cases.c.assigned_worker_id == User.id)
        .where(open_cases, cases.c.due_on < today)
        .group_by(User.username)
        .order_by(func.count().desc())
    ).all()

    return OpenCaseCounts(
        by_stage=by_stage,
        by_type=by_type,
        opened_days=list(opened_days),
        closed_days=list(closed_days),
        overdue_by_worker=list(overdue_rows),
    )
