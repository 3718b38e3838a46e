"""Run the whole suite on SQLite, then on a fresh PostgreSQL database (created and dropped here).

PostgreSQL comes from DATABASE_URL when set, else the local server at 127.0.0.1:5432 (trust
auth). When none answers the PostgreSQL leg is skipped with a loud message — except under CI
(CI=true), where that is a failure: CI must exercise PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import psycopg
from psycopg import sql

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def banner(text: str) -> None:
    line = "=" * 78
    print(f"\n{line}\n{text}\n{line}", flush=True)


def pytest(args: list[str], env: dict[str, str]) -> int:
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def admin_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_ADMIN_URL
    return url.replace("postgresql+psycopg://", "postgresql://")


def main() -> int:
    args = sys.argv[1:]
    base_env = {k: v for k, v in os.environ.items() if k != "CASEWORK_TEST_DATABASE_URL"}
    banner("casework test suite on SQLite")
    sqlite_status = pytest(args, base_env)

    url = admin_url()
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL not reachable at {url.split('@')[-1]}: {exc}".strip()
        if os.environ.get("CI") == "true":
            banner(f"FAILED: CI must run the PostgreSQL leg. {message}")
            return 1
        banner(f"SKIPPING the PostgreSQL leg! {message}")
        return sqlite_status

    name = f"casework_test_{secrets.token_hex(4)}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    test_url = url.rsplit("/", 1)[0] + f"/{name}"
    banner(f"casework test suite on PostgreSQL (database {name})")
    try:
        pg_status = pytest(args, {**base_env, "CASEWORK_TEST_DATABASE_URL": test_url})
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.close()
    banner(
        f"SQLite: {'passed' if sqlite_status == 0 else 'FAILED'}; "
        f"PostgreSQL: {'passed' if pg_status == 0 else 'FAILED'}"
    )
    return sqlite_status or pg_status


if __name__ == "__main__":
    sys.exit(main())
