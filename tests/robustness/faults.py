"""Fault injection: make the database fail at the N-th write of a request.

``FaultInjector`` hooks the engine's ``before_cursor_execute`` and, on the chosen write statement
(INSERT/UPDATE/DELETE), either raises as the database would mid-flush, or drops the connection
under the request (``invalidate``) and raises the resulting disconnect. A request run under it
must fail cleanly — a 5xx in the one error shape — and leave every table exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.exc import OperationalError

from casework.extensions import db

WRITES = ("INSERT", "UPDATE", "DELETE")


class InjectedFault(Exception):
    """The database 'failed' here on purpose."""


class FaultInjector:
    def __init__(self, fail_at: int | None, mode: str = "raise") -> None:
        self.fail_at = fail_at
        self.mode = mode
        self.writes = 0
        self.fired = False

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(WRITES):
            return
        self.writes += 1
        if self.fail_at is not None and self.writes == self.fail_at and not self.fired:
            self.fired = True
            if self.mode == "disconnect":
                conn.invalidate()
                raise OperationalError(statement, {}, InjectedFault("connection dropped"))
            raise OperationalError(statement, {}, InjectedFault("write failed"))


@contextmanager
def inject(app: Any, fail_at: int | None, mode: str = "raise") -> Iterator[FaultInjector]:
    injector = FaultInjector(fail_at, mode)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", injector)
    try:
        yield injector
    finally:
        event.remove(engine, "before_cursor_execute", injector)


def table_counts(app: Any) -> dict[str, int]:
    with app.app_context():
        names = inspect(db.engine).get_table_names()
        counts = {
            n: db.session.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names
        }
        db.session.remove()
        return counts


def fingerprint(app: Any, table: str, columns: str) -> list[tuple]:
    """The rows of ``table`` (selected columns), to prove an UPDATE was not applied."""
    with app.app_context():
        rows = db.session.execute(text(f'SELECT {columns} FROM "{table}" ORDER BY 1')).all()
        db.session.remove()
        return [tuple(r) for r in rows]
