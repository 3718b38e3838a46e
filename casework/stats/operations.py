"""Reading statistics, as every face does it: the API, the statistics page and its downloads.

Each function is one user action and records its own audit entry (``stats.view`` for reading
the indicators, ``stats.export`` for taking the report away as a file), so the page and the API
cannot drift apart in who may read what or in what the trail says. Access is checked by
``casework.stats.reports.report_for`` (the caller's ``report.view`` subtree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.scoping import path_condition, scope_paths
from casework.audit import trail
from casework.stats import export
from casework.stats.reports import PERMISSION, report_for
from casework.units.models import CURRENT_TREE, Unit, path_ancestors


@dataclass(frozen=True)
class ReportFile:
    body: bytes
    mimetype: str
    filename: str


def view_report(session: Session, user: Actor, unit_code: str | None, period: str,
                case_type: str | None = None) -> tuple[Unit, dict[str, Any]]:
    """The published report on a unit's subtree for a period, for reading; audited.

    :raise Forbidden: the caller may see reports nowhere.
    :raise NotFound: unknown unit or outside the caller's scope (the same answer).
    :raise Invalid: the period is not one of the accepted forms; no unit given and the caller's
        area is several units.
    """
    unit, report = report_for(session, user, unit_code, period, case_type)
    trail.record(session, "stats.view", actor=user, object_type="unit", object_id=unit.code,
                 unit_path=unit.path, period=report["period"]["label"], case_type=case_type)
    return unit, report


def export_report(session: Session, user: Actor, unit_code: str | None, period: str,
                  case_type: str | None = None, fmt: str = "csv", lang: str = "vi") -> ReportFile:
    """The periodic report as an XLSX or CSV file in Vietnamese or English; audited.

    :raise Forbidden, NotFound, Invalid: as ``view_report``.
    :raise ValueError: a format or language the export does not write (faces validate first).
    """
    if fmt not in export.FORMATS:
        raise ValueError(f"no report format {fmt!r}")
    unit, report = report_for(session, user, unit_code, period, case_type)
    body = export.report_xlsx(report, lang) if fmt == "xlsx" else export.report_csv(report, lang)
    trail.record(session, "stats.export", actor=user, object_type="unit", object_id=unit.code,
                 unit_path=unit.path, period=report["period"]["label"], case_type=case_type,
                 format=fmt, language=lang, hidden_cells=len(report.get("hidden") or []))
    return ReportFile(body, export.XLSX_MIMETYPE if fmt == "xlsx" else export.CSV_MIMETYPE,
                      export.file_name(report, fmt, lang))


def report_units(session: Session, paths: list[str], kinds: tuple[str, ...]) -> list[Any]:
    """``(code, name, path)`` of the current units under ``paths`` (the report areas) that are
    of ``kinds`` or are those areas themselves, in tree order."""
    return session.execute(
        select(Unit.code, Unit.name, Unit.path).where(
            Unit.tree == CURRENT_TREE, Unit.valid_to.is_(None), path_condition(Unit.path, paths),
            or_(Unit.kind.in_(kinds), Unit.path.in_(paths)))
        .order_by(Unit.path)).all()


def report_breadcrumbs(session: Session, user: Actor, unit: Unit) -> list[Unit]:
    """``unit`` and the units above it whose reports ``user`` may also read, top first."""
    paths = scope_paths(user, PERMISSION)
    readable = [p for p in path_ancestors(unit.path) if any(p.startswith(s) for s in paths)]
    found = {u.path: u for u in session.scalars(
        select(Unit).where(Unit.tree == CURRENT_TREE, Unit.path.in_(readable)))}
    return [found[p] for p in readable if p in found]
