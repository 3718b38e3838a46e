"""Encrypting one field value, bound to the exact place it is stored.

Stored form::

    version (1 byte = 1) | key id (2 bytes, big-endian) | nonce (12) | ciphertext + tag (16)

AES-256-GCM with a random nonce: the same plaintext encrypts differently every time, so equal
ciphertexts reveal nothing. The associated data binds the header and the value's location::

    version | key id | len(table) | table | len(column) | column | row id (16 bytes)

(lengths as 2-byte big-endian, names UTF-8), so a ciphertext copied to another row, column or
table, or given another key id or version, fails authentication. The length prefixes make the
encoding unambiguous: ("ab", "c") and ("a", "bc") never produce the same bytes.

Random 96-bit nonces are safe for about 2^32 encryptions per key; one key per column and
rotation keep every key far below that.

Values about one person are sealed under that person's own data key instead (``seal_for_person``,
envelope encryption, see ``casework.crypto.person_keys``). Same layout; the version byte is the
key-kind marker: ``2`` = person data key, and the two key-id bytes are ``0`` (the key is found
through the row's person, not the root keyring). Old values (version 1) still read.
"""

from __future__ import annotations

import os
import struct
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.crypto.errors import DecryptionError
from casework.crypto.keyring import Keyring

FORMAT_VERSION = 1
#: The version byte of a value sealed under a person's data key (the key-kind marker).
PERSON_FORMAT_VERSION = 2
PERSON_KEY_ID = 0
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = struct.Struct(">BH")  # version, key id
HEADER_BYTES = _HEADER.size
MIN_BLOB_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES


def _length_prefixed(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack(">H", len(data)) + data


def associated_data(
    key_id: int, table: str, column: str, row_id: uuid.UUID, version: int = FORMAT_VERSION
) -> bytes:
    """The bytes every ciphertext of ``table.column`` in row ``row_id`` is bound to."""
    if not isinstance(row_id, uuid.UUID):
        raise TypeError(f"row id must be a uuid.UUID, not {type(row_id).__name__}")
    return (
        _HEADER.pack(version, key_id)
        + _length_prefixed(table)
        + _length_prefixed(column)
        + row_id.bytes
    )


def encrypt_value(
    keyring: Keyring, plaintext: str, table: str, column: str, row_id: uuid.UUID
) -> bytes:
    """Encrypt ``plaintext`` for ``table.column`` of row ``row_id`` with the active key.

    :raise TypeError: when ``plaintext`` is not a str or ``row_id`` is not a UUID.
    """
    if not isinstance(plaintext, str):
        raise TypeError(f"only str is encrypted, not {type(plaintext).__name__}")
    key_id = keyring.active_id
    aad = associated_data(key_id, table, column, row_id)
    nonce = os.urandom(NONCE_BYTES)
    sealed = keyring.field_cipher(key_id, table, column).encrypt(
        nonce, plaintext.encode("utf-8"), aad
    )
    return aad[:HEADER_BYTES] + nonce + sealed


def header_for(key_id: int) -> bytes:
    """The first bytes of every ciphertext written under root key ``key_id``."""
    return _HEADER.pack(FORMAT_VERSION, key_id)


def _header_problem(blob: bytes) -> str | None:
    if len(blob) < MIN_BLOB_BYTES:
        return f"the value is {len(blob)} bytes, too short to be a ciphertext"
    version = blob[0]
    if version not in (FORMAT_VERSION, PERSON_FORMAT_VERSION):
        return f"unknown ciphertext format version {version}"
    return None


def key_id_of(blob: bytes) -> int:
    """The id of the root key ``blob`` was written with (no decryption; for rotation).

    :raise DecryptionError: when ``blob`` is not a ciphertext in a known format.
    """
    blob = bytes(blob)
    problem = _header_problem(blob)
    if problem:
        raise DecryptionError(problem)
    return int(_HEADER.unpack_from(blob)[1])


def decrypt_value(keyring: Keyring, blob: bytes, table: str, column: str, row_id: uuid.UUID) -> str:
    """Decrypt a value stored in ``table.column`` of row ``row_id``.

    :raise DecryptionError: when the format is unknown, the key id is not in the keyring, or
        authentication fails (wrong key, altered bytes, or a value copied from elsewhere).
    """
    blob = bytes(blob)  # drivers may hand back memoryview
    where = {"table": table, "column": column, "row_id": row_id}
    problem = _header_problem(blob)
    if problem:
        raise DecryptionError(problem, **where)
    if blob[0] == PERSON_FORMAT_VERSION:
        raise DecryptionError(
            "the value is sealed under a person's data key, not a root key", **where
        )
    key_id = int(_HEADER.unpack_from(blob)[1])
    if key_id not in keyring:
        raise DecryptionError(
            f"key id {key_id} is not in the keyring (it holds {list(keyring.key_ids)}); "
            "the key it was written with is missing from CASEWORK_ROOT_KEY / the key file",
            key_id=key_id,
            **where,
        )
    nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    aad = associated_data(key_id, table, column, row_id)
    try:
        data = keyring.field_cipher(key_id, table, column).decrypt(
            nonce, blob[HEADER_BYTES + NONCE_BYTES :], aad
        )
    except InvalidTag:
        raise DecryptionError(
            f"authentication failed under key id {key_id}: wrong key, altered bytes, or a "
            "value copied from another row or column",
            key_id=key_id,
            **where,
        ) from None
    return data.decode("utf-8")


def is_person_sealed(blob: bytes) -> bool:
    """Whether ``blob`` is sealed under a person's data key (version byte 2), not a root key."""
    return len(blob) > 0 and bytes(blob[:1])[0] == PERSON_FORMAT_VERSION


def seal_for_person(
    data_key: bytes, plaintext: str, table: str, column: str, row_id: uuid.UUID
) -> bytes:
    """Encrypt ``plaintext`` under a person's 32-byte data key, bound like every other value.

    :raise TypeError: when ``plaintext`` is not a str or ``row_id`` is not a UUID.
    """
    if not isinstance(plaintext, str):
        raise TypeError(f"only str is encrypted, not {type(plaintext).__name__}")
    aad = associated_data(PERSON_KEY_ID, table, column, row_id, PERSON_FORMAT_VERSION)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return aad[:HEADER_BYTES] + nonce + sealed


def open_for_person(
    data_key: bytes, blob: bytes, table: str, column: str, row_id: uuid.UUID
) -> str:
    """Decrypt a value ``seal_for_person`` wrote into ``table.column`` of row ``row_id``.

    :raise DecryptionError: when the format is not a person-sealed value or authentication
        fails (wrong person's key, altered bytes, or a value copied from elsewhere).
    """
    blob = bytes(blob)
    where = {"table": table, "column": column, "row_id": row_id}
    problem = _header_problem(blob)
    if problem is None and blob[0] != PERSON_FORMAT_VERSION:
        problem = "the value is not sealed under a person's data key"
    if problem:
        raise DecryptionError(problem, **where)
    nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    aad = associated_data(PERSON_KEY_ID, table, column, row_id, PERSON_FORMAT_VERSION)
    try:
        data = AESGCM(data_key).decrypt(nonce, blob[HEADER_BYTES + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionError(
            "authentication failed under the person's data key: wrong key, altered bytes, or "
            "a value copied from another row or column",
            **where,
        ) from None
    return data.decode("utf-8")
