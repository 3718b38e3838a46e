"""Load benchmark (issue 9): the service under gunicorn on PostgreSQL with 100,000 cases, against
a bare baseline served the same way. Prints one table; `make bench` runs it.

    python bench/load.py [--cases 100000] [--duration 20] [--connections 16] [--soak 300]

Steps: create a fresh PostgreSQL database; `casework init`; seed the cases with real encryption
(then refresh the statistics summary, as the nightly job would);
create a worker (with a caseload), a province supervisor and their API tokens; start gunicorn
with the production settings (gunicorn.conf.py) for the service — connected as a role of its
own granted by `casework grants`, so row-level security applies as in production — and for
bench/baseline_app.py;
drive each endpoint with wrk on loopback; read every worker's resident memory; drop the database.
Besides wrk's figures the table gives the CPU each request cost the serving gunicorn (workers,
recycled ones included) and PostgreSQL (every server process): unlike req/s, these hardly move
when another tenant shares the machine, so they say where a ratio comes from.
With --soak N, also run a mixed load of 200 connections for N seconds and then
`casework verify` (stages match history, audit chain intact, every ciphertext decrypts).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
STAY_EVENT = '{"event": "update_victim_status", "victim_status": "confirmed"}'
VISIT_NOTE = '{"kind": "home_visit", "content": "Thăm hộ gia đình, ổn định"}'
CALL_NOTE = '{"kind": "phone_call", "content": "Gọi điện hỏi thăm"}'
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
APP_PORT, BASE_PORT = 8100, 8101
PASSWORD = "bench-" + secrets.token_urlsafe(12)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@contextmanager
def service_role(env: dict[str, str]):
    """A login role of the service's own, granted as production grants it
    (``casework grants --apply``); the environment to serve with, connected as it."""
    role = f"casework_bench_app_{secrets.token_hex(3)}"
    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    try:
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "casework", "grants", "--role",
             role, "--apply"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )
        owner = env["DATABASE_URL"]
        yield {**env, "DATABASE_URL": owner.replace("://postgres@", f"://{role}@", 1)}
    finally:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        admin.close()


@contextmanager
def fresh_database():
    name = f"casework_bench_{secrets.token_hex(3)}"
    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.close()


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "CASEWORK_ROOT_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "CASEWORK_ENV": "production",
            "CASEWORK_LOG_LEVEL": "WARNING",
            # The per-address login limit would turn the login benchmark into a test of the
            # limiter (every request from 127.0.0.1): lift it here, and only here.
            "CASEWORK_LOGIN_RATE_LIMIT": "1000000 per minute",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def prepare(env: dict[str, str], cases: int) -> dict[str, object]:
    """Migrate, seed and create the bench users and tokens (in this process)."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "casework", "init"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from bench.seed import seed_cases
    from casework import create_app
    from casework.accounts.operations import create_user
    from casework.accounts.tokens import create_token
    from casework.extensions import db

    app = create_app()
    with app.app_context():
        worker = create_user(
            db.session, "bench.worker", PASSWORD, roles=["social_worker"], unit_code="00004"
        )
        supervisor = create_user(
            db.session, "bench.supervisor", PASSWORD, roles=["supervisor"], unit_code="01"
        )
        worker_token = create_token(db.session, worker, "bench", 1)[1]
        supervisor_token = create_token(db.session, supervisor, "bench", 1)[1]
        db.session.commit()
        t0 = time.perf_counter()
        mine = seed_cases(db.session, cases, worker, worker_share=min(1200, cases))
        log(f"seeded {cases} cases in {time.perf_counter() - t0:.1f} s")
        rows = db.session.execute(
            db.text(
                "SELECT c.id, c.person_id, c.case_type, c.stage FROM case_file c "
                "WHERE c.assigned_worker_id = :w"
            ),
            {"w": worker.id},
        ).all()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        # As the nightly job does in production: the statistics summary the reports read.
        from casework.stats import summary

        t0 = time.perf_counter()
        run = summary.refresh(db.session)
        db.session.commit()
        summary.tidy(db.engine)
        log(f"statistics summary: {run.facts} rows in {time.perf_counter() - t0:.1f} s")
    return {
        "worker_token": worker_token,
        "supervisor_token": supervisor_token,
        "cases": [str(r[0]) for r in rows],
        "people": [str(r[1]) for r in rows],
        "stayable": [
            str(r[0]) for r in rows if r[2] == "trafficking_victim" and r[3] != "identified"
        ],
        "mine": len(mine),
    }


def start_gunicorn(target: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            target,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz"
                if "wsgi" in target
                else f"http://127.0.0.1:{port}/nothing",
                timeout=1,
            )
            return process
        except urllib.error.HTTPError:
            return process  # answering (404 on the baseline) means it is up
        except Exception:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start: {process.stderr.read().decode()[-2000:]}")


def worker_rss_mb(process: subprocess.Popen) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
    sizes = []
    for pid in children.stdout.split():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def tree_cpu_seconds(root_pid: int) -> float:
    """CPU seconds used by a process tree so far: the root's own and reaped children's time
    (``/proc`` stat fields 14-17) plus its live children's. Workers gunicorn recycled
    (``max_requests``) and PostgreSQL backends that ended still count, through the root."""

    def fields(pid: int | str) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None

    ticks = os.sysconf("SC_CLK_TCK")
    root = fields(root_pid)
    if root is None:
        return 0.0
    total = sum(int(x) for x in root[11:15])
    children = subprocess.run(["pgrep", "-P", str(root_pid)], capture_output=True, text=True)
    for pid in children.stdout.split():
        child = fields(pid)
        if child is not None:
            total += int(child[11]) + int(child[12])
    return total / ticks


def postmaster_pid() -> int | None:
    """The local PostgreSQL server's main process (the parent of every backend), if visible."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        # Read while the connection is open: once it closes, its backend process is gone.
        try:
            return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:  # a server on another machine: its CPU is not ours to read
            return None


def wrk(port: int, lines: list[str], token: str | None, duration: int, connections: int) -> dict:
    paths = Path(f"/tmp/casework-bench-{port}-{secrets.token_hex(3)}.txt")
    paths.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "BENCH_PATHS": str(paths), "BENCH_TOKEN": token or ""}
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench/lua/request.lua"),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    paths.unlink()
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    stats["rps"] = stats["requests"] / stats["seconds"]
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--soak", type=int, default=0, help="seconds of mixed load at 200 users")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 1
    with fresh_database() as database_url:
        env = environment(database_url)
        data = prepare(env, args.cases)
        with service_role(env) as service_env:
            return serve_and_run(args, env, service_env, data)


def serve_and_run(args, env, service_env, data) -> int:  # noqa: ANN001
    """The service as in production (its own role, bound by row-level security); the baseline
    reads its one row as the owner (it sets no database context)."""
    app = start_gunicorn("wsgi:app", APP_PORT, service_env)
    base = start_gunicorn("bench.baseline_app:app", BASE_PORT, env)
    try:
        return run(args, env, data, app, base)
    finally:
        for process in (app, base):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a worker stuck in a slow request
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def run(args, env, data, app, base) -> int:  # noqa: ANN001
    worker, supervisor = data["worker_token"], data["supervisor_token"]
    cases, stayable = data["cases"], data["stayable"]
    login = json.dumps({"username": "bench.worker", "password": PASSWORD})
    scenarios = [
        (
            "baseline: 1 row + 8 decrypts",
            BASE_PORT,
            None,
            [f"GET /person/{p}" for p in data["people"]],
        ),
        ("login", APP_PORT, None, [f"POST /api/v1/auth/login {login}"]),
        ("case list (caseload)", APP_PORT, worker, ["GET /api/v1/cases?assigned=me&per_page=20"]),
        ("case read with identity", APP_PORT, worker, [f"GET /api/v1/cases/{c}" for c in cases]),
        (
            "transition",
            APP_PORT,
            worker,
            [f"POST /api/v1/cases/{c}/transitions {STAY_EVENT}" for c in stayable],
        ),
        (
            "note",
            APP_PORT,
            worker,
            [f"POST /api/v1/cases/{c}/notes {VISIT_NOTE}" for c in cases],
        ),
        (
            "indicators, a province",
            APP_PORT,
            supervisor,
            ["GET /api/v1/stats/indicators?unit=01&period=2026"],
        ),
    ]
    results = []
    # The statistics request runs last: while it is slow it occupies every worker, and a soak
    # started behind it would measure the queue, not the service.
    *interactive, statistics = scenarios
    postgres = postmaster_pid()

    def measured(port: int, token: str | None, lines: list[str]) -> dict:
        """wrk's figures plus CPU per request: the serving gunicorn tree and PostgreSQL."""
        server = base if port == BASE_PORT else app
        before = (tree_cpu_seconds(server.pid), tree_cpu_seconds(postgres) if postgres else 0.0)
        result = wrk(port, lines, token, args.duration, args.connections)
        after = (tree_cpu_seconds(server.pid), tree_cpu_seconds(postgres) if postgres else 0.0)
        requests = max(result["requests"], 1)
        result["app_cpu_ms"] = (after[0] - before[0]) / requests * 1000
        result["db_cpu_ms"] = (after[1] - before[1]) / requests * 1000 if postgres else None
        return result

    for name, port, token, lines in interactive:
        log(f"running {name}")
        results.append((name, measured(port, token, lines)))
    rss = worker_rss_mb(app)
    soak_line, status = (
        soak_and_verify(args, env, worker, cases, stayable) if args.soak else ("", 0)
    )
    name, port, token, lines = statistics
    log(f"running {name}")
    results.append((name, measured(port, token, lines)))
    baseline = results[0][1]["rps"]
    print(
        f"\nLoad benchmark — {args.cases:,} cases on PostgreSQL, gunicorn "
        f"({len(rss)} sync workers), wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores"
    )
    print(
        f"| {'endpoint':30} | {'req/s':>8} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | "
        f"{'errors':>6} | {'409s':>5} | {'vs baseline':>11} | {'app CPU ms':>10} | "
        f"{'db CPU ms':>9} |"
    )
    print(
        f"|{'-' * 32}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 7}|{'-' * 13}|"
        f"{'-' * 12}|{'-' * 11}|"
    )
    for name, r in results:
        print(
            f"| {name:30} | {r['rps']:8.1f} | {r['p50']:7.1f} | {r['p95']:7.1f} "
            f"| {r['p99']:7.1f} | "
            f"{r['errors']:6d} | {r['conflicts']:5d} | {r['rps'] / baseline:11.2f} | "
            f"{r['app_cpu_ms']:10.2f} | "
            + (f"{r['db_cpu_ms']:9.2f} |" if r["db_cpu_ms"] is not None else f"{'—':>9} |")
        )
    print(
        "\nresident memory per service worker after the run: "
        + ", ".join(f"{m:.0f} MB" for m in rss)
        + " (target ≤ 150 MB)"
    )
    print(soak_line)
    return status


def soak_and_verify(args, env, worker, cases, stayable) -> tuple[str, int]:  # noqa: ANN001
    """200 connections of mixed work for ``args.soak`` seconds, then the integrity check."""
    mixed = (
        [f"GET /api/v1/cases/{c}" for c in cases[:200]]
        + ["GET /api/v1/cases?assigned=me&per_page=20"] * 50
        + [f"POST /api/v1/cases/{c}/transitions {STAY_EVENT}" for c in stayable[:50]]
        + [f"POST /api/v1/cases/{c}/notes {CALL_NOTE}" for c in cases[:50]]
    )
    log(f"soak: 200 connections for {args.soak} s")
    soak = wrk(APP_PORT, mixed, worker, args.soak, 200)
    verify = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "casework", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    line = (
        f"\nsoak: {soak['requests']:,} requests in {soak['seconds']:.0f} s at 200 connections, "
        f"{soak['rps']:.1f} req/s, p99 {soak['p99']:.0f} ms, errors {soak['errors']}, "
        f"409 conflicts {soak['conflicts']}; "
        f"integrity: {verify.stdout.strip() or verify.stderr.strip()}"
    )
    return line, int(bool(soak["errors"]) or verify.returncode != 0)


if __name__ == "__main__":
    sys.exit(main())
