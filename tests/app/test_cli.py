"""The command line: init, users, demo, check, keys and audit."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import func, select

from casework.accounts.models import User
from casework.audit.models import AuditEvent
from casework.extensions import db
from casework.units.models import Unit
from tests.conftest import PASSWORD, ApiClient, drop_schema, make_app, reset_schema


def test_init_creates_the_key_file_migrates_and_loads_units(tmp_path, database_url):
    app = make_app(tmp_path, database_url, environ={"CASEWORK_ROOT_KEY": ""})
    drop_schema(app)
    result = app.test_cli_runner().invoke(args=["casework", "init"])
    assert result.exit_code == 0, result.output
    key_file = Path(app.config["CASEWORK_KEY_FILE"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 34 + 3321
    again = app.test_cli_runner().invoke(args=["casework", "init"])
    assert again.exit_code == 0 and "created key file" not in again.output
    reset_schema(app)  # leave the shared database as the other tests expect it


def test_users_create_reads_the_password_from_stdin(world):
    runner = world.app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "hoa.nguyen", "--role", "social_worker", "--unit", "00004"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with world.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "hoa.nguyen"))
        assert user.role_names == {"social_worker"} and user.unit.code == "00004"
        assert PASSWORD not in user.password_hash


def test_users_create_is_the_same_audited_operation_and_forces_a_change(world):
    """Issue 18's drifted twin: the command now audits and, like the pages, makes the typed
    password a temporary one (the operator knows it)."""
    result = world.app.test_cli_runner().invoke(
        args=["users", "create", "first.admin", "--role", "administrator", "--unit", "01"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    api = ApiClient(world.app.test_client())
    assert api.login("first.admin").get_json()["pending"] == ["password_change"]
    with world.app.app_context():
        entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
        assert entry.actor_id is None and entry.detail["via"] == "command_line"
        assert entry.detail["roles"] == ["administrator"]


def test_users_create_refuses_weak_passwords_unknown_roles_and_units(world):
    runner = world.app.test_cli_runner()
    weak = runner.invoke(
        args=["users", "create", "x1", "--role", "social_worker", "--unit", "00004"],
        input="1234567890\n",
    )
    assert weak.exit_code == 1 and "too common" in weak.output
    short = runner.invoke(
        args=["users", "create", "x2", "--role", "social_worker", "--unit", "00004"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 10" in short.output
    role = runner.invoke(
        args=["users", "create", "x3", "--role", "king", "--unit", "00004"], input=PASSWORD + "\n"
    )
    assert role.exit_code == 1 and "unknown role king" in role.output
    unit = runner.invoke(
        args=["users", "create", "x4", "--role", "auditor", "--unit", "99999"],
        input=PASSWORD + "\n",
    )
    assert unit.exit_code == 1 and "no unit with code 99999" in unit.output


def test_check_prints_settings_and_production_warnings(app):
    result = app.test_cli_runner().invoke(args=["casework", "check"])
    assert result.exit_code == 0
    assert "DATABASE_URL" in result.output and "unsafe for production" in result.output
    assert "test-secret-key" not in result.output
    assert app.config["CASEWORK_ROOT_KEY"] not in result.output


def test_audit_verify_passes_on_an_intact_chain(world):
    world.client_for("worker_a")  # a login writes an audit row
    result = world.app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
