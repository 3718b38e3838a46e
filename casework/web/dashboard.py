"""A supervisor's unit at a glance: counts computed in SQL inside the caller's scope.

Only counts leave the database (grouped by stage, type, day and worker); no row about a person
is read. The charts are drawn on the server as SVG: no chart library to vendor, nothing that an
intranet without internet or the CSP (no inline styles) could break, and readable without JS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

import workflows
from casework.access.actor import Actor
from casework.cases.counts import open_case_counts
from casework.cases.models import CASE_TYPES
from casework.model_base import vietnam_today
from casework.web import labels

MONTHS = 12


@dataclass
class Bar:
    label: str
    value: int
    share: float  # of the largest bar, 0..1, for drawing


@dataclass
class Chart:
    key: str
    title: str
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


@dataclass
class MonthColumn:
    label: str
    opened: int
    closed: int


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    top = max((v for _label, v in pairs), default=0) or 1
    return [Bar(label, value, value / top) for label, value in pairs]


def _month_starts(today: date) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _i in range(MONTHS):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def _stage_order() -> list[str]:
    order: list[str] = []
    for case_type in CASE_TYPES:
        for stage in workflows.get_workflow(case_type).stages:
            if stage.name not in order:
                order.append(stage.name)
    return order


def unit_dashboard(session: Session, user: Actor, today: date | None = None) -> dict[str, Any]:
    """The dashboard's numbers for everything ``user`` may see (``case.read`` scope)."""
    today = today or vietnam_today()
    months = _month_starts(today)
    counts = open_case_counts(session, user, since=months[0], today=today)
    by_stage, by_type, overdue_rows = counts.by_stage, counts.by_type, counts.overdue_by_worker
    opened = {m: 0 for m in months}
    closed = {m: 0 for m in months}
    for day, count in counts.opened_days:
        opened[day.replace(day=1)] += count
    for day, count in counts.closed_days:
        closed[day.replace(day=1)] += count

    stage_pairs = [(labels.stage_label(s), by_stage[s]) for s in _stage_order() if s in by_stage]
    type_pairs = [(labels.case_type_label(t), by_type.get(t, 0)) for t in CASE_TYPES]
    overdue_pairs = [(name or _("Not assigned"), count) for name, count in overdue_rows]
    columns = [
        MonthColumn(
            labels.show_date(m)[3:] if labels.lang() == "vi" else m.strftime("%m/%Y"),
            opened[m],
            closed[m],
        )
        for m in months
    ]
    return {
        "open_total": sum(by_stage.values()),
        "overdue_total": sum(c for _n, c in overdue_rows),
        "charts": [
            Chart("by_stage", _("Open cases by stage"), _bars(stage_pairs)),
            Chart("by_type", _("Open cases by type"), _bars(type_pairs)),
            Chart("overdue", _("Overdue cases by worker"), _bars(overdue_pairs)),
        ],
        "months": columns,
        "month_top": max([c.opened for c in columns] + [c.closed for c in columns] + [1]),
    }
