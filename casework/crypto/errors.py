"""The errors of field encryption.

They exist so callers can fail closed with a message an operator can act on. No message ever
carries key material or plaintext: these strings reach logs, error pages and tracebacks.
"""

from __future__ import annotations

import uuid

KEY_HELP = (
    "set CASEWORK_ROOT_KEY (base64 of 32 bytes, or 'id:base64,...') or CASEWORK_KEY_FILE "
    "(a key file with mode 0600), or create a local key file with "
    "`flask --app wsgi casework init`"
)


class CryptoError(Exception):
    """Base class: something about keys or ciphertexts is wrong; nothing was decrypted."""


class KeyUnavailableError(CryptoError):
    """No usable root key: missing, unreadable, malformed, or exposed to other users.

    The message always says how to provide a key (see ``KEY_HELP``).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"Encryption key unavailable: {reason}. To fix: {KEY_HELP}.")
        self.reason = reason


RECOVERY_HELP = (
    "restore the key this database was written with (CASEWORK_ROOT_KEY or the key file, from "
    "your secret store or its sealed backup); nothing is served or written until then"
)


class KeyCheckError(CryptoError):
    """The keyring in hand is not proven to be the one the database was written with.

    ``status`` is what ``/healthz`` reports. Messages name key ids, never keys.
    """

    status = "unchecked"


class KeyMismatchError(KeyCheckError):
    """A key differs from the one the database was written with (its check value differs, or
    data stored under its id does not open with it)."""

    status = "mismatch"

    def __init__(
        self, key_ids: list[int], how: str = "its check value in the database differs"
    ) -> None:
        ids = ", ".join(str(k) for k in key_ids)
        noun = "key" if len(key_ids) == 1 else "keys"
        super().__init__(
            f"Encryption {noun} {ids} {'is' if len(key_ids) == 1 else 'are'} not the one this "
            f"database was written with ({how}). To fix: {RECOVERY_HELP}."
        )
        self.key_ids = key_ids


class KeyNotRegisteredError(KeyCheckError):
    """The database holds no check value for a key in the keyring, so it cannot be told right
    from wrong; a command that introduces keys must register it first."""

    status = "unregistered"

    def __init__(self, key_ids: list[int]) -> None:
        ids = ", ".join(str(k) for k in key_ids)
        super().__init__(
            f"The database has no check value for encryption key {ids}, so it cannot tell "
            "whether the key is right. To fix: run `flask --app wsgi casework init` (after an "
            "upgrade) or `flask --app wsgi keys register` (after adding a key to "
            "CASEWORK_ROOT_KEY) with this key configured."
        )
        self.key_ids = key_ids


class KeyCheckUnreadableError(KeyCheckError):
    """The check values could not be read (database unreachable, or its schema behind)."""

    status = "unchecked"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Cannot check the encryption key against the database: {reason}. To fix: make "
            "the database reachable and its schema current (`flask --app wsgi casework init`)."
        )
        self.reason = reason


class DecryptionError(CryptoError):
    """A ciphertext did not decrypt: wrong key, altered bytes, or copied from elsewhere.

    Carries where the value lives (table, column, row id, key id) so an operator can find it;
    never the plaintext or any key.
    """

    def __init__(
        self,
        reason: str,
        *,
        table: str | None = None,
        column: str | None = None,
        row_id: uuid.UUID | None = None,
        key_id: int | None = None,
    ) -> None:
        where = f"{table}.{column}" if table and column else "a ciphertext"
        row = f" of row {row_id}" if row_id is not None else ""
        super().__init__(f"Cannot decrypt {where}{row}: {reason}")
        self.table = table
        self.column = column
        self.row_id = row_id
        self.key_id = key_id
