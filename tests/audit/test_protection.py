"""The database refuses to change or delete audit rows once ``audit protect`` has run, and a
change whose audit row cannot be written does not happen."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from casework.audit import trail
from casework.audit.grants import is_protected, unprotect
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.extensions import db
from tests.conftest import case_body


@pytest.fixture()
def protected(world, owner_app):
    """The audit trail protected by its owner (``init`` does it), who is also the one the
    triggers must stop: the service's own role may not touch audit rows anyway."""
    world.client_for("worker_a")  # one audit row
    result = owner_app.test_cli_runner().invoke(args=["audit", "protect"])
    assert result.exit_code == 0, result.output
    yield owner_app
    with owner_app.app_context():
        unprotect(db.session.connection())
        db.session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'nothing'",
        "DELETE FROM audit_event",
    ],
)
def test_audit_rows_cannot_be_changed_or_deleted(protected, statement):
    with protected.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_protection_is_idempotent_and_appending_still_works(protected, world):
    assert protected.test_cli_runner().invoke(args=["audit", "protect"]).exit_code == 0
    with protected.app_context():
        assert is_protected(db.session.connection())
    world.client_for("worker_b")
    assert protected.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_failing_audit_write_fails_the_request_and_leaves_no_change(world, monkeypatch):
    api = world.client_for("worker_a")

    def broken(_session):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(trail, "_flush_pending", broken)
    response = api.post("/api/v1/cases", json=case_body())
    assert response.status_code >= 500
    assert "audit storage" not in response.get_data(as_text=True)
    monkeypatch.undo()
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
