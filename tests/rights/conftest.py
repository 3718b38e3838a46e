"""Helpers for the rights tests: people with closed cases, raw reads."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, update

from casework.cases.models import Case, CaseEvent
from casework.extensions import db
from casework.model_base import utcnow
from tests.conftest import World, case_body


class People:
    def __init__(self, world: World) -> None:
        self.world = world

    def open(self, unit: str = "00004", **person: Any) -> dict[str, Any]:
        worker = "worker_a" if unit == "00004" else "worker_b"
        response = self.world.client_for(worker).post(
            "/api/v1/cases", json=case_body(unit=unit, **person)
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def close(self, case: dict[str, Any]) -> None:
        """Closed as a workflow would leave it (the workflows are tested elsewhere)."""
        with self.world.app.app_context():
            row = db.session.get(Case, uuid.UUID(case["id"]))
            seq = max((e.seq for e in row.events), default=0) + 1
            db.session.add(
                CaseEvent(
                    case_id=row.id,
                    seq=seq,
                    event="close",
                    from_stage=row.stage,
                    to_stage="closed",
                    unit_id=row.unit_id,
                    at=utcnow(),
                    data={},
                )
            )
            db.session.flush()
            db.session.execute(
                update(Case)
                .where(Case.id == uuid.UUID(case["id"]))
                .values(stage="closed", closed_on=Case.opened_on, closure_reason="completed")
            )
            db.session.commit()
            db.session.remove()

    def person_id(self, case: dict[str, Any]) -> uuid.UUID:
        with self.world.app.app_context():
            found = db.session.scalar(
                select(Case.person_id).where(Case.id == uuid.UUID(case["id"]))
            )
            db.session.remove()
        return found

    def closed(self, unit: str = "00004", **person: Any) -> tuple[dict[str, Any], uuid.UUID]:
        case = self.open(unit, **person)
        self.close(case)
        return case, self.person_id(case)

    def erase(self, person_id: uuid.UUID, reason: str = "data_subject_request") -> Any:
        asked = self.world.client_for("supervisor_a").post(
            f"/api/v1/people/{person_id}/erasure", json={"reason": reason}
        )
        assert asked.status_code == 202, asked.get_json()
        approved = self.world.client_for("supervisor_province").post(
            f"/api/v1/people/{person_id}/erasure/approve"
        )
        assert approved.status_code == 200, approved.get_json()
        return approved.get_json()


@pytest.fixture()
def people(world: World) -> People:
    return People(world)
