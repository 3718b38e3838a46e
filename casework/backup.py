"""Backups that hold only ciphertext, and restoring them on a fresh instance with the same keys.

An archive is a ``.tar.gz`` with ``manifest.json`` (format, database kind, schema revision, time,
and the *fingerprints* of the keys its ciphertexts need — never the keys) and the database:
an online SQLite backup (``sqlite3`` backup API, consistent while the service writes) or a
``pg_dump`` custom-format dump. Personal data inside is already encrypted field by field, so the
archive can sit on ordinary backup storage; the key file or root key is backed up separately.

Every backup first writes a signed audit checkpoint (``casework.audit.checkpoints``) to the
checkpoint file and puts a copy in the manifest, so a restored trail can be checked against what
it held when it was archived, and the operator's off-host checkpoints gain one per backup.

Restore refuses when the current keyring lacks a key the archive needs (the data would be
unreadable) or its checkpoint is not genuine, then replaces the database, checks that the
restored trail reaches the archive's checkpoint and signs it as the checkpoint file's new
baseline (checkpoints written after the backup vouch for rows the restore took away). The
caller then checks that every ciphertext decrypts (``casework.integrity``).
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
from sqlalchemy.orm import Session

from casework.audit.checkpoints import (
    Baseline,
    Checkpoint,
    CheckpointError,
    CheckpointLog,
    parse,
    write_checkpoint,
    write_restore_baseline,
)
from casework.crypto import Keyring
from casework.crypto.rotation import count_by_key_id
from casework.database import secure_sqlite_file

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
    # The checkpoint line written as the backup began (None in archives made before checkpoints,
    # or when the trail could not be signed: see ``Backup.audit_problem``).
    audit_checkpoint: str | None = None

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2).encode()


@dataclass(frozen=True)
class Backup:
    """A written archive's manifest, and why its audit checkpoint was refused, if it was.

    A trail that lost rows does not stop the backup (the data still needs saving), but the
    caller must make it heard.
    """

    manifest: Manifest
    audit_problem: str | None


def _dsn_without_password(engine: Engine) -> tuple[dict[str, str], str]:
    url = engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env, url.set(password=None).render_as_string(hide_password=False)


def create_backup(
    engine: Engine,
    session_factory,  # noqa: ANN001
    keyring: Keyring,
    target: Path,
    checkpoints: CheckpointLog,
) -> Backup:
    """Write an archive of the whole database to ``target`` (a new file), after appending an
    audit checkpoint to ``checkpoints``.

    :raise BackupError: ``target`` exists, a key in use is missing, or the dump failed.
    """
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    session = session_factory()
    checkpoint: Checkpoint | None = None
    audit_problem = None
    try:
        in_use = count_by_key_id(session)
        # The same connection: on SQLite a second one would wait for this one's lock.
        revision = MigrationContext.configure(session.connection()).get_current_revision()
        try:
            checkpoint = write_checkpoint(session, checkpoints, "backup")
        except CheckpointError as exc:
            audit_problem = str(exc)
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
        audit_checkpoint=checkpoint.line if checkpoint else None,
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
    return Backup(manifest, audit_problem)


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


def _archived_checkpoint(manifest: Manifest, keyring: Keyring) -> Checkpoint | None:
    """The audit checkpoint written into the archive, checked; None for an archive without one.

    :raise BackupError: the checkpoint is malformed or its signature does not match.
    """
    if manifest.audit_checkpoint is None:
        return None
    try:
        return parse(manifest.audit_checkpoint, keyring)
    except CheckpointError as exc:
        raise BackupError(f"the archive's audit checkpoint is refused: {exc}") from None


@dataclass(frozen=True)
class Restore:
    """A restored archive's manifest, and the checkpoint the log starts again from."""

    manifest: Manifest
    baseline: Baseline
    erasures_replayed: int = 0


def restore_backup(
    engine: Engine,
    session: Session,
    keyring: Keyring,
    archive_path: Path,
    checkpoints: CheckpointLog,
    erasure_ledger: Path | None = None,
) -> Restore:
    """Replace the database behind ``engine`` with the archive's content, then append to
    ``checkpoints`` a checkpoint of the restored audit trail as the new baseline.

    ``session`` is the application's own session (``db.session``): the baseline is signed in it,
    so the key check that signing triggers reads through the same connection — on SQLite a
    second one would wait for the write lock this one holds.

    :raise BackupError: unreadable archive, another database kind, a key the keyring lacks, an
        audit checkpoint that is not genuine (nothing replaced then); or, once replaced, an
        audit trail that is broken or does not reach the archive's checkpoint.
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
    archived = _archived_checkpoint(manifest, keyring)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path, "r:gz") as archive:
        archive.extract("database", tmp, filter="data")
        dump = Path(tmp) / "database"
        engine.dispose()
        if engine.dialect.name == "sqlite":
            # SQLite's backup API writes through the normal locking and journal, so other
            # processes see either the old or the restored database, never a torn file.
            target = Path(make_url(str(engine.url)).database)
            secure_sqlite_file(target)
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
    replayed = 0
    if erasure_ledger is not None:
        # People erased after the archive was made must not come back with it.
        from casework.rights.erasure import read_ledger, replay_ledger

        try:
            replayed = replay_ledger(session, read_ledger(erasure_ledger))
            session.commit()
        except Exception:
            session.rollback()
            raise
    try:
        baseline = write_restore_baseline(session, checkpoints, archived)
    except CheckpointError as exc:
        raise BackupError(f"restored, but no audit checkpoint written: {exc}") from None
    finally:
        session.rollback()
    return Restore(manifest, baseline, replayed)
