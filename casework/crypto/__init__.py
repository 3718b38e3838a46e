"""Field-level encryption of personal data (see DESIGN.md, "Sensitive data").

Models declare ``EncryptedField``s; the app calls ``init_app``; ``gunicorn.conf.py`` calls
``require_keyring`` so the service refuses to start without the right key, and every request
is refused while the keyring does not match the database's key check values (``checks``).
Key management lives in ``keyring``/``keyfile``, introducing keys to a database in
``registration``, rotation and checks of stored values in ``rotation``.
"""

from __future__ import annotations

from casework.crypto.blind import (
    BLIND_INDEX_BITS,
    blind_index,
    normalise_national_id,
    normalise_phone,
)
from casework.crypto.context import (
    app_guard,
    app_holder,
    current_keyring,
    init_app,
    key_status,
    keyring_available,
    require_keyring,
    use_keyring,
)
from casework.crypto.errors import (
    CryptoError,
    DecryptionError,
    KeyCheckError,
    KeyMismatchError,
    KeyNotRegisteredError,
    KeyUnavailableError,
)
from casework.crypto.fields import decrypt_value, encrypt_value, key_id_of
from casework.crypto.holder import KeyringHolder
from casework.crypto.keyring import Keyring, add_key_to_file, generate_key_file, load_keyring
from casework.crypto.orm import EncryptedField, FieldSpec, encrypted_fields

__all__ = [
    "BLIND_INDEX_BITS",
    "CryptoError",
    "DecryptionError",
    "EncryptedField",
    "FieldSpec",
    "KeyCheckError",
    "KeyMismatchError",
    "KeyNotRegisteredError",
    "KeyUnavailableError",
    "Keyring",
    "KeyringHolder",
    "add_key_to_file",
    "app_guard",
    "app_holder",
    "blind_index",
    "current_keyring",
    "decrypt_value",
    "encrypt_value",
    "encrypted_fields",
    "generate_key_file",
    "init_app",
    "key_status",
    "key_id_of",
    "keyring_available",
    "load_keyring",
    "normalise_national_id",
    "normalise_phone",
    "require_keyring",
    "use_keyring",
]
