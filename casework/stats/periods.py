"""Report periods: a month, quarter, half-year, year or date range, and its sub-periods.

``parse("2026-H1")`` gives the first half of 2026 with its six months as sub-periods: a report
publishes the period and its sub-periods together (one suppression table), so a reader cannot
take the months away from the half-year to find a hidden month.

Periods are calendar days in Vietnam (``workflows.dates.VIETNAM``): a history row written at
20:00 UTC on 31 March belongs to April. ``end`` is inclusive, as a report header prints it.

Sub-periods, chosen so a report stays readable and the suppression table stays small:
month → none · quarter → its 3 months · half-year → its 6 months · year → its 4 quarters ·
range → the calendar months it touches (clipped to the range) when it spans 2 to 12 of them,
else the quarters it touches (clipped), else none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from workflows.dates import VIETNAM

__all__ = ["Period", "PeriodError", "parse", "month_shift"]

MAX_RANGE_DAYS = 3 * 366
"""A range longer than three years is refused: no periodic report spans more, and the sub-period
breakdown would no longer fit one readable table."""


class PeriodError(ValueError):
    """The period text is not one of the accepted forms (message says which)."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, half, year, range
    start: date
    end: date  # inclusive
    label: str
    subperiods: tuple[Period, ...] = field(default=(), compare=False)

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def start_utc(self) -> datetime:
        """The first instant of the period (midnight in Vietnam), in UTC."""
        return datetime.combine(self.start, time(), VIETNAM).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period, in UTC (use with ``<``)."""
        return datetime.combine(self.end_exclusive, time(), VIETNAM).astimezone(UTC)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def month_shift(day: date, months: int) -> date:
    """``day`` moved by whole months, the day clipped to the month's length (31 Jan + 1: 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _month_length(year, month)))


def _month_length(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def _month(year: int, month: int) -> Period:
    start = date(year, month, 1)
    end = date(year, month, _month_length(year, month))
    return Period("month", start, end, f"{year}-{month:02d}")


def _quarter(year: int, q: int) -> Period:
    months = tuple(_month(year, m) for m in range(3 * q - 2, 3 * q + 1))
    return Period("quarter", months[0].start, months[-1].end, f"{year}-Q{q}", months)


def _clip(parts: list[Period], start: date, end: date) -> tuple[Period, ...]:
    out = []
    for p in parts:
        s, e = max(p.start, start), min(p.end, end)
        if s > e:
            continue
        label = p.label if (s, e) == (p.start, p.end) else f"{s.isoformat()}..{e.isoformat()}"
        out.append(Period(p.kind if label == p.label else "range", s, e, label))
    return tuple(out)


_YEAR = r"(20\d\d|19\d\d)"


def parse(text: str) -> Period:
    """Parse ``2026-01``, ``2026-Q1``, ``2026-H1``, ``2026`` or ``2026-01-01..2026-03-31``.

    :raise PeriodError: anything else, an impossible date, a reversed or over-long range.
    """
    value = (text or "").strip().upper()
    try:
        if m := re.fullmatch(_YEAR + r"-(\d\d)", value):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise PeriodError(f"no month {month} in a year")
            return _month(year, month)
        if m := re.fullmatch(_YEAR + r"-Q([1-4])", value):
            return _quarter(int(m[1]), int(m[2]))
        if m := re.fullmatch(_YEAR + r"-H([12])", value):
            year, h = int(m[1]), int(m[2])
            months = tuple(_month(year, mo) for mo in range(6 * h - 5, 6 * h + 1))
            return Period("half", months[0].start, months[-1].end, f"{year}-H{h}", months)
        if m := re.fullmatch(_YEAR, value):
            year = int(m[1])
            quarters = tuple(_quarter(year, q) for q in range(1, 5))
            return Period("year", date(year, 1, 1), date(year, 12, 31), str(year), quarters)
        if m := re.fullmatch(r"(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)", value):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            return _range(start, end)
    except ValueError as error:
        if isinstance(error, PeriodError):
            raise
        raise PeriodError(f"not a date: {error}") from None
    raise PeriodError(
        "period must be YYYY-MM, YYYY-Q1..Q4, YYYY-H1/H2, YYYY or YYYY-MM-DD..YYYY-MM-DD"
    )


def _range(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError("the range ends before it starts")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise PeriodError("a range may span at most three years")
    months = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        months.append(_month(cursor.year, cursor.month))
        cursor = month_shift(cursor, 1)
    if 2 <= len(months) <= 12:
        subs = _clip(months, start, end)
    else:
        quarters = []
        cursor = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
        while cursor <= end:
            quarters.append(_quarter(cursor.year, (cursor.month - 1) // 3 + 1))
            cursor = month_shift(cursor, 3)
        subs = _clip(quarters, start, end) if len(quarters) > 1 else ()
    return Period("range", start, end, f"{start.isoformat()}..{end.isoformat()}", subs)
