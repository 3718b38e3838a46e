"""Backup and restore: the archive holds only ciphertext and comes back on a fresh instance."""

from __future__ import annotations

import shutil
import tarfile

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from casework.extensions import db
from tests.conftest import case_body, make_app, reset_schema


def _raw(archive) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        return b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())


def test_backup_round_trips_onto_a_fresh_instance_with_the_same_keys(
    world, tmp_path, database_url, owner_app
):
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    api = world.client_for("worker_a")
    created = api.post("/api/v1/cases", json=case_body(full_name="Lò Thị Mỷ")).get_json()
    archive = tmp_path / "backup.tar.gz"
    result = world.app.test_cli_runner().invoke(args=["casework", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Lò Thị Mỷ".encode() not in _raw(archive)
    assert (archive.stat().st_mode & 0o777) == 0o600

    # Wipe the data, as a fresh instance would be.
    reset_schema(world.app)
    with world.app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM case_file")).scalar() == 0
        db.session.remove()

    # Restoring replaces the tables: the owner does it, then grants the service's role again.
    restored = owner_app.test_cli_runner().invoke(
        args=["casework", "restore", "--yes", str(archive)]
    )
    assert restored.exit_code == 0, restored.output
    assert "integrity check passed" in restored.output
    service_role = make_url(world.app.config["SQLALCHEMY_DATABASE_URI"]).username
    if database_url.startswith("postgresql"):
        granted = owner_app.test_cli_runner().invoke(
            args=["casework", "grants", "--role", service_role, "--apply"]
        )
        assert granted.exit_code == 0, granted.output
    again = world.client_for("worker_a").get(f"/api/v1/cases/{created['id']}")
    assert again.status_code == 200 and again.get_json()["person"]["full_name"] == "Lò Thị Mỷ"


def test_restore_refuses_an_instance_without_the_archives_key(world, tmp_path, database_url):
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    world.client_for("worker_a").post("/api/v1/cases", json=case_body())
    archive = tmp_path / "backup.tar.gz"
    assert (
        world.app.test_cli_runner().invoke(args=["casework", "backup", str(archive)]).exit_code == 0
    )
    other = make_app(
        tmp_path / "other",
        database_url,
        environ={"CASEWORK_ROOT_KEY": "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="},
    )
    result = other.test_cli_runner().invoke(args=["casework", "restore", "--yes", str(archive)])
    assert result.exit_code == 1
    assert "lacks key 1" in result.output


def test_a_file_that_is_not_a_backup_is_refused(app, tmp_path):
    bogus = tmp_path / "x.tar.gz"
    bogus.write_bytes(b"not a tarball")
    result = app.test_cli_runner().invoke(args=["casework", "restore", "--yes", str(bogus)])
    assert result.exit_code == 1 and "not a casework backup" in result.output
