"""Rate-limit counters in the database, shared by every worker when there is no Redis.

Flask-Limiter's default in-memory storage keeps a counter per process: with two gunicorn workers
an address got 19 login attempts a minute instead of 10 (issue 16, finding 7), and more with every
worker or server added. ``REDIS_URL`` gives a shared store; without it the limiter uses this
storage (``casework-database://``, chosen in ``casework.config``), which keeps fixed-window
counters in the ``rate_limit_counter`` table:

- one row per limit key: ``hits`` and the moment the window ends (``expires_at``, epoch seconds);
- a hit is one atomic upsert (``INSERT … ON CONFLICT (key) DO UPDATE … RETURNING hits``) that
  starts a new window when the old one has ended: PostgreSQL locks the row, SQLite has one writer;
- it commits on a connection of its own, at once: the hit must count even when the request it
  belongs to is rolled back (a failed login answers 401, and its transaction is rolled back).

PostgreSQL keeps the counters in the service's database. SQLite keeps them in a file of their own
beside it (``casework.db`` → ``casework-limits.db``, mode 0600), still shared by every process on
the host: a SQLite transaction holds its database's write lock from its first statement
(``casework.database``), so a login request that has read its session cookie would otherwise wait
on itself for the counter. (The migrated ``rate_limit_counter`` table then stays empty there.)

Only the fixed-window strategy (Flask-Limiter's default) is supported; the storage is found through
the current app, so every app in a process (tests make many) counts in its own database.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from limits.storage import Storage
from sqlalchemy import Double, Engine, String, case, create_engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from casework.database import configure_engine, sqlite_file_of
from casework.extensions import db

SCHEME = "casework-database"
MAX_KEY_LENGTH = 255
# Expired windows of addresses that never come back are deleted every this many hits.
SWEEP_EVERY = 500


class RateLimitCounter(db.Model):
    """Hits of one rate-limit key (a limit and a client address) in its current window."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Double, index=True)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.key} {self.hits}>"


_counters = RateLimitCounter.__table__
_sqlite_engines: dict[str, Engine] = {}
_sqlite_lock = threading.Lock()


def counter_engine(engine: Engine) -> Engine:
    """The engine holding the counters of the database behind ``engine``: that database, or
    for SQLite the file beside it."""
    database_file = sqlite_file_of(engine)
    if database_file is None:
        return engine
    path = Path(database_file)
    counters = str(path.with_name(f"{path.stem}-limits{path.suffix or '.db'}"))
    counter_db = _sqlite_engines.get(counters)
    if counter_db is None:
        with _sqlite_lock:
            counter_db = _sqlite_engines.get(counters)
            if counter_db is None:
                counter_db = create_engine(
                    f"sqlite:///{counters}", connect_args={"timeout": 30}, hide_parameters=True
                )
                configure_engine(counter_db)
                _counters.create(counter_db, checkfirst=True)
                _sqlite_engines[counters] = counter_db
    return counter_db


def clear_counters(app: Flask) -> None:
    """Forget every counter of ``app`` (tests start each from nothing)."""
    with app.app_context(), counter_engine(db.engine).begin() as connection:
        connection.execute(delete(_counters))


def _stored_key(key: str) -> str:
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _upsert_module(engine: Engine) -> Any:
    if engine.dialect.name == "postgresql":
        return postgresql
    if engine.dialect.name == "sqlite":
        return sqlite
    raise NotImplementedError(f"no rate-limit counters on {engine.dialect.name}")


class DatabaseStorage(Storage):
    """``limits`` storage on the current app's database (see the module docstring).

    ``clock`` (seconds since the epoch) can be replaced in tests that need a window to end.
    """

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.clock = clock
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _engine(self) -> Engine:
        return counter_engine(db.engine)  # the current app's

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` hits to ``key``'s window (a new one of ``expiry`` seconds when the
        last has ended) and return the hits in it, in one atomic statement."""
        engine = self._engine()
        now = self.clock()
        expired = _counters.c.expires_at <= now
        statement = _upsert_module(engine).insert(_counters).values(
            key=_stored_key(key), hits=amount, expires_at=now + expiry
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_counters.c.key],
            set_={
                "hits": case((expired, amount), else_=_counters.c.hits + amount),
                "expires_at": case((expired, now + expiry), else_=_counters.c.expires_at),
            },
        ).returning(_counters.c.hits)
        with engine.begin() as connection:
            hits = int(connection.execute(statement).scalar_one())
            if next(self._hits) % SWEEP_EVERY == 0:
                connection.execute(delete(_counters).where(_counters.c.expires_at <= now))
        return hits

    def _window(self, key: str) -> tuple[int, float] | None:
        with self._engine().connect() as connection:
            row = connection.execute(
                select(_counters.c.hits, _counters.c.expires_at).where(
                    _counters.c.key == _stored_key(key), _counters.c.expires_at > self.clock()
                )
            ).first()
        return None if row is None else (int(row.hits), float(row.expires_at))

    def get(self, key: str) -> int:
        window = self._window(key)
        return 0 if window is None else window[0]

    def get_expiry(self, key: str) -> float:
        window = self._window(key)
        return self.clock() if window is None else window[1]

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return int(connection.execute(delete(_counters)).rowcount)

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(delete(_counters).where(_counters.c.key == _stored_key(key)))
