"""The periodic report as a file a province office can hand in: XLSX (a sheet per indicator) or CSV.

One language per file: the Vietnamese file says everything in Vietnamese with diacritics, the
English file in English; no internal code (measure ids, case-type keys, module names) appears in
either — every word comes through ``casework.stats.presentation`` and its label table.

XLSX layout: "Thông tin chung" (the report's facts and how figures were protected), "Tổng hợp"
(every indicator's total for the unit, per case type), one sheet per indicator — title rows
(report name, indicator, unit, period, date produced, protection note), then its tables by unit
(with official unit codes) and by sub-period, headers bold, panes frozen below the first header,
columns fitted — and "Ghi chú" (what each indicator counts, how figures are counted and
protected, what the marker means). Protected cells print the report's marker (``x``).

Every cell goes through ``casework.services.spreadsheet_safety.neutralise`` and text cells are
typed as strings, so a unit name or label that starts with ``=`` can never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from casework.services.spreadsheet_safety import neutralise
from casework.stats import labels
from casework.stats.presentation import Figure, IndicatorView, ReportView, present

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
FORMATS = ("xlsx", "csv")

#: Excel column widths (characters): label columns fit their longest label up to LABEL_WIDTH,
#: number columns their header up to NUMBER_WIDTH (longer headers wrap onto two lines).
LABEL_WIDTH = 48
NUMBER_WIDTH = 16
TEXT_WIDTH = 100
ROW_HEIGHT = 15.0  # points per line of 11-point text
NUMBER_FORMATS = {"count": "#,##0", "amount": "#,##0", "share": "0%", "days": "0.0"}


@dataclass
class Line:
    """One row of a sheet: its values and how it looks."""

    values: list[Any]  # text, numbers, and Figures (printed as numbers or the marker)
    style: str = "data"  # title | subtitle | fact | header | data | total | text | note | blank


@dataclass
class Sheet:
    name: str
    lines: list[Line] = field(default_factory=list)
    freeze: str | None = None  # the top-left cell that stays scrollable
    widths: dict[int, float] = field(default_factory=dict)  # fixed widths (1-based columns)

    def add(self, values: list[Any], style: str = "data") -> int:
        self.lines.append(Line(values, style))
        return len(self.lines)


def file_name(report: dict[str, Any], fmt: str, lang: str) -> str:
    """``bao-cao-thong-ke-01-2026-Q1.xlsx`` / ``statistics-report-01-2026-Q1.xlsx``."""
    stem = "statistics-report" if lang == "en" else "bao-cao-thong-ke"
    label = str(report["period"]["label"]).replace("..", "_")
    return f"{stem}-{report['unit']['code']}-{label}.{fmt}"


# --- what each sheet holds ------------------------------------------------------------------------


def _title_lines(sheet: Sheet, view: ReportView, subtitle: str | None) -> None:
    f = labels.FIELDS
    sheet.add([view.title], "title")
    if subtitle:
        sheet.add([subtitle], "subtitle")
    sheet.add([f"{f['unit'](view.lang)}: {view.unit_name} ({f['unit_code'](view.lang).lower()} "
               f"{view.unit_code})"], "text")
    sheet.add([f"{f['period'](view.lang)}: {view.period_name} ({view.period_span})"], "text")
    if view.case_type:
        sheet.add([f"{f['case_type'](view.lang)}: {view.case_type}"], "text")
    sheet.add([f"{f['produced'](view.lang)}: {view.produced}"], "text")
    sheet.add([f"{f['protection'](view.lang)}: {view.protection}"], "text")
    sheet.add([_marker_line(view)], "text")
    sheet.add([], "blank")


def _marker_line(view: ReportView) -> str:
    return f"{labels.FIELDS['marker'](view.lang)} “{view.marker}”: {view.marker_means}."


def cover_sheet(view: ReportView) -> Sheet:
    f, lang = labels.FIELDS, view.lang
    sheet = Sheet(labels.SHEETS["cover"](lang), widths={1: 24, 2: TEXT_WIDTH})
    sheet.add([view.title], "title")
    sheet.add([], "blank")
    facts = [
        (f["unit"](lang), view.unit_name),
        (f["unit_code"](lang), view.unit_code),
        (f["period"](lang), f"{view.period_name} ({view.period_span})"),
        *([(f["case_type"](lang), view.case_type)] if view.case_type else []),
        (f["produced"](lang), view.produced),
        (f["protection"](lang), view.protection),
        (f["marker"](lang), f"{view.marker}: {view.marker_means}"),
    ]
    for name, value in facts:
        sheet.add([name, value], "fact")
    return sheet


def summary_sheet(view: ReportView) -> Sheet:
    f, lang = labels.FIELDS, view.lang
    sheet = Sheet(labels.SHEETS["summary"](lang))
    _title_lines(sheet, view, labels.SHEETS["summary"](lang))
    number = 0
    for block in view.summary():
        header = sheet.add([f["number"](lang), f["indicator"](lang), f["unit_of_count"](lang),
                            *block.headers], "header")
        sheet.freeze = sheet.freeze or f"C{header + 1}"
        for indicator in block.rows:
            number += 1
            figures = indicator.overall.figures
            sheet.add([number, indicator.title, indicator.counted_in, *figures])
        sheet.add([], "blank")
    return sheet


def indicator_sheet(view: ReportView, indicator: IndicatorView, name: str) -> Sheet:
    lang = view.lang
    sheet = Sheet(name)
    subtitle = (f"{indicator.title} ({labels.FIELDS['unit_of_count'](lang).lower()}: "
                f"{indicator.counted_in})")
    _title_lines(sheet, view, subtitle)
    for grid in indicator.grids:
        if grid.title:
            sheet.add([grid.title], "subtitle")
        codes = [labels.FIELDS["unit_code"](lang)] if grid.units else []
        header = sheet.add([*codes, grid.first_header, *grid.headers], "header")
        if sheet.freeze is None:
            sheet.freeze = f"{'C' if grid.units else 'B'}{header + 1}"
        for row in grid.rows:
            lead = [row.code or ""] if grid.units else []
            sheet.add([*lead, row.label, *row.figures], "total" if row.total else "data")
        sheet.add([], "blank")
    if indicator.means:
        sheet.add([f"{labels.FIELDS['means'](lang)}: {indicator.means}"], "text")
    return sheet


def notes_sheet(view: ReportView) -> Sheet:
    f, lang = labels.FIELDS, view.lang
    sheet = Sheet(labels.SHEETS["notes"](lang), widths={1: 36, 2: 22, 3: TEXT_WIDTH})
    sheet.add([view.title], "title")
    sheet.add([labels.SHEETS["notes"](lang)], "subtitle")
    sheet.add([], "blank")
    sheet.add([f["protection"](lang)], "subtitle")
    sheet.add([view.protection], "text")
    sheet.add([_marker_line(view)], "text")
    sheet.add([], "blank")
    sheet.add([f["general_notes"](lang)], "subtitle")
    for note in view.general_notes:
        sheet.add([f"• {note}"], "text")
    sheet.add([], "blank")
    sheet.add([f["indicators"](lang)], "subtitle")
    header = sheet.add([f["indicator"](lang), f["unit_of_count"](lang), f["means"](lang)],
                       "header")
    sheet.freeze = f"A{header + 1}"
    for indicator in view.indicators:
        sheet.add([indicator.title, indicator.counted_in, indicator.means], "note")
    return sheet


def sheets_of(view: ReportView) -> list[Sheet]:
    sheets = [cover_sheet(view), summary_sheet(view)]
    used = {s.name.casefold() for s in sheets} | {labels.SHEETS["notes"](view.lang).casefold()}
    for indicator in view.indicators:
        sheets.append(indicator_sheet(view, indicator, _unique(indicator.sheet, used)))
    sheets.append(notes_sheet(view))
    return sheets


def _unique(name: str, used: set[str]) -> str:
    """Excel compares sheet names without case; a repeated name gets a number."""
    candidate, n = name, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = labels.safe_sheet_name(name[:31 - len(suffix)] + suffix)
        n += 1
    used.add(candidate.casefold())
    return candidate


# --- writing ------------------------------------------------------------------------------------


def report_xlsx(report: dict[str, Any], lang: str = "vi") -> bytes:
    """The workbook in ``lang``. :raise ValueError: another language."""
    from openpyxl import Workbook

    view = present(report, lang)
    workbook = Workbook(write_only=True)
    for sheet in sheets_of(view):
        _write_sheet(workbook, sheet, view.marker)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook: Any, sheet: Sheet, marker: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = workbook.create_sheet(title=sheet.name)
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # printed: as wide as one page
    ws.page_setup.fitToHeight = 0
    ws.page_setup.orientation = "landscape"
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    widths = _widths(sheet)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    for index, line in enumerate(sheet.lines, start=1):
        if line.style in ("header", "fact", "note"):  # wrapped: tall enough for every line
            ws.row_dimensions[index].height = ROW_HEIGHT * _lines_needed(line, widths)

    bold = Font(bold=True)
    fonts = {"title": Font(bold=True, size=14), "subtitle": Font(bold=True, size=12),
             "header": bold, "total": bold}
    thin = Side(style="thin", color="808080")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    header_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
    right = Alignment(horizontal="right")

    for line in sheet.lines:
        cells = []
        for i, raw in enumerate(line.values):
            figure = raw if isinstance(raw, Figure) else None
            value = figure.stored(marker) if figure else neutralise(raw)
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # stored as text, never as a formula
            font = (bold if i == 0 else None) if line.style == "fact" else fonts.get(line.style)
            if font is not None:
                cell.font = font
            if line.style == "header":
                cell.fill, cell.border, cell.alignment = header_fill, boxed, header_align
            elif line.style in ("data", "total"):
                cell.border = boxed
                if figure is not None:
                    cell.alignment = right
                    if not figure.protected and figure.value is not None:
                        cell.number_format = NUMBER_FORMATS.get(figure.kind, "General")
            elif line.style == "note" or (line.style == "fact" and i > 0):
                cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)


def _lines_needed(line: Line, widths: dict[int, float]) -> int:
    needed = 1
    for column, value in enumerate(line.values, start=1):
        room = max(int(widths.get(column, 8)) - 1, 1)
        needed = max(needed, -(-len(_display(value)) // room))
    return needed


def _widths(sheet: Sheet) -> dict[int, float]:
    """Fixed widths where the sheet sets them; else each column fits its header and data."""
    if sheet.widths:
        return dict(sheet.widths)
    longest: dict[int, int] = {}
    numeric: dict[int, bool] = {}
    for line in sheet.lines:
        if line.style not in ("header", "data", "total"):
            continue  # title rows run across the columns and fit no single one
        for i, value in enumerate(line.values, start=1):
            text = _display(value)
            longest[i] = max(longest.get(i, 0), len(text))
            if isinstance(value, Figure):
                numeric[i] = True
    widths = {}
    for column, length in longest.items():
        cap = NUMBER_WIDTH if numeric.get(column) else LABEL_WIDTH
        widths[column] = float(min(max(length + 2, 8), cap))
    return widths


def _display(value: Any) -> str:
    if isinstance(value, Figure):
        return value.text("vi") if not value.empty else ""
    return "" if value is None else str(value)


def report_csv(report: dict[str, Any], lang: str = "vi") -> bytes:
    """One CSV in ``lang``, UTF-8 with BOM (Excel reads Vietnamese), sheets one below the other.

    :raise ValueError: another language.
    """
    view = present(report, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    sheets = sheets_of(view)
    for n, sheet in enumerate(sheets):
        if n:
            writer.writerow([])
        lines = sheet.lines if n == 0 else [ln for ln in sheet.lines if ln.style != "title"]
        for line in lines:
            writer.writerow(list(_csv_values(line.values, view.marker)))
    return buffer.getvalue().encode("utf-8-sig")


def _csv_values(values: Iterable[Any], marker: str) -> Iterable[Any]:
    for value in values:
        if isinstance(value, Figure):
            stored = value.stored(marker)
            yield f"{stored:.0%}" if value.kind == "share" and value.value is not None \
                and not value.protected else stored
        else:
            yield "" if value is None else neutralise(value)

