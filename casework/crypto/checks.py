"""Key check values: is the keyring in hand the one this database was written with?

Any 32 bytes make a well-formed key, so a wrong ``CASEWORK_ROOT_KEY`` used to be accepted: the
service signed audit rows and encrypted new personal data under a key nobody else has. Now the
database keeps, per key id, a check value (``Keyring.check_value``: an HMAC under a key derived
for that purpose, never the key), and a keyring is used only once every one of its keys matches:

- a key whose check value differs: ``KeyMismatchError`` (the wrong key);
- a key id with no check value: ``KeyNotRegisteredError``. A worker never registers a key
  itself: the commands that introduce keys do (``casework.crypto.registration``), so an unknown
  key can never slip in by being the first to arrive;
- check values the keyring has no key for are keys retired from it: not a problem here.

``KeyGuard`` keeps the verdict per keyring object: the holder hands out the same object until
the key file changes, so the database is asked once per process and per key change, and a
request on a worker whose keys changed is checked again before anything is served.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable, Collection, Mapping

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from casework.crypto.errors import (
    KeyCheckError,
    KeyCheckUnreadableError,
    KeyMismatchError,
    KeyNotRegisteredError,
)
from casework.crypto.holder import KeyringHolder
from casework.crypto.keyring import Keyring
from casework.crypto.models import KeyCheck
from casework.model_base import utcnow

log = logging.getLogger(__name__)

_table = KeyCheck.__table__


def stored_check_values(connection: Connection) -> dict[int, str]:
    """``{key id: check value}`` as the database holds them.

    :raise KeyCheckUnreadableError: when they cannot be read (the database is unreachable, or
        its schema predates them).
    """
    try:
        rows = connection.execute(select(_table.c.key_id, _table.c.check_value)).all()
    except SQLAlchemyError as exc:
        raise KeyCheckUnreadableError(
            f"reading {_table.name} failed ({type(exc).__name__})"
        ) from None
    return {int(key_id): value for key_id, value in rows}


def problem_with(keyring: Keyring, stored: Mapping[int, str]) -> KeyCheckError | None:
    """What is wrong with ``keyring`` against the ``stored`` check values, or ``None``."""
    wrong = [
        key_id
        for key_id in keyring.key_ids
        if key_id in stored and not hmac.compare_digest(keyring.check_value(key_id), stored[key_id])
    ]
    if wrong:
        return KeyMismatchError(wrong)
    unknown = [key_id for key_id in keyring.key_ids if key_id not in stored]
    if unknown:
        return KeyNotRegisteredError(unknown)
    return None


def write_check_values(connection: Connection, keyring: Keyring, key_ids: Collection[int]) -> None:
    """Insert the check values of ``key_ids`` (which the database must not hold yet).

    Only for code that has established the keys belong to this database (``registration``);
    a concurrent registration of the same id fails on the primary key instead of overwriting.
    """
    if key_ids:
        now = utcnow()
        connection.execute(
            _table.insert(),
            [
                {"key_id": key_id, "check_value": keyring.check_value(key_id), "created_at": now}
                for key_id in sorted(key_ids)
            ],
        )


class KeyGuard:
    """Gives out an app's keyring only once it has matched the database's check values.

    Fails closed: every problem raises, and a keyring is trusted only after a successful check.
    The verdict is kept for the keyring object, so the check costs one query when the keys
    first load or change, and an identity comparison after that.
    """

    def __init__(
        self, holder: KeyringHolder, read: Callable[[], Mapping[int, str] | None]
    ) -> None:
        self.holder = holder
        self._read = read
        self._verified: Keyring | None = None
        self._last_problem: str | None = None
        self._lock = threading.Lock()

    def keyring(self) -> Keyring:
        """The holder's keyring, checked against the check values ``read`` returns (``None``
        when the app has no database: there is nothing to check against).

        :raise KeyUnavailableError: when there is no usable key.
        :raise KeyCheckError: when the keyring does not match, or cannot be checked.
        """
        keyring = self.holder.get()
        if keyring is self._verified:
            return keyring
        try:
            stored = self._read()
            if stored is None:
                return keyring
            problem = problem_with(keyring, stored)
        except KeyCheckError as exc:
            problem = exc
        if problem is not None:
            self._verified = None
            raise problem
        with self._lock:
            self._verified = keyring
            if self._last_problem is not None:
                log.info("encryption keys %s match the database again", list(keyring.key_ids))
            self._last_problem = None
        return keyring

    def forget(self) -> None:
        """Check again on next use (after check values were written or replaced)."""
        self._verified = None

    def report(self, problem: Exception) -> None:
        """Log why requests are refused, once per change of reason rather than once per request
        (a wrong key must not flood the log); the next successful check logs the recovery."""
        message = str(problem)
        with self._lock:
            if message != self._last_problem:
                log.error("serving nothing: %s", message)
            self._last_problem = message
