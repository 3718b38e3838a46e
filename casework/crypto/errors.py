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
