"""The local key file: reading it safely, and writing it so it is never half-written or exposed.

Format (JSON, mode 0600)::

    {"active": 2, "index_key": 1, "keys": {"1": "<base64>", "2": "<base64>"}}

A fresh install creates one with ``generate_key_file``; rotation adds a key with
``add_key_to_file``. Both write a temporary file in the same directory, fsync it and move it
into place, so a crash leaves either the old file or the new one, never a truncated key file
(which would make every encrypted value unreadable). Two operators adding keys at the same time
is not guarded against; rotation is a rare, deliberate act.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casework.crypto.errors import KeyUnavailableError

log = logging.getLogger(__name__)

KEY_BYTES = 32
MAX_KEY_ID = 0xFFFF


@dataclass(frozen=True)
class KeyFileContents:
    """What a key file holds, validated; the keys are kept out of ``repr``."""

    keys: dict[int, bytes] = field(repr=False)
    active_id: int
    index_key_id: int


def decode_key(text: object, where: str) -> bytes:
    """Decode one base64 root key, naming ``where`` it came from (never echoing it).

    :raise KeyUnavailableError: when it is not base64 of exactly 32 bytes.
    """
    if not isinstance(text, str):
        raise KeyUnavailableError(f"{where} is not a base64 string")
    text = text.strip()
    try:
        if "-" in text or "_" in text:
            key = base64.urlsafe_b64decode(text)
        else:
            key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise KeyUnavailableError(f"{where} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyUnavailableError(f"{where} decodes to {len(key)} bytes, expected {KEY_BYTES}")
    return key


def read_key_file(path: Path) -> KeyFileContents:
    """Read and validate a key file.

    :raise KeyUnavailableError: when it is missing, unreadable, readable by every user on the
        machine, not valid JSON, or inconsistent.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise KeyUnavailableError(f"key file {path} does not exist") from None
    except OSError as exc:
        raise KeyUnavailableError(f"key file {path} cannot be opened ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        # fstat on the open file, not stat on the path: the mode checked is the file read.
        mode = os.fstat(handle.fileno()).st_mode
        if os.name == "posix":
            _check_mode(path, mode)
        try:
            raw = handle.read()
        except OSError as exc:
            raise KeyUnavailableError(f"key file {path} cannot be read ({exc.strerror})") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise KeyUnavailableError(f"key file {path} is not valid JSON") from None
    return _parse_document(document, path)


def _check_mode(path: Path, mode: int) -> None:
    if mode & stat.S_IROTH:
        raise KeyUnavailableError(
            f"key file {path} is readable by every user on this machine "
            f"(mode {stat.S_IMODE(mode):04o}); refusing to use it. Run `chmod 600 {path}`, "
            "and consider the key exposed: add a new key and rotate"
        )
    if mode & stat.S_IRGRP:
        log.warning(
            "key file %s is readable by its group (mode %04o); run `chmod 600 %s`",
            path,
            stat.S_IMODE(mode),
            path,
        )


def _parse_document(document: object, path: Path) -> KeyFileContents:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), dict):
        raise KeyUnavailableError(f'key file {path} has no "keys" object')
    keys: dict[int, bytes] = {}
    for id_text, key_text in document["keys"].items():
        if not str(id_text).isdigit() or not 1 <= int(id_text) <= MAX_KEY_ID:
            raise KeyUnavailableError(f"key file {path} has an invalid key id {id_text!r}")
        keys[int(id_text)] = decode_key(key_text, f"key {id_text} in key file {path}")
    if not keys:
        raise KeyUnavailableError(f"key file {path} holds no keys")
    active = document.get("active", max(keys))
    index_key = document.get("index_key", min(keys))
    for label, value in (("active", active), ("index_key", index_key)):
        if not isinstance(value, int) or value not in keys:
            raise KeyUnavailableError(
                f'key file {path}: "{label}" is {value!r}, which is not one of its key ids'
            )
    return KeyFileContents(keys=keys, active_id=active, index_key_id=index_key)


def _document(contents: KeyFileContents) -> dict[str, object]:
    return {
        "active": contents.active_id,
        "index_key": contents.index_key_id,
        "keys": {
            str(key_id): base64.b64encode(key).decode("ascii")
            for key_id, key in sorted(contents.keys.items())
        },
    }


def _write_atomically(path: Path, contents: KeyFileContents, *, replace: bool) -> None:
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file 0600 from the start: the key is never briefly world-readable.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump(_document(contents), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            # link() fails if the target exists: "create, never overwrite" without a race.
            os.link(tmp, path)
        _fsync_directory(directory)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def generate_key_file(path: Path, key: bytes | None = None) -> None:
    """Create a key file holding one key (id 1), mode 0600: ``key``, or a new random one.

    :raise FileExistsError: when ``path`` exists: overwriting a key file would make every
        value encrypted under it unreadable.
    :raise KeyUnavailableError: when ``key`` is not 32 bytes.
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"key file {path} already exists; refusing to overwrite it")
    key = new_key() if key is None else _checked_key(key)
    contents = KeyFileContents(keys={1: key}, active_id=1, index_key_id=1)
    try:
        _write_atomically(path, contents, replace=False)
    except FileExistsError:
        raise FileExistsError(f"key file {path} already exists; refusing to overwrite it") from None


def new_key() -> bytes:
    """32 random bytes: a new root key."""
    return secrets.token_bytes(KEY_BYTES)


def _checked_key(key: bytes) -> bytes:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise KeyUnavailableError(f"a root key must be {KEY_BYTES} bytes")
    return key


def next_key_id(path: Path, taken: Iterable[int] = ()) -> int:
    """The id a key added to the key file would get: above every id in the file and in ``taken``
    (ids the database already knows, e.g. from an addition that never reached the file).

    :raise KeyUnavailableError: when the file cannot be read (see ``read_key_file``).
    :raise ValueError: when the key ids are exhausted.
    """
    new_id = max([*read_key_file(Path(path)).keys, *taken]) + 1
    if new_id > MAX_KEY_ID:
        raise ValueError(f"key file {path} has used every key id up to {MAX_KEY_ID}")
    return new_id


def add_key_to_file(path: Path, *, key_id: int | None = None, key: bytes | None = None) -> int:
    """Add a key to the key file (``key``, or a new random one), make it active, return its id.

    ``key_id`` defaults to ``next_key_id(path)``; a given id must be above every id in the file
    (the newest key is the active one). The blind-index key id is kept (see ``keyring``). Run
    ``rotate_all`` afterwards to move old rows to the new key; a running service notices the
    changed file and starts using the key.

    :raise KeyUnavailableError: when the existing file cannot be read (see ``read_key_file``)
        or ``key`` is not 32 bytes.
    :raise ValueError: when the key ids are exhausted or ``key_id`` is not above them.
    """
    path = Path(path)
    current = read_key_file(path)
    new_id = next_key_id(path) if key_id is None else key_id
    if new_id <= max(current.keys) or new_id > MAX_KEY_ID:
        raise ValueError(f"key id {new_id} is not above the ids in key file {path}")
    key = new_key() if key is None else _checked_key(key)
    keys = {**current.keys, new_id: key}
    updated = KeyFileContents(keys=keys, active_id=new_id, index_key_id=current.index_key_id)
    _write_atomically(path, updated, replace=True)
    return new_id
