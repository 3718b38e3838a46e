"""Date arithmetic the rules need: local dates, anniversaries, working days.

Kept apart from the rules so deadlines (due dates on lists) and guards (legal
periods) count days the same way.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import holidays

VIETNAM = timezone(timedelta(hours=7), "ICT")
"""Vietnam has one time zone and no daylight saving, so a fixed offset is exact
and needs no tz database on the server."""


def local_date(moment: datetime) -> date:
    """The date in Vietnam at `moment`.

    An aware datetime (the app stores UTC) is converted, because 20:00 UTC is
    already the next morning in Hà Nội; a naive one is taken as Vietnam time.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM)
    return moment.date()


def add_years(start: date, years: int) -> date:
    """The same day and month `years` later; 29 February falls back to 28.

    Civil Code 2015 Art 148: a period counted in years ends on the
    corresponding day of the final year, or on the last day of that month
    when it has no such day.
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year that has none
        return start.replace(year=start.year + years, day=28)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    # Includes the substitute days off the government announces; make-up
    # working Saturdays are not modelled, which can only give more time.
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Vietnamese public holiday."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the start day itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
