"""Adversary: the thief of a backup (docs/security.md).

Someone walks off with a backup archive — from the backup server, a USB stick, a cloud bucket.
They read every byte of it: the manifest, the database file (SQLite) or the dump decoded back to
SQL text (PostgreSQL, whose custom format is compressed, so raw bytes would prove nothing). They
must find no personal data and no key; restoring the archive on a server of their own, with a
key of their own, is refused.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.adversaries.world import open_victim
from tests.conftest import ROOT_KEY, make_app


def _readable_contents(archive: Path, workdir: Path) -> bytes:
    """Everything in the archive as a reader would see it: files as stored, dumps decoded."""
    contents = []
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(workdir, filter="data")
    for path in sorted(workdir.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        contents.append(data)
        if data.startswith(b"PGDMP"):  # pg_dump's custom format: decode it to SQL
            contents.append(
                subprocess.run(
                    ["pg_restore", "--file=-", str(path)], capture_output=True, check=True
                ).stdout
            )
    return b"\n".join(contents)


def test_a_stolen_backup_holds_no_personal_data_and_no_key(matrix_world, tmp_path, database_url):
    if database_url.startswith("postgresql") and not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore not installed")
    victim = open_victim(matrix_world)
    archive = tmp_path / "stolen.tar.gz"
    made = matrix_world.app.test_cli_runner().invoke(args=["casework", "backup", str(archive)])
    assert made.exit_code == 0, made.output

    loot = _readable_contents(archive, tmp_path / "loot")
    assert "Phường Ba Đình".encode() in loot  # the search can find plain text
    found = [secret for secret in victim.secrets if secret.encode() in loot]
    # Ids and the case reference are pseudonymous keys a restore needs (they say nothing about
    # who the person is); everything else must be ciphertext.
    keys = {victim.case_id, victim.note_id, victim.referral_id, victim.item_id, victim.reference}
    found = [secret for secret in found if secret not in keys]
    assert not found, found
    root_key = base64.b64decode(ROOT_KEY)
    secret_key = matrix_world.app.config["SECRET_KEY"].encode()
    for material in (root_key, ROOT_KEY.encode(), base64.b64encode(root_key), secret_key):
        assert material not in loot, "key material in the backup"


def test_a_stolen_backup_cannot_be_restored_without_the_key(matrix_world, tmp_path, database_url):
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    open_victim(matrix_world)
    archive = tmp_path / "stolen.tar.gz"
    runner = matrix_world.app.test_cli_runner()
    assert runner.invoke(args=["casework", "backup", str(archive)]).exit_code == 0
    thief_key = base64.b64encode(b"the thief's own 32-byte key....!").decode()
    thiefs_server = make_app(
        tmp_path / "thief", database_url, environ={"CASEWORK_ROOT_KEY": thief_key}
    )
    restored = thiefs_server.test_cli_runner().invoke(
        args=["casework", "restore", "--yes", str(archive)]
    )
    assert restored.exit_code != 0
    assert "lacks key" in restored.output
