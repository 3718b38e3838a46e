"""Signed checkpoints of the audit chain, kept outside the audit table.

The chain (``casework.audit.trail``) shows a row that was changed, inserted, reordered or taken
out of the middle. It cannot show rows taken off its end, or an emptied table: what is left is
still a whole chain. Whoever can get past the append-only triggers (the table's owner) could do
that unseen. A checkpoint closes the gap the way a Certificate Transparency log's signed tree head
does: it says "at time T the trail had N rows and row N had digest D", signed under a key
derived from the audit key, and it lives outside the database — appended to a file the operator
ships off the host (``CASEWORK_AUDIT_CHECKPOINT_FILE``), and printed for the auditor to keep on
paper. ``audit verify`` checks the table against the latest one and names what is missing.

Writing a checkpoint first checks the trail against the previous one (and the rows added since
against the chain), and refuses when rows it vouched for are gone: a checkpoint never blesses a
shortened trail, so a cron job cannot paper over a deletion.

One checkpoint is one JSON line, keys in this order::

    {"v":1,"rows":1250,"head":"<32 hex>","at":"2026-01-05T10:15:00Z","key":1,"reason":"command",
     "mac":"<32 hex>"}

``rows`` is the number of rows (the last ``seq``; seqs run 1..rows without gaps), ``head`` the
first 128 bits of row ``rows``'s digest, ``key`` the id of the root key the audit keys derive
from, ``reason`` what wrote it (``command``: ``audit checkpoint``, from cron or by hand;
``backup``; ``restore``: a new baseline after a restore). ``mac`` is HMAC-SHA256, truncated to
128 bits, over the other fields, under a key derived for checkpoints alone. 128 bits keep the
line short enough to copy by hand and are far beyond guessing: without the audit key no one can
compute a digest or a mac at all. A checkpoint holds counts, a digest, a time and a key id —
nothing about any person.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.audit.models import AuditEvent
from casework.audit.trail import GENESIS, verify_chain, walk_chain
from casework.crypto import Keyring, current_keyring
from casework.model_base import utcnow

FORMAT_VERSION = 1
REASONS = ("command", "backup", "restore")
_HEX = 32  # 128 bits of the head digest and of the mac
_KEYS = ("v", "rows", "head", "at", "key", "reason", "mac")
_HEX_RE = re.compile(f"[0-9a-f]{{{_HEX}}}")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class CheckpointError(Exception):
    """A checkpoint is malformed or not genuine, or the trail does not reach it; the message
    says which."""


@dataclass(frozen=True)
class Checkpoint:
    rows: int
    head: str
    at: datetime
    key_id: int
    reason: str
    mac: str

    @property
    def line(self) -> str:
        """The checkpoint as the one JSON line that is stored, shipped and pasted back."""
        values = (FORMAT_VERSION, self.rows, self.head, _time(self.at), self.key_id,
                  self.reason, self.mac)
        return json.dumps(dict(zip(_KEYS, values, strict=True)), separators=(",", ":"))

    def __str__(self) -> str:
        return f"the checkpoint of {self.at:%Y-%m-%d %H:%M:%S} UTC"


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _message(rows: int, head: str, at: datetime, key_id: int, reason: str) -> bytes:
    fields = (f"v{FORMAT_VERSION}", str(rows), head, _time(at), str(key_id), reason)
    return "|".join(("casework audit checkpoint", *fields)).encode()


def _mac(
    rows: int, head: str, at: datetime, key_id: int, reason: str, keyring: Keyring | None
) -> str:
    keyring = keyring or current_keyring()
    if key_id != keyring.index_key_id:
        raise CheckpointError(
            f"signed with key {key_id}, but this service's audit key is key {keyring.index_key_id}"
        )
    key = keyring.index_key("audit-checkpoint")
    return hmac.new(key, _message(rows, head, at, key_id, reason), sha256).hexdigest()[:_HEX]


def sign(rows: int, digest: str, at: datetime, reason: str) -> Checkpoint:
    """A checkpoint of a trail of ``rows`` rows whose last row has ``digest``, at ``at``."""
    if reason not in REASONS:
        raise ValueError(f"unknown checkpoint reason {reason!r}")
    at = at.astimezone(UTC).replace(microsecond=0)
    key_id = current_keyring().index_key_id
    head = digest[:_HEX]
    return Checkpoint(rows, head, at, key_id, reason, _mac(rows, head, at, key_id, reason, None))


def parse(line: str, keyring: Keyring | None = None) -> Checkpoint:
    """Read one checkpoint line and check its signature (under ``keyring``, by default the one
    in force).

    :raise CheckpointError: not a checkpoint line, or its mac does not match (forged, altered,
        or signed with another key).
    """
    try:
        document = json.loads(line)
    except ValueError:
        raise CheckpointError("not a checkpoint line (not JSON)") from None
    if not isinstance(document, dict) or tuple(document) != _KEYS:
        raise CheckpointError(f"not a checkpoint line (expected the keys {', '.join(_KEYS)})")
    if document["v"] != FORMAT_VERSION:
        raise CheckpointError(f"checkpoint format {document['v']!r} is not {FORMAT_VERSION}")
    rows, key_id = document["rows"], document["key"]
    head, reason, mac = document["head"], document["reason"], document["mac"]
    if not all(type(n) is int and n >= 0 for n in (rows, key_id)):
        raise CheckpointError("not a checkpoint line (rows and key are whole numbers)")
    if not all(isinstance(h, str) and _HEX_RE.fullmatch(h) for h in (head, mac)):
        raise CheckpointError(f"not a checkpoint line (head and mac are {_HEX} hex digits)")
    if reason not in REASONS:
        raise CheckpointError(f"not a checkpoint line (unknown reason {reason!r})")
    try:
        at = datetime.strptime(document["at"], _TIME_FORMAT).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise CheckpointError("not a checkpoint line (time is not YYYY-MM-DDTHH:MM:SSZ)") from None
    if not hmac.compare_digest(_mac(rows, head, at, key_id, reason, keyring), mac):
        raise CheckpointError("its signature does not match: forged or altered")
    return Checkpoint(rows, head, at, key_id, reason, mac)


def parse_log(text: str, where: str) -> list[Checkpoint]:
    """Every checkpoint of a checkpoint file, oldest first (blank lines skipped).

    Besides each line's signature, the order must hold: a trail only grows, so a checkpoint
    with fewer rows than the one before it can only be a restore's new baseline.

    :raise CheckpointError: naming the first line that is not a genuine checkpoint or is out
        of order.
    """
    checkpoints: list[Checkpoint] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            checkpoint = parse(line)
        except CheckpointError as exc:
            raise CheckpointError(f"{where} line {number}: {exc}") from None
        shrank = bool(checkpoints) and checkpoint.rows < checkpoints[-1].rows
        if shrank and checkpoint.reason != "restore":
            raise CheckpointError(
                f"{where} line {number}: covers {checkpoint.rows:,} rows, fewer than the "
                f"{checkpoints[-1].rows:,} before it, and is not a restore"
            )
        checkpoints.append(checkpoint)
    return checkpoints


class CheckpointLog:
    """The append-only file of checkpoints, one line each, oldest first.

    Writers hold an exclusive ``flock`` from reading the latest checkpoint to appending the new
    one (cron and a backup may run at once); readers a shared one, so they never see half a line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def checkpoints(self) -> list[Checkpoint]:
        """:raise CheckpointError: see ``parse_log``."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return []
        with os.fdopen(fd, "rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            return parse_log(handle.read().decode("utf-8", "replace"), str(self.path))

    def latest(self) -> Checkpoint | None:
        """The newest checkpoint, or None when none was written yet.

        :raise CheckpointError: see ``parse_log``.
        """
        checkpoints = self.checkpoints()
        return checkpoints[-1] if checkpoints else None

    @contextmanager
    def appending(self) -> Iterator[_Appender]:
        """The log locked for a writer until the block ends (created 0600 when absent)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield _Appender(fd, self.path.read_text("utf-8", "replace"), str(self.path))
        finally:
            os.close(fd)  # releases the lock


class _Appender:
    """The log while a writer holds its lock: what it held then, and a way to add a line."""

    def __init__(self, fd: int, text: str, where: str) -> None:
        self._fd = fd
        self._text = text
        self._where = where

    def latest(self) -> Checkpoint | None:
        checkpoints = parse_log(self._text, self._where)
        return checkpoints[-1] if checkpoints else None

    def append(self, checkpoint: Checkpoint) -> None:
        # A previous writer that died mid-line must not glue its fragment onto ours.
        prefix = "\n" if self._text and not self._text.endswith("\n") else ""
        os.write(self._fd, f"{prefix}{checkpoint.line}\n".encode())
        os.fsync(self._fd)


def configured_log(app: Flask) -> CheckpointLog:
    """The checkpoint file of ``app`` (``CASEWORK_AUDIT_CHECKPOINT_FILE``)."""
    return CheckpointLog(Path(app.config["CASEWORK_AUDIT_CHECKPOINT_FILE"]))


def load_reference(value: str | None, default: CheckpointLog) -> Checkpoint | None:
    """The checkpoint to check the trail against: the latest of ``default`` when ``value`` is
    None; else the latest of ``value`` when it holds checkpoint lines (pasted, or read from
    standard input), or of the file ``value`` names (an off-host copy).

    :raise CheckpointError: a missing file, or a checkpoint that is malformed or not genuine.
    """
    if value is None:
        return default.latest()
    if value.lstrip().startswith("{"):
        lines = [line for line in value.splitlines() if line.strip()]
        if len(lines) == 1:
            return parse(lines[0].strip())
        return parse_log(value, "the checkpoints given")[-1]
    path = Path(value.strip())
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    checkpoint = CheckpointLog(path).latest()
    if checkpoint is None:
        raise CheckpointError(f"{path} holds no checkpoint")
    return checkpoint


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def trail_length(session: Session) -> int:
    """The ``seq`` of the last audit row (the number of rows of a whole chain); 0 when empty."""
    return session.scalar(select(func.max(AuditEvent.seq))) or 0


def missing_from_trail(session: Session, checkpoint: Checkpoint) -> str | None:
    """What the table lacks that ``checkpoint`` vouches for, in words, or None when it holds."""
    covers = f"{checkpoint} covers {_rows(checkpoint.rows)} with head {checkpoint.head[:16]}…"
    end = trail_length(session)
    if end < checkpoint.rows:
        span = f"{end + 1:,}..{checkpoint.rows:,}" if end + 1 < checkpoint.rows else f"{end + 1:,}"
        label = "rows" if end + 1 < checkpoint.rows else "row"
        table = "the audit table is empty" if end == 0 else f"the table ends at {end:,}"
        return f"{label} {span} missing: {table} but {covers}"
    if checkpoint.rows == 0:
        return None
    digest = session.scalar(select(AuditEvent.digest).where(AuditEvent.seq == checkpoint.rows))
    if digest is None:
        return f"row {checkpoint.rows:,} missing: {covers}"
    if not hmac.compare_digest(digest[:_HEX], checkpoint.head):
        return (
            f"row {checkpoint.rows:,} is not the row {checkpoint} signed (head {digest[:16]}… "
            f"where it signed {checkpoint.head[:16]}…): the trail up to it was rewritten"
        )
    return None


def verify_trail(session: Session, checkpoint: Checkpoint | None) -> list[str]:
    """Every problem of the trail: the first row that breaks the chain, and what it lacks that
    ``checkpoint`` vouches for. Empty when the trail is whole."""
    problems: list[str] = []
    broken = verify_chain(session)
    if broken is not None:
        problems.append(str(broken))
    if checkpoint is not None:
        missing = missing_from_trail(session, checkpoint)
        if missing is not None:
            problems.append(missing)
    return problems


def write_checkpoint(session: Session, log: CheckpointLog, reason: str) -> Checkpoint:
    """Sign the trail as it stands now and append the checkpoint to ``log``.

    Only the rows added since the previous checkpoint are walked (``audit verify`` walks them
    all), so it is cheap enough to run every few minutes.

    :raise CheckpointError: the log holds a checkpoint that is not genuine; rows the latest
        checkpoint vouches for are gone or rewritten; a row added since does not fit the chain.
        Nothing is written then.
    """
    with log.appending() as appender:
        previous = appender.latest()
        start = (0, GENESIS)
        if previous is not None:
            missing = missing_from_trail(session, previous)
            if missing is not None:
                raise CheckpointError(missing)
            if previous.rows:
                digest = session.scalar(
                    select(AuditEvent.digest).where(AuditEvent.seq == previous.rows)
                )
                start = (previous.rows, digest)
        walk = walk_chain(session, after=start)
        if walk.problem is not None:
            raise CheckpointError(str(walk.problem))
        checkpoint = sign(walk.seq, walk.digest, utcnow(), reason)
        appender.append(checkpoint)
    return checkpoint


@dataclass(frozen=True)
class Baseline:
    """The checkpoint a restore started the log again from, and what the log had vouched for
    that the restored trail no longer holds (rows written after the backup), in words."""

    checkpoint: Checkpoint
    lost: str | None


def write_restore_baseline(
    session: Session, log: CheckpointLog, archived: Checkpoint | None
) -> Baseline:
    """After a restore, sign the restored trail as the log's new baseline.

    A restore takes the trail back to the backup, so it may end before checkpoints written since;
    that is said (``Baseline.lost``), not refused. The restored trail itself must be whole and
    reach ``archived``, the checkpoint written into the archive when the backup was made.

    :raise CheckpointError: the restored trail is broken or does not reach ``archived``, or the
        log holds a checkpoint that is not genuine. Nothing is written then.
    """
    with log.appending() as appender:
        previous = appender.latest()
        if archived is not None:
            missing = missing_from_trail(session, archived)
            if missing is not None:
                raise CheckpointError(f"the restored trail does not reach its backup's {missing}")
        walk = walk_chain(session)
        if walk.problem is not None:
            raise CheckpointError(str(walk.problem))
        checkpoint = sign(walk.seq, walk.digest, utcnow(), "restore")
        appender.append(checkpoint)
    lost = missing_from_trail(session, previous) if previous is not None else None
    return Baseline(checkpoint, lost)


def printed(checkpoint: Checkpoint, log: CheckpointLog) -> str:
    """The checkpoint as the auditor keeps it on paper: the facts to read, the line to type back."""

    def groups(text: str) -> str:
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

    return "\n".join(
        [
            "casework audit checkpoint — keep this copy away from the server",
            f"  time       {checkpoint.at:%Y-%m-%d %H:%M:%S} UTC ({checkpoint.reason})",
            f"  rows       {checkpoint.rows:,}",
            f"  head       {groups(checkpoint.head)}",
            f"  signature  key {checkpoint.key_id}, {groups(checkpoint.mac)}",
            f"  appended   {log.path}",
            "to check the trail against it later, on the server:",
            "  flask --app wsgi audit verify --checkpoint '<the line below>'",
            checkpoint.line,
        ]
    )
