"""The seeds' indicators per unit subtree and period, computed in SQL, published with suppression.

Everything here reads coded columns only — case type, stage, unit, dates, ``Person.sex`` and
``Person.birth_year``, the stage history's event names and coded ``data`` values, and the coded
columns of support items and notes — and every query groups in the database: no row about a
person reaches Python, and nothing is ever decrypted (a test makes the keyring raise).

Shape of a report
-----------------
A report is about one unit (or the whole country when ``unit`` is None) and one period. Each
*measure* is a grid: rows are the unit's children (plus the unit itself for a commune, where
cases may sit directly) and their total; columns are case types (or sex, age bands, support
kinds) and their total. A *flow* measure (things that happened in the period) is additive over
time, so it is also given per sub-period (the months of a quarter, the quarters of a year) for
the unit as a whole. A *stock* measure (a state: people needing a service, cases overdue) is
not additive over time and has no sub-period table.

Every cell of every measure goes into ONE suppression ``Table`` with all the equations a reader
knows: rows add up to the row total, units to the unit total, sub-periods to the period, and a
measure with parts to its parts (verified = in time + late; closed = the sum of its reasons;
suspended = lost contact + other; loans referred = granted + not granted; needing a service =
connected + not connected). ``new cases`` by type, by sex and by age band share their totals.
So no hidden count can be worked out from anything else in the same report.

Attribution (documented per measure in ``notes``): an event counts for the unit the case was in
when it happened (``CaseEvent.unit_id``) and the period that contains its time in Vietnam; a new
case for the unit it was opened in (``recorded_unit_id``, which ``open_case`` sets to the unit of
the opening history row) and its ``opened_on``; support items, notes and stocks for
the case's current unit. Transfers: out of the unit the case left, into the unit it joined (from
the transfer request's coded ``to_unit``); a move between two rows of the report counts in both
rows, so totals are sums of rows.

Thresholds: ``CASEWORK_SUPPRESSION_K`` (5) for every cell, ``CASEWORK_SUPPRESSION_K_TRAFFICKING``
(11) for cells of the trafficking column. A ``case_type`` filter never recomputes: the full
report is suppressed and the filter only selects columns, so narrowing a filter can only show
the same published numbers, never a smaller count or a new difference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

import workflows
from casework.cases.models import CASE_TYPES, Case, CaseEvent
from casework.model_base import utcnow
from casework.people.models import SEXES, Person
from casework.stats import protection
from casework.stats.periods import Period, month_shift
from casework.stats.sql import bucket, day_diff, local_day
from casework.stats.suppression import (
    DEFAULT_K,
    TOTAL,
    TRAFFICKING_K,
    Constraint,
    Table,
    share,
)
from casework.units.models import CURRENT_TREE, Unit, escape_like
from workflows.dates import local_date

__all__ = [
    "AGE_BANDS",
    "MEASURES",
    "MARKER",
    "SUPPRESSED",
    "Raw",
    "ReportScope",
    "build_report",
    "build_table",
    "compute",
    "scope_for",
]

MARKER = "x"
"""What a public export prints for every hidden cell, whatever the reason (Vietnamese statistical
tables mark confidential cells with "x")."""

SUPPRESSED = "suppressed: small count or protects one"
"""The one reason a response gives for a hidden cell: saying "primary" would say "small"."""

TARGET_CONNECTED = 0.8
"""The seeds' target: at least 80% of people needing a service are connected to it."""

RECORD_KEYS = func.coalesce(func.sum(Case.record_key), 0)
"""The sum of the record keys of the cases a grouped count counts (its cell key, mod 256)."""

AGE_BANDS = ("<18", "18-29", "30-44", "45+", "unknown")
AGE_LABELS_VI = {"<18": "Dưới 18", "18-29": "18-29", "30-44": "30-44", "45+": "Từ 45",
                 "unknown": "Không rõ"}
SEX_LABELS = {"female": ("Nữ", "Female"), "male": ("Nam", "Male"), "other": ("Khác", "Other")}
RETURN_EVENTS = frozenset({"resume", "accept_transfer", "refuse_transfer", "return_closure"})
CLOSURE_REASONS = ("reintegrated", "moved_away", "declined_support", "not_eligible", "deceased",
                   "duplicate")
LOAN_GRANTED = ("approved", "disbursed", "repaying", "repaid")
CONNECTED_STATUSES = ("referred", "in_progress", "completed")
COUNSELLING_NOTE_KINDS = ("counselling_psychological", "counselling_legal", "counselling_health")


@dataclass(frozen=True)
class Measure:
    id: str
    title_vi: str
    title_en: str
    columns: str = "type"  # type | sex | age | kind
    flow: bool = True  # additive over time: also given per sub-period
    rows: str = "unit"  # unit | stage
    total_key: str | None = None  # shares its total column with this measure
    parts: tuple[str, ...] = ()
    unit_of_count: str = "cases"
    note: str = ""

    @property
    def total_id(self) -> str:
        return self.total_key or self.id


MEASURES: tuple[Measure, ...] = (
    Measure("new_cases", "Hồ sơ mới tiếp nhận", "New cases",
            note="Cases opened in the period (opened_on), in the unit they were opened in."),
    Measure("new_cases_by_sex", "Hồ sơ mới theo giới tính", "New cases by sex", columns="sex",
            total_key="new_cases"),
    Measure("new_cases_by_age", "Hồ sơ mới theo nhóm tuổi", "New cases by age band",
            columns="age", total_key="new_cases",
            note="Age at opening from the birth year (opening year minus birth year)."),
    Measure("verified", "Đã xác minh", "Verified", parts=("verified_in_time", "verified_late"),
            note="Moves from identified to verified. Leaving sex work has no verification step "
                 "(consent instead), so its column is 0 by construction."),
    Measure("verified_in_time", "Xác minh đúng hạn", "Verified within the deadline",
            note="By the due date of the identified stage counted from intake: 3 days for "
                 "trafficking, 3 working days for post-prison, 7 days for post-rehab "
                 "(workflows.deadlines)."),
    Measure("verified_late", "Xác minh quá hạn", "Verified after the deadline"),
    Measure("assessed", "Đã đánh giá nhu cầu, lập kế hoạch", "Needs assessed, plan made"),
    Measure("counselling_started", "Bắt đầu tư vấn", "Counselling started"),
    Measure("counselling_sessions", "Buổi tư vấn", "Counselling sessions held",
            unit_of_count="sessions",
            note="Counselling notes (psychological, legal, health) dated in the period."),
    Measure("training_started", "Bắt đầu học nghề", "Entered vocational training"),
    Measure("training_completed", "Hoàn thành học nghề", "Completed vocational training"),
    Measure("job_found", "Có việc làm", "Placed in a job (stage completed)"),
    Measure("jobs_started", "Bắt đầu việc làm", "Jobs started (support records)",
            unit_of_count="jobs"),
    Measure("jobs_kept_3m", "Duy trì việc làm 3 tháng", "Jobs kept 3 months",
            unit_of_count="jobs",
            note="Jobs whose third month ended in the period and were still held then."),
    Measure("jobs_kept_6m", "Duy trì việc làm 6 tháng", "Jobs kept 6 months",
            unit_of_count="jobs",
            note="Jobs whose sixth month ended in the period and were still held then."),
    Measure("loans_referred", "Giới thiệu vay vốn", "Referred for a loan",
            parts=("loans_granted", "loans_not_granted"), unit_of_count="loans",
            note="Loan support items referred (or started) in the period; their outcome so far."),
    Measure("loans_granted", "Được vay vốn", "Loans granted", unit_of_count="loans"),
    Measure("loans_not_granted", "Chưa/không được vay", "Loans not (yet) granted",
            unit_of_count="loans"),
    Measure("closed", "Kết thúc hồ sơ", "Cases closed",
            parts=tuple(f"closed_{r}" for r in CLOSURE_REASONS)),
    *(Measure(f"closed_{r}", f"Kết thúc: {vi}", f"Closed: {en}")
      for r, vi, en in (
          ("reintegrated", "tái hòa nhập", "reintegrated"),
          ("moved_away", "chuyển đi nơi khác", "moved away"),
          ("declined_support", "từ chối hỗ trợ", "declined support"),
          ("not_eligible", "không đủ điều kiện / không phải nạn nhân", "not eligible"),
          ("deceased", "đã chết", "deceased"),
          ("duplicate", "trùng hồ sơ", "duplicate"))),
    Measure("relapsed", "Tái nghiện / tái phạm", "Relapsed or re-offended", unit_of_count="events",
            note="Relapse (post-rehab) and re-offence (post-prison) findings by an authority."),
    Measure("suspended", "Tạm dừng", "Suspended",
            parts=("suspended_lost_contact", "suspended_other"), unit_of_count="events"),
    Measure("suspended_lost_contact", "Mất liên lạc", "Lost to follow-up (lost contact)",
            unit_of_count="events"),
    Measure("suspended_other", "Tạm dừng vì lý do khác", "Suspended for other reasons",
            unit_of_count="events"),
    Measure("transferred_in", "Chuyển đến", "Transferred in",
            note="Accepted transfers into the row's unit from any other unit (a move between two "
                 "rows counts in both, so totals add the rows)."),
    Measure("transferred_out", "Chuyển đi", "Transferred out"),
    Measure("support_needed", "Người có nhu cầu hỗ trợ", "People needing support", columns="kind",
            flow=False, parts=("support_connected", "support_not_connected"),
            unit_of_count="people per kind of support",
            note="People with a support item of the kind open during the period (not declined); "
                 "the total column adds kinds, so a person needing two kinds counts twice."),
    Measure("support_connected", "Được kết nối dịch vụ", "Connected to the service",
            columns="kind", flow=False, unit_of_count="people per kind of support",
            note="Referred, in progress or completed by the end of the period. The share of "
                 "those needing it is shown against the seeds' target of 80%."),
    Measure("support_not_connected", "Chưa được kết nối", "Not (yet) connected", columns="kind",
            flow=False, unit_of_count="people per kind of support"),
    Measure("overdue", "Hồ sơ quá hạn", "Open cases overdue", flow=False,
            note="Open cases past their current stage's due date on the reference day (the end "
                 "of the period, or today if earlier). Read from each case's current stage: a "
                 "case overdue then but moved on since is not counted."),
    Measure("stage_stays", "Thời gian theo giai đoạn", "Time spent per stage", rows="stage",
            flow=False, unit_of_count="stays",
            note="Stays in a stage that ended in the period; the median in days is shown where "
                 "the number of stays is published."),
)
MEASURE_BY_ID = {m.id: m for m in MEASURES}
AMOUNT_MEASURE = "loans_granted_amount"


def column_values(kind: str) -> tuple[str, ...]:
    from casework.services.vocabulary import SUPPORT_KINDS

    return {"type": CASE_TYPES, "sex": SEXES, "age": AGE_BANDS, "kind": SUPPORT_KINDS}[kind]


def all_stages() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for case_type in CASE_TYPES:
        for s in workflows.get_workflow(case_type).stages:
            if not s.terminal:
                seen.setdefault(s.name)
    return tuple(seen)


# --- the unit and its rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    path: str


@dataclass
class ReportScope:
    """The unit a report is about (None: the whole country) and the rows it is split into."""

    unit: Unit | None
    path: str
    rows: list[Row]
    _by_path: dict[str, str] = field(default_factory=dict)
    _prefix_len: int | None = None

    @property
    def code(self) -> str:
        return self.unit.code if self.unit else "VN"

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else "Toàn quốc"

    def row_expr(self, path_column: Any) -> Any:
        """SQL for what identifies a path's row: a fixed-length prefix when the rows allow it."""
        if self._prefix_len is not None:
            return func.substr(path_column, 1, self._prefix_len)
        return path_column

    def row_of(self, value: str | None) -> str | None:
        """The row key for a value of ``row_expr`` (or a full path); None outside the unit."""
        if value is None:
            return None
        if value in self._by_path:
            return self._by_path[value]
        for row in self.rows:  # only without a fixed prefix, or for a full path
            if value.startswith(row.path) and row.path != self.path:
                return row.key
        return self._by_path.get(self.path) if value.startswith(self.path) else None

    def in_subtree(self) -> Any:
        return Unit.path.like(escape_like(self.path) + "%", escape="\\")


def scope_for(session: Session, unit: Unit | None) -> ReportScope:
    """Rows of a report on ``unit``: its current children, and itself when cases may sit there."""
    if unit is None:
        path = f"{CURRENT_TREE}:"
        children = session.scalars(
            select(Unit).where(Unit.tree == CURRENT_TREE, Unit.parent_id.is_(None),
                               Unit.valid_to.is_(None)).order_by(Unit.code)).all()
    else:
        path = unit.path
        children = session.scalars(
            select(Unit).where(Unit.parent_id == unit.id, Unit.valid_to.is_(None))
            .order_by(Unit.code)).all()
    rows = [Row(c.code, c.name, c.path) for c in children]
    if unit is not None and (unit.kind in ("commune", "neighbourhood") or not rows):
        rows.append(Row(unit.code + "*", f"{unit.name} (trực tiếp / directly)", unit.path))
    scope = ReportScope(unit, path, rows)
    lengths = {len(r.path) for r in rows if r.path != path}
    scope._by_path = {r.path: r.key for r in rows}
    if len(lengths) == 1:
        scope._prefix_len = lengths.pop()
    return scope


# --- raw counts -----------------------------------------------------------------------------------


@dataclass
class Raw:
    """True counts before suppression: (measure, row, bucket, column) -> n; never published."""

    scope: ReportScope
    period: Period
    counts: dict[tuple[str, str, int, str], int] = field(default_factory=lambda: defaultdict(int))
    amounts: dict[tuple[str, str, int, str], int] = field(default_factory=lambda: defaultdict(int))
    # Sum of the record keys of what each count counts (casework.stats.protection): the cell
    # key is this modulo 256. Never published either.
    keys: dict[tuple[str, str, int, str], int] = field(default_factory=lambda: defaultdict(int))
    stay_keys: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    medians: dict[tuple[str, str], float] = field(default_factory=dict)  # (stage, col|TOTAL)
    stay_lengths: dict[tuple[str, str], dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int)))  # -> {days: stays}
    reference_day: date | None = None

    def add(self, measure: str, row: str | None, b: int, col: str, n: int, key: Any = 0) -> None:
        if row is None or not n:
            return
        self.counts[(measure, row, int(b), col)] += int(n)
        if key:
            self.keys[(measure, row, int(b), col)] += int(key)

    @property
    def buckets(self) -> int:
        return max(1, len(self.period.subperiods))

    # How the queries below cut time: the report's sub-periods here; calendar months when the
    # statistics summary is built (``casework.stats.summary.FactRaw``), from the same queries.

    def ts_bucket(self, column: Any) -> Any:
        """SQL for the sub-period of a UTC timestamp column."""
        return bucket(column, _boundaries_ts(self.period))

    def day_bucket(self, column: Any, shift: int = 0) -> Any:
        """SQL for the sub-period of a day column (``shift`` months earlier than the period)."""
        return bucket(column, _boundaries_day(self.period, shift))

    def ts_window(self, column: Any) -> Any:
        return and_(column >= self.period.start_utc, column < self.period.end_utc)

    def day_window(self, column: Any, shift: int = 0) -> Any:
        lo = month_shift(self.period.start, shift)
        hi = month_shift(self.period.end_exclusive, shift)
        return and_(column >= lo, column < hi)

    def add_transfer(self, old_path: str | None, new_path: str | None, b: Any,
                     case_type: str, n: int, key: Any = 0) -> None:
        """A move counts out of the row it left and into the row it joined, if they differ."""
        old_row, new_row = self.scope.row_of(old_path), self.scope.row_of(new_path)
        if old_row != new_row:
            self.add("transferred_out", old_row, b, case_type, n, key)
            self.add("transferred_in", new_row, b, case_type, n, key)

    keeps_histograms = False
    """True for the summary builder: stays are kept as a histogram per unit and month."""

    def add_stay(self, row: str | None, b: Any, stage: str, case_type: str, days: int,
                 n: int, key: Any = 0) -> None:
        """``n`` stays of ``days`` days in ``stage``: a report's rows for stays are stages, so
        the unit row and sub-period do not matter here (the summary builder keeps them)."""
        self.stay_lengths[(stage, case_type)][days] += n
        self.stay_keys[(stage, case_type)] += int(key or 0)

    def finish_stays(self) -> None:
        """Counts and medians from the stays added (once they all are)."""
        set_stays(self, self.stay_lengths, self.stay_keys)

    def add_amount(self, row: str | None, b: Any, col: str, amount: int) -> None:
        if row is not None:
            self.amounts[(AMOUNT_MEASURE, row, int(b), col)] += int(amount)

    def value(self, measure: str, row: Any, b: Any, col: Any) -> int:
        """Sum over TOTAL components (for tests and the table builder)."""
        m = MEASURE_BY_ID[measure]
        rows = [r.key for r in self.scope.rows] if row is TOTAL else [row]
        buckets = range(self.buckets) if b is TOTAL else [b]
        cols = column_values(m.columns) if m.rows == "unit" else column_values("type")
        cols = list(cols) if col is TOTAL else [col]
        if m.rows == "stage":
            rows = list(all_stages()) if row is TOTAL else [row]
        return sum(self.counts.get((measure, r, bb, c), 0) for r in rows for bb in buckets
                   for c in cols)


def _boundaries_ts(period: Period) -> list[datetime]:
    return [p.start_utc for p in period.subperiods[1:]]


def _boundaries_day(period: Period, shift_months: int = 0) -> list[date]:
    return [month_shift(p.start, shift_months) if shift_months else p.start
            for p in period.subperiods[1:]]


def compute(session: Session, unit: Unit | None, period: Period,
            today: date | None = None) -> Raw:
    """Every measure's true counts for ``unit``'s subtree in ``period`` (not suppressed)."""
    scope = scope_for(session, unit)
    raw = Raw(scope, period)
    today = today or local_date(utcnow())
    raw.reference_day = min(period.end, today)
    compute_flows(session, raw)
    compute_live(session, raw)
    return raw


def compute_flows(session: Session, raw: Raw) -> None:
    """The measures the statistics summary keeps per month: things that happened, when."""
    _new_cases(session, raw)
    _events(session, raw)
    _verification(session, raw)
    _closures(session, raw)
    _service_flows(session, raw)
    stays(session, raw)
    transfers(session, raw)


def compute_live(session: Session, raw: Raw) -> None:
    """The measures that are not sums of months: the stocks.

    A stock (support needed, overdue) counts distinct cases over the whole period, which no
    monthly sum gives: the statistics summary keeps them per standard period instead.
    """
    compute_stocks(session, raw)


STOCK_MEASURES = ("support_connected", "support_not_connected", "support_needed", "overdue")


def compute_stocks(session: Session, raw: Raw) -> None:
    """People needing (and connected to) support during the period; cases overdue on its end."""
    _support_needs(session, raw)
    _overdue(session, raw)


def _new_cases(session: Session, raw: Raw) -> None:
    scope = raw.scope
    row = scope.row_expr(Unit.path)
    age = func.extract("year", Case.opened_on) - Person.birth_year
    band = _age_band(age)
    b = raw.day_bucket(Case.opened_on)
    query = (
        select(row, Case.case_type, b, Person.sex, band, func.count(), RECORD_KEYS)
        .select_from(Case)
        .join(Unit, Unit.id == Case.recorded_unit_id)
        .join(Person, Person.id == Case.person_id)
        .where(raw.day_window(Case.opened_on), scope.in_subtree())
        .group_by(row, Case.case_type, b, Person.sex, band)
    )
    for path, case_type, bb, sex, age_band, n, key in session.execute(query):
        r = scope.row_of(path)
        raw.add("new_cases", r, bb, case_type, n, key)
        raw.add("new_cases_by_sex", r, bb, sex if sex in SEXES else "other", n, key)
        raw.add("new_cases_by_age", r, bb, age_band, n, key)


def _age_band(age: Any) -> Any:
    from sqlalchemy import case

    return case(
        (Person.birth_year.is_(None), "unknown"),
        (age < 18, "<18"),
        (age < 30, "18-29"),
        (age < 45, "30-44"),
        else_="45+",
    )


_EVENT_NAMES = ("assess", "receive", "start_counselling", "complete_counselling",
                "complete_schooling", "skip_schooling", "correct_stage",
                "complete_vocational_training", "complete_job_placement", "relapse", "reoffend",
                "suspend")


def _event_measures(event: str, from_stage: str | None, to_stage: str,
                    reason: str | None) -> list[str]:
    out = []
    if to_stage == "assessed" and from_stage in ("verified", "consented"):
        out.append("assessed")
    if event == "start_counselling":
        out.append("counselling_started")
    if (to_stage == "vocational_training" and from_stage != to_stage
            and event not in RETURN_EVENTS):
        out.append("training_started")
    if event == "complete_vocational_training":
        out.append("training_completed")
    if event == "complete_job_placement":
        out.append("job_found")
    if event in ("relapse", "reoffend"):
        out.append("relapsed")
    if event == "suspend":
        out.append("suspended_lost_contact" if reason == "lost_contact" else "suspended_other")
    return out


def _events(session: Session, raw: Raw) -> None:
    scope = raw.scope
    e = CaseEvent
    row = scope.row_expr(Unit.path)
    b = raw.ts_bucket(e.at)
    reason = e.data["suspension_reason"].as_string()
    query = (
        select(row, Case.case_type, b, e.event, e.from_stage, e.to_stage, reason, func.count(),
               RECORD_KEYS)
        .select_from(e)
        .join(Unit, Unit.id == e.unit_id)
        .join(Case, Case.id == e.case_id)
        .where(e.event.in_(_EVENT_NAMES), raw.ts_window(e.at), scope.in_subtree())
        .group_by(row, Case.case_type, b, e.event, e.from_stage, e.to_stage, reason)
    )
    for path, case_type, bb, event, from_stage, to_stage, why, n, key in session.execute(query):
        r = scope.row_of(path)
        for measure in _event_measures(event, from_stage, to_stage, why):
            raw.add(measure, r, bb, case_type, n, key)
    # Parts are counted; their sums are derived so they always add up.
    _sum_parts(raw, "suspended")


def _sum_parts(raw: Raw, measure: str) -> None:
    parts = MEASURE_BY_ID[measure].parts
    for (m, r, bb, c), n in list(raw.counts.items()):
        if m in parts:
            raw.counts[(measure, r, bb, c)] += n
            raw.keys[(measure, r, bb, c)] += raw.keys.get((m, r, bb, c), 0)


def _verification(session: Session, raw: Raw) -> None:
    """Verified, and whether by the identified stage's due date (calendar or working days)."""
    scope = raw.scope
    e, opened = CaseEvent, aliased(CaseEvent)
    row = scope.row_expr(Unit.path)
    b = raw.ts_bucket(e.at)
    opened_day = local_day(opened.at)
    diff = day_diff(local_day(e.at), opened_day)
    working = [t for t in CASE_TYPES
               if workflows.get_workflow(t).stage("identified").due_kind == "working"]
    min_working_days = min(
        (workflows.get_workflow(t).stage("identified").due_days or 0 for t in working), default=0)
    from sqlalchemy import case

    # Only the working-day types need the intake day, and only when the calendar difference
    # alone does not decide (a difference up to the due days is always in time).
    day_if_needed = case(
        (and_(Case.case_type.in_(working), diff > min_working_days), opened_day), else_=None
    ) if working else literal(None)
    query = (
        select(row, Case.case_type, b, diff, day_if_needed, func.count(), RECORD_KEYS)
        .select_from(e)
        .join(opened, and_(opened.case_id == e.case_id, opened.seq == 1))
        .join(Unit, Unit.id == e.unit_id)
        .join(Case, Case.id == e.case_id)
        .where(e.from_stage == "identified", e.to_stage == "verified", raw.ts_window(e.at),
               scope.in_subtree())
        .group_by(row, Case.case_type, b, diff, day_if_needed)
    )
    for path, case_type, bb, days, day, n, key in session.execute(query):
        r = scope.row_of(path)
        in_time = _verified_in_time(case_type, int(days), day)
        raw.add("verified_in_time" if in_time else "verified_late", r, bb, case_type, n, key)
    _sum_parts(raw, "verified")


def _verified_in_time(case_type: str, days: int, opened_day: Any) -> bool:
    workflow = workflows.get_workflow(case_type)
    stage = workflow.stage("identified")
    if stage.due_days is None or days <= stage.due_days:
        return True
    if stage.due_kind != "working" or opened_day is None:
        return False
    if isinstance(opened_day, str):
        opened_day = date.fromisoformat(opened_day)
    due = workflows.due_date(workflow, "identified", datetime.combine(opened_day, time()))
    return opened_day.toordinal() + days <= due.toordinal()


def _closures(session: Session, raw: Raw) -> None:
    """Approved closures, by the reason given with the request just before (its history row)."""
    scope = raw.scope
    e, request = CaseEvent, aliased(CaseEvent)
    row = scope.row_expr(Unit.path)
    b = raw.ts_bucket(e.at)
    reason = request.data["closure_reason"].as_string()
    query = (
        select(row, Case.case_type, b, reason, func.count(), RECORD_KEYS)
        .select_from(e)
        .join(request, and_(request.case_id == e.case_id, request.seq == e.seq - 1))
        .join(Unit, Unit.id == e.unit_id)
        .join(Case, Case.id == e.case_id)
        .where(e.event == "approve_closure", raw.ts_window(e.at), scope.in_subtree())
        .group_by(row, Case.case_type, b, reason)
    )
    for path, case_type, bb, why, n, key in session.execute(query):
        if why not in CLOSURE_REASONS:
            continue  # a request always carries a reason; anything else is not a closure
        raw.add(f"closed_{why}", scope.row_of(path), bb, case_type, n, key)
    _sum_parts(raw, "closed")


def transfers(session: Session, raw: Raw) -> None:
    scope = raw.scope
    e, request = CaseEvent, aliased(CaseEvent)
    b = raw.ts_bucket(e.at)
    to_code = request.data["to_unit"].as_string()
    codes = dict(session.execute(
        select(Unit.code, Unit.path).where(Unit.tree == CURRENT_TREE, scope.in_subtree())).all())
    query = (
        select(Unit.path, to_code, Case.case_type, b, func.count(), RECORD_KEYS)
        .select_from(e)
        .join(request, and_(request.case_id == e.case_id, request.seq == e.seq - 1))
        .join(Unit, Unit.id == e.unit_id)
        .join(Case, Case.id == e.case_id)
        .where(e.event == "accept_transfer", raw.ts_window(e.at),
               or_(scope.in_subtree(), to_code.in_(list(codes)) if codes else literal(False)))
        .group_by(Unit.path, to_code, Case.case_type, b)
    )
    for old_path, code, case_type, bb, n, key in session.execute(query):
        raw.add_transfer(old_path, codes.get(code), bb, case_type, n, key)


def _by_current_unit(scope: ReportScope, model: Any) -> Any:
    return (select().select_from(model).join(Case, Case.id == model.case_id)
            .join(Unit, Unit.id == Case.unit_id).where(scope.in_subtree()))


def _service_flows(session: Session, raw: Raw) -> None:
    from casework.services.models import CaseNote, SupportItem

    scope = raw.scope
    row = scope.row_expr(Unit.path)

    def flow(measure: str, model: Any, day: Any, *conditions: Any, shift: int = 0,
             amount: Any = None) -> None:
        b = raw.day_bucket(day, shift)
        columns = [row, Case.case_type, b, func.count(), RECORD_KEYS]
        if amount is not None:
            columns.append(func.coalesce(func.sum(amount), 0))
        query = (_by_current_unit(scope, model).add_columns(*columns)
                 .where(raw.day_window(day, shift), *conditions)
                 .group_by(row, Case.case_type, b))
        for path, case_type, bb, n, key, *total in session.execute(query):
            r = scope.row_of(path)
            raw.add(measure, r, bb, case_type, n, key)
            if amount is not None:
                raw.add_amount(r, bb, case_type, total[0])

    flow("counselling_sessions", CaseNote, CaseNote.occurred_on,
         CaseNote.kind.in_(COUNSELLING_NOTE_KINDS))
    job = SupportItem.kind == "job_placement"
    flow("jobs_started", SupportItem, SupportItem.started_on, job)
    flow("jobs_kept_3m", SupportItem, SupportItem.started_on, job,
         SupportItem.kept_3_months.is_(True), shift=-3)
    flow("jobs_kept_6m", SupportItem, SupportItem.started_on, job,
         SupportItem.kept_6_months.is_(True), shift=-6)
    loan_day = func.coalesce(SupportItem.referred_on, SupportItem.started_on)
    loan = and_(SupportItem.kind == "loan", SupportItem.status != "planned")
    flow("loans_granted", SupportItem, loan_day, loan, SupportItem.loan_status.in_(LOAN_GRANTED),
         amount=SupportItem.amount_vnd)
    flow("loans_not_granted", SupportItem, loan_day, loan,
         or_(SupportItem.loan_status.is_(None), SupportItem.loan_status.not_in(LOAN_GRANTED)))
    _sum_parts(raw, "loans_referred")


def _support_needs(session: Session, raw: Raw) -> None:
    """People needing a kind of support during the period, and whether they were connected."""
    from casework.services.models import SupportItem

    scope, period = raw.scope, raw.period
    row = scope.row_expr(Unit.path)
    connected_by = func.coalesce(SupportItem.referred_on, SupportItem.started_on,
                                 SupportItem.ended_on)
    from sqlalchemy import case

    is_connected = and_(SupportItem.status.in_(CONNECTED_STATUSES), connected_by <= period.end)
    # One row per (row, kind, case): each person counts once, with their record key.
    per_case = (
        _by_current_unit(scope, SupportItem)
        .add_columns(row.label("row"), SupportItem.kind.label("kind"),
                     func.max(Case.record_key).label("rk"),
                     func.max(case((is_connected, 1), else_=0)).label("connected"))
        .where(SupportItem.planned_on <= period.end,
               or_(SupportItem.ended_on.is_(None), SupportItem.ended_on >= period.start),
               SupportItem.status != "declined")
        .group_by(row, SupportItem.kind, SupportItem.case_id)
        .subquery()
    )
    c = per_case.c
    query = (select(c.row, c.kind, func.count(), func.sum(c.rk), func.sum(c.connected),
                    func.sum(c.rk * c.connected))
             .group_by(c.row, c.kind))
    for path, kind, needed, keys, connected, connected_keys in session.execute(query):
        r = scope.row_of(path)
        connected, connected_keys = int(connected or 0), int(connected_keys or 0)
        raw.add("support_connected", r, 0, kind, connected, connected_keys)
        raw.add("support_not_connected", r, 0, kind, needed - connected,
                int(keys or 0) - connected_keys)
    _sum_parts(raw, "support_needed")


def _overdue(session: Session, raw: Raw) -> None:
    scope = raw.scope
    row = scope.row_expr(Unit.path)
    query = (
        select(row, Case.case_type, func.count(), RECORD_KEYS)
        .select_from(Case).join(Unit, Unit.id == Case.unit_id)
        .where(Case.stage != "closed", Case.due_on < raw.reference_day,
               Case.opened_on <= raw.period.end, scope.in_subtree())
        .group_by(row, Case.case_type)
    )
    for path, case_type, n, key in session.execute(query):
        raw.add("overdue", scope.row_of(path), 0, case_type, n, key)


def stays(session: Session, raw: Raw) -> None:
    """Stays in a stage that ended in the period: how many, and the median length in days."""
    scope = raw.scope
    e, before = CaseEvent, aliased(CaseEvent)
    # The stay that an exit ends began with the case's previous stage change: one backward
    # step on the (case_id, seq) index per exit, rather than a window over whole histories.
    entered = (
        select(before.at)
        .where(before.case_id == e.case_id, before.seq < e.seq,
               or_(before.from_stage.is_(None), before.from_stage != before.to_stage))
        .order_by(before.seq.desc()).limit(1)
        .correlate(e).scalar_subquery()
    )
    steps = (
        select(e.case_id, e.from_stage, Case.case_type, Case.record_key.label("rk"),
               scope.row_expr(Unit.path).label("row"), raw.ts_bucket(e.at).label("b"),
               day_diff(local_day(e.at), local_day(entered)).label("days"))
        .select_from(e)
        .join(Unit, Unit.id == e.unit_id)
        .join(Case, Case.id == e.case_id)
        .where(e.from_stage != e.to_stage, raw.ts_window(e.at), scope.in_subtree())
        .subquery()
    )
    days = steps.c.days
    base = select().select_from(steps).where(days.is_not(None))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and not raw.keeps_histograms:
        median = func.percentile_cont(0.5).within_group(days)
        for stage, case_type, n, med, key in session.execute(
                base.add_columns(steps.c.from_stage, steps.c.case_type, func.count(), median,
                                 func.sum(steps.c.rk))
                .group_by(steps.c.from_stage, steps.c.case_type)):
            raw.add("stage_stays", stage, 0, case_type, n, key)
            raw.medians[(stage, case_type)] = float(med)
        for stage, med in session.execute(
                base.add_columns(steps.c.from_stage, median).group_by(steps.c.from_stage)):
            raw.medians[(stage, TOTAL)] = float(med)
        return
    # The distribution, grouped in the database: Python sees (days, count) per unit and month.
    # The summary keeps it so that any period's median can be taken from it exactly; SQLite has
    # no percentile, so a report takes its medians from it too.
    for path, month, stage, case_type, d, n, key in session.execute(
            base.add_columns(steps.c.row, steps.c.b, steps.c.from_stage, steps.c.case_type,
                             days, func.count(), func.sum(steps.c.rk))
            .group_by(steps.c.row, steps.c.b, steps.c.from_stage, steps.c.case_type, days)):
        raw.add_stay(scope.row_of(path), month, stage, case_type, int(d), int(n), int(key or 0))
    raw.finish_stays()


def set_stays(raw: Raw, histogram: dict[tuple[str, str], dict[int, int]],
              keys: dict[tuple[str, str], int] | None = None) -> None:
    """Stay counts and medians from (stage, case type) -> {days: number of stays}, with the
    sum of the stays' record keys per (stage, case type)."""
    totals: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (stage, case_type), counts in histogram.items():
        raw.add("stage_stays", stage, 0, case_type, sum(counts.values()),
                (keys or {}).get((stage, case_type), 0))
        raw.medians[(stage, case_type)] = weighted_median(counts)
        for d, n in counts.items():
            totals[stage][d] += n
    for stage, counts in totals.items():
        raw.medians[(stage, TOTAL)] = weighted_median(counts)


def weighted_median(counts: dict[int, int]) -> float:
    """The median of a multiset given as value -> multiplicity (as ``statistics.median``)."""
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("no values")
    low_rank, high_rank = (total - 1) // 2, total // 2  # 0-based ranks of the middle value(s)
    low = high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    assert low is not None and high is not None
    return (low + high) / 2


# --- the suppression table ------------------------------------------------------------------------


def cell_key(measure: Measure, row: Any, period: Any, col: Any) -> tuple[Any, ...]:
    return (measure.total_id if col is TOTAL else measure.id, row, period, col)


def _grid(raw: Raw, measure: Measure) -> tuple[list[str], list[str], list[Any]]:
    rows = list(all_stages()) if measure.rows == "stage" else [r.key for r in raw.scope.rows]
    cols = list(column_values("type" if measure.rows == "stage" else measure.columns))
    periods = list(range(raw.buckets)) if measure.flow and raw.period.subperiods else []
    return rows, cols, periods


def build_table(raw: Raw) -> Table:
    """Every cell of the report and every equation between them (the equations are what a
    suppression would have to protect; the cell key method publishes each cell on its own)."""
    return Table(*_cells(raw))


def _cells(raw: Raw, check: bool = True
           ) -> tuple[dict[tuple[Any, ...], int], list[Constraint]]:
    cells: dict[tuple[Any, ...], int] = {}
    constraints: list[Constraint] = []
    for m in MEASURES:
        rows, cols, periods = _grid(raw, m)
        get = raw.counts.get

        def put(key: tuple[Any, ...], value: int) -> None:
            if cells.setdefault(key, value) != value and check:
                raise ValueError(f"cell {key!r} has two values")

        # Main grid: rows x columns for the whole period, with margins.
        for r in rows:
            for c in cols:
                put(cell_key(m, r, TOTAL, c), sum(get((m.id, r, b, c), 0)
                                                  for b in range(raw.buckets)))
        for r in [*rows, TOTAL]:
            if r is TOTAL:
                for c in cols:
                    put(cell_key(m, TOTAL, TOTAL, c),
                        sum(cells[cell_key(m, x, TOTAL, c)] for x in rows))
            put(cell_key(m, r, TOTAL, TOTAL), sum(cells[cell_key(m, r, TOTAL, c)] for c in cols))
            constraints.append(Constraint(cell_key(m, r, TOTAL, TOTAL),
                                          tuple(cell_key(m, r, TOTAL, c) for c in cols)))
        for c in [*cols, TOTAL]:
            constraints.append(Constraint(cell_key(m, TOTAL, TOTAL, c),
                                          tuple(cell_key(m, r, TOTAL, c) for r in rows)))
        # Trend: the unit as a whole per sub-period, adding up to the period.
        for b in periods:
            for c in cols:
                put(cell_key(m, TOTAL, b, c), sum(get((m.id, r, b, c), 0) for r in rows))
            put(cell_key(m, TOTAL, b, TOTAL), sum(cells[cell_key(m, TOTAL, b, c)] for c in cols))
            constraints.append(Constraint(cell_key(m, TOTAL, b, TOTAL),
                                          tuple(cell_key(m, TOTAL, b, c) for c in cols)))
        if periods:
            for c in [*cols, TOTAL]:
                constraints.append(Constraint(cell_key(m, TOTAL, TOTAL, c),
                                              tuple(cell_key(m, TOTAL, b, c) for b in periods)))
    # A measure with parts is the sum of its parts, cell by cell.
    for m in MEASURES:
        if not m.parts:
            continue
        rows, cols, periods = _grid(raw, m)
        parts = [MEASURE_BY_ID[p] for p in m.parts]
        keys = [(r, TOTAL, c) for r in [*rows, TOTAL] for c in [*cols, TOTAL]]
        keys += [(TOTAL, b, c) for b in periods for c in [*cols, TOTAL]]
        for r, b, c in keys:
            constraints.append(Constraint(cell_key(m, r, b, c),
                                          tuple(cell_key(p, r, b, c) for p in parts)))
    return cells, constraints


class Protected:
    """Published values of a report's cells, each from the ptable at (count, cell key).

    Holds no true count: everything derived from it (shares, amounts, medians shown or not)
    depends on published values only. ``published`` never returns None: nothing is hidden,
    small counts are perturbed to 0 or to k and above (``casework.stats.protection``).
    """

    __slots__ = ("_published",)

    def __init__(self, published: dict[Any, int]) -> None:
        self._published = published

    def published(self, key: Any) -> int:
        return self._published[key]

    def is_hidden(self, key: Any) -> bool:
        self._published[key]  # noqa: B018 - KeyError for an unknown cell, as suppression did
        return False

    def items(self) -> Iterable[tuple[Any, int]]:
        return self._published.items()


def protect_table(raw: Raw, table: Table, threshold: Callable[[Any], int]) -> Protected:
    """Every cell of ``table`` through the perturbation table, with its cell key.

    A cell's key is the sum of the record keys of every record it counts (built with the same
    sums as its count, ``build_table`` on the keys), modulo 256: the same records give the same
    published value in every report that contains them.
    """
    keys, _ = _cells(Raw(raw.scope, raw.period, counts=defaultdict(int, raw.keys)),
                     check=False)
    return Protected({key: protection.protect(n, keys.get(key, 0), threshold(key))
                      for key, n in table.values.items()})


def amount_floor(k: int) -> int:
    """A sum of money (or a median) is shown only where the published count behind it is at
    least this: k + D + 1 published means at least k + 1 true records (the ptable moves a count
    of k or more by at most D, and never lifts a count under k above k + D)."""
    return k + protection.MAX_NOISE + 1


def _amounts(raw: Raw, counts: Protected, threshold: Callable[[Any], int]
             ) -> dict[Any, int | None]:
    """Loan amounts on the grid of ``loans_granted``: the published count times the cell's mean
    loan rounded to a million đồng, shown only where the published count reaches
    ``amount_floor`` (else None)."""
    m = MEASURE_BY_ID["loans_granted"]
    rows, cols, periods = _grid(raw, m)
    amount: dict[tuple[Any, Any, Any], int] = defaultdict(int)
    for r in rows:
        for b in range(raw.buckets):
            for c in cols:
                value = raw.amounts.get((AMOUNT_MEASURE, r, b, c), 0)
                for rr in (r, TOTAL):
                    for bb in (TOTAL, b) if periods else (TOTAL,):
                        if rr is not TOTAL and bb is not TOTAL:
                            continue
                        for cc in (c, TOTAL):
                            amount[(rr, bb, cc)] += value
    out: dict[Any, int | None] = {}
    for (r, b, c), total in amount.items():
        key = cell_key(m, r, b, c)
        published = counts.published(key)
        true = raw_total(raw, m, r, b, c)
        if published < amount_floor(threshold(key)) or not true:
            out[(AMOUNT_MEASURE, r, b, c)] = None
        else:
            out[(AMOUNT_MEASURE, r, b, c)] = round(total / true * published, -6)
    return out


def raw_total(raw: Raw, m: Measure, r: Any, b: Any, c: Any) -> int:
    rows, cols, _periods = _grid(raw, m)
    return sum(raw.counts.get((m.id, rr, bb, cc), 0)
               for rr in (rows if r is TOTAL else [r])
               for bb in (range(raw.buckets) if b is TOTAL else [b])
               for cc in (cols if c is TOTAL else [c]))


def thresholds(k: int, k_trafficking: int) -> Callable[[Any], int]:
    def threshold(key: Any) -> int:
        return k_trafficking if key[-1] == "trafficking_victim" else k

    return threshold


# --- the published report -------------------------------------------------------------------------


def _column_label(kind: str, value: str) -> dict[str, str]:
    if kind == "type":
        wf = workflows.get_workflow(value)
        return {"key": value, "label_vi": wf.label_vi, "label_en": wf.label_en}
    if kind == "sex":
        vi, en = SEX_LABELS[value]
        return {"key": value, "label_vi": vi, "label_en": en}
    if kind == "age":
        return {"key": value, "label_vi": AGE_LABELS_VI[value], "label_en": value}
    if kind == "kind":
        return {"key": value, "label_vi": value, "label_en": value.replace("_", " ")}
    raise KeyError(kind)


def _stage_label(stage: str) -> str:
    from workflows.declarations.common import STAGE_LABELS

    vi, en = STAGE_LABELS.get(stage, (stage, stage))
    return f"{vi} / {en}"


def build_report(session: Session, unit: Unit | None, period: Period, *,
                 case_type: str | None = None, k: int = DEFAULT_K,
                 k_trafficking: int = TRAFFICKING_K, now: datetime | None = None,
                 raw: Raw | None = None) -> dict[str, Any]:
    """The published report: every cell protected by the cell key method; no row about a person.

    ``case_type`` keeps only that column (and the totals) of type-columned sections, and drops
    the sex, age and support-kind sections, whose columns mix types: it selects from the one
    protected report, so it publishes nothing the full report does not.

    :raise ValueError: unknown ``case_type``.
    """
    if case_type is not None and case_type not in CASE_TYPES:
        raise ValueError(f"unknown case type {case_type!r}")
    now = now or utcnow()
    raw = raw or compute(session, unit, period, today=local_date(now))
    threshold = thresholds(k, k_trafficking)
    table = build_table(raw)
    result = protect_table(raw, table, threshold)
    amounts = _amounts(raw, result, threshold)

    hidden: list[dict[str, Any]] = []
    sections = []
    sub_labels = [p.label for p in period.subperiods]
    for m in MEASURES:
        if case_type and m.columns != "type":
            continue
        rows, cols, periods = _grid(raw, m)
        kind = "type" if m.rows == "stage" else m.columns
        shown_cols = [c for c in cols if case_type in (None, c)]
        columns = [_column_label(kind, c) for c in shown_cols]
        columns.append({"key": "total", "label_vi": "Tổng", "label_en": "Total"})

        def cell(key: tuple[Any, ...], section: str, table_id: str, row_key: str,
                 col_key: str) -> dict[str, Any]:
            return {"value": result.published(key)}

        tables = []
        if m.rows == "stage":
            row_defs = [(s, _stage_label(s)) for s in rows]
            table_id = "by_stage"
        else:
            row_defs = [(r.key, r.label) for r in raw.scope.rows]
            table_id = "by_unit"
        row_defs.append((TOTAL, "Tổng / Total"))
        grid = []
        for r, _label in row_defs:
            line = []
            for c in [*shown_cols, TOTAL]:
                ck = cell_key(m, r, TOTAL, c)
                entry = cell(ck, m.id, table_id, _public(r), _public(c))
                if m.id == "stage_stays":
                    # A median of at least k + 1 stays (see amount_floor), else not shown.
                    entry["median_days"] = (raw.medians.get((r, c)) if r is not TOTAL
                                            and entry["value"] >= amount_floor(threshold(ck))
                                            else None)
                if m.id == "support_connected":
                    ratio = share(result, ck, cell_key(MEASURE_BY_ID["support_needed"], r,
                                                       TOTAL, c))
                    entry["share"] = None if ratio is None else round(ratio, 4)
                    entry["meets_target"] = None if ratio is None else ratio >= TARGET_CONNECTED
                line.append(entry)
            grid.append(line)
        tables.append({"id": table_id,
                       "rows": [{"key": _public(r), "label": label} for r, label in row_defs],
                       "cells": grid})
        if periods:
            grid = []
            for b in [*periods, TOTAL]:
                grid.append([cell(cell_key(m, TOTAL, b, c), m.id, "by_period",
                                  sub_labels[b] if b is not TOTAL else "total", _public(c))
                             for c in [*shown_cols, TOTAL]])
            tables.append({"id": "by_period",
                           "rows": [{"key": lbl, "label": lbl} for lbl in sub_labels]
                           + [{"key": "total", "label": period.label}],
                           "cells": grid})
        section = {"id": m.id, "title_vi": m.title_vi, "title_en": m.title_en,
                   "unit_of_count": m.unit_of_count, "columns": columns, "tables": tables,
                   "notes": [m.note] if m.note else []}
        if m.id == "support_connected":
            section["target_share"] = TARGET_CONNECTED
        sections.append(section)
        if m.id == "loans_granted":
            sections.append(_amount_section(m, raw, amounts, shown_cols, columns, row_defs,
                                            periods, sub_labels, period, hidden))
    return {
        "unit": {"code": raw.scope.code, "name": raw.scope.name},
        "period": {"label": period.label, "kind": period.kind, "start": period.start.isoformat(),
                   "end": period.end.isoformat(),
                   "subperiods": sub_labels},
        "case_type": case_type,
        "generated_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "k": {"default": k, "trafficking_victim": k_trafficking},
        "marker": MARKER,
        "protection": {"method": protection.METHOD, "max_noise": protection.MAX_NOISE,
                       "note_vi": protection.NOTE_VI, "note_en": protection.NOTE_EN},
        "sections": sections,
        "hidden": hidden,
        "notes": report_notes(raw, k, k_trafficking),
    }


def _amount_section(m: Measure, raw: Raw, amounts: dict[Any, int | None], shown_cols: list[str],
                    columns: list[dict[str, str]], row_defs: list[tuple[Any, str]],
                    periods: list[int], sub_labels: list[str], period: Period,
                    hidden: list[dict[str, Any]]) -> dict[str, Any]:
    sid = AMOUNT_MEASURE

    def cell(key: Any, table_id: str, row: str, col: str) -> dict[str, Any]:
        value = amounts.get(key)
        if value is None:
            hidden.append({"section": sid, "table": table_id, "row": row, "column": col,
                           "reason": SUPPRESSED})
            return {"value": None, "hidden": True}
        return {"value": value}

    tables = [{"id": "by_unit",
               "rows": [{"key": _public(r), "label": label} for r, label in row_defs],
               "cells": [[cell((sid, r, TOTAL, c), "by_unit", _public(r), _public(c))
                          for c in [*shown_cols, TOTAL]] for r, _ in row_defs]}]
    if periods:
        tables.append({"id": "by_period",
                       "rows": [{"key": lbl, "label": lbl} for lbl in sub_labels]
                       + [{"key": "total", "label": period.label}],
                       "cells": [[cell((sid, TOTAL, b, c), "by_period",
                                       sub_labels[b] if b is not TOTAL else "total", _public(c))
                                  for c in [*shown_cols, TOTAL]] for b in [*periods, TOTAL]]})
    return {"id": sid, "title_vi": "Số tiền được vay (đồng)", "title_en": "Loan amounts granted",
            "unit_of_count": "VND", "columns": columns, "tables": tables,
            "notes": ["Sum of granted loan amounts: the published number of loans times their "
                      "mean amount, rounded to a million đồng; shown only where the published "
                      "number of loans is large enough that the mean covers more than k loans."]}


def _public(value: Any) -> str:
    return "total" if value is TOTAL else str(value)


def report_notes(raw: Raw, k: int, k_trafficking: int) -> list[str]:
    return [
        protection.NOTE_EN,
        f"Cell key method (docs/statistics.md): k = {k} ({k_trafficking} for trafficking "
        f"victims); a count of 1 to k-1 is published as 0 or as k to k+{protection.MAX_NOISE}; "
        f"larger counts move by at most {protection.MAX_NOISE}. The same people always give the "
        "same published number, in every report.",
        "Consent: the person's 'statistics' consent does not remove them from these mandated "
        "aggregate reports (casework.services.consent); it removes them from optional or "
        "finer extracts, which this report is not.",
        "History recorded in a pre-reform unit (vn3 tree) is not counted in the current tree.",
        f"Stocks (support needs, overdue) are read on {raw.reference_day.isoformat()}"
        if raw.reference_day else "",
        *_source_note(raw),
    ]


def _source_note(raw: Raw) -> list[str]:
    run = getattr(raw, "refresh", None)
    if run is None:
        return []
    return [f"Counts of events are taken from the statistics summary refreshed at "
            f"{run.finished_at.astimezone(UTC).isoformat(timespec='seconds')}; stocks and "
            "transfers were read when this report was generated."]


def iter_cells(report: dict[str, Any]) -> Iterable[tuple[str, str, str, str, Any]]:
    """(section, table, row, column, value) for every published or hidden cell of a report."""
    for section in report["sections"]:
        cols = [c["key"] for c in section["columns"]]
        for table in section["tables"]:
            for row, line in zip(table["rows"], table["cells"], strict=True):
                for col, entry in zip(cols, line, strict=True):
                    yield section["id"], table["id"], row["key"], col, entry["value"]


def subperiod_labels(period: Period) -> Sequence[str]:
    return [p.label for p in period.subperiods]
