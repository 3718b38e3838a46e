"""A published report as people read it: labelled tables in one language, for pages and files.

``present(report, lang)`` turns the report body (internal keys, cells that carry a value or are
marked protected) into ``ReportView``: every title, header and row label said in Vietnamese or
English through ``casework.stats.labels``, every cell a ``Figure`` that is a number or the
marker. The statistics page renders it as HTML and SVG; ``casework.stats.export`` writes it as
XLSX and CSV — so the page and the file a province office hands in cannot say different things.

Nothing here computes or protects a figure: it only shows what the report publishes. A cell
marked ``hidden`` (or ``protected``) shows the marker whatever else it carries; any other cell
shows its value as published (after protection, which may have altered it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casework.stats import labels

DEFAULT_MARKER = "x"
_UNIT_CODE = re.compile(r"^\d{2,5}$")


@dataclass(frozen=True)
class Figure:
    """One published cell: a number, nothing (no value to show), or protected (the marker)."""

    value: int | float | None
    protected: bool = False
    kind: str = "count"  # count | amount | share | days

    @property
    def empty(self) -> bool:
        return self.value is None and not self.protected

    def stored(self, marker: str = DEFAULT_MARKER) -> int | float | str:
        """As a file stores it: the number itself, the marker, or an empty cell."""
        if self.protected:
            return marker
        return "" if self.value is None else self.value

    def text(self, lang: str, marker: str = DEFAULT_MARKER) -> str:
        """As a page prints it: thousands grouped the way the language writes them."""
        if self.protected:
            return marker
        if self.value is None:
            return "—"
        if self.kind == "share":
            return f"{self.value:.0%}"
        if self.kind == "days":
            text = f"{self.value:.1f}"
            return text.replace(".", ",") if lang == "vi" else text
        grouped = f"{int(self.value):,}"
        return grouped.replace(",", ".") if lang == "vi" else grouped


@dataclass
class Row:
    label: str
    figures: list[Figure]
    code: str | None = None  # the official code of the row's unit, where the row is one
    total: bool = False
    drill: str | None = None  # a unit below the report's unit, which a page may open


@dataclass
class Grid:
    """One table of an indicator: by unit, by sub-period, by stage, or a derived one."""

    id: str
    title: str
    first_header: str
    headers: list[str]
    rows: list[Row]
    units: bool = False  # rows are units (a file adds their codes)


@dataclass
class IndicatorView:
    id: str
    title: str
    sheet: str
    counted_in: str
    means: str
    column_keys: tuple[str, ...]
    headers: list[str]
    grids: list[Grid]

    @property
    def overall(self) -> Row:
        """The report unit's whole figure per column: the total row of the first table."""
        first = self.grids[0].rows
        return next((r for r in first if r.total), first[-1])

    def by_column(self) -> list[tuple[str, Figure]]:
        """The overall figure per column, the total column left out (for a bar chart)."""
        return [(h, f) for h, k, f in
                zip(self.headers, self.column_keys, self.overall.figures, strict=True)
                if k != "total"]

    def by_period(self) -> list[tuple[str, Figure]]:
        """The total per sub-period (months of a quarter, quarters of a year), if given."""
        grid = next((g for g in self.grids if g.id == "by_period"), None)
        if grid is None:
            return []
        return [(r.label, r.figures[-1]) for r in grid.rows if not r.total]


@dataclass
class SummaryBlock:
    """Indicators that share their columns, one overall row each (the summary sheet)."""

    headers: list[str]
    rows: list[IndicatorView] = field(default_factory=list)


@dataclass
class ReportView:
    lang: str
    title: str
    unit_code: str
    unit_name: str
    period_label: str
    period_name: str
    period_span: str
    produced: str
    protection: str
    marker: str
    case_type: str | None
    indicators: list[IndicatorView]
    general_notes: list[str]

    @property
    def marker_means(self) -> str:
        return labels.MARKER_MEANS(self.lang)

    def indicator(self, indicator_id: str) -> IndicatorView | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def summary(self) -> list[SummaryBlock]:
        """Indicators grouped by their columns, in report order (case types first)."""
        blocks: dict[tuple[str, ...], SummaryBlock] = {}
        for indicator in self.indicators:
            block = blocks.setdefault(indicator.column_keys, SummaryBlock(indicator.headers))
            block.rows.append(indicator)
        return list(blocks.values())


def present(report: dict[str, Any], lang: str) -> ReportView:
    """The report in ``lang`` (``vi`` or ``en``).

    :raise ValueError: a language other than Vietnamese or English.
    """
    if lang not in labels.LANGUAGES:
        raise ValueError(f"no report language {lang!r}")
    unit, period = report["unit"], report["period"]
    case_type = report.get("case_type")
    return ReportView(
        lang=lang,
        title=labels.REPORT_TITLE(lang),
        unit_code=str(unit["code"]),
        unit_name=str(unit["name"]),
        period_label=str(period["label"]),
        period_name=labels.period_name(str(period["label"]), lang),
        period_span=labels.period_span(period, lang),
        produced=labels.show_moment(report["generated_at"], lang),
        protection=labels.protection_note(report, lang),
        marker=str(report.get("marker") or DEFAULT_MARKER),
        case_type=labels.case_type_name(case_type, lang) if case_type else None,
        indicators=[_indicator(s, report, lang) for s in report["sections"] if s.get("tables")],
        general_notes=[note(lang) for note in labels.GENERAL_NOTES],
    )


def _protected(cell: dict[str, Any]) -> bool:
    return bool(cell.get("hidden") or cell.get("protected"))


def _figure(cell: dict[str, Any], kind: str) -> Figure:
    if _protected(cell):
        return Figure(None, True, kind)
    value = cell.get("value")
    return Figure(value if isinstance(value, int | float) else None, False, kind)


def _indicator(section: dict[str, Any], report: dict[str, Any], lang: str) -> IndicatorView:
    keys = tuple(str(c.get("key")) for c in section["columns"])
    headers = [labels.column_name(c, lang) for c in section["columns"]]
    kind = "amount" if section.get("unit_of_count") == "VND" else "count"
    grids = [_grid(table, headers, kind, report, lang) for table in section["tables"]]
    first = section["tables"][0]
    if section["id"] == "support_connected":
        target = section.get("target_share")
        share_title = labels.FIELDS["share_connected"](lang).format(
            target=f"{target:.0%}" if isinstance(target, int | float) else "—")
        grids.insert(1, _derived(first, grids[0], "share", share_title, headers, _share))
    if section["id"] == "stage_stays":
        grids.insert(1, _derived(first, grids[0], "median", labels.FIELDS["median_days"](lang),
                                 headers, _median))
    return IndicatorView(
        id=section["id"],
        title=labels.indicator_title(section, lang),
        sheet=labels.sheet_name(section, lang),
        counted_in=labels.unit_of_count(str(section.get("unit_of_count", "")), lang),
        means=labels.indicator_means(section, lang),
        column_keys=keys,
        headers=headers,
        grids=grids,
    )


def _grid(table: dict[str, Any], headers: list[str], kind: str, report: dict[str, Any],
          lang: str) -> Grid:
    table_id = str(table["id"])
    rows = []
    for row, cells in zip(table["rows"], table["cells"], strict=True):
        key = str(row.get("key"))
        rows.append(Row(
            label=_row_label(table_id, key, str(row.get("label", key)), report, lang),
            figures=[_figure(c, kind) for c in cells],
            code=_row_code(table_id, key),
            total=key == "total",
            drill=key if table_id == "by_unit" and _UNIT_CODE.match(key) else None,
        ))
    first = {"by_unit": "unit", "by_period": "sub_period", "by_stage": "stage"}.get(table_id)
    title = labels.TABLES[table_id](lang) if table_id in labels.TABLES else ""
    return Grid(table_id, title, labels.FIELDS[first or "indicator"](lang), headers, rows,
                units=table_id == "by_unit")


def _derived(table: dict[str, Any], shape: Grid, grid_id: str, title: str,
             headers: list[str], figure: Callable[[dict[str, Any]], Figure]) -> Grid:
    """A second reading of a table's cells (the share connected, the median days)."""
    rows = [Row(r.label, [figure(c) for c in cells], r.code, r.total, r.drill)
            for r, cells in zip(shape.rows, table["cells"], strict=True)]
    return Grid(grid_id, title, shape.first_header, headers, rows, units=shape.units)


def _share(cell: dict[str, Any]) -> Figure:
    if _protected(cell) and cell.get("share") is None:
        return Figure(None, True, "share")
    share = cell.get("share")
    return Figure(share if isinstance(share, int | float) else None, False, "share")


def _median(cell: dict[str, Any]) -> Figure:
    if _protected(cell):
        return Figure(None, True, "days")
    days = cell.get("median_days")
    return Figure(days if isinstance(days, int | float) else None, False, "days")


def _row_label(table_id: str, key: str, given: str, report: dict[str, Any], lang: str) -> str:
    if key == "total":
        return labels.TOTAL(lang)
    if table_id == "by_period":
        return labels.period_name(key, lang)
    if table_id == "by_stage":
        return labels.stage_name(key, lang)
    if key.endswith("*"):  # the report's unit itself: cases not in any unit below it
        direct = "directly" if lang == "en" else "trực tiếp"
        return f"{report['unit']['name']} ({direct})"
    return given  # a unit's official name


def _row_code(table_id: str, key: str) -> str | None:
    if table_id != "by_unit" or key == "total":
        return None
    return key.rstrip("*")
