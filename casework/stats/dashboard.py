"""Chart-ready series for the supervisor dashboard.

``dashboard(session, user, unit_code)`` returns plain lists a chart library can draw:

- ``cases_by_stage``: open cases now, per stage (labels) and case type (one series each);
- ``new_and_closed``: cases opened and closed per month over the last 12 months;
- ``overdue_by_worker``: open cases past their stage's due date, per assigned worker.

The first two are anonymised like every statistic: all their cells go into one suppression
table (stage × type with margins, months with their total), and a hidden value is ``None`` in
its series (draw it as a gap, never as 0) with ``hidden`` listing where.

``overdue_by_worker`` is deliberately NOT anonymised: it is the supervisor's own staff workload,
counts per worker username, not about the people the cases are about. It is given only to a
caller who may assign cases (``case.assign``, supervisors) in the unit, counts only cases in
that unit's subtree, and names only the workers those cases are assigned to; anyone else gets
``None``. It contains no case id, reference or name of a person.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workflows
from casework.access.actor import Actor
from casework.access.row_security import statistics_context, using
from casework.access.scoping import unit_in_scope
from casework.accounts.models import User
from casework.cases.models import CASE_TYPES, Case, CaseEvent
from casework.model_base import utcnow
from casework.stats.indicators import TOTAL, thresholds
from casework.stats.periods import month_shift
from casework.stats.reports import resolve_unit
from casework.stats.reports import thresholds as configured_thresholds
from casework.stats.sql import local_day
from casework.stats.suppression import Constraint, Table, suppress
from casework.units.models import Unit, escape_like
from workflows.dates import local_date

MONTHS = 12
UNASSIGNED = "(chưa phân công / unassigned)"


def _stages() -> list[str]:
    seen: dict[str, None] = {}
    for case_type in CASE_TYPES:
        for s in workflows.get_workflow(case_type).stages:
            if not s.terminal:
                seen.setdefault(s.name)
    return list(seen)


def dashboard(session: Session, user: Actor, unit_code: str | None = None,
              now: datetime | None = None) -> dict[str, Any]:
    """The dashboard series for ``unit_code`` (default: the caller's area).

    :raise Forbidden: the caller may see reports nowhere.
    :raise NotFound: unknown unit or outside the caller's scope.
    """
    unit = resolve_unit(session, user, unit_code)
    now = now or utcnow()
    today = local_date(now)
    k, k_trafficking = configured_thresholds()
    with_workers = unit_in_scope(user, unit, "case.assign")
    # Counted in the statistics context of the unit, like a report (casework.stats.reports).
    with using(session, statistics_context(unit.path)):
        return series_for(session, unit, today, k, k_trafficking, with_workers=with_workers)


def series_for(session: Session, unit: Unit, today: date, k: int, k_trafficking: int,
               with_workers: bool) -> dict[str, Any]:
    subtree = Unit.path.like(escape_like(unit.path) + "%", escape="\\")
    stages = _stages()
    by_stage = dict.fromkeys(((s, t) for s in stages for t in CASE_TYPES), 0)
    for stage, case_type, n in session.execute(
            select(Case.stage, Case.case_type, func.count()).join(Unit, Unit.id == Case.unit_id)
            .where(subtree, Case.stage != "closed").group_by(Case.stage, Case.case_type)):
        by_stage[(stage, case_type)] = int(n)

    first = month_shift(date(today.year, today.month, 1), -(MONTHS - 1))
    months = [month_shift(first, i) for i in range(MONTHS)]
    labels = [f"{m.year}-{m.month:02d}" for m in months]
    opened = dict.fromkeys(labels, 0)
    month_of = func.substr(func.cast(Case.opened_on, _text()), 1, 7)
    for label, n in session.execute(
            select(month_of, func.count()).join(Unit, Unit.id == Case.unit_id)
            .where(subtree, Case.opened_on >= first).group_by(month_of)):
        if label in opened:
            opened[label] = int(n)
    closed = dict.fromkeys(labels, 0)
    closed_month = func.substr(func.cast(local_day(CaseEvent.at), _text()), 1, 7)
    first_utc = datetime(first.year, first.month, 1, tzinfo=UTC)
    for label, n in session.execute(
            select(closed_month, func.count()).select_from(CaseEvent)
            .join(Unit, Unit.id == CaseEvent.unit_id)
            .where(subtree, CaseEvent.event == "approve_closure",
                   CaseEvent.at >= first_utc - timedelta(hours=7))
            .group_by(closed_month)):
        if label in closed:
            closed[label] = int(n)

    table = _table(stages, by_stage, labels, opened, closed)
    result = suppress(table, thresholds(k, k_trafficking))
    hidden = [list(map(str, key)) for key in result.hidden]

    out: dict[str, Any] = {
        "unit": {"code": unit.code, "name": unit.name},
        "generated_on": today.isoformat(),
        "k": {"default": k, "trafficking_victim": k_trafficking},
        "cases_by_stage": {
            "labels": stages,
            "series": [{"name": t, "data": [result.published(("stage", s, t)) for s in stages]}
                       for t in CASE_TYPES],
            "totals": [result.published(("stage", s, TOTAL)) for s in stages],
        },
        "new_and_closed": {
            "labels": labels,
            "series": [
                {"name": "new", "data": [result.published(("new", m)) for m in labels]},
                {"name": "closed", "data": [result.published(("closed", m)) for m in labels]},
            ],
        },
        "hidden": hidden,
        "overdue_by_worker": None,
    }
    if with_workers:
        rows = session.execute(
            select(User.username, func.count()).select_from(Case)
            .join(Unit, Unit.id == Case.unit_id)
            .outerjoin(User, User.id == Case.assigned_worker_id)
            .where(subtree, Case.stage != "closed", Case.due_on < today)
            .group_by(User.username).order_by(func.count().desc(), User.username))
        pairs = [(name or UNASSIGNED, int(n)) for name, n in rows]
        out["overdue_by_worker"] = {"labels": [p[0] for p in pairs],
                                    "series": [{"name": "overdue",
                                                "data": [p[1] for p in pairs]}]}
    return out


def _text() -> Any:
    from sqlalchemy import String

    return String()


def _table(stages: list[str], by_stage: dict[tuple[str, str], int], labels: list[str],
           opened: dict[str, int], closed: dict[str, int]) -> Table:
    cells: dict[Any, int] = {}
    constraints = []
    for s in stages:
        for t in CASE_TYPES:
            cells[("stage", s, t)] = by_stage[(s, t)]
        cells[("stage", s, TOTAL)] = sum(by_stage[(s, t)] for t in CASE_TYPES)
        constraints.append(Constraint(("stage", s, TOTAL),
                                      tuple(("stage", s, t) for t in CASE_TYPES)))
    for t in [*CASE_TYPES, TOTAL]:
        cells[("stage", TOTAL, t)] = sum(cells[("stage", s, t)] for s in stages)
        constraints.append(Constraint(("stage", TOTAL, t), tuple(("stage", s, t) for s in stages)))
    constraints.append(Constraint(("stage", TOTAL, TOTAL),
                                  tuple(("stage", TOTAL, t) for t in CASE_TYPES)))
    for name, values in (("new", opened), ("closed", closed)):
        for m in labels:
            cells[(name, m)] = values[m]
        cells[(name, TOTAL)] = sum(values.values())
        constraints.append(Constraint((name, TOTAL), tuple((name, m) for m in labels)))
    return Table(cells, constraints)
