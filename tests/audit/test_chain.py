"""``audit verify`` finds the first modified, deleted, inserted or reordered row."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select, text

from casework.audit.models import AuditEvent
from casework.extensions import db
from tests.conftest import case_body


@pytest.fixture()
def chain(world, owner_app):
    """A chain of five rows (five logins), then tampered with as the database's owner would
    (the service's own role may not update or delete audit rows at all)."""
    for _ in range(5):
        world.client_for("worker_a")
    return owner_app


def run(app, sql, **params):
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_an_intact_chain_verifies(chain):
    result = verify(chain)
    assert result.exit_code == 0 and "intact" in result.output


def test_a_modified_row_is_found(chain):
    run(chain, "UPDATE audit_event SET remote_addr = '6.6.6.6' WHERE seq = 3")
    result = verify(chain)
    assert result.exit_code == 1
    assert "seq=3" in result.output and "modified" in result.output


def test_a_deleted_row_is_found(chain):
    run(chain, "DELETE FROM audit_event WHERE seq = 2")
    result = verify(chain)
    assert result.exit_code == 1
    assert "seq=3" in result.output and "deleted" in result.output


def test_without_a_checkpoint_a_deleted_last_row_leaves_a_whole_chain_and_a_warning(chain):
    # Truncating the tail leaves a valid shorter chain: only a checkpoint kept outside the table
    # shows it (tests/audit/test_checkpoints.py), so verify says it has none to compare with.
    run(chain, "DELETE FROM audit_event WHERE seq = 5")
    result = verify(chain)
    assert result.exit_code == 0
    assert "warning: no checkpoint" in result.output


def test_an_inserted_row_is_found(chain):
    table = AuditEvent.__table__
    with chain.app_context():
        for seq in range(5, 1, -1):  # make room at seq 2, from the top (seq is unique)
            db.session.execute(table.update().where(table.c.seq == seq).values(seq=seq + 1))
        first = db.session.execute(select(table).where(table.c.seq == 1)).mappings().one()
        forged = {
            **first,
            "id": uuid.uuid4(),
            "seq": 2,
            "prev_digest": first["digest"],
            "digest": "0" * 64,
            "actor_username": "someone_else",
        }
        db.session.execute(table.insert().values(**forged))
        db.session.commit()
    result = verify(chain)
    assert result.exit_code == 1 and "seq=2" in result.output


def test_reordered_rows_are_found(chain):
    run(chain, "UPDATE audit_event SET seq = 100 WHERE seq = 2")
    run(chain, "UPDATE audit_event SET seq = 2 WHERE seq = 3")
    run(chain, "UPDATE audit_event SET seq = 3 WHERE seq = 100")
    result = verify(chain)
    assert result.exit_code == 1
    assert "seq=2" in result.output and "link" in result.output


def test_concurrent_identity_reads_chain_one_after_another(world):
    """Writers racing to append each chain onto the row committed before theirs: no fork, no gap.

    (The append lock and the read of the chain head share one round trip on PostgreSQL; the
    read must still see the row of the writer that held the lock just before.)
    """
    worker = world.client_for("worker_a")
    case_id = worker.post("/api/v1/cases", json=case_body()).get_json()["id"]
    clients = [world.client_for("worker_a") for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def read_case(client):
        barrier.wait()
        for _ in range(5):
            codes.append(client.get(f"/api/v1/cases/{case_id}").status_code)

    threads = [threading.Thread(target=read_case, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [200] * 20
    with world.app.app_context():
        views = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case.view_identity", AuditEvent.object_id == case_id)
        )
        seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert views == 20
    assert seqs == list(range(1, len(seqs) + 1))
    result = verify(world.app)
    assert result.exit_code == 0 and "intact" in result.output
