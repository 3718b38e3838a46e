"""The statistician's pages: indicators of a unit and a standard period, and the periodic report.

``/stats`` shows the published report of one unit of the caller's ``report.view`` subtree
(statisticians; supervisors for their own unit) for one standard period — a month, quarter,
half-year or year, never an arbitrary date range: the release set is units × standard periods.
Tables and charts are drawn on the server from ``casework.stats.presentation`` (the same words
as the files), charts as SVG: no chart library, nothing the CSP or an intranet could break.
``/stats/report`` hands out the report as XLSX or CSV, in Vietnamese or English.

Both go through ``casework.stats.operations``, the functions the API calls, which check the
scope and record the audit entry (``stats.view``, ``stats.export``) — the pages do neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from casework.access.actor import Actor
from casework.access.current import caller
from casework.access.scoping import scope_paths
from casework.cases.models import CASE_TYPES
from casework.errors import Forbidden, Invalid
from casework.extensions import db
from casework.model_base import vietnam_today
from casework.stats import export, operations
from casework.stats import labels as stats_labels
from casework.stats.periods import month_shift
from casework.stats.presentation import Figure, IndicatorView, ReportView, present
from casework.stats.reports import PERMISSION, parse_period
from casework.units.models import Unit
from casework.web import labels
from casework.web.auth import login_required_page
from casework.web.validation import flatten

bp = Blueprint("web_stats", __name__, url_prefix="/stats")

STANDARD_KINDS = frozenset({"month", "quarter", "half", "year"})
YEARS_OFFERED = 5
"""How many calendar years the period list offers, this one included."""
KEY_INDICATORS = ("new_cases", "closed", "closed_reintegrated", "overdue")
DEFAULT_INDICATOR = "new_cases"
UNIT_KINDS_OFFERED = ("province", "district", "commune")
"""Neighbourhoods are not offered: the commune is the finest unit a report is published for."""


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE  # a page link may carry more (a fragment, a tracking-free share)

    unit = fields.String(validate=validate.Regexp(r"^\d{2,5}$"))
    period = fields.String(validate=validate.Length(max=40))
    indicator = fields.String(validate=validate.Length(max=40))


class DownloadArgs(PageArgs):
    format = fields.String(required=True, validate=validate.OneOf(export.FORMATS))
    lang = fields.String(load_default="vi", validate=validate.OneOf(stats_labels.LANGUAGES))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    figure: Figure
    share: float  # of the largest published bar, 0..1; 0 for a protected one


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]


def _args(schema: Schema) -> dict[str, Any]:
    """:raise Invalid: a malformed unit, period or choice."""
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        return schema.load(raw)
    except ValidationError as error:
        raise Invalid(errors=flatten(error.messages)) from None


def standard_period(text: str | None, today: date) -> str:
    """The period asked for, or last month; only a month, quarter, half-year or year.

    :raise Invalid: anything else (a date range is for roles that may read the cases).
    """
    if not text:
        last_month = month_shift(date(today.year, today.month, 1), -1)
        return f"{last_month.year}-{last_month.month:02d}"
    period = parse_period(text)
    if period.kind not in STANDARD_KINDS:
        message = _("Choose a month, quarter, half-year or year.")
        raise Invalid(message, errors={"period": [message]})
    return period.label


def period_choices(today: date, lang: str, shown: str | None = None
                   ) -> list[tuple[str, list[Choice]]]:
    """The standard periods that have begun, grouped by year, newest first (and ``shown``, the
    period on the page, even when it lies outside them)."""
    groups = []
    for year in range(today.year, today.year - YEARS_OFFERED, -1):
        codes = [str(year), f"{year}-H1", f"{year}-H2",
                 *(f"{year}-Q{q}" for q in range(1, 5)),
                 *(f"{year}-{m:02d}" for m in range(1, 13))]
        begun = [c for c in codes if parse_period(c).start <= today]
        groups.append((str(year), [Choice(c, stats_labels.period_name(c, lang)) for c in begun]))
    if shown and all(c.value != shown for _y, choices in groups for c in choices):
        groups.insert(0, (shown[:4], [Choice(shown, stats_labels.period_name(shown, lang))]))
    return groups


def unit_choices(user: Actor) -> list[Choice]:
    """The caller's report areas and the units below them, down to communes, in tree order."""
    paths = scope_paths(user, PERMISSION)
    if not paths:
        return []
    rows = operations.report_units(db.session, paths, UNIT_KINDS_OFFERED)
    choices = []
    for code, name, path in rows:
        root = next((p for p in paths if path.startswith(p)), None)
        if root is None:
            continue
        depth = path.count("/") - root.count("/")
        choices.append(Choice(code, f"{'— ' * depth}{name}"))
    return choices


def breadcrumbs(user: Actor, unit: Unit) -> list[Unit]:
    """The unit and the units above it that the caller may also read, top first."""
    return operations.report_breadcrumbs(db.session, user, unit)


def _bars(pairs: list[tuple[str, Figure]]) -> list[Bar]:
    top = max((f.value for _l, f in pairs if f.value is not None and not f.protected),
              default=0) or 1
    return [Bar(label, f, 0.0 if f.protected or f.value is None else f.value / top)
            for label, f in pairs]


def _columns_word(indicator: IndicatorView) -> str:
    keys = set(indicator.column_keys) - {"total"}
    if keys <= set(CASE_TYPES):
        return _("by case type")
    if keys <= set(stats_labels.SEXES):
        return _("by sex")
    if keys <= set(stats_labels.AGE_BANDS):
        return _("by age band")
    return _("by kind of support")


def charts_for(view: ReportView, indicator: IndicatorView) -> list[Chart]:
    charts = [Chart("columns", f"{indicator.title} — {_columns_word(indicator)}",
                    _bars(indicator.by_column()))]
    by_period = indicator.by_period()
    if by_period:
        word = _("quarter by quarter") if view.period_label.isdigit() else _("month by month")
        charts.append(Chart("periods", f"{indicator.title} — {word}", _bars(by_period)))
    return charts


@bp.get("")
@login_required_page
def index() -> str:
    """The indicators of a unit and standard period, as tables and charts; audited.

    :raise 403: the caller reads statistics nowhere. :raise 404: a unit outside their scope.
    :raise 422: a malformed unit or period, or a period that is not a standard one.
    """
    user = caller()
    units = unit_choices(user)
    if not units:
        raise Forbidden()
    args = _args(PageArgs())
    today = vietnam_today()
    period = standard_period(args.get("period"), today)
    unit, report = operations.view_report(db.session, user, args.get("unit") or units[0].value,
                                          period)
    lang = labels.lang()
    view = present(report, lang)
    indicator = view.indicator(args.get("indicator") or DEFAULT_INDICATOR) or view.indicators[0]
    offered = {u.value for u in units}

    def drill(code: str) -> str | None:
        """The page of a unit below, when the caller may choose it."""
        if code not in offered or code == unit.code:
            return None
        return url_for("web_stats.index", unit=code, period=period, indicator=indicator.id)

    return render_template(
        "stats.html",
        view=view,
        unit=unit,
        indicator=indicator,
        charts=charts_for(view, indicator),
        key_figures=[view.indicator(i) for i in KEY_INDICATORS if view.indicator(i)],
        units=units,
        periods=period_choices(today, lang, shown=period),
        trail=breadcrumbs(user, unit),
        drill=drill,
        languages=[("vi", "Tiếng Việt"), ("en", "English")],
    )


@bp.get("/report")
@login_required_page
def download() -> Response:
    """The periodic report of a unit and standard period as XLSX or CSV; audited.

    :raise 403: the caller reads statistics nowhere. :raise 404: a unit outside their scope.
    :raise 422: a malformed unit, period, format or language, or a non-standard period.
    """
    user = caller()
    if not scope_paths(user, PERMISSION):
        raise Forbidden()  # before reading the arguments: a refusal says nothing about them
    args = _args(DownloadArgs())
    period = standard_period(args.get("period"), vietnam_today())
    file = operations.export_report(db.session, user, args.get("unit"), period,
                                    fmt=args["format"], lang=args["lang"])
    return Response(file.body, mimetype=file.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{file.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    })


__all__ = ["bp"]
