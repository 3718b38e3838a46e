"""Engine-level set-up shared by every app: SQLite pragmas, PostgreSQL session settings.

PostgreSQL: JIT compilation off (it cost far more than it saved on the service's queries), and
cursors that build their column descriptions only when read (``casework.pg_cursor``).

SQLite: foreign keys on, WAL for concurrent readers, and ``BEGIN IMMEDIATE`` so a transaction
takes the write lock when it starts instead of failing later when it tries to upgrade a read
snapshot (which is what appending to the audit chain would otherwise hit under load). The
database file is created (or tightened to) mode 0600 before SQLite opens it, like the key file:
it holds the users' password hashes, sessions and the audit trail; SQLite gives its ``-wal``,
``-shm`` and ``-journal`` files the database file's mode.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from casework.pg_cursor import LazyDescriptionCursor

log = logging.getLogger(__name__)

SQLITE_FILE_MODE = 0o600
# The files SQLite keeps beside a database; each holds pages of it.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def secure_sqlite_file(path: str | os.PathLike[str]) -> None:
    """Create the SQLite database file at ``path`` with mode 0600, or tighten it (and the
    companion files beside it) to 0600 when another user could read them.

    Called before SQLite opens the file: SQLite creates a missing database with the process
    umask (0644 by default), readable by every user of the machine.

    A file this process does not own cannot be tightened: that is logged, not refused (the
    operator who made it so decides who may read it).

    :raise OSError: when the file cannot be created.
    """
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SQLITE_FILE_MODE))
        return
    except FileExistsError:
        pass
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_COMPANIONS)):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                os.chmod(candidate, mode & 0o700)
            except PermissionError:
                log.warning("%s is mode %04o and not ours to tighten to 0600", candidate, mode)


def sqlite_file_of(engine: Engine) -> str | None:
    """The path of ``engine``'s SQLite database file, or ``None`` (in memory, or not SQLite)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return database


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    if engine.dialect.name != "sqlite":
        return
    database_file = sqlite_file_of(engine)
    if database_file is not None:

        @event.listens_for(engine, "do_connect")
        def _before_connect(*_args: Any) -> None:
            # Before every new connection, not once: the file may be deleted and made anew
            # (a restore, a test resetting its database) while the engine lives.
            secure_sqlite_file(database_file)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # No JIT: our queries are short, and on a report over a summary table PostgreSQL's
        # estimate made it compile for half a second to save milliseconds.
        dbapi_connection.cursor_factory = LazyDescriptionCursor
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()
