"""Backups that hold only ciphertext, and restoring them on a fresh instance with the same keys.

An archive is a ``.tar.gz`` with ``manifest.json`` (format, database kind, schema revision, time,
and the *fingerprints* of the keys its ciphertexts need — never the keys) and the database:
an online SQLite backup (``sqlite3`` backup API, consistent while the service writes) or a
``pg_dump`` custom-format dump. Personal data inside is already encrypted field by field, so the
archive can sit on ordinary backup storage; the key file or root key is backed up separately.

Restore refuses when the current keyring lacks a key the archive needs (the data would be
unreadable), then replaces the database and checks that every ciphertext decrypts.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine, make_url

from casework.crypto import Keyring
from casework.crypto.rotation import count_by_key_id

FORMAT = "casework-backup/1"
#: Settings of the backup's database session (casework.access.row_security's system context).
DUMP_SETTINGS = ("-c casework.context=system", "-c casework.reason=backup")


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


@dataclass(frozen=True)
class Manifest:
    database: str
    schema_revision: str | None
    created_at: str
    key_fingerprints: dict[str, str]  # key id → fingerprint of every key in use

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2).encode()


def _dsn_without_password(engine: Engine) -> tuple[dict[str, str], str]:
    url = engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env, url.set(password=None).render_as_string(hide_password=False)


def create_backup(engine: Engine, session_factory, keyring: Keyring, target: Path) -> Manifest:  # noqa: ANN001
    """Write an archive of the whole database to ``target`` (a new file)."""
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    session = session_factory()
    try:
        in_use = count_by_key_id(session)
        # The same connection: on SQLite a second one would wait for this one's lock.
        revision = MigrationContext.configure(session.connection()).get_current_revision()
        session.rollback()
    finally:
        session.close()
    missing = [k for k in in_use if k not in keyring]
    if missing:
        raise BackupError(f"ciphertexts use key ids {missing} that the keyring lacks")
    manifest = Manifest(
        database=engine.dialect.name,
        schema_revision=revision,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        key_fingerprints={str(k): keyring.fingerprint(k) for k in sorted(in_use)},
    )
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "database"
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(make_url(str(engine.url)).database)
            destination = sqlite3.connect(dump)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        elif engine.dialect.name == "postgresql":
            env, dsn = _dsn_without_password(engine)
            # Row-level security applies to every role but a superuser (casework.access.
            # row_policies): the dump runs in the system context, as the one session-wide
            # setting pg_dump allows, and asks for the policies to be applied rather than
            # failing on them.
            env["PGOPTIONS"] = " ".join(
                filter(None, [env.get("PGOPTIONS"), *DUMP_SETTINGS])
            )
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--enable-row-security",
                    f"--file={dump}",
                    dsn,
                ],
                env,
            )
        else:
            raise BackupError(f"no backup method for {engine.dialect.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            info = tarfile.TarInfo("manifest.json")
            data = manifest.to_json()
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname="database")
    return manifest


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip().splitlines()[-1:]}")


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            document = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive_path}: not a casework backup ({exc})") from None
    if not document or document.pop("format", None) != FORMAT:
        raise BackupError(f"{archive_path}: not a casework backup (unknown format)")
    return Manifest(**document)


def restore_backup(engine: Engine, keyring: Keyring, archive_path: Path) -> Manifest:
    """Replace the database behind ``engine`` with the archive's content.

    :raise BackupError: unreadable archive, another database kind, or a key the keyring lacks.
    """
    manifest = read_manifest(archive_path)
    if manifest.database != engine.dialect.name:
        raise BackupError(
            f"the archive holds a {manifest.database} database; this instance "
            f"uses {engine.dialect.name}"
        )
    for key_id, fingerprint in manifest.key_fingerprints.items():
        if int(key_id) not in keyring or keyring.fingerprint(int(key_id)) != fingerprint:
            raise BackupError(
                f"this instance lacks key {key_id} (fingerprint {fingerprint}) "
                "that the archive's data is encrypted with"
            )
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path, "r:gz") as archive:
        archive.extract("database", tmp, filter="data")
        dump = Path(tmp) / "database"
        engine.dispose()
        if engine.dialect.name == "sqlite":
            # SQLite's backup API writes through the normal locking and journal, so other
            # processes see either the old or the restored database, never a torn file.
            target = Path(make_url(str(engine.url)).database)
            source = sqlite3.connect(dump)
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        else:
            env, dsn = _dsn_without_password(engine)
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    f"--dbname={dsn}",
                    str(dump),
                ],
                env,
            )
    return manifest
