"""A wrong root key is refused everywhere: nothing is served, encrypted or signed under it.

Issue 16, finding 1: any well-formed CASEWORK_ROOT_KEY used to be accepted — /healthz said 200,
a failed login signed an audit row with the wrong key (breaking the chain for good), reading
cases failed with 500 and opening a case stored personal data under a key nobody has. The
database now keeps a check value per key id; every worker compares its keyring with them before
serving, gunicorn refuses to start and commands stop with one line.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from casework.accounts.models import User
from casework.accounts.tokens import create_token
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.crypto import generate_key_file
from casework.crypto.models import KeyCheck
from casework.extensions import db
from tests.conftest import PASSWORD, ROOT_KEY, case_body, make_app, owner_url, process_environ

ROOT = Path(__file__).resolve().parents[2]
OTHER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()


def _count(app, model) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return count


def _token(app, username: str) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        secret = create_token(db.session, user, "key check", 1)[1]
        db.session.commit()
        db.session.remove()
        return secret


def _check_values(app) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(select(KeyCheck.key_id, KeyCheck.check_value)).all()
        db.session.remove()
        return dict(rows)


def _forget_check_values(app) -> None:
    """As a database that predates key check values (before migration 0003's first init)."""
    with app.app_context():
        db.session.execute(delete(KeyCheck))
        db.session.commit()
        db.session.remove()


def _key_file(path: Path, key_b64: str = ROOT_KEY) -> Path:
    generate_key_file(path, base64.b64decode(key_b64))
    return path


def _env_app(world, root_key: str, *, as_owner: bool = False):
    """Another worker on the world's database, its root key from CASEWORK_ROOT_KEY; connected
    as the tables' owner (``as_owner``) for ``init``, which migrates and installs triggers."""
    url = world.app.config["SQLALCHEMY_DATABASE_URI"]
    return make_app(
        Path(world.app.instance_path).parent,
        owner_url(url) if as_owner else url,
        environ={"CASEWORK_ROOT_KEY": root_key},
    )


def _file_app(tmp_path: Path, database_url: str, key_file: Path):
    return make_app(
        tmp_path / key_file.stem,
        database_url,
        environ={"CASEWORK_ROOT_KEY": "", "CASEWORK_KEY_FILE": str(key_file)},
    )


def test_a_wrong_root_key_serves_nothing_and_writes_nothing(world):
    token = _token(world.app, "worker_a")
    right = world.client_for("worker_a")
    assert right.post("/api/v1/cases", json=case_body()).status_code == 201
    audit_rows, cases = _count(world.app, AuditEvent), _count(world.app, Case)

    wrong = _env_app(world, OTHER_KEY)
    client = wrong.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {
        "status": "unavailable", "database": "ok", "schema": "head", "keys": "mismatch"
    }
    login = client.post(
        "/api/v1/auth/login", json={"username": "worker_a", "password": "wrong password!"}
    )
    assert login.status_code == 503
    assert login.get_json()["code"] == "encryption_key_mismatch"
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases", headers=bearer).status_code == 503
    body = case_body(national_id="001194099999", phone="0912000999")
    opened = client.post("/api/v1/cases", json=body, headers=bearer)
    assert opened.status_code == 503 and opened.get_json()["code"] == "encryption_key_mismatch"
    assert client.post("/login", data={"username": "worker_a", "password": "x"}).status_code == 503

    assert _count(world.app, AuditEvent) == audit_rows  # no row signed under the wrong key
    assert _count(world.app, Case) == cases  # no personal data under the wrong key
    verify = world.app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "intact" in verify.output
    # The right key still serves, from the same database.
    assert right.get("/api/v1/cases").status_code == 200


def test_a_worker_whose_key_file_changes_refuses_every_request_until_it_is_restored(
    world, tmp_path
):
    database_url = world.app.config["SQLALCHEMY_DATABASE_URI"]
    key_file = _key_file(tmp_path / "casework.key")
    app = _file_app(tmp_path, database_url, key_file)
    client = app.test_client()
    assert client.get("/healthz").get_json()["keys"] == "ok"
    login = {"username": "worker_a", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    audit_rows = _count(world.app, AuditEvent)

    # Someone puts another key in place of the file while the worker runs.
    replacement = _key_file(tmp_path / "other.key", OTHER_KEY)
    original = tmp_path / "original.key"
    os.link(key_file, original)
    os.replace(replacement, key_file)
    assert client.get("/api/v1/cases").status_code == 503
    assert client.post("/api/v1/cases", json=case_body()).status_code == 503
    assert client.post("/api/v1/auth/login", json=login).status_code == 503
    assert client.get("/healthz").get_json()["keys"] == "mismatch"
    assert _count(world.app, AuditEvent) == audit_rows

    os.replace(original, key_file)
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_a_key_the_database_has_no_check_value_for_is_refused_until_registered(world):
    # An operator added key 2 to CASEWORK_ROOT_KEY: until `keys register`, it is unknown.
    keyring = f"1:{ROOT_KEY},2:{OTHER_KEY}"
    app = _env_app(world, keyring)
    client = app.test_client()
    assert client.get("/healthz").get_json()["keys"] == "unregistered"
    refused = client.post("/api/v1/auth/login", json={"username": "worker_a", "password": PASSWORD})
    assert refused.status_code == 503
    assert refused.get_json()["code"] == "encryption_key_unregistered"

    result = app.test_cli_runner().invoke(args=["keys", "register"])
    assert result.exit_code == 0, result.output
    assert "registered the check values of encryption keys 2" in result.output
    assert set(_check_values(world.app)) == {1, 2}
    assert client.get("/healthz").status_code == 200
    assert client.post(
        "/api/v1/auth/login", json={"username": "worker_a", "password": PASSWORD}
    ).status_code == 200
    # Registering is itself audited, by key id only.
    with world.app.app_context():
        entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "keys.register"))
        assert entry.detail == {"key_ids": [2]}


def test_commands_that_use_keys_stop_with_one_line_under_a_wrong_key(world):
    wrong = _env_app(world, OTHER_KEY)
    users = _count(world.app, User)
    runner = wrong.test_cli_runner()
    for args, stdin in [
        (["users", "create", "new.worker", "--role", "social_worker", "--unit", "00004"],
         PASSWORD + "\n"),
        (["audit", "verify"], None),
        (["casework", "verify"], None),
        (["keys", "status"], None),
        (["keys", "register"], None),
    ]:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code == 1, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: Encryption key 1 is not the one")
        assert "Traceback" not in result.output
    assert _count(world.app, User) == users
    check = runner.invoke(args=["casework", "check"])
    assert check.exit_code == 0 and "encryption keys: mismatch" in check.output


def test_the_first_init_after_the_upgrade_registers_only_a_key_that_opens_the_data(world):
    world.client_for("worker_a").post("/api/v1/cases", json=case_body())
    _forget_check_values(world.app)
    wrong = _env_app(world, OTHER_KEY, as_owner=True)
    refused = wrong.test_cli_runner().invoke(args=["casework", "init", "--no-units"])
    assert refused.exit_code == 1
    assert "does not decrypt with it" in refused.output
    assert _check_values(world.app) == {}

    right = _env_app(world, ROOT_KEY, as_owner=True)
    accepted = right.test_cli_runner().invoke(args=["casework", "init", "--no-units"])
    assert accepted.exit_code == 0, accepted.output
    assert "registered the check values of encryption keys 1" in accepted.output
    again = right.test_cli_runner().invoke(args=["casework", "init", "--no-units"])
    assert again.exit_code == 0 and "encryption keys 1 match the database" in again.output


def test_without_encrypted_data_the_audit_trail_tells_a_wrong_key_apart(world):
    world.client_for("worker_a")  # a login: audit rows, no encrypted value
    _forget_check_values(world.app)
    wrong = _env_app(world, OTHER_KEY)
    refused = wrong.test_cli_runner().invoke(args=["keys", "register"])
    assert refused.exit_code == 1 and "audit trail" in refused.output
    assert _check_values(world.app) == {}


def test_init_refuses_to_make_a_new_key_for_a_database_written_with_another(world, tmp_path):
    database_url = owner_url(world.app.config["SQLALCHEMY_DATABASE_URI"])
    key_file = tmp_path / "lost.key"
    app = _file_app(tmp_path, database_url, key_file)
    result = app.test_cli_runner().invoke(args=["casework", "init", "--no-units"])
    assert result.exit_code == 1
    assert "restore the key file" in result.output
    assert not key_file.exists()
    generate = app.test_cli_runner().invoke(args=["keys", "generate"])
    assert generate.exit_code == 1 and not key_file.exists()


def test_rotation_registers_the_new_key_before_a_worker_can_load_it(world, tmp_path):
    database_url = world.app.config["SQLALCHEMY_DATABASE_URI"]
    world.client_for("worker_a").post("/api/v1/cases", json=case_body())
    key_file = _key_file(tmp_path / "casework.key")
    app = _file_app(tmp_path, database_url, key_file)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    values = _check_values(world.app)
    assert set(values) == {1, 2}
    # The running worker reloads the file: its new key is known, so it keeps serving.
    assert client.get("/healthz").get_json()["keys"] == "ok"
    token = _token(world.app, "worker_a")
    listing = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200 and len(listing.get_json()) == 1
    # The check value is an HMAC under a derived key: neither the key nor anything of it.
    key_bytes = base64.b64decode(ROOT_KEY)
    assert key_bytes.hex() not in values[1] and ROOT_KEY not in values[1]


def test_gunicorn_refuses_to_start_under_a_wrong_key(world, tmp_path):
    env = process_environ(
        world.app, CASEWORK_ROOT_KEY=OTHER_KEY, CASEWORK_BIND="127.0.0.1:0", WEB_CONCURRENCY="1"
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    refusal = [line for line in result.stderr.splitlines() if "refusing to start" in line]
    assert len(refusal) == 1 and "is not the one this database was written with" in refusal[0]
    assert OTHER_KEY not in result.stderr


@pytest.mark.parametrize("status", ["ok", "mismatch"])
def test_gunicorn_start_hook_checks_the_key_against_the_database(world, monkeypatch, status):
    import runpy

    monkeypatch.setenv("DATABASE_URL", world.app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("CASEWORK_ROOT_KEY", ROOT_KEY if status == "ok" else OTHER_KEY)
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-not-for-production")
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    errors: list[str] = []

    class Server:
        class log:  # noqa: N801 - gunicorn's attribute name
            @staticmethod
            def error(message: str, *args: object) -> None:
                errors.append(message % args)

    if status == "ok":
        hooks["on_starting"](Server())
        assert errors == []
    else:
        with pytest.raises(SystemExit):
            hooks["on_starting"](Server())
        assert len(errors) == 1 and "not the one this database was written with" in errors[0]


def test_init_as_the_services_own_role_stops_with_one_line_saying_to_run_it_as_the_owner(world):
    if world.app.config["SQLALCHEMY_DATABASE_URI"] == owner_url(
        world.app.config["SQLALCHEMY_DATABASE_URI"]
    ):
        pytest.skip("PostgreSQL only: the service connects as a role that does not own the tables")
    result = _env_app(world, ROOT_KEY).test_cli_runner().invoke(
        args=["casework", "init", "--no-units"]
    )
    assert result.exit_code == 1
    assert "run it connected as the owner of the tables" in result.output
    assert "Traceback" not in result.output
