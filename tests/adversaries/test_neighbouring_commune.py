"""Adversary: the neighbouring commune (docs/security.md).

A social worker and a supervisor of Ngọc Hà (00008) — real accounts, real sessions — want to
know about a trafficking victim recorded in Ba Đình (00004). They know her name, national ID and
phone, and they have somehow learnt the ids of her case, note, referral and support item (a
shared link, a shoulder, a log). They try every route of the service with those ids, every
method, and every lookup with what they know. Everything they get back is searched for her
secrets; nothing they send may change her record.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from casework.cases.models import Case, CaseEvent
from casework.extensions import db
from casework.services.models import CaseNote, Referral, SupportItem
from tests.access import matrix
from tests.adversaries.world import IDENTITY, Victim, open_victim
from tests.conftest import ApiClient, World, case_body

NEIGHBOURS = ("worker_b", "supervisor_b")
#: The answers a route may give a caller who must learn nothing: refused, or not found.
REFUSALS = {400, 401, 403, 404, 405, 409, 422}


class _Cell:
    """What matrix.Body builders and Line.url ask of a request: the victim's objects."""

    def __init__(self, world: World, username: str, victim: Victim) -> None:
        self.world, self.username, self.role, self.where = world, username, "neighbour", "sibling"
        self.unit = "00004"
        self._objects = {
            "case_id": victim.case_id,
            "item_id": victim.item_id,
            "referral_id": victim.referral_id,
        }

    def obj(self, name: str) -> Any:
        return self._objects.get(name, "00000000-0000-4000-8000-000000000000")


def _counts(world: World) -> dict[str, int]:
    with world.app.app_context():
        counts = {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Case, CaseEvent, CaseNote, Referral, SupportItem)
        }
        db.session.remove()
        return counts


def _version(world: World, case_id: str) -> int:
    import uuid

    with world.app.app_context():
        version = db.session.get(Case, uuid.UUID(case_id)).version
        db.session.remove()
        return version


def _send(api: ApiClient, line: matrix.Line, cell: _Cell) -> Any:
    spec = matrix.BODIES.get((line.method, line.rule))
    kwargs: dict[str, Any] = {"headers": {"X-CSRF-Token": api.csrf}}
    if spec is not None:
        payload = spec.build(cell)
        if spec.kind == "json":
            kwargs["json"] = payload
        elif spec.kind == "query":
            kwargs["query_string"] = payload
        else:
            kwargs["data"] = {**payload, "csrf_token": api.csrf}
            if spec.kind == "multipart":
                kwargs["content_type"] = "multipart/form-data"
    elif line.method != "GET":
        kwargs["json" if line.rule.startswith("/api/") else "data"] = (
            {} if line.rule.startswith("/api/") else {"csrf_token": api.csrf}
        )
    return api.client.open(line.url(cell), method=line.method, **kwargs)


@pytest.mark.parametrize("username", NEIGHBOURS)
def test_every_route_with_the_victims_ids_is_refused_and_leaks_nothing(matrix_world, username):
    victim = open_victim(matrix_world)
    api = matrix_world.client_for(username)
    cell = _Cell(matrix_world, username, victim)
    before, version = _counts(matrix_world), _version(matrix_world, victim.case_id)
    leaks, answered = [], []
    for line in matrix.lines():
        if not set(line.params) & {"case_id", "item_id", "referral_id"}:
            continue
        if line.rule.startswith("/login") or line.rule == "/logout":
            continue
        response = _send(api, line, cell)
        text = response.get_data(as_text=True)
        # A page may echo its own address (the language switch links back to it): the ids the
        # neighbour typed into the URL are theirs already.
        sent = line.url(cell)
        leaks += [
            f"{line.method} {line.rule}: {s}" for s in victim.leaks_in(text) if s not in sent
        ]
        if response.status_code not in REFUSALS:
            answered.append(f"{line.method} {line.rule} → {response.status_code}")
    assert not leaks, "\n".join(leaks)
    assert not answered, "routes that did not refuse the neighbour:\n" + "\n".join(answered)
    assert _counts(matrix_world) == before, "a refused request wrote something"
    assert _version(matrix_world, victim.case_id) == version


@pytest.mark.parametrize("username", NEIGHBOURS)
def test_every_lookup_with_what_the_neighbour_knows_says_only_elsewhere(matrix_world, username):
    """Name, national ID, phone and reference through every search the neighbour can reach:
    at most "a record exists elsewhere", never a reference, type, stage or worker."""
    victim = open_victim(matrix_world)
    api = matrix_world.client_for(username)
    answers: list[tuple[str, set[str]]] = []  # (what came back, what the neighbour typed)
    for query in (
        {"national_id": IDENTITY["national_id"]},
        {"phone": IDENTITY["phone"]},
        {"national_id": IDENTITY["national_id"], "phone": IDENTITY["phone"]},
    ):
        response = api.get("/api/v1/people/search", query_string=query)
        assert response.status_code == 200
        assert response.get_json()["matches"] == []
        answers.append((response.get_data(as_text=True), set(query.values())))
    for q in (victim.reference, IDENTITY["national_id"], IDENTITY["phone"], "Sủa", "Vàng"):
        for url in ("/api/v1/cases", "/cases"):
            response = api.get(url, query_string={"q": q})
            assert response.status_code in (200, 422), (url, q, response.status_code)
            answers.append((response.get_data(as_text=True), {q}))  # the search box echoes q
            if url.startswith("/api/") and response.status_code == 200:
                assert response.get_json() == [], (q, response.get_json())
    # Intake in their own commune with her national ID: whatever the answer, it names nothing.
    body = case_body("post_rehab", unit="00008", national_id=IDENTITY["national_id"])
    body["person"]["full_name"] = "Người khác"
    del body["person"]["phone"]
    intake = api.post("/api/v1/cases", json=body)
    assert intake.status_code in (201, 409), intake.get_json()
    answers.append((intake.get_data(as_text=True), {IDENTITY["national_id"]}))
    leaks = [
        leak for text, typed in answers for leak in victim.leaks_in(text) if leak not in typed
    ]
    assert not leaks, leaks
