"""Showing the API's validation messages next to the fields of a page, in the page's language.

The schemas and the workflow engine answer in two ways: bilingual strings ("vi / en") written in
this project, and marshmallow's English defaults. Both become one message in the request's
language, so a Vietnamese page never shows an English error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from casework.web.labels import lang

_DEFAULTS: dict[str, Any] = {
    "Missing data for required field.": lambda: _("This field is required."),
    "Field may not be null.": lambda: _("This field is required."),
    "Not a valid date.": lambda: _("Not a valid date."),
    "Not a valid integer.": lambda: _("Enter a whole number."),
    "Not a valid string.": lambda: _("Not valid."),
    "Not a valid boolean.": lambda: _("Not valid."),
    "Unknown field.": lambda: _("This field is not accepted here."),
}


def readable(message: str) -> str:
    """One message in the page's language."""
    if message in _DEFAULTS:
        return _DEFAULTS[message]()
    if message.startswith("Must be one of:"):
        return _("Choose one of the options.")
    if re.match(r"^(Length must be|Shorter than|Longer than)", message):
        return _("The text is too long or too short.")
    if re.match(r"^Must be (greater|less|between)", message):
        return _("The number is out of range.")
    if " / " in message:
        vi, _sep, en = message.partition(" / ")
        return vi if lang() == "vi" else en
    return message


def flatten(errors: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """``{"person": {"phone": [...]}}`` → ``{"phone": [...]}``: a form has one level of fields."""
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, prefix))
        else:
            messages = value if isinstance(value, list) else [value]
            flat[prefix + str(key)] = [readable(str(m)) for m in messages]
    return flat
