"""From uploaded bytes to a header and rows of cells, refusing what could hurt the server.

Checks run before any parser sees the data: the size (a 50 MB list is refused outright), the
format by its magic bytes (not the file name), and for XLSX the zip directory — declared
uncompressed sizes, their total and the compression ratio — so a zip bomb is refused before
openpyxl opens it. Python's zipfile never inflates an entry past its declared size, so checking
the declared sizes bounds the memory openpyxl can use; openpyxl then reads in ``read_only``
mode, through defusedxml (entity expansion refused).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from casework.errors import Invalid

MAX_ZIP_ENTRIES = 500
MAX_UNCOMPRESSED_TOTAL = 200 * 1024 * 1024
MAX_RATIO = 100  # ordinary sheets compress 5–20×; bombs 1000× and more
RATIO_FLOOR = 1024 * 1024  # tiny entries (styles, rels) may compress very well: harmless

MAX_COLUMNS = 64  # a handover list has a dozen; a sheet claiming 16,384 is not read that far
MAX_BLANK_ROWS = 1000

ENCODINGS = ("utf-8", "windows-1258")


class FileRefused(Invalid):
    """The file as a whole cannot be read; nothing was imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message, errors={"file": [message]})


@dataclass
class Sheet:
    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]]  # (spreadsheet row number, cells)


def detect_format(data: bytes) -> str:
    """``xlsx`` or ``csv`` from the content; the old binary .xls is refused with advice."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("This is an old Excel .xls file: save it as .xlsx or CSV UTF-8."))
    return "csv"


def read_sheet(data: bytes, *, encoding: str | None, max_rows: int) -> Sheet:
    """Header and rows of the upload, whatever its format.

    :raise FileRefused: empty, unreadable, a zip bomb, not UTF-8, too many rows.
    """
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if detect_format(data) == "xlsx":
        rows = _xlsx_rows(data, max_rows)
    else:
        rows = _csv_rows(_decode(data, encoding))
    return _with_header(rows, max_rows)


def _with_header(rows: Iterator[list[Any]], max_rows: int) -> Sheet:
    numbered = ((n, row) for n, row in enumerate(rows, start=1))
    for _number, row in numbered:
        if any(_filled(cell) for cell in row):
            header = row
            break
    else:
        raise FileRefused(_("The file has no header row."))

    def body() -> Iterator[tuple[int, list[Any]]]:
        count = 0
        for n, cells in numbered:
            if not any(_filled(cell) for cell in cells):
                continue
            count += 1
            if count > max_rows:
                raise FileRefused(_("The list has more than %(n)d rows: split it.", n=max_rows))
            yield n, cells

    return Sheet(header=header, rows=body())


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes, encoding: str | None) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, or the encoding the caller named.

    Windows-1258 (the legacy Vietnamese code page) is only used when asked for: almost any byte
    sequence "decodes" in it, so guessing would import garbled names without a word.
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(_("This does not look like a CSV text file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(_("The file is not valid UTF-16 text.")) from None
    if encoding and encoding != "utf-8":
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise FileRefused(_("The file is not valid %(enc)s text.", enc=encoding)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                'The file is not UTF-8 text. In Excel choose "CSV UTF-8 (Comma delimited)", or '
                "send encoding=windows-1258 if it comes from an old Vietnamese system."
            )
        ) from None


def _csv_rows(text: str) -> Iterator[list[Any]]:
    first_line = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise FileRefused(_("The CSV file is malformed (check its quotes).")) from None


# --- XLSX ----------------------------------------------------------------------------------


def check_zip(data: bytes) -> None:
    """:raise FileRefused: not a zip, too many entries, or sizes/ratios of a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRefused(_("The XLSX file is damaged or not an XLSX file.")) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise FileRefused(_("The XLSX file has too many parts to be a list."))
        total = 0
        for entry in entries:
            total += entry.file_size
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
                raise FileRefused(
                    _("The XLSX file expands far beyond its size (a zip bomb?): refused.")
                )
        if total > MAX_UNCOMPRESSED_TOTAL:
            raise FileRefused(
                _("The XLSX file expands far beyond its size (a zip bomb?): refused.")
            )


def _xlsx_rows(data: bytes, max_rows: int) -> Iterator[list[Any]]:
    check_zip(data)
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula comes back as its text ("=…") and is refused as such,
        # instead of its cached result slipping in unnoticed.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, XML, zip) for a bad file
        raise FileRefused(_("The XLSX file is damaged or not an XLSX file.")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused(_("The XLSX file has no sheet."))
        rows = []
        try:
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                rows.append(list(row))
                if len(rows) > max_rows + MAX_BLANK_ROWS:
                    raise FileRefused(_("The list has more than %(n)d rows: split it.", n=max_rows))
        except FileRefused:
            raise
        except Exception:
            raise FileRefused(_("The XLSX file is damaged or not an XLSX file.")) from None
    finally:
        workbook.close()
    return iter(rows)
