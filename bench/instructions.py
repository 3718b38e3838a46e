"""Instructions per request (issue 9): the service's endpoints and the bare baseline, counted by
valgrind, so a change's effect on CPU can be seen on a shared, noisy machine. `make
bench-instructions` runs it and prints one table.

    python bench/instructions.py [--cases 20000] [--requests 300]

Why: `make bench` measures requests per second with wrk, which is what issue 9 asks for, but on a
machine shared with other tenants its CPU times move by 20-30 % from one hour to the next (the
same commit: case read 2.5 ms of worker CPU on one day, 3.2 on the next). Valgrind's callgrind
counts the instructions the Python process executes, and that count is the same whatever else
the machine is doing (two runs of the same commit agree to ~0.5 %).

What is counted: one Python process serving requests through Flask's test client (the same WSGI
path for the service and the baseline, no gunicorn), PostgreSQL seeded as `make bench` seeds it.
Each endpoint runs twice under callgrind, once with a warm-up only and once with the warm-up and
`--requests` more; the difference divided by `--requests` is one request's instructions, start-up
and warm-up cancelled out. Not counted: PostgreSQL's own work, the kernel (network round trips),
the HTTP server and the load generator — so the ratio here is the application's share only, and
is lower than wrk's ratio of requests per second, where those fixed costs dilute it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 50
SCENARIOS = ("baseline", "case read with identity", "transition", "note", "case list (caseload)")


def child(scenario: str, requests: int, data_file: str) -> None:
    """Serve ``WARM_UP + requests`` requests of ``scenario`` in this process (under valgrind)."""
    sys.path.insert(0, str(ROOT))
    data = json.loads(Path(data_file).read_text())
    if scenario == "baseline":
        from bench.baseline_app import app as baseline

        client, headers = baseline.test_client(), {}
        paths = [("GET", f"/person/{p}", None) for p in data["people"]]
    else:
        from bench.load import STAY_EVENT, VISIT_NOTE
        from casework import create_app

        client = create_app().test_client()
        headers = {"Authorization": f"Bearer {data['worker_token']}"}
        paths = {
            "case read with identity": [("GET", f"/api/v1/cases/{c}", None) for c in data["cases"]],
            "transition": [
                ("POST", f"/api/v1/cases/{c}/transitions", json.loads(STAY_EVENT))
                for c in data["stayable"]
            ],
            "note": [
                ("POST", f"/api/v1/cases/{c}/notes", json.loads(VISIT_NOTE)) for c in data["cases"]
            ],
            "case list (caseload)": [("GET", "/api/v1/cases?assigned=me&per_page=20", None)],
        }[scenario]
    for i in range(WARM_UP + requests):
        method, path, body = paths[i % len(paths)]
        response = client.open(path, method=method, json=body, headers=headers)
        if response.status_code >= 300:
            raise SystemExit(f"{scenario}: {method} {path} answered {response.status_code}")


def instructions(scenario: str, requests: int, data_file: str, env: dict[str, str]) -> int:
    """Instructions of one child run under callgrind."""
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            scenario,
            str(requests),
            data_file,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    match = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if result.returncode != 0 or not match:
        raise RuntimeError(
            f"{scenario}: valgrind run failed\n{result.stdout}{result.stderr[-3000:]}"
        )
    return int(match.group(1).replace(",", ""))


def per_request(scenario: str, requests: int, data_file: str, env: dict[str, str]) -> float:
    """One request's instructions: (warm-up + requests) − (warm-up), divided by requests."""
    warm = instructions(scenario, 0, data_file, env)
    full = instructions(scenario, requests, data_file, env)
    return (full - warm) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    from bench.load import environment, fresh_database, log, prepare

    with fresh_database() as database_url, tempfile.TemporaryDirectory() as tmp:
        env = environment(database_url)
        data = prepare(env, args.cases)
        data_file = Path(tmp) / "data.json"  # holds API tokens: a private directory
        data_file.write_text(json.dumps(data))
        results = []
        for scenario in SCENARIOS:
            log(f"counting {scenario}")
            results.append((scenario, per_request(scenario, args.requests, str(data_file), env)))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    baseline = results[0][1]
    print(
        f"\nInstructions per request (valgrind), {args.cases:,} cases on PostgreSQL, "
        f"{args.requests} requests after {WARM_UP} warm-up, Flask test client, commit {commit}"
    )
    print(f"| {'endpoint':30} | {'instructions':>12} | {'baseline / endpoint':>19} |")
    print(f"|{'-' * 32}|{'-' * 14}|{'-' * 21}|")
    for scenario, count in results:
        print(f"| {scenario:30} | {count / 1e6:10.2f} M | {baseline / count:19.2f} |")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(main())
