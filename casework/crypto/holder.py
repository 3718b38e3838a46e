"""Keeping a running service's keyring current.

Production passes the root key in the environment: it cannot change without a restart, so it
is parsed once. A local key file can gain a key while the service runs (``add_key_to_file``),
so the holder stats the file on every use (about a microsecond) and reloads it when it changed:
new writes then use the new key without a restart. Any server that has not loaded a new key
cannot read rows written with it, so add the key to every server before running the rotation.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from casework.crypto.errors import KeyUnavailableError
from casework.crypto.keyring import Keyring, load_keyring

log = logging.getLogger(__name__)

_FileSignature = tuple[int, int, int, int]


class KeyringHolder:
    """Gives out the current keyring of one app, reloading the key file when it changes.

    Built even when no key exists yet (so ``flask casework init`` can create one); ``get``
    then raises until a key appears. Fails closed: it never returns "no encryption".
    """

    def __init__(self, root_key_b64: str | None, key_file: Path | None) -> None:
        self._root_key = root_key_b64 if root_key_b64 and root_key_b64.strip() else None
        self._key_file = Path(key_file) if key_file else None
        self._lock = threading.Lock()
        self._keyring: Keyring | None = None
        self._signature: _FileSignature | None = None
        self._env_problem: str | None = None
        if self._root_key is not None:
            try:
                self._keyring = load_keyring(self._root_key, None)
            except KeyUnavailableError as exc:
                self._env_problem = exc.reason

    @property
    def source(self) -> str:
        """Where the keys come from, for status output (never the keys)."""
        if self._root_key is not None:
            return "environment (CASEWORK_ROOT_KEY)"
        if self._key_file is not None:
            return f"key file {self._key_file}"
        return "none"

    def get(self) -> Keyring:
        """The current keyring.

        :raise KeyUnavailableError: when no usable key is configured or the key file never
            loaded. A key file that breaks after loading keeps the last good keyring (logged):
            taking the service down would not protect anything already in memory.
        """
        if self._root_key is not None:
            if self._keyring is None:
                raise KeyUnavailableError(self._env_problem or "CASEWORK_ROOT_KEY is unusable")
            return self._keyring
        if self._key_file is None:
            raise KeyUnavailableError("no root key is configured")
        signature = self._stat()
        keyring = self._keyring
        if keyring is not None and signature == self._signature:
            return keyring
        with self._lock:
            return self._reload(signature)

    def _stat(self) -> _FileSignature | None:
        assert self._key_file is not None
        try:
            st = os.stat(self._key_file)
        except OSError:
            return None
        # The inode changes on every atomic rewrite; the mode so that a chmod retries a refusal.
        return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode)

    def _reload(self, signature: _FileSignature | None) -> Keyring:
        if self._keyring is not None and signature == self._signature:
            return self._keyring  # another thread reloaded while we waited
        try:
            self._keyring = load_keyring(None, self._key_file)
        except KeyUnavailableError as exc:
            if self._keyring is None:
                raise
            if signature != self._signature:
                log.error("keeping the keys already loaded: %s", exc.reason)
        else:
            log.info("loaded keyring from %s: %r", self._key_file, self._keyring)
        self._signature = signature
        return self._keyring

    def __repr__(self) -> str:
        return f"<KeyringHolder {self.source} {self._keyring!r}>"
