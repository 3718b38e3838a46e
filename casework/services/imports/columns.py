"""Column names in Vietnamese or English, and cells turned into the fields of a case body.

Headers are compared folded — without diacritics, case, punctuation or spacing — so "Họ và tên",
"HO VA TEN", "ho_va_ten" and "full_name" all name the same column. A column nobody recognises is
refused (not silently dropped): a list whose "Số CCCD" header was misspelt would otherwise be
imported without anyone's ID, and duplicate checks would find nothing.

Cells are only converted here (dates, sex, numbers that lost their leading zero in Excel); the
validation proper is the case API's own schema, so imports obey the same rules as a form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from casework.services.spreadsheet_safety import looks_like_formula

#: canonical name → accepted headers (folded).
ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "ten", "full name", "name"),
    "aliases": ("ten goi khac", "ten khac", "bi danh", "aliases", "alias"),
    "sex": ("gioi tinh", "sex", "gender"),
    "date_of_birth": ("ngay sinh", "ngay thang nam sinh", "date of birth", "dob", "birth date"),
    "birth_year": ("nam sinh", "birth year", "year of birth"),
    "national_id": (
        "so cccd",
        "cccd",
        "so cccd cmnd",
        "so dinh danh",
        "so cmnd",
        "cmnd",
        "national id",
        "id number",
    ),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so dt", "phone", "phone number"),
    "address": ("dia chi", "noi cu tru", "dia chi thuong tru", "noi o", "address"),
    "unit": ("ma xa", "ma don vi", "ma phuong xa", "unit", "unit code", "commune code"),
    "referral_note": ("ghi chu", "note", "notes"),
    "rehab_completion_date": (
        "ngay hoan thanh cai nghien",
        "ngay hoan thanh",
        "rehab completion date",
    ),
    "rehab_kind": ("hinh thuc cai", "hinh thuc cai nghien", "rehab kind"),
    "release_date": ("ngay ra trai", "ngay chap hanh xong an", "release date"),
    "sentence_months": ("thoi han an thang", "thoi han an", "sentence months"),
}
#: Row-number columns every Vietnamese list starts with; read and ignored.
IGNORED = ("stt", "tt", "so tt", "no", "")
PERSON_FIELDS = (
    "full_name",
    "aliases",
    "sex",
    "date_of_birth",
    "birth_year",
    "national_id",
    "phone",
    "address",
)
#: Columns that only make sense for one case type.
TYPE_ONLY = {
    "rehab_completion_date": "post_rehab",
    "rehab_kind": "post_rehab",
    "release_date": "post_prison",
    "sentence_months": "post_prison",
}
DATE_FIELDS = ("date_of_birth", "rehab_completion_date", "release_date")
#: Fields whose well-formed values may start with a formula character ("+84 …").
MAY_START_WITH_SIGN = ("phone",)

SEX_WORDS = {
    "nam": "male",
    "nu": "female",
    "khac": "other",
    "male": "male",
    "female": "female",
    "other": "other",
    "m": "male",
    "f": "female",
}
REHAB_WORDS = {
    "tu nguyen": "voluntary",
    "voluntary": "voluntary",
    "bat buoc": "compulsory",
    "compulsory": "compulsory",
    "thay the": "substitution",
    "dieu tri thay the": "substitution",
    "methadone": "substitution",
    "substitution": "substitution",
    "chua thanh nien": "minor",
    "nguoi chua thanh nien": "minor",
    "minor": "minor",
}
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_EMPTY_MARKS = ("-", "--", "x", "không", "khong", "n/a")


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), words separated by one space."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


_LOOKUP = {fold(alias): name for name, aliases in ALIASES.items() for alias in (*aliases, name)}


@dataclass
class Columns:
    """Which spreadsheet column holds which field (``None``: ignored)."""

    fields: list[str | None]

    def present(self) -> set[str]:
        return {f for f in self.fields if f}


def map_header(header: list[Any], case_type: str) -> Columns:
    """Recognise every header cell, or refuse the file naming what is wrong.

    :raise Invalid: unknown, repeated, misplaced (other case type) or missing columns.
    """
    from casework.services.imports.reading import FileRefused

    fields: list[str | None] = []
    unknown, repeated, misplaced = [], [], []
    for cell in header:
        folded = fold(cell) if cell is not None else ""
        if folded in IGNORED:
            fields.append(None)
            continue
        name = _LOOKUP.get(folded)
        if name is None:
            unknown.append(str(cell).strip()[:60])
        elif name in fields:
            repeated.append(str(cell).strip()[:60])
        elif TYPE_ONLY.get(name, case_type) != case_type:
            misplaced.append(str(cell).strip()[:60])
        fields.append(name)
    problems = []
    if unknown:
        problems.append(
            _(
                "Unknown columns: %(names)s. Accepted: %(accepted)s.",
                names=", ".join(unknown),
                accepted=", ".join(_accepted(case_type)),
            )
        )
    if repeated:
        problems.append(_("Columns given twice: %(names)s.", names=", ".join(repeated)))
    if misplaced:
        problems.append(
            _(
                "Columns that do not belong to %(type)s cases: %(names)s.",
                type=case_type,
                names=", ".join(misplaced),
            )
        )
    required = ["sex"] if case_type == "sex_work_exit" else ["full_name", "sex"]
    missing = [name for name in required if name not in fields]
    if missing:
        problems.append(
            _(
                'Missing columns: %(names)s (e.g. "Họ và tên", "Giới tính").',
                names=", ".join(missing),
            )
        )
    if problems:
        refusal = FileRefused(problems[0])
        refusal.errors = {"columns": problems}
        raise refusal
    return Columns(fields=fields)


def _accepted(case_type: str) -> list[str]:
    return [name for name in ALIASES if TYPE_ONLY.get(name, case_type) == case_type]


class CellError(ValueError):
    """A cell that cannot be read as its field; the message names no value."""


def convert(field: str, cell: Any) -> Any:
    """The cell as the case schema expects it (ISO dates, codes, digit strings), or None.

    :raise CellError: formula-like text, impossible dates, unknown words.
    """
    if cell is None:
        return None
    if isinstance(cell, str):
        text = unicodedata.normalize("NFC", cell).strip()
        if text == "" or text.lower() in _EMPTY_MARKS:
            return None
        if looks_like_formula(text) and field not in MAY_START_WITH_SIGN:
            raise CellError(
                _("Looks like a spreadsheet formula (starts with =, +, - or @): refused.")
            )
        cell = text
    if field in DATE_FIELDS:
        return _date(cell)
    if field == "sex":
        word = SEX_WORDS.get(fold(str(cell)))
        if word is None:
            raise CellError(_("Write Nam, Nữ or Khác (male, female, other)."))
        return word
    if field == "rehab_kind":
        kind = REHAB_WORDS.get(fold(str(cell)))
        if kind is None:
            raise CellError(
                _("Write Tự nguyện, Bắt buộc, Điều trị thay thế or Người chưa thành niên.")
            )
        return kind
    if field == "national_id":
        return _digits_lost_zeros(cell, pad_to=12) if _is_number(cell) else str(cell)
    if field == "phone":
        if _is_number(cell):
            return "0" + str(int(cell))  # Excel drops the leading 0 of 0912…
        if looks_like_formula(str(cell)) and not str(cell).startswith("+"):
            raise CellError(
                _("Looks like a spreadsheet formula (starts with =, +, - or @): refused.")
            )
        return str(cell)
    if field == "unit":
        return _digits_lost_zeros(cell, pad_to=5) if _is_number(cell) else str(cell)
    if field in ("sentence_months", "birth_year"):
        if _is_number(cell):
            return int(cell)
        if not re.fullmatch(r"\d{1,4}", str(cell)):
            raise CellError(_("Write a whole number."))
        return int(str(cell))
    if isinstance(cell, datetime | date):
        raise CellError(_("A date is not expected here."))
    return str(cell) if not isinstance(cell, str) else cell


def _is_number(cell: Any) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer()


def _digits_lost_zeros(cell: Any, pad_to: int) -> str:
    """A code Excel stored as a number: put back the leading zeros it dropped (001… → 1…)."""
    digits = str(int(cell))
    if pad_to == 12 and len(digits) == 9:
        return digits  # an old 9-digit CMND
    return digits.zfill(pad_to)


def _date(cell: Any) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = str(cell).strip()
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
        match = _ISO.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
    except ValueError:
        raise CellError(_("This date does not exist.")) from None
    raise CellError(_("Write the date as dd/mm/yyyy or yyyy-mm-dd."))
