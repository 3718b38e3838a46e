"""Hostile input into every field of every operation of the OpenAPI document: never a 5xx.

The operations and their fields come from ``GET /api/openapi.json`` (request bodies with their
nested person fields, query and path parameters), so a new operation or field is attacked
without anyone adding it here. Each request goes in as a role that may call the operation, on
real objects (``hostile_world``). What the boundary must refuse (lone surrogates, NUL, invalid
UTF-8, numbers beyond 64 bits, deep nesting) comes back as a 4xx naming the field, with no row
written anywhere; everything else (RTL overrides, 1 MB strings, big but legal numbers) may be
accepted or refused by the field's own rules, but is never a server error.
"""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from tests.conftest import PASSWORD, case_body
from tests.robustness.conftest import HostileWorld
from tests.robustness.hostile_values import (
    DEEP,
    JSON_NUMBERS,
    JSON_TEXT,
    MULTIPART_TEXT,
    PATH,
    QUERY_TEXT,
    URL_NUMBERS,
    Hostile,
    failure,
    field_key,
    json_body,
    multipart,
    refused_naming,
    urlencoded,
)

_serial = itertools.count()


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def json_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        return content.get("application/json", {}).get("schema")


# --- who calls what, on which objects, with which valid values around the hostile one --------

#: (method or None, path prefix, username; None = anonymous). First match wins; default worker_a.
CALLERS = (
    ("POST", "/api/v1/auth/login", None),
    ("POST", "/api/v1/auth/enrolment", None),
    (None, "/api/v1/auth/", "hostile_self"),
    (None, "/api/v1/tokens", "hostile_self"),
    (None, "/api/v1/users", "administrator"),
    (None, "/api/v1/audit", "auditor"),
    (None, "/api/v1/stats/", "statistician"),
    (None, "/api/v1/reveals", "supervisor_a"),
    (None, "/api/v1/role-requests", "supervisor_a"),
    ("POST", "/api/v1/providers", "supervisor_a"),
    ("PATCH", "/api/v1/providers/", "supervisor_a"),
    ("POST", "/api/v1/schemes", "administrator"),
    (None, "/api/v1/people/{person_id}", "supervisor_a"),
    ("PATCH", "/api/v1/schemes/", "administrator"),
    ("POST", "/api/v1/cases/{case_id}/reveal", "worker_a2"),
)


def caller_of(operation: Operation) -> str | None:
    for method, prefix, username in CALLERS:
        if method in (None, operation.method) and operation.path.startswith(prefix):
            return username
    return "worker_a"


def path_ids(hostile: HostileWorld, operation: Operation) -> dict[str, str]:
    ids = hostile.ids
    values = {
        "case_id": ids["case:post_rehab"],
        "user_id": ids["user:hostile_target"],
        "assignment_id": ids["assignment"],
        "token_id": ids["token:hostile_self"],
        "provider_id": ids["provider"],
        "item_id": ids["item"],
        "referral_id": ids["referral"],
        "import_id": ids["import"],
        "request_id": ids["request"],
        "group_id": ids["group"],
        "person_id": ids["person"],
        "member_id": ids["member"],
        "activity_id": ids["group"],  # nobody's activity: a 404, whatever else is wrong
        "code": "vbsp_poor_household",
        "unit_code": "00004",
        "year": "2026",
        "case_type": "post_rehab",
    }
    if operation.path.endswith("/reveal"):  # a case whose identity worker_a2 may not see
        values["case_id"] = ids["case:trafficking_victim"]
    return values


def _current_version(hostile: HostileWorld, case_id: str) -> int:
    response = hostile.app.test_client().get(
        f"/api/v1/cases/{case_id}", headers=hostile.bearer("worker_a")
    )
    return response.get_json()["version"]


def _password() -> str:
    return f"một mật khẩu dài {secrets.token_hex(4)}"


#: Valid bodies; the hostile value replaces one field at a time. Keys the document does not list
#: for the operation are dropped, so a body still fits after a field is removed from the API.
BASELINES: dict[str, Callable[[HostileWorld], dict[str, Any]]] = {
    "POST /api/v1/auth/login": lambda h: {"username": "hostile_login", "password": PASSWORD},
    "POST /api/v1/auth/password": lambda h: {
        "current_password": PASSWORD,
        "new_password": _password(),
    },
    "POST /api/v1/auth/totp/confirm": lambda h: {"code": "123456"},
    "PUT /api/v1/notifications/email": lambda h: {"email": "worker@example.org"},
    "POST /api/v1/schemes": lambda h: {
        "code": "hostile_scheme",
        "name": "Hỗ trợ của tỉnh",
        "funder": "province",
        "kinds": ["essentials"],
        "unit": "01",
    },
    "PATCH /api/v1/schemes/{code}": lambda h: {"name": "Hỗ trợ của tỉnh, sửa"},
    "POST /api/v1/activities": lambda h: {
        "unit": "00004",
        "kind": "communication",
        "topic": "drugs",
        "title": "Tuyên truyền ở tổ dân phố",
        "held_on": "2026-11-20",
        "members_reached": 40,
    },
    "POST /api/v1/people/{person_id}/erasure": lambda h: {"reason": "data_subject_request"},
    "POST /api/v1/groups": lambda h: {"unit": "00004", "kind": "club", "name": "Câu lạc bộ"},
    "POST /api/v1/groups/{group_id}/members": lambda h: {"contact_name": "Trần Thị Mai"},
    "POST /api/v1/groups/{group_id}/members/{member_id}/leave": lambda h: {
        "left_on": "2026-11-30"
    },
    "POST /api/v1/groups/{group_id}/meetings": lambda h: {
        "held_on": "2026-11-25",
        "topic": "drugs",
        "members_present": 1,
    },
    "POST /api/v1/units/{unit_code}/ratings": lambda h: {"year": 2026, "scores": {}},
    "POST /api/v1/units/{unit_code}/ratings/{year}/review": lambda h: {"result": "good"},
    "POST /api/v1/auth/enrolment": lambda h: {
        "code": "ABCD-EFGH-JKLM-NPQR",
        "password": _password(),
    },
    "POST /api/v1/role-requests/{request_id}/decision": lambda h: {"decision": "refuse"},
    "DELETE /api/v1/auth/totp": lambda h: {"password": PASSWORD},
    "POST /api/v1/cases": lambda h: {
        **case_body("post_prison", national_id=f"0011{secrets.randbelow(10**8):08d}"),
        "release_date": "2025-01-10",
        "sentence_months": 24,
    },
    "PATCH /api/v1/cases/{case_id}": lambda h: {
        "version": _current_version(h, h.ids["case:post_rehab"]),
        "referral_note": "Chuyển từ trung tâm.",
    },
    "POST /api/v1/tokens": lambda h: {"name": "tích hợp", "expires_in_days": 30},
    "POST /api/v1/users": lambda h: {
        "username": f"hostile{next(_serial)}",
        "unit": "00004",
        "roles": ["social_worker"],
        "password": _password(),
    },
    "PATCH /api/v1/users/{user_id}": lambda h: {"display_name": "Người thử"},
    "POST /api/v1/users/{user_id}/roles": lambda h: {"role": "social_worker", "unit": "00008"},
    "POST /api/v1/users/{user_id}/password-reset": lambda h: {"password": _password()},
    "POST /api/v1/cases/{case_id}/reveal": lambda h: {"reason": "Cần xác minh để chuyển gửi."},
    "POST /api/v1/providers": lambda h: {"name": "Trung tâm", "kind": "ngo", "unit": "00004"},
    "PATCH /api/v1/providers/{provider_id}": lambda h: {"name": "Trung tâm mới"},
    "POST /api/v1/cases/{case_id}/consents": lambda h: {"scope": "statistics", "decision": "given"},
    "POST /api/v1/cases/{case_id}/support-items": lambda h: {"kind": "essentials"},
    "PATCH /api/v1/support-items/{item_id}": lambda h: {"outcome_note": "Đã nhận."},
    "POST /api/v1/cases/{case_id}/referrals": lambda h: {
        "provider": h.ids["provider"],
        "service_kind": "psychological",
        "support_item": h.ids["item"],
    },
    "PATCH /api/v1/referrals/{referral_id}": lambda h: {"note": "Đã gọi điện."},
    "POST /api/v1/cases/{case_id}/notes": lambda h: {"kind": "home_visit", "content": "Thăm."},
    "POST /api/v1/cases/{case_id}/transitions": lambda h: {"event": "suspend"},
}
#: Query parameters some operations cannot do without.
QUERY_BASELINES: dict[str, dict[str, str]] = {
    "GET /api/v1/stats/indicators": {"unit": "01", "period": "2026"},
    "GET /api/v1/stats/report": {"unit": "01", "period": "2026"},
}
#: Run last: an accepted value may end the caller's credentials.
LAST = ("POST /api/v1/auth/password",)


# --- reading the OpenAPI document --------------------------------------------------------------


def operations(spec: dict[str, Any]) -> list[Operation]:
    found = [
        Operation(method.upper(), path, op, tuple(item.get("parameters", [])))
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    ]
    return sorted(found, key=lambda op: op.key in LAST)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}}
        for part in schema["allOf"]:
            merged["properties"].update(_resolve(spec, part).get("properties", {}))
        return merged
    return schema


def body_fields(
    spec: dict[str, Any], schema: dict[str, Any], prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """``(path, type)`` of every scalar a client may send, nested objects and lists included."""
    schema = _resolve(spec, schema)
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(spec, prop)
        if prop.get("readOnly"):
            continue
        kind = prop.get("type", "object" if "properties" in prop else "string")
        if kind == "object":
            yield from body_fields(spec, prop, (*prefix, name))
        elif kind == "array":
            items = _resolve(spec, prop.get("items", {}))
            assert items.get("type") != "object", f"a list of objects at {name}: teach the test"
            yield (*prefix, name, 0), items.get("type", "string")
        else:
            yield (*prefix, name), kind


def _baseline(hostile: HostileWorld, spec: dict[str, Any], operation: Operation) -> dict:
    make = BASELINES.get(operation.key)
    assert make, f"{operation.key} takes a JSON body: add a valid one to BASELINES"
    body = make(hostile)
    known = {path[0] for path, _kind in body_fields(spec, operation.json_schema() or {})}
    if not _resolve(spec, operation.json_schema() or {}).get("additionalProperties"):
        body = {k: v for k, v in body.items() if k in known}
    return body


def _url(hostile: HostileWorld, operation: Operation, **replace: str) -> str:
    url = operation.path
    for name, value in {**path_ids(hostile, operation), **replace}.items():
        url = url.replace("{" + name + "}", value)
    return url


@pytest.fixture(scope="module")
def spec(hostile_world: HostileWorld) -> dict[str, Any]:
    return hostile_world.app.test_client().get("/api/openapi.json").get_json()


@pytest.fixture(scope="module")
def api_operations(spec: dict[str, Any]) -> list[Operation]:
    found = operations(spec)
    assert len(found) >= 40, "the document really lists the API"
    return found


class Attack:
    """Sends hostile requests as one caller and collects what went wrong, in words."""

    def __init__(self, hostile: HostileWorld, operation: Operation) -> None:
        self.hostile, self.operation = hostile, operation
        self.client = hostile.app.test_client()
        username = caller_of(operation)
        self.headers = hostile.bearer(username) if username else {}
        self.failures: list[str] = []

    def send(self, url: str, body: bytes | None = None, query: str = "") -> Any:
        return self.client.open(
            url,
            method=self.operation.method,
            data=body,
            query_string=query,
            content_type="application/json" if body is not None else None,
            headers=self.headers,
        )

    def body_request(
        self, spec: dict[str, Any], url: str, path: tuple[str | int, ...], value: Hostile
    ) -> Callable[[], Any]:
        """A sender of the operation's valid body with ``value`` at ``path``."""
        body = json_body(_baseline(self.hostile, spec, self.operation), path, value)
        return lambda: self.send(url, body)

    def query_request(
        self, url: str, base: dict[str, str], name: str, value: Hostile
    ) -> Callable[[], Any]:
        query = urlencoded(base, name, value).decode("ascii")
        return lambda: self.send(url, query=query)

    def expect(self, where: str, values: tuple[Hostile, ...], key: str, prepare: Callable) -> None:
        """Refused values: a 4xx naming ``key`` and no row written; others: no 5xx.

        ``prepare(value)`` builds a request (it may read, and so audit) and returns its sender,
        so that only the refused requests themselves stand between the two row counts."""
        refused = [(value, prepare(value)) for value in values if value.refused]
        if refused:
            before = self.hostile.row_counts()
            answers = [(value, send()) for value, send in refused]
            after = self.hostile.row_counts()
            for value, response in answers:
                if not refused_naming(response, key):
                    self.failures.append(failure(where, value, response, key))
            if after != before:
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                self.failures.append(f"{where}: a refused request wrote rows {changed}")
        for value in values:
            if not value.refused:
                response = prepare(value)()
                if response.status_code >= 500:
                    self.failures.append(failure(where, value, response))


def test_every_json_body_field_refuses_or_survives_hostile_values(
    hostile_world: HostileWorld, spec: dict[str, Any], api_operations: list[Operation]
) -> None:
    failures: list[str] = []
    attacked = 0
    for operation in api_operations:
        schema = operation.json_schema()
        if schema is None:
            continue
        attack = Attack(hostile_world, operation)
        url = _url(hostile_world, operation)
        fields = list(body_fields(spec, schema))
        if not fields:
            # A body that takes no field at all (a password reset: the code is made for the
            # person, nothing is chosen); any key sent is refused as unknown.
            continue
        for path, kind in fields:
            values = JSON_NUMBERS if kind in ("integer", "number") else JSON_TEXT

            prepare = partial(attack.body_request, spec, url, path)
            where = f"{operation.key} {field_key(path)}"
            attack.expect(where, values, field_key(path), prepare)
            if path == fields[0][0]:  # named as the body: the depth is refused before parsing
                attack.expect(where, (DEEP,), "body", prepare)
            attacked += 1
        failures += attack.failures
    assert attacked >= 80, attacked
    assert not failures, "\n".join(failures)


def test_every_query_parameter_refuses_or_survives_hostile_values(
    hostile_world: HostileWorld, api_operations: list[Operation]
) -> None:
    failures: list[str] = []
    attacked = 0
    for operation in api_operations:
        query = [p for p in operation.spec.get("parameters", []) if p["in"] == "query"]
        if not query:
            continue
        attack = Attack(hostile_world, operation)
        url = _url(hostile_world, operation)
        base = QUERY_BASELINES.get(operation.key, {})
        for parameter in query:
            name = parameter["name"]
            prepare = partial(attack.query_request, url, base, name)
            attack.expect(f"{operation.key} ?{name}", (*QUERY_TEXT, *URL_NUMBERS), name, prepare)
            attacked += 1
        failures += attack.failures
    assert attacked >= 40, attacked
    assert not failures, "\n".join(failures)


def test_every_path_parameter_survives_hostile_values(
    hostile_world: HostileWorld, spec: dict[str, Any], api_operations: list[Operation]
) -> None:
    failures: list[str] = []
    attacked = 0
    for operation in api_operations:
        names = [p["name"] for p in operation.parameters if p["in"] == "path"]
        names += [p["name"] for p in operation.spec.get("parameters", []) if p["in"] == "path"]
        for name in names:
            attack = Attack(hostile_world, operation)
            body = None
            if operation.json_schema() is not None:
                body = json.dumps(_baseline(hostile_world, spec, operation)).encode()
            for value in PATH:
                url = _url(hostile_world, operation, **{name: value.raw.decode("ascii")})
                response = attack.send(url, body)
                if response.status_code >= 500:
                    failures.append(failure(f"{operation.key} {{{name}}}", value, response))
            attacked += 1
    assert attacked >= 25, attacked
    assert not failures, "\n".join(failures)


#: A valid value per kind of workflow event field, beside the hostile one.
EVENT_FIELD_DEFAULTS = {
    "text": "Lý do đủ dài để ghi.",
    "date": "2025-06-01",
    "int": 12,
    "unit": "00008",
    "user": "worker_a",
    "document": "QĐ-01/2025",
}


class FreshCases:
    """A case per type to fire events on; a new one once an accepted event has moved it on."""

    def __init__(self, hostile: HostileWorld) -> None:
        self.hostile, self.current = hostile, {}
        self.client = hostile.app.test_client()

    def case(self, case_type: str) -> tuple[str, int]:
        if case_type not in self.current:
            body = case_body(case_type, national_id=f"0012{secrets.randbelow(10**8):08d}")
            response = self.client.post(
                "/api/v1/cases", json=body, headers=self.hostile.bearer("worker_a")
            )
            assert response.status_code == 201, response.get_json()
            self.current[case_type] = response.get_json()["id"]
        case_id = self.current[case_type]
        return case_id, _current_version(self.hostile, case_id)

    def moved(self, case_type: str) -> None:
        self.current.pop(case_type, None)


def _event_request(
    attack: Attack,
    cases: FreshCases,
    case_type: str,
    option: dict[str, Any],
    name: str,
    value: Hostile,
) -> Callable[[], Any]:
    """A sender of ``option``'s event on a case that can take it, ``value`` in field ``name``
    and valid values in the others."""
    case_id, version = cases.case(case_type)
    base = {"event": option["event"], "version": version}
    for other in option["fields"]:
        base[other["name"]] = (other["choices"] or [EVENT_FIELD_DEFAULTS.get(other["kind"])])[0]
    body = json_body(base, (name,), value)

    def send() -> Any:
        response = attack.send(f"/api/v1/cases/{case_id}/transitions", body)
        if response.status_code == 200:
            cases.moved(case_type)
        return response

    return send


def test_every_workflow_event_field_refuses_or_survives_hostile_values(
    hostile_world: HostileWorld, api_operations: list[Operation]
) -> None:
    """The event fields are not in the document (they vary per event): GET …/transitions lists
    them for each case, and each is attacked as the document's own fields are."""
    operation = next(
        op
        for op in api_operations
        if op.key.endswith("{case_id}/transitions") and op.method == "POST"
    )
    cases, failures, attacked = FreshCases(hostile_world), [], 0
    attack = Attack(hostile_world, operation)
    for case_type in ("trafficking_victim", "post_rehab", "sex_work_exit", "post_prison"):
        case_id, _version = cases.case(case_type)
        options = attack.client.get(
            f"/api/v1/cases/{case_id}/transitions", headers=attack.headers
        ).get_json()
        for option in (o for o in options if o["allowed"]):
            for spec_field in option["fields"]:
                name, kind = spec_field["name"], spec_field["kind"]
                values = JSON_NUMBERS if kind == "int" else JSON_TEXT

                prepare = partial(_event_request, attack, cases, case_type, option, name)
                where = f"{case_type} {option['event']} {name}"
                attack.expect(where, values, field_key((name,)), prepare)
                attacked += 1
        failures += attack.failures
        attack.failures = []
    assert attacked >= 12, attacked
    assert not failures, "\n".join(failures)


CSV_HEADER = "Họ và tên,Giới tính,Ngày sinh,Số CCCD,Số điện thoại,Địa chỉ\n".encode()


def test_the_import_form_and_its_file_refuse_or_survive_hostile_values(
    hostile_world: HostileWorld, api_operations: list[Operation]
) -> None:
    operation = next(op for op in api_operations if op.key == "POST /api/v1/imports")
    attack = Attack(hostile_world, operation)
    base = {"case_type": b"post_rehab", "unit": b"00004", "dry_run": b"true"}
    good_file = CSV_HEADER + "Lê Văn An,nam,1990-03-17,,,\n".encode()
    names = [p["name"] for p in operation.spec.get("parameters", []) if p["in"] == "formData"]
    assert {"case_type", "unit", "dry_run"} <= set(names)

    def post(fields: dict[str, bytes], file: bytes) -> Callable:
        body, content_type = multipart(fields, file)
        return lambda: attack.client.post(
            "/api/v1/imports", data=body, content_type=content_type, headers=attack.headers
        )

    for name in names:
        attack.expect(
            f"imports {name}",
            MULTIPART_TEXT,
            name,
            lambda value, name=name: post({**base, name: value.raw}, good_file),
        )
    # The file's cells, checked and committed: what a list may hold reaches the database.
    for dry_run in (b"true", b"false"):
        for value in (*MULTIPART_TEXT, *URL_NUMBERS):
            for row in (
                value.raw + b",nam,1990-03-17,,,\n",
                b"L\xc3\xaa V\xc4\x83n An,nam,1990-03-17,"
                + value.raw
                + b","
                + value.raw
                + b","
                + value.raw
                + b"\n",
            ):
                response = post({**base, "dry_run": dry_run}, CSV_HEADER + row)()
                if response.status_code >= 500:
                    attack.failures.append(
                        failure(f"imports file (dry_run={dry_run!r})", value, response)
                    )
    assert not attack.failures, "\n".join(attack.failures)
