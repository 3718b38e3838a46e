"""The login rate limit holds across workers: its counters are shared, not kept per process.

Issue 16, finding 7: without REDIS_URL the limiter counted in each worker's memory, so with two
gunicorn workers the first 429 came at attempt 19 instead of 11. Without Redis the counters now
live in the database (``casework.rate_limits``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from casework.extensions import db
from casework.rate_limits import DatabaseStorage
from tests.conftest import process_environ

ROOT = Path(__file__).resolve().parents[2]


def _worker(world, *attempts: str) -> list[int]:
    """Failed logins (``"address:count"``) in a new process, as one more worker would."""
    env = process_environ(world.app)
    result = subprocess.run(
        [sys.executable, "-m", "tests.accounts.login_worker", *attempts],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_workers_share_one_login_counter_per_address(world):
    # The default limit (10 per minute) and no REDIS_URL: the configuration of a plain install.
    first = _worker(world, "10.16.7.1:5")
    second = _worker(world, "10.16.7.1:6", "10.16.7.2:1")
    assert first + second[:6] == [401] * 10 + [429]
    assert second[6:] == [401]  # another address has a counter of its own


def test_a_hit_counts_once_however_many_come_at_the_same_moment(app):
    storage = DatabaseStorage()

    def hit(_: int) -> int:
        with app.app_context():
            return storage.incr("LIMITER/10.0.0.9/login", 60)

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(hit, range(40)))
    assert sorted(counts) == list(range(1, 41))  # each hit saw its own count: none lost
    with app.app_context():
        assert storage.get("LIMITER/10.0.0.9/login") == 40
        db.session.remove()


def test_a_window_that_has_ended_starts_again_from_one(app):
    now = [1_000_000.0]
    storage = DatabaseStorage(clock=lambda: now[0])
    with app.app_context():
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get_expiry("k") == 1_000_060.0
        now[0] += 59
        assert storage.get("k") == 3
        now[0] += 1  # the window has ended
        assert storage.get("k") == 0
        assert storage.incr("k", 60) == 1
        assert storage.get_expiry("k") == 1_000_120.0
        storage.clear("k")
        assert storage.get("k") == 0 and storage.check()
