"""The code is checked by ruff as part of the suite, so a rule that guards behaviour holds in CI.

The rules that matter most here are the DTZ ones: servers run on UTC while every date a person
types or reads is a date in Vietnam (UTC+7). A test that compared the server's date with
``date.today()`` passed all day and failed in CI between 17:00 and 24:00 UTC.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _ruff() -> str:
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.exists() else shutil.which("ruff")
    if not found:
        pytest.skip("ruff is not installed (make install-test installs it)")
    return found


def test_the_code_passes_the_projects_ruff_rules() -> None:
    done = subprocess.run(
        [_ruff(), "check", "--no-cache", "casework", "workflows", "tests", "bench", "scripts"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_naive_today_is_refused_by_the_rules(tmp_path: Path) -> None:
    """The guard itself can fail: ruff with the project's settings rejects ``date.today()``."""
    sample = tmp_path / "sample.py"
    sample.write_text("from datetime import date\n\nTODAY = date.today()\n")
    done = subprocess.run(
        [_ruff(), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(sample)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode != 0
    assert "DTZ011" in done.stdout
