"""Helpers for support-work tests: open a case, register a provider, poke a coded fact."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from casework.extensions import db
from tests.conftest import World, case_body


def open_case(api: Any, **kwargs: Any) -> dict[str, Any]:
    response = api.post("/api/v1/cases", json=case_body(**kwargs))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def add_provider(
    world: World,
    kind: str = "vocational_school",
    unit: str = "00004",
    by: str = "supervisor_a",
    **extra: Any,
) -> dict[str, Any]:
    body = {"name": f"Trường nghề {kind}", "kind": kind, "unit": unit, **extra}
    response = world.client_for(by).post("/api/v1/providers", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def set_case(world: World, case_id: str, **values: Any) -> None:
    """Set coded case facts directly (the workflow that sets them is tested elsewhere)."""
    from casework.cases.models import Case

    with world.app.app_context():
        case = db.session.get(Case, uuid.UUID(case_id))
        for name, value in values.items():
            setattr(case, name, value)
        db.session.commit()
        db.session.remove()


def count(world: World, model: type) -> int:
    with world.app.app_context():
        n = db.session.scalar(db.select(db.func.count()).select_from(model))
        db.session.remove()
        return int(n or 0)


@pytest.fixture()
def worker(world: World) -> Any:
    return world.client_for("worker_a")


@pytest.fixture()
def case(worker: Any) -> dict[str, Any]:
    return open_case(worker)
