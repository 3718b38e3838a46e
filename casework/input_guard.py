"""The request boundary: input that nothing behind it can hold is refused here, once.

Checked before any view parses its input, for every request, so that every query string, form
and JSON body gets the same clear answer naming the field, and nothing is read or written:

- text (query arguments, form fields, JSON strings and keys) must be valid UTF-8 without the
  NUL character (PostgreSQL text cannot hold U+0000) and without lone surrogates (U+D800–U+DFFF:
  a JSON ``"\\ud800"`` escape decodes to one in Python, and no database driver can encode it);
- a JSON number must lie within the signed 64-bit range (the widest integer column) and be
  finite; a query argument written as a whole number must too;
- a JSON body may nest at most ``MAX_JSON_DEPTH`` levels: deeper nesting is refused from the raw
  bytes, before any parser recurses into it (Python's json raises RecursionError at ~1,000);
- a body larger than ``MAX_CONTENT_LENGTH`` is refused with 413 (werkzeug, from its length), and
  so is a multipart text field over ``MAX_FORM_MEMORY_SIZE``.

Refusals answer 422 ``invalid`` with ``errors`` keyed by the field (``body.person.full_name`` for
JSON, ``body`` for nesting). A JSON body that does not parse answers 400: ``body`` named when it is
not UTF-8 either, otherwise from the view that reads it, as before (a view without one ignores it).
Multipart text fields are decoded by werkzeug with U+FFFD for invalid bytes: lossy, never a 5xx.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from collections.abc import Iterator
from itertools import accumulate
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask_babel import gettext as _

from casework.errors import DomainError, Invalid

NUL = "\x00"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: The API's bodies nest four levels at most; 32 leaves room and stops parser recursion early.
MAX_JSON_DEPTH = 32

FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Scans for what a refused JSON value needs in its text (see _may_be_refused).
_REFUSABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_EXPONENT = re.compile(rb"[:\[,]\s*-?[0.]+[eE]")  # a number token with an exponent
# A JSON string literal (escapes included), so brackets inside text do not count as nesting.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Opening brackets become 0x01 and closing ones 0xFF (-1 as a signed byte); all else is dropped.
_NESTING_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class _OutOfRange:
    """What the JSON parser returns for a number no column can hold, so the walk can name it."""


OUT_OF_RANGE = _OutOfRange()


def init_app(app: Flask) -> None:
    app.before_request(check_request)


def check_request() -> None:
    """:raise Invalid: a field holds text or a number the service cannot store (422).
    :raise DomainError: a JSON body that neither parses nor is UTF-8 (400).
    :raise RequestEntityTooLarge: the body is larger than allowed (413)."""
    errors: dict[str, list[str]] = {}
    _check_path(errors)
    _check_query(errors)
    if request.mimetype in FORM_MIMETYPES:
        _check_form(errors)
    if request.is_json:
        _check_json(errors)
    if errors:
        raise Invalid(errors=errors)


def _check_path(errors: dict[str, list[str]]) -> None:
    """Text parameters of the route itself (a scheme's code, a unit's code): the same rule as
    any field, before a query carries them to a database that cannot hold a NUL."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _add(errors, name, _text_problem(value))


def _check_query(errors: dict[str, list[str]]) -> None:
    _check_urlencoded_bytes(request.query_string, errors)
    for name, value in request.args.items(multi=True):
        _add(errors, name, _text_problem(name) or _text_problem(value) or _number_problem(value))


def _check_form(errors: dict[str, list[str]]) -> None:
    if request.mimetype == FORM_MIMETYPES[0]:
        # Read (and kept) before werkzeug parses the form, which then reads the same bytes.
        _check_urlencoded_bytes(request.get_data(cache=True), errors)
    for name, value in request.form.items(multi=True):
        _add(errors, name, _text_problem(name) or _text_problem(value))


def _check_urlencoded_bytes(raw: bytes, errors: dict[str, list[str]]) -> None:
    """Percent-escapes must decode to UTF-8: werkzeug would keep bad bytes as "%FF" text."""
    if raw.isascii() and b"%" not in raw:
        return
    for pair in raw.split(b"&"):
        name, _sep, value = pair.partition(b"=")
        try:
            for part in (name, value):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            shown = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
            _add(errors, shown, _("Not valid UTF-8."))


def _check_json(errors: dict[str, list[str]]) -> None:
    raw = request.get_data(cache=True)
    if nesting_exceeds(raw, MAX_JSON_DEPTH):
        message = _("Nested more than %(depth)d levels deep.", depth=MAX_JSON_DEPTH)
        raise Invalid(errors={"body": [message]})
    if _is_utf8(raw) and not _may_be_refused(raw):
        return  # the usual body: nothing in it the walk below could refuse, so no parse here
    # Bytes that are not UTF-8 become lone surrogates here, so the walk below names the field
    # that holds them, as it names a "\ud800" escape.
    text = raw.decode("utf-8", "surrogateescape")
    try:
        body = json.loads(text, parse_int=_parse_int, parse_constant=lambda _name: OUT_OF_RANGE)
    except ValueError:
        if not _is_utf8(raw):
            raise DomainError(
                _("The body is not valid UTF-8."), errors={"body": [_("Not valid UTF-8.")]}
            ) from None
        return  # malformed: the view that reads a body answers 400 itself
    for path, problem in json_problems(body):
        _add(errors, path, problem)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _may_be_refused(raw: bytes) -> bool:
    """Whether the text could hold a value the walk refuses: a NUL or surrogate escape, 19 digits
    in a row, a number with an exponent, NaN or Infinity. A few µs of scanning spares the usual
    body a parse and a walk (~20 µs); text that merely looks alike is walked and passes."""
    if _REFUSABLE_ESCAPE.search(raw) or b"NaN" in raw or b"Infinity" in raw:
        return True
    numbers = raw.translate(_DIGITS_AS_ZEROS)
    if b"0" * 19 in numbers:
        return True
    return (b"0e" in numbers or b"0E" in numbers) and _EXPONENT.search(numbers) is not None


def nesting_exceeds(raw: bytes, limit: int) -> bool:
    """Whether the JSON text ``raw`` opens more than ``limit`` arrays or objects inside each other,
    read from the bytes alone (brackets inside strings do not count), without recursion."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # the usual body: too few brackets to nest that deep at all
    steps = _JSON_STRING.sub(b"", raw).translate(_NESTING_STEPS, _NOT_BRACKETS)
    return bool(steps) and max(accumulate(memoryview(steps).cast("b"))) > limit


def json_problems(body: Any) -> Iterator[tuple[str, str]]:
    """``(path, message)`` for every string, key or number of a parsed body that is refused."""
    pending: deque[tuple[str, Any]] = deque([("body", body)])
    while pending:
        path, value = pending.popleft()
        if isinstance(value, str):
            problem = _text_problem(value)
        elif isinstance(value, dict):
            problem = None
            for key, item in value.items():
                key_problem = _text_problem(key)
                if key_problem:
                    yield f"{path}.{key}", key_problem
                else:
                    pending.append((f"{path}.{key}", item))
        elif isinstance(value, list):
            problem = None
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
        else:
            problem = _json_number_problem(value)
        if problem:
            yield path, problem


def _parse_int(digits: str) -> int | _OutOfRange:
    # A 64-bit integer has at most 19 digits and a sign; longer ones are refused without being
    # converted (Python refuses to convert more than 4,300 digits at all).
    return int(digits) if len(digits) <= 20 else OUT_OF_RANGE


def _json_number_problem(value: Any) -> str | None:
    if value is OUT_OF_RANGE:
        return _out_of_range()
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return _out_of_range()
    if isinstance(value, float) and not (math.isfinite(value) and INT64_MIN <= value <= INT64_MAX):
        return _out_of_range()
    return None


def _number_problem(value: str) -> str | None:
    """A query argument written as a whole number that no integer column can hold."""
    if len(value) <= 18:  # 18 digits are always within 64 bits
        return None
    digits = value.strip().lstrip("+-").replace("_", "").lstrip("0")
    if not digits.isdecimal():
        return None  # not a whole number: the field's own rules decide
    if len(digits) > 19:
        return _out_of_range()  # without converting (Python refuses beyond 4,300 digits)
    try:
        number = int(value)  # as int() reads it, which is how the schemas read it
    except ValueError:
        return None
    return None if INT64_MIN <= number <= INT64_MAX else _out_of_range()


def _text_problem(text: str) -> str | None:
    if text.isascii() and NUL not in text:
        return None
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == NUL:
        return _("Text may not contain the NUL character (U+0000).")
    return _(
        "Not valid Unicode text: a lone surrogate (U+D800 to U+DFFF) or bytes that are not UTF-8."
    )


def _out_of_range() -> str:
    return _("Numbers must be finite and lie within the signed 64-bit range.")


def _add(errors: dict[str, list[str]], name: str, problem: str | None) -> None:
    if problem:
        errors.setdefault(printable(name), []).append(problem)


def printable(name: str) -> str:
    """A field name fit for an error body and a page: NUL as ``\\0``, lone surrogates escaped."""
    return _UNSTORABLE.sub(
        lambda found: "\\0" if found.group() == NUL else f"\\u{ord(found.group()):04x}", name
    )
