"""Signed checkpoints show what the chain alone cannot: rows taken off the end of the trail.

The adversary is the database operator (or whoever owns the ``audit_event`` table): they can drop
the append-only triggers and delete rows, but they hold neither the audit key nor the checkpoint
file kept on the application host, nor the copies shipped off it.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import secrets
import shutil
import tarfile
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from casework.audit.checkpoints import (
    CheckpointError,
    CheckpointLog,
    configured_log,
    parse,
    parse_log,
    sign,
)
from casework.audit.grants import protect, unprotect
from casework.audit.models import AuditEvent
from casework.audit.trail import compute_digest
from casework.extensions import db
from casework.model_base import utcnow
from tests.conftest import case_body, make_app, owner_url


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def checkpoint_lines(app) -> list[str]:
    path = configured_log(app).path
    return path.read_text().splitlines() if path.exists() else []


def latest(app):
    with app.app_context():
        return configured_log(app).latest()


def owner_engine(app):
    url = owner_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def owner_of(app, tmp_path):
    """The service as the tables' owner (restores run so), writing the same checkpoint file."""
    return make_app(
        tmp_path / "owner",
        owner_url(app.config["SQLALCHEMY_DATABASE_URI"]),
        environ={"CASEWORK_AUDIT_CHECKPOINT_FILE": str(configured_log(app).path)},
    )


def regrant(owner, app):
    """After a restore recreated the tables, the owner grants the service's role again."""
    if owner.config["SQLALCHEMY_DATABASE_URI"] != app.config["SQLALCHEMY_DATABASE_URI"]:
        role = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).username
        granted = cli(owner, "casework", "grants", "--role", role, "--apply")
        assert granted.exit_code == 0, granted.output


def as_table_owner(app, *statements, drop_triggers=True):
    """What the owner of audit_event can do: drop the triggers, then change rows at will (on
    PostgreSQL the service's own role may do neither: the test connects as the owner)."""
    engine = owner_engine(app)
    try:
        with engine.begin() as connection:
            if drop_triggers:
                unprotect(connection)
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def empty_the_table(app):
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    as_table_owner(app, "TRUNCATE audit_event" if postgres else "DELETE FROM audit_event")


@pytest.fixture()
def trail(world):
    """A protected trail of a few logins, with a checkpoint of it in the checkpoint file."""
    for _ in range(5):
        world.client_for("worker_a")
    engine = owner_engine(world.app)
    with engine.begin() as connection:
        protect(connection)  # as `casework init` does, as the owner
    engine.dispose()
    result = cli(world.app, "audit", "checkpoint")
    assert result.exit_code == 0, result.output
    return world.app


def test_a_whole_trail_holds_its_checkpoints(trail, world):
    world.client_for("worker_b")
    assert cli(trail, "audit", "checkpoint").exit_code == 0
    world.client_for("worker_b")  # rows after the latest checkpoint are fine
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 0, result.output
    checkpoint = latest(trail)
    assert "intact" in result.output
    assert f"holding {checkpoint} ({checkpoint.rows:,} rows" in result.output
    assert len(checkpoint_lines(trail)) == 2
    assert cli(trail, "casework", "verify").exit_code == 0


def test_deleting_the_last_rows_is_named(trail):
    rows = latest(trail).rows
    as_table_owner(trail, f"DELETE FROM audit_event WHERE seq > {rows - 2}")
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 1
    assert (
        f"rows {rows - 1:,}..{rows:,} missing: the table ends at {rows - 2:,} "
        f"but {latest(trail)} covers {rows:,} rows with head {latest(trail).head[:16]}"
    ) in result.output


def test_deleting_the_last_row_is_named(trail):
    rows = latest(trail).rows
    as_table_owner(trail, f"DELETE FROM audit_event WHERE seq = {rows}")
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 1
    assert f"row {rows:,} missing: the table ends at {rows - 1:,}" in result.output


def test_emptying_the_table_is_named(trail):
    rows = latest(trail).rows
    empty_the_table(trail)
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 1
    assert f"rows 1..{rows:,} missing: the audit table is empty but" in result.output
    integrity = cli(trail, "casework", "verify")
    assert integrity.exit_code == 1 and "the audit table is empty" in integrity.output


def test_deleting_a_middle_row_is_named(trail):
    as_table_owner(trail, "DELETE FROM audit_event WHERE seq = 3")
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 1
    assert "seq=4" in result.output and "deleted" in result.output


def test_the_service_chaining_onto_a_shortened_trail_is_named_as_rewritten(trail, world):
    """Delete the tail, then let the service append new rows onto what is left: the chain is
    whole again and as long as before, but row N is not the row the checkpoint signed."""
    rows = latest(trail).rows
    as_table_owner(trail, f"DELETE FROM audit_event WHERE seq > {rows - 2}")
    for _ in range(3):
        world.client_for("worker_b")
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 1
    assert "seq=" not in result.output  # the chain itself is whole again
    assert f"row {rows:,} is not the row {latest(trail)} signed" in result.output
    assert "rewritten" in result.output


def test_a_new_tail_forged_without_the_audit_key_is_named(trail):
    """An attacker with the database but not the key rebuilds the tail with every link right:
    they cannot compute the digests, so the first forged row fails, and the signed head too."""
    rows = latest(trail).rows
    table = AuditEvent.__table__
    with trail.app_context():
        kept = db.session.execute(select(table).where(table.c.seq == rows - 2)).mappings().one()
    as_table_owner(trail, f"DELETE FROM audit_event WHERE seq > {rows - 2}")
    guessed_key = secrets.token_bytes(32)
    with trail.app_context():
        prev = kept["digest"]
        for seq in (rows - 1, rows):
            forged = {**kept, "id": uuid.uuid4(), "seq": seq, "prev_digest": prev,
                      "actor_username": "nobody"}
            forged["digest"] = prev = compute_digest(guessed_key, SimpleNamespace(**forged))
            db.session.execute(table.insert().values(**forged))
        db.session.commit()
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 1
    assert f"seq={rows - 1}: digest mismatch" in result.output
    assert f"row {rows:,} is not the row" in result.output


def test_a_checkpoint_is_not_written_over_a_shortened_trail(trail):
    """A cron job must not bless the deletion: the next checkpoint refuses and writes nothing."""
    rows = latest(trail).rows
    before = checkpoint_lines(trail)
    as_table_owner(trail, f"DELETE FROM audit_event WHERE seq > {rows - 2}")
    result = cli(trail, "audit", "checkpoint")
    assert result.exit_code == 1
    assert f"no checkpoint written: rows {rows - 1:,}..{rows:,} missing" in result.output
    assert checkpoint_lines(trail) == before
    assert cli(trail, "audit", "verify").exit_code == 1


def test_a_tampered_checkpoint_line_is_refused(trail):
    path = configured_log(trail).path
    lines = checkpoint_lines(trail)
    document = json.loads(lines[-1])
    document["rows"] -= 2  # to make a deleted tail look checkpointed
    path.write_text("\n".join([*lines[:-1], json.dumps(document, separators=(",", ":"))]) + "\n")
    result = cli(trail, "audit", "verify")
    assert result.exit_code == 1
    assert f"checkpoint refused: {path} line {len(lines)}: its signature does not match" in (
        result.output
    )
    assert cli(trail, "audit", "checkpoint").exit_code == 1  # nor is it built upon


def test_a_pasted_checkpoint_line_is_checked_and_a_forged_one_refused(trail, world):
    line = checkpoint_lines(trail)[-1]
    world.client_for("worker_b")
    assert cli(trail, "audit", "verify", "--checkpoint", line).exit_code == 0
    forged = line.replace('"reason":"command"', '"reason":"backup"')
    result = cli(trail, "audit", "verify", "--checkpoint", forged)
    assert result.exit_code == 1
    assert "checkpoint refused: its signature does not match" in result.output
    result = cli(trail, "audit", "verify", "--checkpoint", '{"rows": 1}')
    assert result.exit_code == 1 and "not a checkpoint line" in result.output


def test_an_off_host_copy_catches_what_the_local_file_lost(trail, tmp_path):
    """An attacker on the host removes the tail and the local checkpoint file: the copy shipped
    off the host, and the auditor's printed line, still name the missing rows."""
    off_host = tmp_path / "off-host.jsonl"
    shutil.copy(configured_log(trail).path, off_host)
    printed_line = checkpoint_lines(trail)[-1]
    rows = latest(trail).rows
    as_table_owner(trail, f"DELETE FROM audit_event WHERE seq > {rows - 1}")
    configured_log(trail).path.unlink()
    local = cli(trail, "audit", "verify")
    assert local.exit_code == 0 and "warning: no checkpoint" in local.output
    for reference in (str(off_host), printed_line):
        result = cli(trail, "audit", "verify", "--checkpoint", reference)
        assert result.exit_code == 1
        assert f"row {rows:,} missing: the table ends at {rows - 1:,}" in result.output
    shipped_back = trail.test_cli_runner().invoke(
        args=["audit", "verify", "--checkpoint", "-"], input=off_host.read_text()
    )
    assert shipped_back.exit_code == 1 and f"row {rows:,} missing" in shipped_back.output
    missing = cli(trail, "audit", "verify", "--checkpoint", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 1 and "no such checkpoint file" in missing.output


def test_the_printed_checkpoint_is_short_and_holds_no_personal_data(world):
    api = world.client_for("worker_a")
    assert api.post("/api/v1/cases", json=case_body(full_name="Lò Thị Mỷ")).status_code == 201
    result = cli(world.app, "audit", "checkpoint")
    assert result.exit_code == 0, result.output
    path = configured_log(world.app).path
    assert (path.stat().st_mode & 0o777) == 0o600
    line = checkpoint_lines(world.app)[-1]
    document = json.loads(line)
    assert list(document) == ["v", "rows", "head", "at", "key", "reason", "mac"]
    assert len(line) < 160 and line in result.output
    with world.app.app_context():
        identifying = db.session.execute(
            select(AuditEvent.actor_username, AuditEvent.object_id, AuditEvent.remote_addr,
                   AuditEvent.unit_path)
        ).all()
    values = {v for row in identifying for v in row if v} | {"Lò Thị Mỷ", "worker_a"}
    for value in values:
        assert str(value) not in path.read_text()
        assert str(value) not in result.output
    assert f"rows       {document['rows']:,}" in result.output


def test_a_log_that_goes_back_without_a_restore_is_refused(app):
    with app.app_context():
        now = utcnow()
        later, earlier = sign(10, "a" * 64, now, "command"), sign(8, "b" * 64, now, "command")
        with pytest.raises(CheckpointError, match="log line 2: covers 8 rows, fewer than the 10"):
            parse_log(f"{later.line}\n{earlier.line}\n", "log")
        restored = sign(8, "b" * 64, now, "restore")
        assert parse_log(f"{later.line}\n{restored.line}\n", "log")[-1] == restored


def test_a_checkpoint_signed_under_another_key_is_refused(trail):
    """A service under another key cannot use the file at all (its key check refuses it first,
    tests/crypto/test_key_check.py); the checkpoint's own signature refuses it too."""
    from casework.crypto import load_keyring

    other = load_keyring("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", None)
    with trail.app_context():
        line = CheckpointLog(configured_log(trail).path).latest().line
    with pytest.raises(CheckpointError, match="signature does not match"):
        parse(line, keyring=other)


# --- backups --------------------------------------------------------------------------------


def _needs_pg_dump(database_url):
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")


def _manifest(archive) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def test_every_backup_writes_a_checkpoint_into_the_file_and_the_archive(
    trail, tmp_path, database_url
):
    _needs_pg_dump(database_url)
    archive = tmp_path / "backup.tar.gz"
    result = cli(trail, "casework", "backup", str(archive))
    assert result.exit_code == 0, result.output
    line = checkpoint_lines(trail)[-1]
    assert json.loads(line)["reason"] == "backup"
    assert _manifest(archive)["audit_checkpoint"] == line
    assert f"audit checkpoint: {line}" in result.output


def test_a_backup_of_a_shortened_trail_is_written_but_fails_loudly(trail, tmp_path, database_url):
    _needs_pg_dump(database_url)
    rows = latest(trail).rows
    as_table_owner(trail, f"DELETE FROM audit_event WHERE seq > {rows - 2}")
    archive = tmp_path / "backup.tar.gz"
    result = cli(trail, "casework", "backup", str(archive))
    assert result.exit_code == 1
    assert archive.exists() and _manifest(archive)["audit_checkpoint"] is None
    assert f"no audit checkpoint written: rows {rows - 1:,}..{rows:,} missing" in result.output


def test_a_restore_starts_the_checkpoints_again_and_says_what_it_lost(
    trail, world, tmp_path, database_url
):
    _needs_pg_dump(database_url)
    archive = tmp_path / "backup.tar.gz"
    assert cli(trail, "casework", "backup", str(archive)).exit_code == 0
    backed_up = latest(trail).rows
    for _ in range(2):
        world.client_for("worker_b")
    assert cli(trail, "audit", "checkpoint").exit_code == 0
    after = latest(trail).rows
    assert after > backed_up

    owner = owner_of(trail, tmp_path)
    result = cli(owner, "casework", "restore", "--yes", str(archive))
    assert result.exit_code == 0, result.output
    regrant(owner, trail)
    assert f"rows {backed_up + 1:,}..{after:,} missing: the table ends at {backed_up:,}" in (
        result.output
    )
    baseline = latest(trail)
    assert baseline.reason == "restore" and baseline.rows == backed_up
    assert cli(trail, "audit", "verify").exit_code == 0
    # The auditor's copy from before the restore still tells them what was lost.
    older = checkpoint_lines(trail)[-2]
    assert cli(trail, "audit", "verify", "--checkpoint", older).exit_code == 1


def test_an_archive_with_a_forged_checkpoint_is_refused_before_anything_is_replaced(
    trail, world, tmp_path, database_url
):
    _needs_pg_dump(database_url)
    archive = tmp_path / "backup.tar.gz"
    assert cli(trail, "casework", "backup", str(archive)).exit_code == 0
    manifest = _manifest(archive)
    checkpoint = json.loads(manifest["audit_checkpoint"])
    checkpoint["rows"] -= 1
    manifest["audit_checkpoint"] = json.dumps(checkpoint, separators=(",", ":"))
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(forged, "w:gz") as target:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        target.addfile(info, io.BytesIO(data))
        database = source.getmember("database")
        target.addfile(database, source.extractfile(database))
    world.client_for("worker_b")  # a row the forged restore would take away
    rows = latest(trail).rows
    result = cli(trail, "casework", "restore", "--yes", str(forged))
    assert result.exit_code == 1
    assert "the archive's audit checkpoint is refused: its signature does not match" in (
        result.output
    )
    with trail.app_context():
        assert db.session.scalar(select(func.max(AuditEvent.seq))) > rows


def test_writers_of_the_checkpoint_file_take_turns(app):
    log = configured_log(app)
    with log.appending():
        other = os.open(log.path, os.O_WRONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
    assert (log.path.stat().st_mode & 0o777) == 0o600
