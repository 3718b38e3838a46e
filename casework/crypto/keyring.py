"""The keyring: versioned root keys, and the per-field and per-index keys derived from them.

A root key is 32 random bytes with a small integer id (1..65535, stored in every ciphertext).
The newest id is *active*: new writes use it; older ids stay so old rows can be read until the
rotate command has re-encrypted them.

Nothing encrypts with a root key directly. HKDF-SHA256 derives:

- a key per (root key id, table, column) for AES-256-GCM, info
  ``b"casework field v1|" + table + b"|" + column``, so a key compromised through one column
  (say, a debugging dump of one AESGCM object) does not open the others;
- a key per blind index, info ``b"casework blind-index v1|" + name``, always from one fixed root
  key, the *index key* (``index_key`` in the key file, by default the lowest id).

Why blind indexes do not follow rotation: a blind index is a lookup value stored in a plain
column; if it were derived from the active key, adding a key would silently break every search
until each row's index was recomputed (which needs every row decrypted and rewritten in the same
step as the rotation). Keeping it on the index key makes rotation a pure ciphertext rewrite.
The trade-off: the index key cannot be retired by rotation. It must stay in the keyring (keep
key 1 in ``CASEWORK_ROOT_KEY``'s list or the key file) for as long as its indexes are used, and
someone holding an old key that is also the index key can still compute index values. Index
values are truncated to 16 bits (see ``blind.py``), which limits what that buys them. Replacing
the index key means recomputing every blind index, a deliberate, separate operation.

Key bytes never appear in ``repr``/``str`` and keyrings refuse to pickle, so they cannot leak
into logs, error pages or caches by accident.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.crypto.errors import CryptoError, KeyUnavailableError
from casework.crypto.keyfile import (
    KEY_BYTES,
    MAX_KEY_ID,
    add_key_to_file,
    decode_key,
    generate_key_file,
    read_key_file,
)

__all__ = [
    "KEY_BYTES",
    "MAX_KEY_ID",
    "Keyring",
    "add_key_to_file",
    "decode_key",
    "generate_key_file",
    "load_keyring",
    "parse_root_key",
]


FIELD_INFO_PREFIX = b"casework field v1|"
INDEX_INFO_PREFIX = b"casework blind-index v1|"
FINGERPRINT_INFO = b"casework key fingerprint v1"
CHECK_INFO = b"casework key check v1"
CHECK_LABEL = b"casework key check value v1|"


def _hkdf(root: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(root)


def _name_bytes(name: str, what: str) -> bytes:
    # "|" separates the parts of the HKDF info; forbidding it keeps (table, column) unambiguous.
    if not name or "|" in name:
        raise CryptoError(f"invalid {what} name {name!r} for key derivation")
    return name.encode("utf-8")


class Keyring:
    """A set of root keys ``{key_id: 32 bytes}``, the active id and the blind-index key id.

    :raise CryptoError: on an empty keyring, a key that is not 32 bytes, an id outside
        1..65535, or an active/index id that is not in the keyring.
    """

    __slots__ = ("_keys", "_active_id", "_index_key_id", "_field_ciphers", "_index_keys")

    def __init__(
        self,
        keys: Mapping[int, bytes],
        *,
        active_id: int | None = None,
        index_key_id: int | None = None,
    ) -> None:
        if not keys:
            raise CryptoError("a keyring needs at least one key")
        for key_id, key in keys.items():
            if not isinstance(key_id, int) or not 1 <= key_id <= MAX_KEY_ID:
                raise CryptoError(f"key id {key_id!r} is not an integer in 1..{MAX_KEY_ID}")
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                raise CryptoError(f"key {key_id} is not {KEY_BYTES} bytes")
        self._keys: Mapping[int, bytes] = MappingProxyType(dict(keys))
        self._active_id = max(keys) if active_id is None else active_id
        self._index_key_id = min(keys) if index_key_id is None else index_key_id
        if self._active_id not in self._keys:
            raise CryptoError(f"active key id {self._active_id} is not in the keyring")
        if self._index_key_id not in self._keys:
            raise CryptoError(f"blind-index key id {self._index_key_id} is not in the keyring")
        # Derivation costs ~10 µs; a field is read thousands of times, so derive once per key.
        self._field_ciphers: dict[tuple[int, str, str], AESGCM] = {}
        self._index_keys: dict[str, bytes] = {}

    @property
    def active_id(self) -> int:
        """The key id new ciphertexts are written with."""
        return self._active_id

    @property
    def index_key_id(self) -> int:
        """The root key id every blind-index key is derived from (fixed across rotations)."""
        return self._index_key_id

    @property
    def key_ids(self) -> tuple[int, ...]:
        """Every key id in the keyring, ascending."""
        return tuple(sorted(self._keys))

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def field_key(self, key_id: int, table: str, column: str) -> bytes:
        """The AES-256 key for ``table.column`` under root key ``key_id``.

        :raise KeyError: when ``key_id`` is not in the keyring.
        """
        info = FIELD_INFO_PREFIX + _name_bytes(table, "table") + b"|"
        return _hkdf(self._keys[key_id], info + _name_bytes(column, "column"))

    def field_cipher(self, key_id: int, table: str, column: str) -> AESGCM:
        """A cached AESGCM for ``table.column`` under root key ``key_id``.

        :raise KeyError: when ``key_id`` is not in the keyring.
        """
        cache_key = (key_id, table, column)
        cipher = self._field_ciphers.get(cache_key)
        if cipher is None:
            cipher = AESGCM(self.field_key(key_id, table, column))
            self._field_ciphers[cache_key] = cipher
        return cipher

    def index_key(self, name: str) -> bytes:
        """The HMAC key of the blind index ``name``, derived from the index key id."""
        key = self._index_keys.get(name)
        if key is None:
            info = INDEX_INFO_PREFIX + _name_bytes(name, "blind index")
            key = _hkdf(self._keys[self._index_key_id], info)
            self._index_keys[name] = key
        return key

    def fingerprint(self, key_id: int) -> str:
        """A short public identifier of a root key, to compare keys across servers.

        Derived through HKDF with its own label, so it reveals nothing usable about the key.
        """
        digest = _hkdf(self._keys[key_id], FINGERPRINT_INFO)
        return hashlib.sha256(digest).hexdigest()[:16]

    def check_value(self, key_id: int) -> str:
        """The key check value of root key ``key_id``, kept in the database to recognise it.

        HMAC-SHA256 of a fixed label and the key id, under a key HKDF derives from the root key
        for this purpose alone: it opens nothing (no field, index or audit key can be derived
        from it), and testing a guessed root key against it costs what an HMAC costs, against
        256 random bits.

        :raise KeyError: when ``key_id`` is not in the keyring.
        """
        check_key = _hkdf(self._keys[key_id], CHECK_INFO)
        message = CHECK_LABEL + str(key_id).encode("ascii")
        return hmac.new(check_key, message, hashlib.sha256).hexdigest()

    def with_key(self, key_id: int, key: bytes) -> Keyring:
        """This keyring plus ``key`` as ``key_id``, made active; the blind-index key stays.

        :raise CryptoError: when ``key_id`` is already in the keyring or the key is malformed.
        """
        if key_id in self._keys:
            raise CryptoError(f"key id {key_id} is already in the keyring")
        return Keyring(
            {**self._keys, key_id: key}, active_id=key_id, index_key_id=self._index_key_id
        )

    def __repr__(self) -> str:
        return (
            f"<Keyring key_ids={list(self.key_ids)} active_id={self._active_id} "
            f"index_key_id={self._index_key_id}>"
        )

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Keyring):
            return NotImplemented
        return (
            self._active_id == other._active_id
            and self._index_key_id == other._index_key_id
            and self._keys.keys() == other._keys.keys()
            and all(hmac.compare_digest(self._keys[k], other._keys[k]) for k in self._keys)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable caches; equality is by content

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Keyring cannot be pickled: that would write key material out")


def parse_root_key(value: str) -> Keyring:
    """Parse ``CASEWORK_ROOT_KEY``: one base64 key (id 1) or ``id:base64,id:base64,...``.

    In the list form the highest id is active and the lowest is the blind-index key.

    :raise KeyUnavailableError: on an empty, malformed or duplicated entry.
    """
    value = value.strip()
    if not value:
        raise KeyUnavailableError("CASEWORK_ROOT_KEY is empty")
    if ":" not in value:
        return Keyring({1: decode_key(value, "CASEWORK_ROOT_KEY")})
    keys: dict[int, bytes] = {}
    for position, part in enumerate(value.split(","), start=1):
        part = part.strip()
        if not part:
            continue
        id_text, _, key_text = part.partition(":")
        where = f"CASEWORK_ROOT_KEY entry {position}"
        if not id_text.strip().isdigit():
            raise KeyUnavailableError(f"{where} does not start with a numeric key id")
        key_id = int(id_text)
        if not 1 <= key_id <= MAX_KEY_ID:
            raise KeyUnavailableError(f"{where} has key id {key_id}, outside 1..{MAX_KEY_ID}")
        if key_id in keys:
            raise KeyUnavailableError(f"{where} repeats key id {key_id}")
        keys[key_id] = decode_key(key_text, where)
    if not keys:
        raise KeyUnavailableError("CASEWORK_ROOT_KEY lists no keys")
    return Keyring(keys)


def load_keyring(root_key_b64: str | None, key_file: Path | None) -> Keyring:
    """The keyring from the environment value if given, else from the key file.

    The environment wins because production injects it from a secret store; the key file is
    the fresh-install default.

    :raise KeyUnavailableError: when neither source gives a usable keyring.
    """
    if root_key_b64 is not None and root_key_b64.strip():
        return parse_root_key(root_key_b64)
    if key_file is not None:
        contents = read_key_file(Path(key_file))
        return Keyring(
            contents.keys, active_id=contents.active_id, index_key_id=contents.index_key_id
        )
    raise KeyUnavailableError("no root key is configured")
