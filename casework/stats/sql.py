"""Small SQL building blocks the indicators need on both PostgreSQL and SQLite.

Dates in reports are days in Vietnam, while history times are stored in UTC; these constructs
turn a stored time into its Vietnamese calendar day and count the days between two days, in the
database, so grouping happens there and no row leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, Integer, case, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class local_day(FunctionElement):  # noqa: N801 - reads as a SQL function
    """The calendar day in Vietnam (UTC+7, no daylight saving) of a UTC timestamp column."""

    type = Date()
    inherit_cache = True


@compiles(local_day, "postgresql")
def _local_day_pg(element: local_day, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"CAST(timezone('UTC', {compiler.process(arg, **kw)}) + INTERVAL '7 hours' AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    # SQLite keeps the UTC wall time as text (the app writes UTC everywhere).
    (arg,) = list(element.clauses)
    return f"date({compiler.process(arg, **kw)}, '+7 hours')"


class day_diff(FunctionElement):  # noqa: N801
    """``later - earlier`` in whole days, for two DATE expressions."""

    type = Integer()
    inherit_cache = True


@compiles(day_diff, "postgresql")
def _day_diff_pg(element: day_diff, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(day_diff, "sqlite")
def _day_diff_sqlite(element: day_diff, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


def bucket(column: Any, boundaries: Sequence[Any]) -> Any:
    """Index of the sub-period ``column`` falls in, given the starts of sub-periods 2..n.

    The caller has already restricted ``column`` to the whole period, so values below the first
    boundary are sub-period 0 and above the last one the final sub-period.
    """
    if not boundaries:
        return literal(0)
    return case(
        *((column < b, i) for i, b in enumerate(boundaries)), else_=len(boundaries)
    )


class month_start(FunctionElement):  # noqa: N801
    """The first day of the month of a DATE expression, moved by ``months`` whole months."""

    type = Date()
    inherit_cache = True

    def __init__(self, day: Any, months: int = 0) -> None:
        # The shift is a clause (not an attribute) so that it is part of the statement cache key.
        super().__init__(day, literal_column(str(int(months))))


def _month_parts(element: month_start, compiler: Any, **kw: Any) -> tuple[str, int]:
    day, months = list(element.clauses)
    return compiler.process(day, **kw), int(months.name)


@compiles(month_start, "postgresql")
def _month_start_pg(element: month_start, compiler: Any, **kw: Any) -> str:
    day, months = _month_parts(element, compiler, **kw)
    shifted = f" + INTERVAL '{months} months'" if months else ""
    return f"CAST(date_trunc('month', {day}){shifted} AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: Any, **kw: Any) -> str:
    day, months = _month_parts(element, compiler, **kw)
    shifted = f", '{months:+d} months'" if months else ""
    return f"date({day}, 'start of month'{shifted})"
