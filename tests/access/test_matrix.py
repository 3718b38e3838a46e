"""The authorization matrix: every route × every role × where the object lives.

``tests/access/matrix.py`` is the specification (one line per route and method); this file
checks that it covers every route of the live app and that the app answers as it says.

The actors all sit in commune 00004 (Ba Đình), one per role, plus an anonymous client. Objects a
route is about (a case, a user, a token, …) are made fresh for each actor in three places:
``own`` (00004), ``below`` (a neighbourhood under 00004) and ``sibling`` (commune 00008).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from casework.extensions import db
from tests.access import matrix
from tests.conftest import PASSWORD, ApiClient, World, case_body

ACTORS = {
    "social_worker": "worker_a",
    "supervisor": "supervisor_a",
    "statistician": "statistician_a",
    "administrator": "administrator_a",
    "auditor": "auditor_a",
}
UNIT_OF = {"own": "00004", "below": matrix.NEIGHBOURHOOD, "sibling": "00008"}


def live_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in matrix.EXCLUDED_ENDPOINTS or rule.endpoint.startswith("api-docs"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def test_every_route_is_in_the_matrix(app):
    table = {(line.method, line.rule) for line in matrix.lines()}
    live = live_routes(app)
    missing = sorted(live - table, key=lambda r: (r[1], r[0]))
    stale = sorted(table - live, key=lambda r: (r[1], r[0]))
    hints = [f"{m:7}{r:56}{'? ' * (len(matrix.ROLES))}" for m, r in missing]
    assert not missing, (
        "routes missing from tests/access/matrix.py — add a line per route (the cells are "
        "anonymous, then the roles; 'a/b/c' for own/below/sibling):\n" + "\n".join(hints)
    )
    assert not stale, f"lines for routes that no longer exist: {stale}"


def test_the_matrix_is_well_formed():
    for line in matrix.lines():
        assert len(line.cells) == len(matrix.ROLES), line
        for cell in line.cells:
            for outcome in cell.split("/"):
                assert outcome in matrix.OUTCOMES, (line, outcome)


# --- the world and its objects ---------------------------------------------------------------


@dataclass
class Cell:
    """One request: an actor (role) acting on the objects made for them at ``where``."""

    world: World
    role: str
    where: str
    objects: Objects
    client: ApiClient | None

    @property
    def unit(self) -> str:
        return UNIT_OF[self.where]

    def obj(self, param: str) -> Any:
        return self.objects.get(param, self.role, self.where)

    @property
    def username(self) -> str | None:
        return ACTORS.get(self.role)


@dataclass
class Objects:
    world: World
    opener: ApiClient
    made: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def get(self, param: str, role: str, where: str) -> Any:
        key = (param, role, where)
        if key not in self.made:
            factory = FACTORIES.get(param)
            if factory is None:
                pytest.fail(
                    f"no factory for the route parameter {param!r}: add one to FACTORIES "
                    "in tests/access/test_matrix.py"
                )
            self.made[key] = factory(self, role, where)
        return self.made[key]


def _case(objects: Objects, role: str, where: str) -> str:
    body = case_body("trafficking_victim", unit=UNIT_OF[where])
    del body["person"]["national_id"], body["person"]["phone"]
    response = objects.opener.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _user(objects: Objects, role: str, where: str) -> dict[str, Any]:
    from casework.accounts.operations import create_user

    with objects.world.app.app_context():
        user = create_user(
            db.session,
            f"u{uuid.uuid4().hex[:10]}",
            PASSWORD,
            roles=["social_worker"],
            unit_code=UNIT_OF[where],
        )
        db.session.commit()
        return {"id": str(user.id), "assignment": str(user.roles[0].id)}


def _role_request(objects: Objects, role: str, where: str) -> str:
    """A supervisor role asked by the province's administrator for the ``user`` made there."""
    from casework.accounts import role_requests
    from casework.accounts.models import User
    from casework.units.models import Unit

    user_id = uuid.UUID(objects.get("user", role, where)["id"])
    with objects.world.app.app_context():
        user = db.session.get(User, user_id)
        admin = db.session.scalar(db.select(User).where(User.username == "administrator"))
        unit = db.session.scalar(db.select(Unit).where(Unit.code == UNIT_OF[where]))
        request = role_requests.request_role(db.session, admin, user, "supervisor", unit)
        db.session.commit()
        return str(request.id)


def _token(objects: Objects, role: str, where: str) -> str:
    """``own``: a token of the actor; elsewhere: a token of a user living there."""
    from casework.accounts.models import User
    from casework.accounts.tokens import create_token

    username = ACTORS.get(role) if where == "own" else None
    with objects.world.app.app_context():
        if username is None:
            user = db.session.get(User, uuid.UUID(_user(objects, role, where)["id"]))
        else:
            user = db.session.scalar(db.select(User).where(User.username == username))
        token, _secret = create_token(db.session, user, "matrix", 5)
        db.session.commit()
        return str(token.id)


def _via_case(path: str, body: dict[str, Any]) -> Callable[[Objects, str, str], str]:
    def factory(objects: Objects, role: str, where: str) -> str:
        case_id = objects.get("case_id", role, where)
        response = objects.opener.post(f"/api/v1/cases/{case_id}/{path}", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return factory


def _provider(objects: Objects, role: str, where: str) -> str:
    response = objects.opener.post(
        "/api/v1/providers",
        json={"name": "Trường nghề", "kind": "vocational_school", "unit": UNIT_OF[where]},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _activity(objects: Objects, role: str, where: str) -> str:
    response = objects.opener.post(
        "/api/v1/activities",
        json={"unit": UNIT_OF[where], "kind": "communication", "topic": "drugs",
              "title": "Tuyên truyền", "held_on": "2026-06-01"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _group(objects: Objects, role: str, where: str) -> str:
    response = objects.opener.post(
        "/api/v1/groups", json={"unit": UNIT_OF[where], "kind": "club", "name": "CLB"}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _member(objects: Objects, role: str, where: str) -> str:
    group = objects.get("group_id", role, where)
    response = objects.opener.post(f"/api/v1/groups/{group}/members", json={"contact_name": "A"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _unit_code(objects: Objects, role: str, where: str) -> str:
    return UNIT_OF[where]


def _rated_year(objects: Objects, role: str, where: str) -> int:
    """A year the commune at ``where`` assessed (a neighbourhood is no commune: nothing)."""
    objects.opener.post(
        f"/api/v1/units/{UNIT_OF[where]}/ratings",
        json={"year": 2026, "scores": {"leadership": 1, "communication": 1, "no_new_cases": 1,
              "management": 1, "reintegration": 1, "models": 1}},
    )
    return 2026


def _import(objects: Objects, role: str, where: str) -> str:
    response = objects.opener.client.post(
        "/api/v1/imports",
        data={
            **matrix.import_form(UNIT_OF[where]),
            "file": (io.BytesIO(matrix.IMPORT_CSV), "list.csv"),
        },
        headers={"X-CSRF-Token": objects.opener.csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


FACTORIES: dict[str, Callable[[Objects, str, str], Any]] = {
    "case_id": _case,
    "user_id": lambda o, r, w: o.get("user", r, w)["id"],
    "user": _user,
    "assignment_id": lambda o, r, w: o.get("user", r, w)["assignment"],
    "request_id": _role_request,
    "token_id": _token,
    "item_id": _via_case("support-items", {"kind": "essentials"}),
    "referral_id": _via_case("referrals", {"service_kind": "essentials"}),
    "provider_id": _provider,
    "import_id": _import,
    "activity_id": _activity,
    "group_id": _group,
    "member_id": _member,
    "unit_code": _unit_code,
    "year": _rated_year,
    "person_id": lambda o, r, w: _person_of(o, o.get("case_id", r, w)),
}


def _person_of(objects: Objects, case_id: str) -> str:
    from casework.cases.models import Case

    with objects.world.app.app_context():
        return str(db.session.get(Case, uuid.UUID(case_id)).person_id)


@pytest.fixture()
def matrix_world(world: World) -> World:
    """The conftest world plus a neighbourhood under 00004 and one actor per role in 00004."""
    from casework.accounts.operations import create_user
    from casework.units.models import Unit

    with world.app.app_context():
        commune = db.session.scalar(db.select(Unit).where(Unit.code == "00004"))
        db.session.add(
            Unit(
                tree=commune.tree,
                code=matrix.NEIGHBOURHOOD,
                name="Tổ dân phố 1",
                kind="neighbourhood",
                parent_id=commune.id,
                path=commune.path + matrix.NEIGHBOURHOOD + "/",
            )
        )
        for role, username in ACTORS.items():
            if username.endswith("_a") and role not in ("social_worker", "supervisor"):
                create_user(db.session, username, PASSWORD, roles=[role], unit_code="00004")
        db.session.commit()
    return world


def send(cell: Cell, method: str, url: str, spec: matrix.Body | None) -> Any:
    client = cell.client.client if cell.client else cell.world.app.test_client()
    headers = {"X-CSRF-Token": cell.client.csrf} if cell.client and cell.client.csrf else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if spec is not None:
        payload = spec.build(cell)
        if spec.kind == "json":
            kwargs["json"] = payload
        elif spec.kind == "query":
            kwargs["query_string"] = payload
        else:
            data = dict(payload)
            if spec.kind == "form" and cell.client and cell.client.csrf:
                data["csrf_token"] = cell.client.csrf  # pages read it from the form
            kwargs["data"] = data
            if spec.kind == "multipart":
                kwargs["content_type"] = "multipart/form-data"
    elif method in ("POST", "PATCH", "PUT", "DELETE") and url.startswith("/api/"):
        kwargs["json"] = {}
    elif method == "POST":
        token = cell.client.csrf if cell.client else None
        kwargs["data"] = {"csrf_token": token} if token else {}
    return client.open(url, method=method, **kwargs)


def outcome_of(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        return "go"
    return str(status)


@pytest.mark.parametrize("line", matrix.lines(), ids=lambda line: f"{line.method} {line.rule}")
def test_route_answers_as_the_matrix_says(matrix_world: World, line: matrix.Line) -> None:
    opener = matrix_world.client_for("supervisor_province")
    objects = Objects(matrix_world, opener)
    clients = {role: matrix_world.client_for(username) for role, username in ACTORS.items()}
    clients["anonymous"] = None
    mismatches = []
    spec = matrix.BODIES.get((line.method, line.rule))
    observed = []
    for role, cell_text in zip(matrix.ROLES, line.cells, strict=True):
        expected = cell_text.split("/")
        wheres = matrix.WHERE if line.has_objects else ("own",)
        if len(expected) == 1:
            expected = expected * len(wheres)
        got_here = []
        for where, want in zip(wheres, expected, strict=True):
            cell = Cell(matrix_world, role, where, objects, clients[role])
            got = outcome_of(send(cell, line.method, line.url(cell), spec).status_code)
            got_here.append(got)
            if got != want:
                mismatches.append(f"{role} @ {where}: expected {want}, got {got}")
        observed.append(got_here[0] if len(set(got_here)) == 1 else "/".join(got_here))
    assert not mismatches, (
        f"{line.method} {line.rule}:\n  "
        + "\n  ".join(mismatches)
        + f"\nobserved: {line.method:7}{line.rule:56}{' '.join(observed)}"
    )


NON_CASE_ROLES = ("statistician", "administrator", "auditor")


def test_non_case_roles_get_no_case_rows_anywhere(matrix_world: World) -> None:
    """Whatever a statistician, administrator or auditor can GET, no case shows through:
    no reference, no name, no national ID — in JSON, pages, reports or the audit trail."""
    opener = matrix_world.client_for("supervisor_province")
    objects = Objects(matrix_world, opener)
    opened = [
        opener.post("/api/v1/cases", json=case_body(unit=unit)).get_json()
        for unit in ("00004", matrix.NEIGHBOURHOOD)
    ]
    secrets = {c["reference"] for c in opened} | {"Nguyễn Thị Hoa", "001194012345", "0912345678"}
    secrets |= {c["id"] for c in opened}
    leaks = []
    for line in matrix.lines():
        if line.method != "GET" or line.has_objects:
            continue
        spec = matrix.BODIES.get((line.method, line.rule))
        for role in NON_CASE_ROLES:
            cell = Cell(matrix_world, role, "own", objects, matrix_world.client_for(ACTORS[role]))
            text = send(cell, "GET", line.url(cell), spec).get_data(as_text=True)
            leaks += [f"{role} GET {line.rule}: {s}" for s in secrets if s in text]
    # The audit trail names the objects it is about (ids), never their content.
    leaks = [
        leak
        for leak in leaks
        if not (
            leak.startswith("auditor GET /api/v1/audit") and any(c["id"] in leak for c in opened)
        )
    ]
    assert not leaks, "\n".join(leaks)
