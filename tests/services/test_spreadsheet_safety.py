"""Every exported cell is inert in a spreadsheet; numbers and dates stay values."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from casework.services.spreadsheet_safety import (
    csv_bytes,
    looks_like_formula,
    neutralise,
    xlsx_bytes,
)

DANGEROUS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    " =1",
    '=HYPERLINK("x")',
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_prefixed_with_an_apostrophe(text):
    assert looks_like_formula(text)
    assert str(neutralise(text)).startswith("'")


@pytest.mark.parametrize(
    "value", ["Nguyễn Thị Hoa", "HS-2026-ABC123", "", -5, 3.5, date(2026, 1, 1), None, True]
)
def test_ordinary_values_pass_unchanged(value):
    assert neutralise(value) == value


def test_csv_export_neutralises_every_cell_including_the_header():
    data = csv_bytes(["=bad header", "ok"], [[text, 1] for text in DANGEROUS])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read Vietnamese


def test_xlsx_export_stores_no_formula_and_keeps_numbers_and_dates():
    data = xlsx_bytes(
        ["name", "count", "day"],
        [[text, -3, date(2026, 1, 2)] for text in DANGEROUS] + [["Bell\x07", 1, None]],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s"
        assert not str(row[0].value).startswith("=")
    assert sheet.cell(row=2, column=2).value == -3
    assert sheet.cell(row=2, column=3).value.date() == date(2026, 1, 2)
    assert sheet.cell(row=len(DANGEROUS) + 2, column=1).value == "Bell"
