"""Checking and cleaning the values submitted with an event.

The engine accepts what a form or a JSON body gives (ISO date strings, numbers
as strings) and hands the app typed values, so the history row stores the same
shapes whatever the entry point.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from workflows.dates import local_date
from workflows.errors import MissingFields
from workflows.model import Event, Field

MAX_TEXT = 4000
"""Free text is encrypted field by field; a bound keeps a pasted document out of a note."""

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")
_REQUIRED = ("Trường này là bắt buộc.", "This field is required.")


class _Invalid(ValueError):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_one(f: Field, value: Any) -> Any:
    if f.kind == "text":
        if not isinstance(value, str):
            raise _Invalid("Phải là văn bản.", "Must be text.")
        value = value.strip()
        if len(value) > MAX_TEXT:
            raise _Invalid(f"Tối đa {MAX_TEXT} ký tự.", f"At most {MAX_TEXT} characters.")
        return value
    if f.kind == "choice":
        if value not in f.choices:
            allowed = ", ".join(f.choices)
            raise _Invalid(f"Phải là một trong: {allowed}.", f"Must be one of: {allowed}.")
        return value
    if f.kind == "date":
        if isinstance(value, datetime):
            return local_date(value)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise _Invalid("Ngày không hợp lệ (YYYY-MM-DD).", "Not a valid date (YYYY-MM-DD).")
    if f.kind == "int":
        if isinstance(value, bool):
            raise _Invalid("Phải là số nguyên.", "Must be a whole number.")
        if isinstance(value, int):
            return value
        # ASCII digits, at most 18 of them: str.isdigit() also takes "²", which int() refuses,
        # and a longer number would not fit the 64-bit integer any column holds.
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            return int(value.strip())
        raise _Invalid("Phải là số nguyên.", "Must be a whole number.")
    # unit, user, document: identifiers the app resolves (and checks access to).
    if isinstance(value, UUID) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise _Invalid("Mã định danh không hợp lệ.", "Not a valid identifier.")


def clean_data(event: Event, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The event's fields from `data`, typed; keys the event does not declare are dropped.

    Dropping (not refusing) unknown keys lets a form post its CSRF token and
    buttons; only declared fields ever reach the history row.
    :raise MissingFields: when a required field is empty or a value is invalid.
    """
    data = data or {}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    errors_vi: dict[str, list[str]] = {}
    for f in event.fields:
        value = data.get(f.name)
        if _is_empty(value):
            if f.required:
                errors_vi[f.name] = [_REQUIRED[0]]
                errors[f.name] = [_REQUIRED[1]]
            continue
        try:
            cleaned[f.name] = _clean_one(f, value)
        except _Invalid as invalid:
            errors_vi[f.name] = [invalid.message_vi]
            errors[f.name] = [invalid.message_en]
    if errors:
        raise MissingFields(errors, errors_vi)
    return cleaned
