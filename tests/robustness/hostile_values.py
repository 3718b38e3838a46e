"""The hostile values, written as the bytes an attacker puts on the wire, and how to send them.

A value is ``refused`` when the request boundary (``casework.input_guard``) must refuse it with a
4xx naming the field; every other value may be accepted or refused by the field's own rules, but
never answered with a 5xx. One representative list per kind of field keeps the test fast.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

#: A placeholder string replaced, in the encoded body, by a hostile value's raw bytes.
MARK = "@@hostile-value@@"
MARK_JSON = json.dumps(MARK).encode()
RTL = "Lê \u202eabc\u202c Hoa \u2067xyz\u2069"
LONG = 1_000_000


@dataclass(frozen=True)
class Hostile:
    name: str
    raw: bytes  # as written in a JSON body, a query string or a urlencoded form
    refused: bool

    def __repr__(self) -> str:
        return self.name


def _json_text(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False).encode()


#: Into every string (and boolean) field of a JSON body.
JSON_TEXT = (
    Hostile("lone surrogate", b'"Hoa \\ud800"', True),
    Hostile("lone low surrogate in a pair's place", b'"\\udc00\\ud800"', True),
    Hostile("NUL", b'"Hoa \\u0000"', True),
    Hostile("invalid UTF-8", b'"Hoa \xff\xfe\xed\xa0\x80"', True),
    Hostile("RTL override", _json_text(RTL), False),
    Hostile("1 MB string", _json_text("x" * LONG), False),
    Hostile("digits beyond 64 bits", _json_text("9" * 25), False),
)

#: Into every integer and number field of a JSON body.
JSON_NUMBERS = (
    Hostile("2^63", b"9223372036854775808", True),
    Hostile("-2^63 - 1", b"-9223372036854775809", True),
    Hostile("10^25", b"1" + b"0" * 25, True),
    Hostile("1e400", b"1e400", True),
    Hostile("NaN", b"NaN", True),
    Hostile("-Infinity", b"-Infinity", True),
    Hostile("2^63 - 1", b"9223372036854775807", False),
    Hostile("2^31", b"2147483648", False),
    Hostile("25 digits as text", _json_text("9" * 25), False),
    Hostile("superscript two as text", _json_text("\u00b2"), False),
)

#: Into every query parameter and every field of a urlencoded form (percent-encoded bytes).
URL_TEXT = (
    Hostile("lone surrogate as UTF-8 bytes", b"Hoa%ED%A0%80", True),
    Hostile("invalid UTF-8", b"Hoa%FF%FE", True),
    Hostile("NUL", b"Hoa%00", True),
    Hostile("RTL override", quote(RTL).encode(), False),
    Hostile("1 MB string", b"x" * LONG, False),
    Hostile("superscript two", quote("\u00b2").encode(), False),
)
#: Query strings: gunicorn takes request lines up to 4 KB, so 64 KB is beyond anything real.
QUERY_TEXT = tuple(
    Hostile("64 KB string", b"x" * 65_536, False) if value.raw == b"x" * LONG else value
    for value in URL_TEXT
)
#: Query parameters name filters and pages, never free text: a whole number no column holds is
#: refused there (in a form's free text it is only text).
URL_NUMBERS = (
    Hostile("digits beyond 64 bits", b"9" * 25, True),
    Hostile("2^63 - 1", b"9223372036854775807", False),
)


def multipart(fields: dict[str, bytes], file: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand, so that field values can be any bytes at all."""
    boundary = "hostile-boundary-7f3a"
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary.encode(), name.encode(), value)
        for name, value in fields.items()
    ]
    parts.append(
        b'--%s\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n%s\r\n" % (boundary.encode(), file)
    )
    body = b"".join(parts) + b"--%s--\r\n" % boundary.encode()
    return body, f"multipart/form-data; boundary={boundary}"


#: Multipart text is decoded by werkzeug (invalid bytes become U+FFFD): only NUL is refused.
MULTIPART_TEXT = (
    Hostile("NUL", b"Hoa\x00", True),
    Hostile("invalid UTF-8 and a surrogate's bytes", b"Hoa\xff\xed\xa0\x80", False),
    Hostile("RTL override", RTL.encode(), False),
    Hostile("1 MB string", b"x" * LONG, False),
    Hostile("digits beyond 64 bits", b"9" * 25, False),
)

#: Into every path parameter: the route or the object lookup answers, never a 5xx.
PATH = (
    Hostile("lone surrogate as UTF-8 bytes", b"%ED%A0%80", False),
    Hostile("NUL", b"%00", False),
    Hostile("digits beyond 64 bits", b"9" * 25, False),
)

#: Nesting far beyond any parser's recursion limit, as the value of a body's field.
DEEP = Hostile("nesting 100,000 deep", b"[" * 100_000 + b"]" * 100_000, True)


def json_body(base: dict[str, Any], path: tuple[str | int, ...], value: Hostile) -> bytes:
    """``base`` with the field at ``path`` set to the hostile raw bytes (a list's only item when
    the path ends in ``0``)."""
    body = copy.deepcopy(base)
    placeholder: Any = MARK
    if path[-1] == 0:
        path, placeholder = path[:-1], [MARK]
    target = body
    for step in path[:-1]:
        target = target.setdefault(step, {})
    target[path[-1]] = placeholder
    encoded = json.dumps(body, ensure_ascii=False).encode()
    assert encoded.count(MARK_JSON) == 1
    return encoded.replace(MARK_JSON, value.raw)


def field_key(path: tuple[str | int, ...]) -> str:
    """How the boundary names a JSON field: ``body.person.full_name``, ``body.roles[0]``."""
    key = "body"
    for step in path:
        key += f"[{step}]" if isinstance(step, int) else f".{step}"
    return key


def urlencoded(fields: dict[str, bytes | str], name: str, value: Hostile) -> bytes:
    """A form or query string of ``fields`` with ``name`` set to the hostile (encoded) bytes."""
    pairs = []
    for key, current in {**fields, name: value.raw}.items():
        encoded = current if isinstance(current, bytes) else quote(current).encode()
        pairs.append(quote(key).encode() + b"=" + encoded)
    return b"&".join(pairs)


def failure(where: str, value: Hostile, response: Any, expected: str | None = None) -> str:
    text = response.get_data(as_text=True)
    want = f" (expected a 4xx naming {expected!r})" if expected else ""
    return f"{where} ← {value.name}: {response.status_code}{want} {text[:300]!r}"


def refused_naming(response: Any, key: str) -> bool:
    """A 4xx whose ``errors`` name the field (JSON error shape)."""
    if not 400 <= response.status_code < 500 or response.status_code == 404:
        return False
    body = response.get_json(silent=True) or {}
    return key in (body.get("errors") or {})
