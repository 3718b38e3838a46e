"""Who may have which report: the one entry point the API, the web pages and the CLI call.

A report is about a unit the caller holds ``report.view`` for (statisticians and supervisors),
checked with the one scoping helper (``casework.access.scoping``). A unit outside the caller's
scope is "not found", exactly like an unknown code, so a report cannot even confirm that a
sibling commune exists in the system. Thresholds come from the configuration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.row_security import statistics_context, using
from casework.access.scoping import scope_paths, unit_in_scope
from casework.errors import Forbidden, Invalid, NotFound
from casework.model_base import utcnow
from casework.stats import indicators, summary
from casework.stats.periods import Period, PeriodError, parse
from casework.units.models import CURRENT_TREE, Unit
from workflows.dates import local_date

PERMISSION = "report.view"


def thresholds() -> tuple[int, int]:
    config = current_app.config
    return (int(config.get("CASEWORK_SUPPRESSION_K", 5)),
            int(config.get("CASEWORK_SUPPRESSION_K_TRAFFICKING", 11)))


def resolve_unit(session: Session, user: Actor, code: str | None) -> Unit:
    """The unit a report is asked for; without a code, the caller's one area.

    :raise Forbidden: the caller may see reports nowhere.
    :raise NotFound: unknown code, or a unit outside the caller's scope (the same answer).
    :raise Invalid: no code given and the caller's area is several units.
    """
    paths = scope_paths(user, PERMISSION)
    if not paths:
        raise Forbidden()
    if not code:
        if len(paths) != 1:
            raise Invalid(errors={"unit": [_("Choose a unit.")]})
        unit = session.scalar(select(Unit).where(Unit.path == paths[0]))
    else:
        unit = session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
    if unit is None or not unit_in_scope(user, unit, PERMISSION):
        raise NotFound()
    return unit


def parse_period(text: str) -> Period:
    """:raise Invalid: the period is not one of the accepted forms."""
    try:
        return parse(text)
    except PeriodError as error:
        raise Invalid(errors={"period": [str(error)]}) from None


def report_for(session: Session, user: Actor, code: str | None, period_text: str,
               case_type: str | None = None, now: datetime | None = None
               ) -> tuple[Unit, dict[str, Any]]:
    """The unit and the suppressed report on its subtree for the period, for ``user``.

    :raise Forbidden, NotFound, Invalid: see ``resolve_unit`` and ``parse_period``.
    """
    unit = resolve_unit(session, user, code)
    period = parse_period(period_text)
    return unit, published_report(session, unit, period, case_type=case_type, now=now)


def published_report(session: Session, unit: Unit | None, period: Period,
                     case_type: str | None = None, now: datetime | None = None
                     ) -> dict[str, Any]:
    """The suppressed report: from the statistics summary when it can answer (and then kept
    until the next refresh), else from the history. No access check: callers do it.

    Computed in the statistics context of ``unit`` (``casework.access.row_security``): the
    database shows the computation the counted tables of that subtree, and nothing else, even
    to a statistician whose own requests see no row about a person.
    """
    with using(session, statistics_context(unit.path if unit is not None else None)):
        return _published_report(session, unit, period, case_type, now)


def _published_report(session: Session, unit: Unit | None, period: Period,
                      case_type: str | None, now: datetime | None) -> dict[str, Any]:
    k, k_trafficking = thresholds()
    now = now or utcnow()
    variant = f"k={k};k_trafficking={k_trafficking};case_type={case_type or ''}"
    run = summary.latest_refresh(session) if summary.whole_months(period) else None
    if run is not None:
        key = summary.report_key(unit, period, variant)
        kept = summary.kept_report(session, run, key)
        if kept is not None:
            return kept
    raw = summary.raw_from_summary(session, unit, period, local_date(now), run=run)
    report = indicators.build_report(session, unit, period, case_type=case_type, k=k,
                                     k_trafficking=k_trafficking, now=now, raw=raw)
    if run is not None:
        summary.keep_report(session, run, key, report)
    return report


def warm(session: Session, periods: list[Period], progress: Any = None) -> int:
    """Build and keep the reports of every province (and the country) for ``periods``.

    Run after a refresh so the first request of the day does not pay for suppression over
    a province's thousands of cells. Returns how many reports were built.
    """
    provinces = session.scalars(select(Unit).where(
        Unit.tree == CURRENT_TREE, Unit.parent_id.is_(None), Unit.valid_to.is_(None))
        .order_by(Unit.code)).all()
    built = 0
    for period in periods:
        for unit in [None, *provinces]:
            published_report(session, unit, period)
            session.commit()  # each kept report is safe even if a later one is interrupted
            built += 1
            if progress:
                progress(unit.code if unit is not None else "VN", period.label)
    return built
