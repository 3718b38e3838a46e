"""Writing and verifying the audit chain.

``record()`` queues an entry on the current database session; the entries are chained and
inserted by a ``before_commit`` hook, inside the same transaction as the change they describe, so
the change and its audit row commit together or not at all. Chaining needs the previous row, so
writers are serialised while they append: PostgreSQL takes a transaction-scoped advisory lock;
SQLite transactions already run one writer at a time (see ``casework.database``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.audit.models import AuditEvent
from casework.crypto import Keyring, current_keyring
from casework.model_base import utcnow

GENESIS = "0" * 64
_PENDING = "casework_audit_pending"
_ADVISORY_LOCK_ID = 0x6361_7365  # "case"


@dataclass
class Entry:
    action: str
    actor_id: uuid.UUID | None
    actor_username: str | None
    outcome: str
    object_type: str | None
    object_id: str | None
    unit_path: str | None
    remote_addr: str | None
    detail: dict[str, Any]
    at: datetime


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: Any = None,
    unit_path: str | None = None,
    remote_addr: str | None = None,
    **detail: Any,
) -> None:
    """Queue an audit entry; it is written when ``session`` commits.

    ``detail`` holds names and codes (which fields changed, which event fired), never values of
    personal data: the audit trail is read by people who must not see case content.
    """
    session.info.setdefault(_PENDING, []).append(
        Entry(
            action=action,
            actor_id=getattr(actor, "id", None),
            actor_username=getattr(actor, "username", None),
            outcome=outcome,
            object_type=object_type,
            object_id=str(object_id) if object_id is not None else None,
            unit_path=unit_path,
            remote_addr=remote_addr,
            detail=detail,
            at=utcnow(),
        )
    )


def discard_pending(session: Session) -> None:
    """Forget queued entries (after a rollback they describe nothing that happened)."""
    session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class PendingMark:
    """The entries queued on a session at one moment (see ``pending_mark``)."""

    entries: tuple[Entry, ...]


def pending_mark(session: Session) -> PendingMark:
    """Remember what is queued now, before work that may be rolled back to a SAVEPOINT.

    The mark holds the entries themselves, not a count: rolling back a SAVEPOINT fires
    ``after_rollback``, which drops the whole queue, entries of the outer transaction included.
    """
    return PendingMark(tuple(session.info.get(_PENDING, ())))


def discard_since(session: Session, mark: PendingMark) -> None:
    """Put the queue back as it was at ``mark``: entries queued since then are dropped.

    For a dry run rolled back to its SAVEPOINT: what it queued describes nothing that happened,
    and what the request queued before it must still be written at commit.
    """
    session.info[_PENDING] = list(mark.entries)


def _chain_key() -> bytes:
    return chain_key(current_keyring())


def chain_key(keyring: Keyring) -> bytes:
    """The key of the chain's digests under ``keyring`` (derived from its blind-index key)."""
    return keyring.index_key("audit-chain")


def signed_with(session: Session, keyring: Keyring) -> bool | None:
    """Whether the trail was written under ``keyring``: the first or the newest row's digest
    verifies with its chain key (either will do: rows signed under a wrong key after an
    incident must not hide the key the trail began with). ``None`` when the trail is empty.
    """
    key = chain_key(keyring)
    for order in (AuditEvent.seq.asc(), AuditEvent.seq.desc()):
        row = session.scalars(select(AuditEvent).order_by(order).limit(1)).first()
        if row is None:
            return None
        if hmac.compare_digest(compute_digest(key, row), row.digest):
            return True
    return False


def canonical(row: AuditEvent | SimpleNamespace) -> bytes:
    """The bytes the digest covers: every column but the digest itself."""
    # SQLite hands timestamps back naive, PostgreSQL in the session's time zone: hash UTC.
    at = row.at.astimezone(UTC).replace(tzinfo=None) if row.at.tzinfo else row.at
    payload = {
        "id": str(row.id),
        "seq": row.seq,
        "at": at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "actor_id": str(row.actor_id) if row.actor_id else None,
        "actor_username": row.actor_username,
        "action": row.action,
        "outcome": row.outcome,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "unit_path": row.unit_path,
        "remote_addr": row.remote_addr,
        "detail": row.detail,
        "prev": row.prev_digest,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()


def compute_digest(key: bytes, row: AuditEvent | SimpleNamespace) -> str:
    return hmac.new(key, canonical(row), hashlib.sha256).hexdigest()


# The append lock and the read of the chain head travel in one simple-protocol message: two
# statements, one round trip. Each statement of a READ COMMITTED transaction takes its own
# snapshot, so the SELECT runs after the lock is granted and sees the row of the writer that held
# it before us. (One statement with the lock in a subquery would not: its snapshot is taken
# before it waits for the lock, and two writers would then chain onto the same head.)
_LOCK_AND_READ_HEAD = (
    f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_ID}); "
    "SELECT seq, digest FROM audit_event ORDER BY seq DESC LIMIT 1"
)


def _locked_head(connection: Connection) -> tuple[int, str]:
    """Serialise writers of the chain for the rest of the transaction; the last (seq, digest)."""
    if connection.dialect.name == "postgresql":
        result = connection.exec_driver_sql(_LOCK_AND_READ_HEAD)
        try:
            cursor = result.cursor
            cursor.nextset()
            head = cursor.fetchone()
        finally:
            result.close()
    else:  # SQLite: BEGIN IMMEDIATE already made this the only writer (casework.database)
        head = connection.execute(_READ_HEAD).first()
    return (int(head[0]), head[1]) if head else (0, GENESIS)


_READ_HEAD = select(AuditEvent.seq, AuditEvent.digest).order_by(AuditEvent.seq.desc()).limit(1)
# A Core INSERT, not ORM objects: the rows are write-only here, and the ORM's unit of work costs
# more than the statement itself on a request that only reads a case.
_INSERT = insert(AuditEvent.__table__)


def _flush_pending(session: Session) -> None:
    if not session.info.get(_PENDING):
        return
    # The changes first, so the chain lock is held only for the append (and a conflict surfaces
    # before it is taken).
    session.flush()
    entries: list[Entry] = session.info.pop(_PENDING, [])
    key = _chain_key()
    rows = [
        {
            "id": uuid.uuid4(),
            "at": entry.at,
            "actor_id": entry.actor_id,
            "actor_username": entry.actor_username,
            "action": entry.action,
            "outcome": entry.outcome,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "unit_path": entry.unit_path,
            "remote_addr": entry.remote_addr,
            "detail": entry.detail,
        }
        for entry in entries
    ]
    connection = session.connection()
    # From here to the commit every other writer waits: only chaining happens in between.
    seq, prev = _locked_head(connection)
    for row in rows:
        seq += 1
        row["seq"], row["prev_digest"] = seq, prev
        row["digest"] = prev = compute_digest(key, SimpleNamespace(**row))
    connection.execute(_INSERT, rows)


def install(session_factory: Any) -> None:
    """Hook the audit writer into a session class (``db.session``'s factory), once."""
    if event.contains(session_factory, "before_commit", _before_commit):
        return
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "after_rollback", _after_rollback)


def _before_commit(session: Session) -> None:
    _flush_pending(session)


def _after_rollback(session: Session) -> None:
    discard_pending(session)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit row seq={self.seq}: {self.problem}"


def verify_chain(session: Session, batch: int = 5000) -> ChainBreak | None:
    """Walk the chain in order and report the first row that does not fit, or None.

    A modified row fails its digest; a deleted row leaves a gap in ``seq`` and a ``prev_digest``
    that does not match; an inserted or reordered row fails its digest or its link. Rows removed
    from the end leave a shorter chain that is still whole: only a checkpoint kept outside the
    table shows them (``casework.audit.checkpoints``).
    """
    return walk_chain(session, batch=batch).problem


@dataclass(frozen=True)
class Walk:
    """Where a walk of the chain ended: the last row that fitted, and the first that did not."""

    seq: int
    digest: str
    problem: ChainBreak | None


def walk_chain(
    session: Session, *, after: tuple[int, str] = (0, GENESIS), batch: int = 5000
) -> Walk:
    """Check every row after ``after`` = (seq, digest of that row), stopping at the first that
    does not fit; the start is trusted (the genesis, or a row a signed checkpoint vouches for).
    """
    key = _chain_key()
    last_seq, prev = after
    for row in _rows(session, batch, after=last_seq):
        problem = None
        if row.seq != last_seq + 1:
            problem = f"expected seq {last_seq + 1}: a row was deleted or inserted"
        elif row.prev_digest != prev:
            problem = "link to the previous row broken: rows removed or reordered"
        elif not hmac.compare_digest(compute_digest(key, row), row.digest):
            problem = "digest mismatch: the row was modified"
        if problem is not None:
            return Walk(last_seq, prev, ChainBreak(row.seq, problem))
        last_seq, prev = row.seq, row.digest
    return Walk(last_seq, prev, None)


def _rows(session: Session, batch: int, after: int = 0) -> Iterator[AuditEvent]:
    last = after
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        for row in rows:
            session.expunge(row)
