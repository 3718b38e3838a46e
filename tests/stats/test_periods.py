"""Report periods and their sub-periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from casework.stats.periods import PeriodError, month_shift, parse


@pytest.mark.parametrize(("text", "kind", "start", "end", "subs"), [
    ("2026-01", "month", date(2026, 1, 1), date(2026, 1, 31), []),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), []),
    ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31), ["2026-01", "2026-02", "2026-03"]),
    ("2026-q4", "quarter", date(2026, 10, 1), date(2026, 12, 31),
     ["2026-10", "2026-11", "2026-12"]),
    ("2026-H1", "half", date(2026, 1, 1), date(2026, 6, 30),
     ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]),
    ("2026-H2", "half", date(2026, 7, 1), date(2026, 12, 31),
     ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]),
    ("2026", "year", date(2026, 1, 1), date(2026, 12, 31),
     ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]),
    ("2026-01-01..2026-03-31", "range", date(2026, 1, 1), date(2026, 3, 31),
     ["2026-01", "2026-02", "2026-03"]),
    ("2026-01-15..2026-02-10", "range", date(2026, 1, 15), date(2026, 2, 10),
     ["2026-01-15..2026-01-31", "2026-02-01..2026-02-10"]),
    ("2026-01-03..2026-01-20", "range", date(2026, 1, 3), date(2026, 1, 20), []),
    ("2025-11-15..2027-02-01", "range", date(2025, 11, 15), date(2027, 2, 1),
     ["2025-11-15..2025-12-31", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4",
      "2027-01-01..2027-02-01"]),
])
def test_parse(text, kind, start, end, subs):
    period = parse(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert [p.label for p in period.subperiods] == subs
    if subs:
        assert period.subperiods[0].start == start and period.subperiods[-1].end == end
        for a, b in zip(period.subperiods, period.subperiods[1:], strict=False):
            assert (b.start - a.end).days == 1


def test_label_is_canonical():
    assert parse(" 2026-h1 ").label == "2026-H1"


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-H3",
                                  "26", "2026-1", "2026-02-30..2026-03-01",
                                  "2026-03-01..2026-01-01", "2020-01-01..2026-01-01",
                                  "2026-01-01..", "'; DROP TABLE unit; --"])
def test_refused(text):
    with pytest.raises(PeriodError):
        parse(text)


def test_period_instants_are_vietnamese_midnights():
    period = parse("2026-01")
    assert period.start_utc == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert period.end_utc == datetime(2026, 1, 31, 17, tzinfo=UTC)


def test_month_shift_clips_the_day():
    assert month_shift(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert month_shift(date(2026, 3, 15), -3) == date(2025, 12, 15)
