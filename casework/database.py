"""Engine-level set-up shared by every app: SQLite pragmas, PostgreSQL session settings.

PostgreSQL: JIT compilation off (it cost far more than it saved on the service's queries), and
cursors that build their column descriptions only when read (``casework.pg_cursor``).

SQLite: foreign keys on, WAL for concurrent readers, and ``BEGIN IMMEDIATE`` so a transaction
takes the write lock when it starts instead of failing later when it tries to upgrade a read
snapshot (which is what appending to the audit chain would otherwise hit under load).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from casework.pg_cursor import LazyDescriptionCursor


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    if engine.dialect.name != "sqlite":
        return

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
