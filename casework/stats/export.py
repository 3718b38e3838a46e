"""The periodic report as a file: CSV (one sheet, sections stacked) or XLSX (a sheet per section).

Laid out like the paper reports: a header (unit, period, generated at, the suppression note),
then each section's table by unit and, for flows, by sub-period. Every hidden cell prints the
same marker (``indicators.MARKER``) whatever the reason, and every cell goes through
``casework.services.spreadsheet_safety.neutralise``, so a unit name or label that starts with
``=`` cannot run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from casework.services.spreadsheet_safety import neutralise
from casework.stats.indicators import MARKER

Line = list[Any]


def _value(entry: dict[str, Any]) -> Any:
    return MARKER if entry.get("hidden") else entry["value"]


def header_lines(report: dict[str, Any]) -> list[Line]:
    unit, period = report["unit"], report["period"]
    lines: list[Line] = [
        ["Báo cáo thống kê / Statistical report"],
        ["Đơn vị / Unit", f"{unit['code']} {unit['name']}"],
        ["Kỳ báo cáo / Period", f"{period['label']} ({period['start']} – {period['end']})"],
        ["Lập lúc / Generated at", report["generated_at"]],
        ["Ngưỡng / Threshold k", f"{report['k']['default']} (nạn nhân mua bán / trafficking: "
                                 f"{report['k']['trafficking_victim']})"],
        ["Ký hiệu / Marker", f"{MARKER} = số liệu được bảo mật (ẩn) / suppressed cell"],
    ]
    if report.get("case_type"):
        lines.append(["Loại đối tượng / Case type", report["case_type"]])
    lines += [["Ghi chú / Note", note] for note in report["notes"] if note]
    return lines


def section_lines(section: dict[str, Any]) -> list[Line]:
    labels = [f"{c['label_vi']} / {c['label_en']}" for c in section["columns"]]
    lines: list[Line] = [[f"{section['title_vi']} / {section['title_en']}",
                          f"({section['unit_of_count']})"]]
    for table in section["tables"]:
        first = {"by_unit": "Đơn vị / Unit", "by_period": "Kỳ / Period",
                 "by_stage": "Giai đoạn / Stage"}[table["id"]]
        lines.append([first, *labels])
        for row, cells in zip(table["rows"], table["cells"], strict=True):
            lines.append([row["label"], *(_value(c) for c in cells)])
        if section["id"] == "support_connected" and table["id"] == "by_unit":
            lines.append([f"Tỷ lệ được kết nối / share connected "
                          f"(mục tiêu / target ≥ {section['target_share']:.0%})", *labels])
            for row, cells in zip(table["rows"], table["cells"], strict=True):
                lines.append([row["label"], *(
                    MARKER if c.get("share") is None and c.get("hidden") else
                    "" if c.get("share") is None else f"{c['share']:.0%}" for c in cells)])
        if section["id"] == "stage_stays":
            lines.append(["Trung vị số ngày / median days", *labels])
            for row, cells in zip(table["rows"], table["cells"], strict=True):
                lines.append([row["label"], *(
                    MARKER if c.get("hidden") else
                    "" if c.get("median_days") is None else c["median_days"] for c in cells)])
    lines += [["Ghi chú / Note", note] for note in section["notes"]]
    return lines


def report_csv(report: dict[str, Any]) -> bytes:
    """One CSV, UTF-8 with BOM (Excel reads Vietnamese), sections one below the other."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for line in _safe(header_lines(report)):
        writer.writerow(line)
    for section in report["sections"]:
        writer.writerow([])
        for line in _safe(section_lines(section)):
            writer.writerow(line)
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(report: dict[str, Any]) -> bytes:
    """A workbook: a cover sheet with the header, then one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)

    def add_sheet(title: str, lines: list[Line]) -> None:
        sheet = workbook.create_sheet(title=title)
        for line in _safe(lines):
            cells = []
            for value in line:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # stored as text, never as a formula
                cells.append(cell)
            sheet.append(cells)

    add_sheet("Thong tin", header_lines(report))
    used: set[str] = set()
    for section in report["sections"]:
        title = section["id"][:31]
        n = 2
        while title in used:
            title = f"{section['id'][:28]}_{n}"
            n += 1
        used.add(title)
        add_sheet(title, section_lines(section))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe(lines: Iterable[Line]) -> Iterable[Line]:
    for line in lines:
        yield ["" if v is None else neutralise(v) for v in line]
