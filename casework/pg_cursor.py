"""A psycopg cursor whose ``description`` is built only when something reads it.

psycopg builds ``cursor.description`` afresh on every access: one ``Column`` per result column,
each looking up its type and decoding its name. SQLAlchemy reads ``description`` after every
statement that returns rows, but for a statement it has run before (the service's statements
are all cached) it only checks that there *is* one and takes the column layout from the compiled
statement. A case read returns ~70 columns over three statements, so building the columns was
~9 % of the instructions of a case read (valgrind, 2026-11-26). Here the columns are made on
first use, from the result they describe.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from psycopg import Cursor, pq
from psycopg._column import Column  # psycopg's own Column: the same objects, made later

_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class _ResultView:
    """The cursor as ``Column`` sees it, with ``pgresult`` pinned to one result (the cursor may
    have moved on to another). Everything else ``Column`` reads comes from the cursor itself, so
    this does not depend on which of the cursor's attributes a psycopg version uses."""

    __slots__ = ("_cursor", "pgresult")

    def __init__(self, cursor: Cursor[Any], pgresult: pq.abc.PGresult) -> None:
        self._cursor, self.pgresult = cursor, pgresult

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class LazyDescription(Sequence[Column]):
    """``cursor.description`` for one result: its length at once, its columns when read."""

    __slots__ = ("_columns", "_cursor", "_pgresult")

    def __init__(self, cursor: Cursor[Any], pgresult: pq.abc.PGresult) -> None:
        self._cursor, self._pgresult = cursor, pgresult
        self._columns: list[Column] | None = None

    def _materialise(self) -> list[Column]:
        if self._columns is None:
            view = _ResultView(self._cursor, self._pgresult)
            self._columns = [Column(view, i) for i in range(self._pgresult.nfields)]  # type: ignore[arg-type]
        return self._columns

    def __len__(self) -> int:
        return self._pgresult.nfields

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...

    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._materialise()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._materialise())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment] - a list stand-in, unhashable like a list

    def __repr__(self) -> str:
        return repr(self._materialise())


class LazyDescriptionCursor(Cursor[Any]):
    """psycopg's cursor, with ``description`` made lazily (see the module docstring)."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        result = self.pgresult
        # As psycopg decides: columns when the result has fields or says it returned tuples.
        if result is not None and (result.nfields or result.status in _ROWS):
            return LazyDescription(self, result)
        return None
