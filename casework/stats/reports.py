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

from casework.access.scoping import scope_paths, unit_in_scope
from casework.errors import Forbidden, Invalid, NotFound
from casework.stats import indicators
from casework.stats.periods import Period, PeriodError, parse
from casework.units.models import CURRENT_TREE, Unit

PERMISSION = "report.view"


def thresholds() -> tuple[int, int]:
    config = current_app.config
    return (int(config.get("CASEWORK_SUPPRESSION_K", 5)),
            int(config.get("CASEWORK_SUPPRESSION_K_TRAFFICKING", 11)))


def resolve_unit(session: Session, user: Any, code: str | None) -> Unit:
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


def report_for(session: Session, user: Any, code: str | None, period_text: str,
               case_type: str | None = None, now: datetime | None = None
               ) -> tuple[Unit, dict[str, Any]]:
    """The unit and the suppressed report on its subtree for the period, for ``user``.

    :raise Forbidden, NotFound, Invalid: see ``resolve_unit`` and ``parse_period``.
    """
    unit = resolve_unit(session, user, code)
    period = parse_period(period_text)
    k, k_trafficking = thresholds()
    return unit, indicators.build_report(session, unit, period, case_type=case_type, k=k,
                                         k_trafficking=k_trafficking, now=now)
