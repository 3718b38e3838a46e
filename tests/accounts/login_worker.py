"""One gunicorn worker's share of a login attack, in a process of its own.

``python -m tests.accounts.login_worker ADDRESS:COUNT …`` builds the app from the environment as
a worker does (``DATABASE_URL``, ``CASEWORK_ROOT_KEY``, … with rate limits on), makes COUNT
failed logins from each ADDRESS in turn and prints their status codes as one JSON list. A
separate process has its own memory, so counters kept in memory would not carry over from one
such run to the next.
"""

from __future__ import annotations

import json
import sys

from casework import create_app


def main(attempts: list[str]) -> list[int]:
    client = create_app().test_client()
    statuses = []
    for attempt in attempts:
        address, _, count = attempt.rpartition(":")
        statuses += [
            client.post(
                "/api/v1/auth/login",
                json={"username": "worker_a", "password": "wrong password!"},
                environ_base={"REMOTE_ADDR": address},
            ).status_code
            for _ in range(int(count))
        ]
    return statuses


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
