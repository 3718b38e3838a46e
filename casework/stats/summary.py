"""The statistics summary: build it from the history (``refresh``), read reports from it.

Building runs the *same* queries as a live report (``indicators.compute_flows``) with two
changes of cut — rows are every unit's own path instead of a report's children, sub-periods are
calendar months — and stores the result at each unit and every ancestor (``StatFact``). A
report on a unit for a whole-month period (a month, quarter, half-year, year, or a range of
whole months) then reads its own row and its children's rows for those months. Two kinds of
measure are not plain sums of months and are kept in their own shape: transfers, counted at
each level where a move crosses a border (``FactRaw.move_facts``), and stocks (distinct cases
needing support, overdue cases), kept per standard period (``_refresh_stocks``) and read live
for a range of months. Reading and building share the measure definitions, and tests check on
a fixture world that every period kind and level gives the same counts both ways.

Freshness: the summary is as of its last refresh. Run ``flask casework stats refresh`` nightly
(everything) and, if reports must be fresher, ``--since`` the previous month more often. A
date range that is not whole months, or a database never refreshed, is computed live.

Refreshing is one transaction: readers see the previous summary or the new one, never a mix.
Published (suppressed) reports are kept per refresh (``StatReport``) so that the same question
gets the same answer, hidden cells included, until the next refresh.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.access.row_security import statistics_context, using
from casework.cases.models import Case, CaseEvent
from casework.model_base import utcnow
from casework.stats import indicators
from casework.stats.indicators import AMOUNT_MEASURE, Raw, ReportScope
from casework.stats.models import StatFact, StatRefresh, StatReport
from casework.stats.periods import Period, month_shift, parse
from casework.stats.protection import KEY_RANGE
from casework.stats.sql import bucket, local_day, month_start
from casework.units.models import CURRENT_TREE, Unit, path_ancestors
from workflows.dates import VIETNAM, local_date

__all__ = ["keep_report", "kept_report", "latest_refresh", "raw_from_summary", "refresh",
           "whole_months"]

ROOT = f"{CURRENT_TREE}:"
STAYS = "stage_stays"
NO_DAYS = -1
INSERT_BATCH = 5000
CHUNK_MONTHS = 3
DIRECT = "_direct"
MOVES = ("transferred_out", "transferred_in")
STAY_LEVELS = 1
"""Stay-length histograms are kept for the country (0) and provinces (1) only: below, nearly
every stay is its own row (most of the summary), and a commune's report reads its few stays
from the history quickly through the (unit, time) index."""


# --- building ------------------------------------------------------------------------------------


class FactScope(ReportScope):
    """Rows are the units themselves (their full paths) inside one subtree."""

    def row_expr(self, path_column: Any) -> Any:
        return path_column

    def row_of(self, value: str | None) -> str | None:
        return value if value is not None and value.startswith(self.path) else None


class FactRaw(Raw):
    """Counts per (measure, unit path, month, column) for the months [first, stop)."""

    keeps_histograms = True

    def __init__(self, scope: FactScope, first: date, stop: date) -> None:
        super().__init__(scope, None)  # type: ignore[arg-type] - no report period here
        self.first, self.stop = first, stop  # months [first, stop)
        self.stays: dict[tuple[str, date, str, int], list[int]] = defaultdict(lambda: [0, 0])
        self.moves: dict[tuple[str | None, str | None, date, str], list[int]] = defaultdict(
            lambda: [0, 0])

    def add_transfer(self, old_path: str | None, new_path: str | None, b: Any,
                     case_type: str, n: int, key: Any = 0) -> None:
        # Kept as pairs: which rows a move counts in depends on the report (see `move_facts`).
        if n:
            cell = self.moves[(self.scope.row_of(old_path), self.scope.row_of(new_path), _day(b),
                               case_type)]
            cell[0] += int(n)
            cell[1] += int(key or 0)

    def ts_bucket(self, column: Any) -> Any:
        return month_start(local_day(column))

    def day_bucket(self, column: Any, shift: int = 0) -> Any:
        # A period `shift` months earlier than the month counted: jobs kept 3 months count in
        # the month their third month ends, i.e. the start month moved by -shift.
        return month_start(column, -shift)

    def ts_window(self, column: Any) -> Any:
        return and_(column >= _instant(self.first), column < _instant(self.stop))

    def day_window(self, column: Any, shift: int = 0) -> Any:
        return and_(column >= month_shift(self.first, shift),
                    column < month_shift(self.stop, shift))

    def add(self, measure: str, row: str | None, b: int, col: str, n: int, key: Any = 0) -> None:
        if row is None or not n:
            return
        self.counts[(measure, row, _day(b), col)] += int(n)  # type: ignore[index]
        if key:
            self.keys[(measure, row, _day(b), col)] += int(key)  # type: ignore[index]

    def add_amount(self, row: str | None, b: Any, col: str, amount: int) -> None:
        if row is not None and amount:
            self.amounts[("loans_granted", row, _day(b), col)] += int(amount)  # type: ignore[index]

    def add_stay(self, row: str | None, b: Any, stage: str, case_type: str, days: int,
                 n: int, key: Any = 0) -> None:
        if row is not None and n:
            cell = self.stays[(row, _day(b), f"{stage}|{case_type}", int(days))]
            cell[0] += int(n)
            cell[1] += int(key or 0)

    def finish_stays(self) -> None:
        """Nothing to finish: the histograms are what the summary stores."""

    def facts(self) -> Iterator[tuple[str, date, str, str, int, int, int, int]]:
        """(unit path, month, measure, col, days, n, amount, key sum) at the units themselves."""
        for (measure, path, month, col), n in self.counts.items():
            key = (measure, path, month, col)
            yield (path, month, measure, col, NO_DAYS, n, self.amounts.get(key, 0),
                   self.keys.get(key, 0))  # type: ignore[call-overload]
        for (measure, path, month, col), amount in self.amounts.items():
            if (measure, path, month, col) not in self.counts:
                yield path, month, measure, col, NO_DAYS, 0, amount, 0
        for (path, month, col, days), (n, key) in self.stays.items():
            yield path, month, STAYS, col, days, n, 0, key

    def move_facts(self) -> Iterator[tuple[str, date, str, str, int, int]]:
        """(unit path, month, measure, case type, n) for the transfers, ready for every report.

        A report on U counts a move in its child row c when the move crosses c's border (its
        two ends differ at c's level), so at each level the count is stored at the two ends'
        units where they differ; and in U's "directly" row when it leaves or joins U itself
        (``*_direct``). These counts are not subtree sums: they are never added up to parents.
        """
        for (old, new, month, case_type), (n, key) in self.moves.items():
            old_chain, new_chain = ancestors(old) if old else (), ancestors(new) if new else ()
            for level in range(1, max(len(old_chain), len(new_chain))):
                left = old_chain[level] if level < len(old_chain) else None
                joined = new_chain[level] if level < len(new_chain) else None
                if left == joined:
                    continue
                if left:
                    yield left, month, "transferred_out", case_type, n, key
                if joined:
                    yield joined, month, "transferred_in", case_type, n, key
            if old:
                yield old, month, "transferred_out" + DIRECT, case_type, n, key
            if new:
                yield new, month, "transferred_in" + DIRECT, case_type, n, key


def _instant(day: date) -> datetime:
    """Midnight in Vietnam at the start of ``day``, in UTC."""
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC)


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@functools.lru_cache(maxsize=65536)
def ancestors(path: str) -> tuple[str, ...]:
    """The path of the whole country, then each unit down to ``path`` itself."""
    tree, _, _ = path.partition(":")
    return (f"{tree}:", *path_ancestors(path))


def _depth(path: str) -> int:
    return len(ancestors(path)) - 1


def parent_of(path: str) -> str:
    chain = ancestors(path)
    return chain[-2] if len(chain) > 1 else ""


def refresh(session: Session, since: date | None = None, progress: Any = None,
            chunk_months: int = CHUNK_MONTHS) -> StatRefresh:
    """Rebuild the summary (every month, or months from ``since``'s month on); one transaction.

    The history is read a few months at a time (``chunk_months``): each chunk's queries use
    the time indexes and its counts fit in memory. The caller commits. Cached reports of
    earlier refreshes are dropped. Runs in the statistics context of every unit
    (``casework.access.row_security``), whoever calls it.
    """
    with using(session, statistics_context(None)):
        return _refresh(session, since, progress, chunk_months)


def _refresh(session: Session, since: date | None, progress: Any, chunk_months: int
             ) -> StatRefresh:
    if since is not None:
        since = since.replace(day=1)
    run = StatRefresh(since=since, started_at=utcnow(), facts=0)
    session.add(run)
    session.flush()
    session.execute(delete(StatReport))
    wipe = delete(StatFact)
    if since is None:
        session.execute(wipe)
    else:
        stock = StatFact.measure.contains("@")
        session.execute(wipe.where(~stock, StatFact.month >= since))
        session.execute(wipe.where(stock, StatFact.month >= first_stock_day(since)))
    span = history_months(session)
    if span is not None:
        first, last = span
        if since is not None:
            first = max(first, since)
        chunks = []
        while first <= last:
            chunks.append((first, min(month_shift(first, chunk_months), month_shift(last, 1))))
            first = chunks[-1][1]
        for done, (lo, stop) in enumerate(chunks, 1):
            raw = FactRaw(FactScope(None, ROOT, []), lo, stop)
            indicators.compute_flows(session, raw)
            rolled: dict[tuple[str, date, str, str, int], list[int]] = defaultdict(
                lambda: [0, 0, 0])
            for path, month, measure, col, days, n, amount, key in raw.facts():
                chain = ancestors(path)
                if measure == STAYS:
                    chain = chain[:STAY_LEVELS + 1]
                for ancestor in chain:
                    cell = rolled[(ancestor, month, measure, col, days)]
                    cell[0] += n
                    cell[1] += amount
                    cell[2] += key
            for path, month, measure, col, n, key in raw.move_facts():
                cell = rolled[(path, month, measure, col, NO_DAYS)]
                cell[0] += n
                cell[2] += key
            run.facts += _write(session, rolled.items())
            if progress:
                progress(f"{lo:%Y-%m}..{month_shift(stop, -1):%Y-%m}", done, len(chunks))
        run.facts += _refresh_stocks(session, span, first_stock_day(since), progress)
    run.finished_at = utcnow()
    session.flush()
    return run


def tidy(engine: Any) -> None:
    """After a refresh has committed: reclaim the old rows and give the planner fresh numbers.

    The table was just rewritten in bulk; until autovacuum passes, index scans would wade
    through the previous summary's dead rows. (VACUUM cannot run inside a transaction.)
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE stat_fact")


STOCK_KINDS = ("month", "quarter", "half", "year")
"""Period kinds whose stocks the summary keeps (a range of months reads them live)."""


def first_stock_day(since: date | None) -> date | None:
    """Stocks are kept per period up to a year long: a refresh from a month redoes its year."""
    return None if since is None else date(since.year, 1, 1)


def stock_measure(measure: str, kind: str) -> str:
    return f"{measure}@{kind}"


def standard_periods(first: date, last: date) -> list[Period]:
    """Every month, quarter, half-year and year that overlaps the months [first, last]."""
    out: list[Period] = []
    for year in range(first.year, last.year + 1):
        labels = [str(year), f"{year}-H1", f"{year}-H2"]
        labels += [f"{year}-Q{q}" for q in range(1, 5)]
        labels += [f"{year}-{m:02d}" for m in range(1, 13)]
        for label in labels:
            period = parse(label)
            if period.end >= first and period.start <= month_shift(last, 1):
                out.append(period)
    return out


def _refresh_stocks(session: Session, span: tuple[date, date], since: date | None,
                    progress: Any) -> int:
    """Stocks of every standard period of ``span`` (from ``since``) up to today, at every
    unit and ancestor."""
    today = local_date(utcnow())
    first, last = span
    if since is not None:
        first = max(first, since)
    periods = [p for p in standard_periods(first, min(last, today)) if p.start <= today]
    written = 0
    for done, period in enumerate(periods, 1):
        raw = Raw(FactScope(None, ROOT, []), period)
        raw.reference_day = min(period.end, today)
        indicators.compute_stocks(session, raw)
        rolled: dict[tuple[str, date, str, str, int], list[int]] = defaultdict(
            lambda: [0, 0, 0])
        for (measure, path, _b, col), n in raw.counts.items():
            key = raw.keys.get((measure, path, _b, col), 0)
            for ancestor in ancestors(path):
                cell = rolled[(ancestor, period.start, stock_measure(measure, period.kind), col,
                               NO_DAYS)]
                cell[0] += n
                cell[2] += key
        written += _write(session, rolled.items())
        if progress and done % 12 == 0:
            progress(f"stocks to {period.label}", done, len(periods))
    return written


def history_months(session: Session) -> tuple[date, date] | None:
    """The first and last month anything countable happened in (None: nothing yet)."""
    from casework.services.models import CaseNote, SupportItem

    firsts: list[date] = []
    lasts: list[date] = []
    at_first, at_last = session.execute(select(func.min(CaseEvent.at),
                                               func.max(CaseEvent.at))).one()
    for moment in (at_first, at_last):
        if moment is not None:
            day = local_date(_aware(moment))
            firsts.append(day)
            lasts.append(day)
    for column in (Case.opened_on, SupportItem.started_on, SupportItem.referred_on,
                   CaseNote.occurred_on):
        lo, hi = session.execute(select(func.min(column), func.max(column))).one()
        if lo is not None:
            firsts.append(_day(lo))
            lasts.append(_day(hi))
    if not firsts:
        return None
    # Jobs kept 3 and 6 months count in the month the third or sixth month ends.
    return min(firsts).replace(day=1), month_shift(max(lasts).replace(day=1), 6)


def _aware(moment: Any) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


FACT_COLUMNS = ("unit_path", "parent_path", "month", "measure", "col", "days", "n", "amount",
                "ckey")


def _write(session: Session, facts: Iterable[tuple[tuple[str, date, str, str, int], list[int]]]
           ) -> int:
    # A stay histogram is only ever read at its own unit: without a parent it stays out of the
    # children's index range, which otherwise it would fill (and tip the planner to a scan).
    # Key sums are stored modulo 256: still additive (mod 256) up to ancestors and months.
    rows = ((path, "" if measure == STAYS else parent_of(path), month, measure, col, days, n,
             amount, key % KEY_RANGE)
            for (path, month, measure, col, days), (n, amount, key) in facts)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY: a national refresh writes millions of rows, ten times faster than INSERTs.
        cursor = connection.connection.driver_connection.cursor()
        written = 0
        with cursor.copy(f"COPY stat_fact ({', '.join(FACT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    batch: list[dict[str, Any]] = []
    written = 0
    for row in rows:
        batch.append(dict(zip(FACT_COLUMNS, row, strict=True)))
        if len(batch) >= INSERT_BATCH:
            session.execute(insert(StatFact), batch)
            written += len(batch)
            batch = []
    if batch:
        session.execute(insert(StatFact), batch)
        written += len(batch)
    return written


# --- reading -------------------------------------------------------------------------------------


def latest_refresh(session: Session) -> StatRefresh | None:
    return session.scalar(select(StatRefresh).where(StatRefresh.finished_at.is_not(None))
                          .order_by(StatRefresh.id.desc()).limit(1))


def whole_months(period: Period) -> bool:
    """True when the period and each sub-period are made of whole calendar months."""
    parts = period.subperiods or (period,)
    return all(p.start.day == 1 and p.end_exclusive.day == 1 for p in parts)


def _months(period: Period) -> dict[date, int]:
    """Each month of the period -> the index of the sub-period it belongs to."""
    out: dict[date, int] = {}
    for b, part in enumerate(period.subperiods or (period,)):
        month = part.start
        while month <= part.end:
            out[month] = b
            month = month_shift(month, 1)
    return out


def raw_from_summary(session: Session, unit: Unit | None, period: Period,
                     today: date, run: StatRefresh | None = None) -> Raw | None:
    """True counts for the report from the summary, or None if it cannot answer.

    None when nothing was ever refreshed or the period is not whole months. The database adds
    the months up into the report's sub-periods, so a province's year is a few thousand rows.
    """
    run = run or latest_refresh(session)
    if run is None or not whole_months(period):
        return None
    scope = indicators.scope_for(session, unit)
    raw = Raw(scope, period)
    raw.reference_day = min(period.end, today)
    raw.refresh = run  # type: ignore[attr-defined]
    direct = next((r.key for r in scope.rows if r.path == scope.path), None)
    own: dict[tuple[str, int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    children: dict[tuple[str, int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    in_period = and_(StatFact.month >= period.start, StatFact.month <= period.end)
    b = bucket(StatFact.month, [p.start for p in period.subperiods[1:]])
    n, amount, ckey = func.sum(StatFact.n), func.sum(StatFact.amount), func.sum(StatFact.ckey)
    flows = (select(StatFact.unit_path, b, StatFact.measure, StatFact.col, n, amount, ckey)
             .where(StatFact.measure != STAYS, ~StatFact.measure.contains("@"), in_period)
             .group_by(StatFact.unit_path, b, StatFact.measure, StatFact.col))
    counts, amounts = raw.counts, raw.amounts
    row_of = _row_lookup(scope)
    # The unit's own rows only matter for its "directly" row (own minus children).
    keys = raw.keys
    for path, bb, measure, col, count, total, key_sum in _own_and_children(
            session, flows, scope.path, own=direct is not None):
        bb, count, total, key_sum = int(bb), int(count), int(total), int(key_sum or 0)
        if measure in MOVES or measure.endswith(DIRECT):
            # Moves are stored per level where they cross a border (FactRaw.move_facts).
            if measure in MOVES and path != scope.path:
                row = row_of(path)
                if row is not None and row != direct:
                    counts[(measure, row, bb, col)] += count
                    keys[(measure, row, bb, col)] += key_sum
            elif path == scope.path and measure.endswith(DIRECT) and direct is not None:
                raw.add(measure.removesuffix(DIRECT), direct, bb, col, count, key_sum)
            continue
        if path == scope.path:
            cell = own[(measure, bb, col)]
            cell[0] += count
            cell[1] += total
            cell[2] += key_sum
            continue
        row = row_of(path)
        if row is None or row == direct:
            continue  # a unit no longer current: its counts stay in the "directly" row
        key = (measure, row, bb, col)
        if count:
            counts[key] += count
            keys[key] += key_sum
        if total:
            amounts[(AMOUNT_MEASURE, row, bb, col)] += total
        if direct is not None:
            cell = children[(measure, bb, col)]
            cell[0] += count
            cell[1] += total
            cell[2] += key_sum
    if period.kind in STOCK_KINDS:
        # Stocks as the refresh read them on its day (or the period's end, if earlier).
        day = local_date(run.finished_at)
        raw.reference_day = min(period.end, day)
        names = {stock_measure(m, period.kind): m for m in indicators.STOCK_MEASURES}
        stocks = (select(StatFact.unit_path, StatFact.measure, StatFact.col, StatFact.n,
                         StatFact.ckey)
                  .where(StatFact.measure.in_(list(names)), StatFact.month == period.start))
        for path, measure, col, count, key_sum in _own_and_children(session, stocks, scope.path,
                                                                    own=direct is not None):
            measure = names[measure]
            if path == scope.path:
                own[(measure, 0, col)][0] += int(count)
                own[(measure, 0, col)][2] += int(key_sum)
                continue
            row = row_of(path)
            if row is None or row == direct:
                continue
            raw.add(measure, row, 0, col, int(count), int(key_sum))
            children[(measure, 0, col)][0] += int(count)
            children[(measure, 0, col)][2] += int(key_sum)
    if direct is not None:
        for key, (count, total, key_sum) in own.items():
            measure, bb, col = key
            rest_n, rest_amount, rest_key = children.get(key, (0, 0, 0))
            raw.add(measure, direct, bb, col, count - rest_n, (key_sum - rest_key) % KEY_RANGE)
            if total - rest_amount:
                raw.add_amount(direct, bb, col, total - rest_amount)
    if _depth(scope.path) <= STAY_LEVELS:
        histogram: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        stay_keys: dict[tuple[str, str], int] = defaultdict(int)
        for col, days, count, key_sum in session.execute(
                select(StatFact.col, StatFact.days, n, ckey)
                .where(StatFact.unit_path == scope.path, StatFact.measure == STAYS, in_period)
                .group_by(StatFact.col, StatFact.days)):
            stage, _, case_type = col.partition("|")
            histogram[(stage, case_type)][int(days)] += int(count)
            stay_keys[(stage, case_type)] += int(key_sum or 0)
        indicators.set_stays(raw, histogram, stay_keys)
    else:
        indicators.stays(session, raw)
    if period.kind not in STOCK_KINDS:
        indicators.compute_live(session, raw)
    return raw


def _own_and_children(session: Session, query: Any, path: str, own: bool = True
                      ) -> Iterator[Any]:
    """Rows of ``query`` for the unit at ``path`` (if ``own``) and for its children.

    Two queries rather than one with OR: each then runs on its own index (the unit's key, the
    children's ``parent_path``), where an OR led PostgreSQL to scan the whole table.
    """
    if own:
        yield from session.execute(query.where(StatFact.unit_path == path))
    yield from session.execute(query.where(StatFact.parent_path == path))


def _row_lookup(scope: ReportScope) -> Any:
    """``scope.row_of``, remembered per path (a report reads each child's rows many times)."""
    seen: dict[str | None, str | None] = {}

    def row_of(path: str | None) -> str | None:
        if path not in seen:
            seen[path] = scope.row_of(path)
        return seen[path]

    return row_of


def report_key(unit: Unit | None, period: Period, variant: str) -> tuple[str, str, str]:
    return (unit.code if unit is not None else "VN", period.label, variant)


def kept_report(session: Session, run: StatRefresh, key: tuple[str, str, str]
                ) -> dict[str, Any] | None:
    """The report kept for ``key`` (unit code, period, variant) since ``run``, if any."""
    kept = session.get(StatReport, (run.id, *key))
    return None if kept is None else dict(kept.body)


def keep_report(session: Session, run: StatRefresh, key: tuple[str, str, str],
                report: dict[str, Any]) -> None:
    """Keep a report until the next refresh.

    A concurrent request that built it too loses the insert race harmlessly: both answers are
    the same suppression of the same counts (stocks aside, read when each was built).
    """
    unit_code, period, variant = key
    try:
        with session.begin_nested():
            session.add(StatReport(refresh_id=run.id, unit_code=unit_code, period=period,
                                   variant=variant, body=report))
    except IntegrityError:
        pass


def summary_rows(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(StatFact)) or 0)
