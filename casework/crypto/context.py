"""Which keyring is in force: the Flask app's inside an app context, else one set explicitly.

Model code never passes keys around: ``EncryptedField`` asks ``current_keyring()``. In the
service that is the app's ``KeyringHolder`` (``app.extensions["casework_keyring"]``); scripts
and tests without an app call ``use_keyring``. There is no default: no keyring means
``KeyUnavailableError``, never plaintext.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context

from casework.crypto.errors import KeyUnavailableError
from casework.crypto.holder import KeyringHolder
from casework.crypto.keyring import Keyring

EXTENSION_KEY = "casework_keyring"

# A plain global rather than a ContextVar: a script sets it once and its worker threads
# (which start with an empty context) must see it too.
_explicit: Keyring | None = None


def init_app(app: Flask) -> None:
    """Give ``app`` a keyring holder from ``CASEWORK_ROOT_KEY`` / ``CASEWORK_KEY_FILE``.

    Never raises for a missing key, so commands that create the key can run; the web entry
    point calls ``require_keyring`` to refuse to start without one.
    """
    key_file = app.config.get("CASEWORK_KEY_FILE")
    app.extensions[EXTENSION_KEY] = KeyringHolder(
        app.config.get("CASEWORK_ROOT_KEY"), Path(key_file) if key_file else None
    )


def app_holder(app: Flask) -> KeyringHolder:
    """The keyring holder of ``app``.

    :raise KeyUnavailableError: when ``init_app`` was not called for ``app``.
    """
    holder = app.extensions.get(EXTENSION_KEY)
    if holder is None:
        raise KeyUnavailableError("casework.crypto.init_app(app) was not called")
    return holder


def require_keyring(app: Flask) -> Keyring:
    """The app's keyring, now.

    :raise KeyUnavailableError: when there is no usable key (the service must not start).
    """
    return app_holder(app).get()


def keyring_available(app: Flask) -> bool:
    """Whether ``app`` has a usable key (for health checks and a friendly setup page)."""
    try:
        require_keyring(app)
    except KeyUnavailableError:
        return False
    return True


def current_keyring() -> Keyring:
    """The keyring in force: the app's inside an app context, else the one set explicitly.

    An app context whose app never ran ``init_app`` falls back to ``use_keyring``, so small
    test apps that do not wire crypto still work.

    :raise KeyUnavailableError: when neither gives a keyring.
    """
    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        return app_holder(current_app).get()
    if _explicit is not None:
        return _explicit
    raise KeyUnavailableError(
        "no keyring outside a Flask app context (scripts and tests call "
        "casework.crypto.use_keyring(keyring))"
    )


def use_keyring(keyring: Keyring | None) -> AbstractContextManager[Keyring | None]:
    """Set the keyring used outside an app context; ``None`` clears it.

    Takes effect immediately (a setter for scripts); used in ``with`` it also restores the
    previous keyring on exit (for tests).
    """
    global _explicit
    previous, _explicit = _explicit, keyring

    @contextmanager
    def scope() -> Iterator[Keyring | None]:
        global _explicit
        try:
            yield keyring
        finally:
            _explicit = previous

    return scope()
