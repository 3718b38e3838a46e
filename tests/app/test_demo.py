"""The demo world: every case type and every stage, with history that passes the integrity check."""

from __future__ import annotations

from sqlalchemy import func, select

import workflows
from casework.cases.models import Case, CaseEvent
from casework.demo import DemoError, build_demo_world
from casework.extensions import db
from casework.integrity import verify_integrity
from casework.units.loader import PACKAGED_UNITS, load_units, read_file


def test_demo_produces_every_type_and_stage_and_verifies(app):
    with app.app_context():
        load_units(db.session, read_file(PACKAGED_UNITS))
        world = build_demo_world(db.session, cases=60, seed=7)
        db.session.commit()
        reached = set(
            db.session.execute(
                select(Case.case_type, CaseEvent.to_stage).join(
                    CaseEvent, CaseEvent.case_id == Case.id
                )
            ).all()
        )
        for case_type, workflow in workflows.WORKFLOWS.items():
            for stage in workflow.stages:
                assert (case_type, stage.name) in reached, (case_type, stage.name)
        assert db.session.scalar(select(func.count()).select_from(Case)) == world.cases >= 60
        assert verify_integrity(db.session) == []
        logins = {row[2] for row in world.logins}
        assert logins == {"social_worker", "supervisor", "statistician", "administrator", "auditor"}
        assert "Lào Cai" in world.summary()


def test_demo_refuses_a_database_that_is_not_empty(world):
    with world.app.app_context():
        try:
            build_demo_world(db.session, cases=1)
        except DemoError as exc:
            assert "empty database" in str(exc)
        else:
            raise AssertionError("the demo ran on a database with users")
