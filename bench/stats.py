"""Benchmark of the statistics: 1,000,000 cases and ~10 million history rows in PostgreSQL.

    python bench/stats.py                  # create a database, load, time, drop it
    python bench/stats.py --keep           # keep the loaded database (name printed)
    python bench/stats.py --reuse NAME     # time an already loaded database
    python bench/stats.py --cases 100000   # a smaller world

The data is synthetic and coded only (no ciphertext: person rows carry sex and birth year,
which is all statistics read). It is generated in Python following the real workflows' stage
lines and written with COPY (not the ORM); secondary indexes are dropped for the load and
rebuilt afterwards, as a bulk load in production would do. Then the statistics summary is
refreshed (timed once) and the annual national report and one province's are timed: from the
history (the queries the summary replaces; the national one once, it takes minutes), from the
summary (five runs after a warm-up), the first whole report after a refresh (SQL + suppression
over every cell, kept), and later requests, which read the kept report. A table of
min / median / max milliseconds is printed.

PostgreSQL comes from DATABASE_URL (an admin URL) or postgresql://postgres@127.0.0.1:5432/postgres.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import secrets
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
YEAR = 2025
PROVINCE = "01"  # Hà Nội: the largest province, the slowest case for a province report
RUNS = 5

TYPES = ("trafficking_victim", "post_rehab", "sex_work_exit", "post_prison")
TYPE_WEIGHTS = (0.08, 0.42, 0.15, 0.35)
SECOND = {"trafficking_victim": ("verify", "verified"), "post_rehab": ("verify", "verified"),
          "post_prison": ("check_address", "verified"),
          "sex_work_exit": ("record_consent", "consented")}
LINES = {
    "trafficking_victim": ("counselling", "schooling", "vocational_training", "job_placement",
                           "loan_referral", "follow_up"),
    "post_rehab": ("counselling", "schooling", "vocational_training", "job_placement",
                   "loan_referral", "follow_up"),
    "sex_work_exit": ("counselling", "vocational_training", "job_placement", "loan_referral",
                      "follow_up"),
    "post_prison": ("counselling", "vocational_training", "job_placement", "loan_referral",
                    "follow_up"),
}
OPTIONAL = {"schooling", "vocational_training", "job_placement", "loan_referral"}
DUE = {"identified": 7, "verified": 7, "consented": 7, "assessed": 14, "counselling": 30,
       "vocational_training": 180, "job_placement": 60, "loan_referral": 30, "suspended": 90}
REASONS = ("reintegrated",) * 7 + ("moved_away", "declined_support", "not_eligible", "deceased",
                                   "duplicate")
KINDS = ("essentials", "medical", "legal_aid", "psychological", "vocational_training",
         "job_placement", "loan", "identity_papers")
START = datetime(2021, 1, 1, 2, tzinfo=UTC)
NOW = datetime(2026, 7, 1, tzinfo=UTC)


def admin_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_ADMIN_URL
    return url.replace("postgresql+psycopg://", "postgresql://")


def db_url(name: str) -> str:
    return admin_url().rsplit("/", 1)[0] + f"/{name}"


def make_app(name: str):  # noqa: ANN201 - a Flask app
    from casework import create_app

    key = base64.b64encode(secrets.token_bytes(32)).decode()
    environ = {"DATABASE_URL": db_url(name).replace("postgresql://", "postgresql+psycopg://"),
               "CASEWORK_ROOT_KEY": key, "CASEWORK_ENV": "development",
               "SECRET_KEY": "bench-secret-key-not-for-production"}
    instance = Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}-instance"
    return create_app({"INSTANCE_PATH": instance, "ENVIRON": environ, "TESTING": True})


# --- generation ----------------------------------------------------------------------------------


class Writer:
    """Buffers tab-separated rows and COPYs them in chunks."""

    def __init__(self, conn: psycopg.Connection, table: str, columns: tuple[str, ...]) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self.buf = io.StringIO()
        self.rows = 0
        self.total = 0

    def add(self, *values: object) -> None:
        self.buf.write("\t".join("\\N" if v is None else str(v) for v in values))
        self.buf.write("\n")
        self.rows += 1
        if self.rows >= 200_000:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table), sql.SQL(", ").join(map(sql.Identifier, self.columns)))
        with self.conn.cursor() as cur, cur.copy(stmt) as copy:
            copy.write(self.buf.getvalue())
        self.total += self.rows
        self.buf = io.StringIO()
        self.rows = 0


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def generate(conn: psycopg.Connection, n_cases: int, communes: list[tuple[str, str]],
             rng: random.Random) -> dict[str, int]:
    """Write persons, cases, history, support items and counselling notes."""
    people = Writer(conn, "person", ("id", "sex", "birth_year", "created_at"))
    cases = Writer(conn, "case_file", (
        "id", "reference", "case_type", "stage", "unit_id", "recorded_unit_id", "person_id",
        "opened_on", "closed_on", "closure_reason", "version", "created_at", "updated_at",
        "stage_entered_at", "due_on", "consent_given", "victim_status", "relapse_count",
        "record_key"))
    events = Writer(conn, "case_event", (
        "id", "case_id", "seq", "event", "from_stage", "to_stage", "unit_id", "at", "data",
        "forced"))
    items = Writer(conn, "support_item", (
        "id", "case_id", "kind", "status", "planned_on", "referred_on", "started_on", "ended_on",
        "amount_vnd", "loan_status", "training_result", "kept_3_months", "kept_6_months",
        "created_at", "updated_at"))
    notes = Writer(conn, "case_note", ("id", "case_id", "kind", "occurred_on", "created_at"))
    span = (NOW - START).total_seconds()
    getrand = rng.getrandbits

    def new_id() -> str:
        return str(uuid.UUID(int=getrand(128), version=4))

    for i in range(n_cases):
        case_type = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        unit_id, _ = communes[int(rng.random() ** 1.3 * len(communes))]
        person_id, case_id = new_id(), new_id()
        opened = START + timedelta(seconds=rng.random() * span)
        if case_type in ("trafficking_victim", "sex_work_exit"):
            sex = "female" if rng.random() < 0.9 else "male"
        else:
            sex = "male" if rng.random() < 0.85 else "female"
        born = opened.year - rng.choice((15, 16, 17, 19, 22, 25, 28, 31, 35, 40, 44, 48, 55))
        people.add(person_id, sex, born if rng.random() < 0.95 else None, ts(opened))

        seq = 0
        now = opened
        stage = "identified"
        entered = opened
        unit = unit_id
        relapses = 0
        closed_on = reason = None
        victim = "under_identification" if case_type == "trafficking_victim" else None

        def emit(event: str, to_stage: str, data: str = "{}", gap: float | None = None) -> bool:
            nonlocal seq, now, stage, entered
            days = gap if gap is not None else rng.expovariate(1 / 18)
            moment = now + timedelta(days=days, seconds=rng.randint(0, 36000))
            if moment >= NOW:
                return False
            seq += 1
            # Called only within this case's iteration, so the loop variables are the right ones.
            events.add(new_id(), case_id, seq, event,  # noqa: B023
                       stage if seq > 1 else None, to_stage, unit,  # noqa: B023
                       ts(moment), data, "f")
            now = moment
            if to_stage != stage:
                entered = moment
            stage = to_stage
            return True

        seq = 1
        events.add(new_id(), case_id, 1, "open", None, "identified", unit, ts(opened), "{}", "f")
        alive = True
        if case_type == "trafficking_victim":
            alive = emit("record_consent", "identified", '{"consent_date": "x"}', rng.random() * 2)
        name, second = SECOND[case_type]
        if alive:
            data = "{}"
            if case_type == "trafficking_victim":
                victim = "confirmed" if rng.random() < 0.8 else "not_a_victim"
                data = json.dumps({"victim_status": victim})
            gap = rng.random() * 6 if rng.random() < 0.8 else rng.random() * 20
            alive = emit(name, second, data, gap)
        if alive and rng.random() < 0.93:
            alive = emit("assess", "assessed")
            if alive and case_type == "post_prison":
                alive = emit("classify", "assessed", json.dumps({"classification": "B"}))
            if alive:
                alive = emit("start_counselling", "counselling")
            line = LINES[case_type]
            pos = 0
            while alive and pos < len(line) - 1:
                r = rng.random()
                relapsing = case_type in ("post_rehab", "post_prison") and stage != "counselling"
                if r < 0.03 and relapsing:
                    ev = "relapse" if case_type == "post_rehab" else "reoffend"
                    alive = emit(ev, "counselling", '{"finding_date": "2025-01-01"}')
                    relapses += 1
                    pos = 0
                    continue
                if r < 0.06:
                    left = stage
                    reason_s = "lost_contact" if rng.random() < 0.5 else "moved"
                    alive = emit("suspend", "suspended",
                                 json.dumps({"suspension_reason": reason_s}))
                    if alive and rng.random() < 0.7:
                        alive = emit("resume", left)
                    else:
                        break
                    continue
                if r < 0.075:
                    left = stage
                    target_id, target_code = communes[rng.randrange(len(communes))]
                    alive = emit("request_transfer", "transfer_pending",
                                 json.dumps({"to_unit": target_code}))
                    if alive:
                        alive = emit("accept_transfer", left)
                        if alive:
                            unit = target_id
                    continue
                current = line[pos]
                skip = current in OPTIONAL and rng.random() < 0.35
                gap = rng.expovariate(1 / (60 if current == "vocational_training" else 20))
                if skip:
                    alive = emit(f"skip_{current}", line[pos + 1],
                                 json.dumps({"skipped_stage": current}), gap)
                else:
                    alive = emit(f"complete_{current}", line[pos + 1], "{}", gap)
                pos += 1
            if alive and stage == "follow_up" and rng.random() < 0.6:
                reason = rng.choice(REASONS)
                alive = emit("request_closure", "closure_requested",
                             json.dumps({"closure_reason": reason}), rng.expovariate(1 / 200))
                if alive:
                    alive = emit("approve_closure", "closed", "{}", rng.random() * 7)
                    if alive:
                        closed_on = now.date()
                    else:
                        pass
                if not alive and stage != "closure_requested":
                    reason = None
        due = None if stage in ("closed", "follow_up", "schooling", "closure_requested",
                                "transfer_pending") else (
            entered.date() + timedelta(days=DUE.get(stage, 7)))
        cases.add(case_id, f"B-{i:08d}", case_type, stage, unit, unit_id, person_id,
                  opened.date(), closed_on, reason if closed_on or stage == "closure_requested"
                  else None, 1, ts(opened), ts(now), ts(entered), due, "t", victim, relapses,
                  rng.randrange(256))

        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            kind = rng.choice(KINDS)
            planned = opened.date() + timedelta(days=rng.randint(5, 120))
            if planned >= NOW.date():
                continue
            status = rng.choices(("planned", "referred", "in_progress", "completed", "declined"),
                                 (2, 2, 2, 4, 1))[0]
            referred = planned + timedelta(days=rng.randint(1, 20)) if status != "planned" else None
            started = referred + timedelta(days=rng.randint(1, 20)) if status in (
                "in_progress", "completed") else None
            ended = (started + timedelta(days=rng.randint(10, 200))
                     if status == "completed" else None)
            if any(d and d >= NOW.date() for d in (referred, started, ended)):
                continue
            amount = loan_status = result = kept3 = kept6 = None
            if kind == "loan":
                loan_status = "approved" if status in ("in_progress", "completed") else "applied"
                amount = rng.randint(10, 100) * 1_000_000 if loan_status == "approved" else None
            if kind == "vocational_training" and status == "completed":
                result = "completed" if rng.random() < 0.8 else "dropped_out"
            if kind == "job_placement" and started:
                kept3 = rng.random() < 0.7
                kept6 = kept3 and rng.random() < 0.8
            items.add(new_id(), case_id, kind, status, planned, referred, started, ended, amount,
                      loan_status, result, None if kept3 is None else ("t" if kept3 else "f"),
                      None if kept6 is None else ("t" if kept6 else "f"), ts(opened), ts(opened))
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                day = opened.date() + timedelta(days=rng.randint(3, 300))
                if day < NOW.date():
                    notes.add(new_id(), case_id, "counselling_psychological", day, ts(opened))
        if i % 100_000 == 99_999:
            print(f"  generated {i + 1:,} cases, {events.total + events.rows:,} history rows",
                  flush=True)
    for writer in (people, cases, events, items, notes):
        writer.flush()
    return {w.table: w.total for w in (people, cases, events, items, notes)}


LOADED_TABLES = ("person", "case_file", "case_event", "support_item", "case_note")


def load(name: str, n_cases: int) -> None:
    from casework.extensions import db
    from casework.units.loader import PACKAGED_UNITS, load_units, read_file

    app = make_app(name)
    with app.app_context():
        db.create_all()
        load_units(db.session, read_file(PACKAGED_UNITS))
        db.session.commit()
    with psycopg.connect(db_url(name), autocommit=True) as conn:
        communes = conn.execute(
            "SELECT id::text, code FROM unit WHERE tree = 'vn2' AND kind = 'commune' ORDER BY path"
        ).fetchall()
        # Secondary indexes and foreign keys cost far more row by row than rebuilt at the end.
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
            (list(LOADED_TABLES),)).fetchall()
        constraints = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')",
            (list(LOADED_TABLES),)).fetchall()
        for table, con, _ in constraints:
            conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(con)))
        for index, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(index)))
        print(f"loading {n_cases:,} cases into {name} ({len(communes):,} communes)", flush=True)
        started = time.perf_counter()
        with conn.transaction():
            counts = generate(conn, n_cases, communes, random.Random(2026))
        print(f"  rows: {counts} in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        for table, con, definition in constraints:
            conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(con), sql.SQL(definition)))
        for index, definition in indexes:
            exists = conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (index,))
            if not exists.fetchone():
                conn.execute(definition)
        conn.execute("VACUUM ANALYZE")
        print(f"  indexes, constraints and ANALYZE: {time.perf_counter() - started:.0f} s",
              flush=True)


# --- timing --------------------------------------------------------------------------------------


def timed(fn, runs: int = RUNS) -> list[float]:  # noqa: ANN001
    if runs > 1:
        fn()  # warm-up: caches, plan cache, first-use imports
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(name: str, live: bool = True, refresh: bool = True) -> list[tuple[str, list[float]]]:
    from casework.extensions import db
    from casework.stats import indicators, summary
    from casework.stats.models import StatReport
    from casework.stats.periods import parse
    from casework.stats.reports import published_report
    from casework.units.models import CURRENT_TREE, Unit

    app = make_app(name)
    period = parse(str(YEAR))
    today = NOW.date()
    rows = []
    with app.app_context():
        db.create_all()  # the summary tables, on a database loaded by an older version
        if refresh or summary.latest_refresh(db.session) is None:
            started = time.perf_counter()
            run = summary.refresh(db.session)
            db.session.commit()
            summary.tidy(db.engine)
            rows.append((f"summary refresh, every month ({run.facts:,} rows; 1 run)",
                         [(time.perf_counter() - started) * 1000]))
        province = db.session.scalar(
            db.select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == PROVINCE))
        for label, unit in (("national", None), (f"province {PROVINCE}", province)):
            if live:
                # The history queries, as before the summary; national is slow, so once.
                rows.append((f"{label}: indicators from the history (SQL)",
                             timed(lambda u=unit: indicators.compute(db.session, u, period,
                                                                     today=today),
                                   runs=1 if unit is None else RUNS)))
            rows.append((f"{label}: indicators from the summary (SQL)",
                         timed(lambda u=unit: summary.raw_from_summary(db.session, u, period,
                                                                       today))))
            # What the API runs (reports.published_report): the first request after a refresh
            # builds the report (SQL + one suppression over every cell) and keeps it; later ones
            # read the kept report.
            db.session.execute(db.delete(StatReport))
            started = time.perf_counter()
            report = published_report(db.session, unit, period)
            db.session.commit()
            rows.append((f"{label}: report, first request after a refresh (1 run)",
                         [(time.perf_counter() - started) * 1000]))
            rows.append((f"{label}: report, later requests (kept)",
                         timed(lambda u=unit: published_report(db.session, u, period))))
            cells = sum(len(t["rows"]) * len(s["columns"]) for s in report["sections"]
                        for t in s["tables"])
            print(f"  {label}: {len(report['sections'])} sections, {cells:,} cells, "
                  f"{len(report['hidden']):,} hidden", flush=True)
            db.session.commit()
    return rows


def synthetic_suppression(n_rows: int, seed: int = 2026) -> None:
    """Time ``suppress`` alone on a province-sized report of small counts (no database).

    131 rows give ~27,500 cells, the size of the largest province's annual report.
    """
    from casework.stats import indicators as ind
    from casework.stats.periods import parse
    from casework.stats.suppression import suppress

    rng = random.Random(seed)
    rows = [ind.Row(f"c{i:03d}", f"c{i}", f"vn2:01.{i:03d}.") for i in range(n_rows)]
    raw = ind.Raw(ind.ReportScope(None, "vn2:01.", rows), parse(str(YEAR)))
    for m in ind.MEASURES:
        if m.parts or m.total_key:
            continue
        grid_rows, cols, _ = ind._grid(raw, m)
        for r in grid_rows:
            for c in cols:
                for b in range(raw.buckets):
                    raw.add(m.id, r, b, c, int(rng.expovariate(1 / 3)) if rng.random() < 0.6 else 0)
    for mid, kind in (("new_cases_by_sex", "sex"), ("new_cases_by_age", "age")):
        values = ind.column_values(kind)
        for r in rows:
            for b in range(raw.buckets):
                for _ in range(sum(raw.counts.get(("new_cases", r.key, b, c), 0)
                                   for c in ind.column_values("type"))):
                    raw.add(mid, r.key, b, rng.choice(values), 1)
    for m in ind.MEASURES:
        if m.parts:
            grid_rows, cols, _ = ind._grid(raw, m)
            for r in grid_rows:
                for c in cols:
                    for b in range(raw.buckets):
                        raw.add(m.id, r, b, c, sum(raw.counts.get((p, r, b, c), 0)
                                                   for p in m.parts))
    table = ind.build_table(raw)
    started = time.perf_counter()
    result = suppress(table, ind.thresholds(5, 11))
    print(f"suppress: {len(table):,} cells, {len(result.hidden):,} hidden "
          f"({len(result.primary):,} primary) in {time.perf_counter() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", metavar="NAME", help="time an already loaded database")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--no-live", action="store_true",
                        help="skip the history queries (the national one takes minutes)")
    parser.add_argument("--skip-refresh", action="store_true",
                        help="with --reuse: time the summary already there")
    parser.add_argument("--synthetic-suppression", type=int, metavar="ROWS",
                        help="only time suppression on a synthetic report with ROWS units")
    args = parser.parse_args()
    if args.synthetic_suppression:
        synthetic_suppression(args.synthetic_suppression)
        return 0
    name = args.reuse or f"casework_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(admin_url(), autocommit=True)
    try:
        if not args.reuse:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            load(name, args.cases)
        if args.load_only:
            print(f"loaded database: {name}")
            return 0
        rows = measure(name, live=not args.no_live, refresh=not args.skip_refresh)
        print(f"\nannual report {YEAR}, {RUNS} runs after a warm-up (milliseconds)")
        print(f"{'what':58} {'min':>8} {'median':>8} {'max':>8}")
        for label, times in rows:
            print(f"{label:58} {min(times):8.0f} {statistics.median(times):8.0f} "
                  f"{max(times):8.0f}")
        print("targets: national <= 1000 ms, a province <= 200 ms")
    finally:
        if not (args.keep or args.reuse or args.load_only):
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
        elif not args.reuse:
            print(f"kept database: {name}")
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
