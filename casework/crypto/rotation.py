"""Key rotation: re-encrypt every stored ciphertext to the active key, while the service runs.

Run after a new key was added and every server has loaded it (see ``holder``). The rotation:

- walks each table in primary-key order, ``batch_size`` rows at a time, committing each batch
  and recording the last id in ``crypto_rotation_progress``; after a crash a rerun with the
  same target key continues from there (rows already on the target key are skipped anyway);
- rewrites a row with a conditional UPDATE (``WHERE id = :id AND col = :old_ciphertext`` for
  every column it changes): if the service changed the row in between, the UPDATE matches
  nothing, the row is read again and retried, so a concurrent edit is never overwritten with
  the stale plaintext;
- leaves blind indexes alone: they derive from the index key, not the active key.

A value that does not decrypt is reported and left as it is: the old key must then not be
retired until someone has looked at it (``verify_all`` lists such values too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, delete, func, select, update
from sqlalchemy.orm import Session

from casework.crypto.errors import CryptoError, DecryptionError
from casework.crypto.fields import decrypt_value, encrypt_value, is_person_sealed, key_id_of
from casework.crypto.keyring import Keyring
from casework.crypto.models import RotationProgress
from casework.crypto.tables import EncryptedTable, encrypted_tables
from casework.crypto.verification import count_by_key_id, verify_all
from casework.model_base import utcnow

__all__ = [
    "RotationReport",
    "TableRotation",
    "count_by_key_id",
    "rotate_all",
    "verify_all",
]

Progress = Callable[[str, int, int], None]
"""Called after each committed batch with (table name, rows done, rows in the table)."""

MAX_ATTEMPTS = 5  # a row edited five times during one rotation step is left for the next run


@dataclass
class TableRotation:
    """What the rotation did to one table."""

    examined: int = 0
    reencrypted: int = 0
    retried: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class RotationReport:
    """What a rotation did, per table; ``failures`` lists values left on their old key."""

    target_key_id: int
    tables: dict[str, TableRotation] = field(default_factory=dict)

    @property
    def examined(self) -> int:
        return sum(t.examined for t in self.tables.values())

    @property
    def reencrypted(self) -> int:
        return sum(t.reencrypted for t in self.tables.values())

    @property
    def failures(self) -> list[str]:
        return [problem for t in self.tables.values() for problem in t.failures]


def rotate_all(
    session: Session,
    keyring: Keyring,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    models: Iterable[type] | None = None,
) -> RotationReport:
    """Re-encrypt every encrypted column of ``models`` (default: all) to ``keyring.active_id``.

    Commits after each batch; an exception leaves the committed batches and the progress row
    in place, and a rerun continues after them.

    :raise ValueError: when ``batch_size`` is not positive.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RotationReport(target_key_id=keyring.active_id)
    for table in encrypted_tables(session, models):
        report.tables[table.name] = _rotate_table(session, keyring, table, batch_size, progress)
    return report


def _rotate_table(
    session: Session,
    keyring: Keyring,
    table: EncryptedTable,
    batch_size: int,
    progress: Progress | None,
) -> TableRotation:
    target = keyring.active_id
    stats = TableRotation()
    total = session.scalar(select(func.count()).select_from(table.table)) or 0
    after = _resume_point(session, table.name, target)
    done = 0
    if after is not None:
        done = (
            session.scalar(
                select(func.count()).select_from(table.table).where(table.primary_key <= after)
            )
            or 0
        )
    for rows in table.batches(session, batch_size, after):
        for row in rows:
            stats.examined += 1
            _rotate_row(session, keyring, table, row[0], row[1 : 1 + len(table.columns)], stats)
        _save_progress(session, table.name, target, rows[-1][0])
        session.commit()
        done += len(rows)
        if progress is not None:
            progress(table.name, min(done, total), total)
    session.execute(delete(_progress).where(_progress.c.table_name == table.name))
    session.commit()
    return stats


def _rotate_row(
    session: Session,
    keyring: Keyring,
    table: EncryptedTable,
    row_id: Any,
    blobs: Sequence[bytes | None],
    stats: TableRotation,
) -> None:
    target = keyring.active_id
    for _attempt in range(MAX_ATTEMPTS):
        changes: dict[Column[bytes], tuple[bytes, bytes]] = {}
        problems: list[str] = []
        for column, blob in zip(table.columns, blobs, strict=True):
            if blob is None:
                continue
            blob = bytes(blob)
            if is_person_sealed(blob):
                continue  # under a person's data key: rotation re-wraps that key instead
            try:
                if key_id_of(blob) == target:
                    continue
                plaintext = decrypt_value(keyring, blob, table.name, column.spec.attr, row_id)
            except DecryptionError as exc:
                problems.append(_describe(table, column.spec.attr, row_id, exc))
                continue
            new = encrypt_value(keyring, plaintext, table.name, column.spec.attr, row_id)
            changes[column.ciphertext] = (blob, new)
        if not changes:
            stats.failures.extend(problems)
            return
        conditions = [ct == old for ct, (old, _new) in changes.items()]
        result = session.execute(
            update(table.table)
            .where(table.primary_key == row_id, *conditions)
            .values({ct: new for ct, (_old, new) in changes.items()})
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            stats.reencrypted += 1
            stats.failures.extend(problems)
            return
        # Lost a race with a writer (or the row is gone): read what is there now and retry.
        stats.retried += 1
        fresh = session.execute(
            select(*(c.ciphertext for c in table.columns)).where(table.primary_key == row_id)
        ).first()
        if fresh is None:
            return
        blobs = tuple(fresh)
    stats.failures.append(
        f"{table.name} row {row_id}: changed during each of {MAX_ATTEMPTS} attempts; "
        "left for the next rotation"
    )


def _describe(table: EncryptedTable, attr: str, row_id: Any, exc: CryptoError) -> str:
    return f"{table.name}.{attr} row {row_id}: {exc}"


_progress = RotationProgress.__table__


def _resume_point(session: Session, table_name: str, target: int) -> Any | None:
    row = session.execute(
        select(_progress.c.target_key_id, _progress.c.last_id).where(
            _progress.c.table_name == table_name
        )
    ).first()
    if row is None or row.target_key_id != target:
        return None  # progress towards another key says nothing about this one
    return row.last_id


def _save_progress(session: Session, table_name: str, target: int, last_id: Any) -> None:
    values = {"target_key_id": target, "last_id": last_id, "updated_at": utcnow()}
    updated = session.execute(
        update(_progress).where(_progress.c.table_name == table_name).values(values)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(_progress.insert().values(table_name=table_name, **values))
