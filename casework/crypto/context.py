"""Which keyring is in force: the Flask app's inside an app context, else one set explicitly.

Model code never passes keys around: ``EncryptedField`` and the audit trail ask
``current_keyring()``. In the service that is the app's ``KeyringHolder``
(``app.extensions["casework_keyring"]``), given out through its ``KeyGuard`` only once it
matches the database's key check values (``checks``); scripts and tests without an app call
``use_keyring``. There is no default: no keyring means ``KeyUnavailableError``, a keyring the
database does not recognise ``KeyCheckError`` — never plaintext, never a write under a wrong key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context

from casework.crypto.checks import KeyGuard, stored_check_values
from casework.crypto.errors import KeyCheckError, KeyUnavailableError
from casework.crypto.holder import KeyringHolder
from casework.crypto.keyring import Keyring

EXTENSION_KEY = "casework_keyring"
GUARD_KEY = "casework_key_guard"

# A plain global rather than a ContextVar: a script sets it once and its worker threads
# (which start with an empty context) must see it too.
_explicit: Keyring | None = None


def init_app(app: Flask) -> None:
    """Give ``app`` a keyring holder from ``CASEWORK_ROOT_KEY`` / ``CASEWORK_KEY_FILE``.

    Never raises for a missing key, so commands that create the key can run; the web entry
    point calls ``require_keyring`` to refuse to start without one.
    """
    key_file = app.config.get("CASEWORK_KEY_FILE")
    holder = KeyringHolder(
        app.config.get("CASEWORK_ROOT_KEY"), Path(key_file) if key_file else None
    )
    app.extensions[EXTENSION_KEY] = holder
    app.extensions[GUARD_KEY] = KeyGuard(holder, _check_values_reader(app))


def app_holder(app: Flask) -> KeyringHolder:
    """The keyring holder of ``app`` (its keys as loaded, not yet checked).

    :raise KeyUnavailableError: when ``init_app`` was not called for ``app``.
    """
    return app_guard(app).holder


def app_guard(app: Flask) -> KeyGuard:
    """The key guard of ``app``: its keyring, once checked against the database.

    :raise KeyUnavailableError: when ``init_app`` was not called for ``app``.
    """
    guard = app.extensions.get(GUARD_KEY)
    if guard is None:
        raise KeyUnavailableError("casework.crypto.init_app(app) was not called")
    return guard


def _check_values_reader(app: Flask) -> Callable[[], dict[int, str] | None]:
    """How to read ``app``'s key check values (``None``: the app has no database)."""

    def read() -> dict[int, str] | None:
        if "sqlalchemy" not in app.extensions:
            return None
        from casework.extensions import db

        session = db.session()  # the app context's own session, not the scoped proxy
        if session.in_transaction():
            # Its own connection: on SQLite a second one would wait for the lock this one holds,
            # and inside a flush it must see the rows written so far.
            return stored_check_values(session.connection())
        # Otherwise a connection of its own, so the check leaves no transaction open behind it.
        with db.engine.connect() as connection:
            return stored_check_values(connection)

    return read


def require_keyring(app: Flask) -> Keyring:
    """The app's keyring, now, once it matches the database's key check values.

    Needs an app context when ``app`` has a database (the check reads it through the session).

    :raise KeyUnavailableError: when there is no usable key (the service must not start).
    :raise KeyCheckError: when the keyring is not the one the database was written with, or
        cannot be checked against it.
    """
    return app_guard(app).keyring()


def key_status(app: Flask) -> str:
    """``ok``, ``unavailable`` (no usable key), ``mismatch`` (the wrong key), ``unregistered``
    (a key the database has no check value for) or ``unchecked`` (the check values could not
    be read): what ``/healthz`` and ``casework check`` report."""
    try:
        require_keyring(app)
    except KeyUnavailableError:
        return "unavailable"
    except KeyCheckError as exc:
        return exc.status
    return "ok"


def keyring_available(app: Flask) -> bool:
    """Whether ``app`` has a usable key that matches its database."""
    return key_status(app) == "ok"


def current_keyring() -> Keyring:
    """The keyring in force: the app's inside an app context, else the one set explicitly.

    An app context whose app never ran ``init_app`` falls back to ``use_keyring``, so small
    test apps that do not wire crypto still work.

    :raise KeyUnavailableError: when neither gives a keyring.
    :raise KeyCheckError: when the app's keyring does not match its database.
    """
    if has_app_context():
        guard = current_app.extensions.get(GUARD_KEY)
        if guard is not None:
            return guard.keyring()
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
