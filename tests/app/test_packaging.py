"""The wheel is the deployable unit: installed outside the checkout, it initialises and serves.

Templates and migrations live at the top of the checkout; the build maps them into the package.
This test builds the wheel, installs it alone into a fresh virtual environment in a temporary
folder (its dependencies borrowed from the test environment, so no network is needed), and runs
``casework init`` and ``/healthz`` there — from a directory that holds no part of the checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SERVE = """
import casework
from casework import create_app

app = create_app()
client = app.test_client()
health = client.get("/healthz")
login = client.get("/login")
print("package", casework.__file__)
print("healthz", health.status_code, health.get_json())
print("login", login.status_code, "Đăng nhập" in login.get_data(as_text=True))
"""


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.skipif(
    bool(os.environ.get("CASEWORK_TEST_DATABASE_URL")),
    reason="packaging does not depend on the database; checked once, in the SQLite leg",
)
def test_the_wheel_initialises_and_serves_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--wheel-dir", str(dist), str(ROOT)])
    (wheel,) = dist.glob("casework-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "casework/templates/base.html" in names
    assert "casework/migrations/env.py" in names
    assert any(n.startswith("casework/migrations/versions/0001") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "bench/"))]

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-index", str(wheel)])
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                      "['purelib'])"]).stdout.strip())
    # Dependencies from this test environment, after the fresh site-packages on sys.path (a
    # path added by a .pth file does not run the .pth files in it, so the editable checkout
    # install there stays out of sight).
    (site / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEWORK_", "FLASK_"))}
    env.pop("DATABASE_URL", None)
    env.pop("PYTHONPATH", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'casework.db'}",
        CASEWORK_ENV="development",
        CASEWORK_KEY_FILE=str(tmp_path / "casework.key"),
        SECRET_KEY="packaging-test-secret",
    )
    init = _run([str(python), "-m", "flask", "--app", "casework", "casework", "init"],
                cwd=elsewhere, env=env)
    assert "error" not in init.stdout.lower()
    served = _run([str(python), "-c", SERVE], cwd=elsewhere, env=env).stdout
    assert f"package {site}" in served, served
    assert "healthz 200" in served and "'schema': 'head'" in served, served
    assert "login 200 True" in served, served


def _name(requirement: str) -> str:
    """``psycopg[binary]>=3.1`` → ``psycopg`` (names compared as PyPI normalises them)."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)).lower()


def test_the_lock_file_pins_every_application_dependency_with_hashes():
    """``requirements.lock`` (``make lock``) is what a deploy installs: a dependency added to
    pyproject.toml without re-locking would be missing in production."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = (ROOT / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", locked, re.M)
    unpinned = re.findall(r"^[A-Za-z0-9_.-]+==\S+$", locked, re.M)
    assert pins and not unpinned, "every pin carries its hashes"
    missing = {_name(r) for r in project["dependencies"]} - {_name(p) for p in pins}
    assert not missing, f"run `make lock`: {sorted(missing)} not pinned"
