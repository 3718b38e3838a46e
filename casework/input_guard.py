"""Refuse text that no column can store: the NUL character, in any parameter or field.

PostgreSQL text cannot hold U+0000, so a NUL reaching a query parameter or a plain text column
failed deep inside the database driver as a 500 (schemathesis found it on the audit filter).
Checked once for every request, before any view parses its input, so that every form, query
string and JSON body gets the same clear 422 naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _

from casework.errors import Invalid

NUL = "\x00"


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)


def refuse_nul_characters() -> None:
    """:raise Invalid: a query parameter, form field or JSON string holds a NUL character."""
    bad = [name for name, value in request.args.items(multi=True) if NUL in name + value]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        bad += [name for name, value in request.form.items(multi=True) if NUL in name + value]
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        # JSON can only carry a NUL escaped; the escape may also be literal text ("\\u0000"),
        # so only a decoded string decides.
        try:
            body = json.loads(request.get_data(cache=True))
        except ValueError:
            body = None  # the view answers malformed JSON itself
        bad += list(_paths_with_nul(body, "body"))
    if bad:
        message = _("Text may not contain the NUL character (U+0000).")
        raise Invalid(errors={name.replace(NUL, "\\0"): [message] for name in bad})


def _paths_with_nul(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield f"{path}.{str(key).replace(NUL, '')}"
            yield from _paths_with_nul(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths_with_nul(item, f"{path}[{index}]")
