"""Per-person data keys: envelope encryption of everything about one person.

Each person gets 32 random bytes, their *data key*. Their fields are sealed under it
(``fields.seal_for_person``: AES-256-GCM, the usual row-bound associated data, version byte 2).
The data key itself is stored in ``person_data_key`` *wrapped*: it is an ``EncryptedField``
like any other, so AES-GCM under the field key HKDF derives from the active root key for
``person_data_key.key``, bound to the person's id. Hence:

- rotating the root key (``keys rotate``) rewrites the wrapped data keys only; the values
  sealed under them stay as they are;
- destroying one row of ``person_data_key`` makes every value sealed under it unreadable,
  wherever a copy of it lies (crypto-shredding, ``casework.rights``);
- the key guard (``checks.KeyGuard``) still stands in front: unwrapping needs the checked
  keyring, so a wrong root key opens nothing.

Existing values (version 1, under root keys) still read; ``migrate_person_keys`` reseals them
in batches while the service runs, resumable like rotation.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, Uuid, delete, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from casework.crypto.errors import CryptoError, DecryptionError
from casework.crypto.fields import (
    decrypt_value,
    encrypt_value,
    is_person_sealed,
    open_for_person,
    seal_for_person,
)
from casework.crypto.keyring import Keyring
from casework.crypto.orm import EncryptedField, encrypted_fields
from casework.extensions import db
from casework.model_base import timestamp_column, utcnow

DATA_KEY_BYTES = 32
_PENDING = "casework_pending_person_keys"


class PersonErasedError(CryptoError):
    """A write about a person whose data was erased: nothing more is written about them (the
    service answers 409, never stores a value under a key that no longer exists)."""


class PersonKeyErasedError(DecryptionError):
    """The value belongs to a person whose data key was destroyed (erased): it is gone."""


class PersonDataKey(db.Model):
    """One person's data key, wrapped under the root keyring (``key``: base64 of 32 bytes)."""

    __tablename__ = "person_data_key"

    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    key_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    key = EncryptedField("key_ct")
    created_at: Mapped[datetime] = timestamp_column()

    # Only so the unit of work inserts the person before their key.
    person: Mapped[Any] = relationship("Person", viewonly=False)

    def __repr__(self) -> str:  # never the key
        return f"<PersonDataKey {self.id}>"


def _pending(session: Session) -> dict[uuid.UUID, PersonDataKey]:
    pending: dict[uuid.UUID, PersonDataKey] = session.info.setdefault(_PENDING, {})
    return pending


@event.listens_for(Session, "after_flush_postexec")
def _flushed(session: Session, _context: Any) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def session_for(instance: object) -> Session:
    """The session ``instance`` belongs to, else the app's."""
    session = object_session(instance)
    return session if session is not None else db.session()


def find_key_row(session: Session, person_id: uuid.UUID) -> PersonDataKey | None:
    """The person's key row, pending or stored; ``None`` when they have none (or it was erased)."""
    row = _pending(session).get(person_id)
    if row is not None:
        return row
    with session.no_autoflush:
        return session.get(PersonDataKey, person_id)


def data_key(
    session: Session, person_id: uuid.UUID, *, create: bool = False, new_person: bool = False
) -> bytes | None:
    """The person's unwrapped data key; created (pending in ``session``) when asked to.
    ``new_person``: the person is not in the database yet, so no stored key is looked for.

    :raise KeyUnavailableError / KeyCheckError: when the root keyring is missing or wrong.
    :raise DecryptionError: when the wrapped key does not unwrap.
    """
    row = _pending(session).get(person_id) if new_person else find_key_row(session, person_id)
    if row is None:
        if not create:
            return None
        raw = os.urandom(DATA_KEY_BYTES)
        row = PersonDataKey(id=person_id)
        row.key = base64.b64encode(raw).decode("ascii")
        session.add(row)
        _pending(session)[person_id] = row
        return raw
    wrapped = row.key
    if wrapped is None:
        return None
    return base64.b64decode(wrapped)


# --- migration of values written under root keys -----------------------------------------------


@dataclass
class MigrationReport:
    """What ``migrate_person_keys`` did: rows examined and values resealed, per table."""

    examined: int = 0
    resealed: int = 0
    keys_created: int = 0
    failures: list[str] = field(default_factory=list)


def person_fields() -> dict[type, list[Any]]:
    """Every encrypted field sealed under a person's data key, by model."""
    return {
        model: [spec for spec in specs if spec.person is not None]
        for model, specs in encrypted_fields().items()
        if any(spec.person is not None for spec in specs)
    }


_MIGRATION_MARK = "person data keys"


def migrate_person_keys(
    session: Session,
    keyring: Keyring,
    *,
    batch_size: int = 500,
    progress: Callable[[str, int], None] | None = None,
) -> MigrationReport:
    """Reseal every person field still under a root key with the person's data key.

    Batches in id order, committed one by one; a rerun skips what is already resealed and
    continues after the last committed batch. Each row is rewritten with a conditional UPDATE
    (``WHERE col = old ciphertext``) so a concurrent edit is never overwritten.
    """
    from casework.crypto.rotation import _progress, _resume_point, _save_progress
    from casework.crypto.tables import encrypted_tables

    report = MigrationReport()
    for table in encrypted_tables(session, list(person_fields())):
        columns = [c for c in table.columns if c.spec.person == "id"]
        if not columns:
            continue
        mark = f"{_MIGRATION_MARK}:{table.name}"
        after = _resume_point(session, mark, 0)
        for rows in table.batches(session, batch_size, after):
            for row in rows:
                report.examined += 1
                _migrate_row(session, keyring, table, columns, row, report)
            _save_progress(session, mark, 0, rows[-1][0])
            session.commit()
            if progress is not None:
                progress(table.name, report.examined)
        session.execute(delete(_progress).where(_progress.c.table_name == mark))
        session.commit()
    return report


def _migrate_row(
    session: Session, keyring: Keyring, table: Any, columns: list[Any], row: Any, report: Any
) -> None:
    row_id = row[0]
    blobs = dict(
        zip((c.spec.attr for c in table.columns), row[1 : 1 + len(table.columns)], strict=True)
    )
    old = {c: bytes(blobs[c.spec.attr]) for c in columns if blobs[c.spec.attr] is not None}
    old = {c: blob for c, blob in old.items() if not is_person_sealed(blob)}
    if not old:
        return
    key = _stored_key(session, keyring, row_id)
    if key is None:
        key = os.urandom(DATA_KEY_BYTES)
        wrapped = encrypt_value(
            keyring, base64.b64encode(key).decode("ascii"), "person_data_key", "key", row_id
        )
        session.execute(
            PersonDataKey.__table__.insert().values(id=row_id, key_ct=wrapped, created_at=utcnow())
        )
        report.keys_created += 1
    changes = {}
    for column, blob in old.items():
        try:
            text = decrypt_value(keyring, blob, table.name, column.spec.attr, row_id)
        except DecryptionError as exc:
            report.failures.append(f"{table.name}.{column.spec.attr} row {row_id}: {exc}")
            continue
        changes[column.ciphertext] = (
            blob,
            seal_for_person(key, text, table.name, column.spec.attr, row_id),
        )
    if not changes:
        return
    result = session.execute(
        update(table.table)
        .where(table.primary_key == row_id, *(ct == old for ct, (old, _new) in changes.items()))
        .values({ct: new for ct, (_old, new) in changes.items()})
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        report.resealed += 1
    else:
        report.failures.append(f"{table.name} row {row_id}: changed meanwhile; run again")


def _stored_key(session: Session, keyring: Keyring, person_id: uuid.UUID) -> bytes | None:
    wrapped = session.execute(
        select(PersonDataKey.__table__.c.key_ct).where(PersonDataKey.__table__.c.id == person_id)
    ).scalar()
    if wrapped is None:
        return None
    text = decrypt_value(keyring, bytes(wrapped), "person_data_key", "key", person_id)
    return base64.b64decode(text)


def stored_key_reader(session: Session, keyring: Keyring) -> Callable[[uuid.UUID], bytes | None]:
    """For raw checks (verification): the data key of a person id, read from the table."""
    cache: dict[uuid.UUID, bytes | None] = {}

    def read(person_id: uuid.UUID) -> bytes | None:
        if person_id not in cache:
            cache[person_id] = _stored_key(session, keyring, person_id)
        return cache[person_id]

    return read


def open_stored(
    read: Callable[[uuid.UUID], bytes | None], blob: bytes, table: str, attr: str, row_id: Any
) -> str:
    """Decrypt a person-sealed value of a row whose id is the person's (verification).

    :raise DecryptionError: when the key is gone or the value does not open.
    """
    key = read(row_id)
    if key is None:
        raise PersonKeyErasedError(
            "the person's data key is gone (erased)", table=table, column=attr, row_id=row_id
        )
    return open_for_person(key, blob, table, attr, row_id)
