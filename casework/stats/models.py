"""The statistics summary: counts per unit subtree and month, rebuilt by ``casework stats refresh``.

Reports over a country of a million cases cannot group ten million history rows on every request
(issue 8: a national year took 86 s, a province 14 s). The summary holds the same counts the
report queries produce, already grouped by (unit subtree, month, measure, column): a national
annual report then reads a few thousand rows.

Only aggregate counts are stored — coded columns grouped by unit and month, never an id, a
reference or a row about a person — so the table is as anonymous as the reports' raw counts
(which are still suppressed before anyone sees them). It also keeps history countable after a
person's data has been erased under Law 91/2025 (DESIGN.md: "with the statistics still counting").
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import db
from casework.model_base import UTCDateTime, utcnow


class StatRefresh(db.Model):
    """One run of ``casework stats refresh``: when, from which month, and how many rows."""

    __tablename__ = "stat_refresh"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    since: Mapped[date | None] = mapped_column(Date)  # None: everything was rebuilt
    facts: Mapped[int] = mapped_column(Integer, default=0)


class StatFact(db.Model):
    """A count for one unit's whole subtree in one month.

    Every count is stored at its unit and at each ancestor (``vn2:`` is the whole country), so a
    report on a unit reads its own row and its children's (``parent_path`` = the unit's path),
    never the communes of a province. ``days`` is the length of a stay for the ``stage_stays``
    histogram (``col`` is then ``stage|case_type``; kept for the country and provinces only),
    -1 otherwise; ``amount`` is the loan sum
    behind ``loans_granted``.
    """

    __tablename__ = "stat_fact"
    __table_args__ = (Index("ix_stat_fact_parent_month", "parent_path", "month"),)

    unit_path: Mapped[str] = mapped_column(String(200), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    col: Mapped[str] = mapped_column(String(80), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True, default=-1)
    parent_path: Mapped[str] = mapped_column(String(200))
    n: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    # Cell key of the records counted in ``n`` (sum of record keys mod 256; additive, so it
    # rolls up to ancestors and months like ``n``): casework.stats.protection.
    ckey: Mapped[int] = mapped_column(Integer, default=0)


class StatReport(db.Model):
    """A published (already suppressed) report, kept until the next refresh.

    The same request between two refreshes gets the same cells and the same hidden pattern:
    two slightly different suppressions of nearly the same numbers could be differenced.
    """

    __tablename__ = "stat_report"

    refresh_id: Mapped[int] = mapped_column(ForeignKey("stat_refresh.id", ondelete="CASCADE"),
                                            primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    variant: Mapped[str] = mapped_column(String(80), primary_key=True)  # thresholds, case type
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
