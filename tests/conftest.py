"""Fixtures: a small real world on SQLite, or on PostgreSQL when CASEWORK_TEST_DATABASE_URL is set.

The world (``world`` fixture): one province (Hà Nội, 01) of the current tree with two communes
(Ba Đình 00004 and Ngọc Hà 00008) and a province-level user per non-case role; a social worker
and a supervisor in each commune; a supervisor at the province. Every user's password is
``PASSWORD``. Tests talk to the app through its client, as a user would.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from casework import create_app
from casework.extensions import db

PASSWORD = "correct horse battery staple"
TEST_DATABASE_URL = os.environ.get("CASEWORK_TEST_DATABASE_URL")
ROOT_KEY = base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id with minimal cost: the tests exercise the logic, not the work factor."""
    from argon2 import PasswordHasher

    from casework.accounts import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("casework-dummy-password")
    yield
    passwords._hasher = real


def pytest_report_header(config: Any) -> str:
    return f"casework database: {'PostgreSQL' if TEST_DATABASE_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A fresh database for the session: a SQLite file, or a PostgreSQL database.

    Under pytest-xdist each worker gets its own PostgreSQL database, made beside the one given
    and dropped at the end, so parallel workers never share rows.
    """
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'casework.db'}"
        return
    if worker_id == "master":
        yield TEST_DATABASE_URL
        return
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_{worker_id}"
    admin_url = base.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield base.set(database=name).render_as_string(False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


#: Test harness's default context for sessions outside requests and commands: fixtures and
#: assertions read the database directly (casework.access.row_security; never in the service).
HARNESS_CONTEXT_REASON = "test harness: fixtures and assertions read the database directly"


def make_app(tmp_path: Path, database_url: str, **overrides: Any) -> Flask:
    environ = {
        "DATABASE_URL": database_url,
        "CASEWORK_ROOT_KEY": ROOT_KEY,
        "CASEWORK_ENV": "development",
        "SECRET_KEY": "test-secret-key-not-for-production",
    }
    environ.update(overrides.pop("environ", {}))
    config = {
        "INSTANCE_PATH": tmp_path / "instance",
        "ENVIRON": environ,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        **overrides,
    }
    app = create_app(config)
    from casework.access.row_security import set_default_outside_requests, system_context

    set_default_outside_requests(app, system_context(HARNESS_CONTEXT_REASON))
    _APPS.append(app)
    return app


_APPS: list[Flask] = []


def process_environ(app: Flask, **settings: str) -> dict[str, str]:
    """The environment of a separate service process (a gunicorn, a worker) on ``app``'s
    database with the test root key: this one's, less every CASEWORK_* setting, plus
    ``settings``."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")},
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CASEWORK_ROOT_KEY": ROOT_KEY,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "CASEWORK_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        **settings,
    }


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    """Close every pooled connection of the apps a test made (PostgreSQL warns otherwise)."""
    yield
    while _APPS:
        app = _APPS.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


#: PostgreSQL: the URL the service's role connects with → (the owner's URL, the role's name).
#: The test database is created by ``postgres``, a superuser, to whom row-level security never
#: applies; so, as in production, the application connects as a role of its own — for every
#: test of the PostgreSQL leg — and only schema work (migrations, truncation, triggers) runs as
#: the owner.
_APP_ROLES: dict[str, tuple[str, str]] = {}


def owner_url(url: str) -> str:
    """The URL of the tables' owner for a database the service reaches at ``url``."""
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    return _APP_ROLES[plain][0] if plain in _APP_ROLES else url


def _grant_app_role(owner: str) -> None:
    from sqlalchemy import create_engine

    from casework.access.database_roles import apply_grants

    owner = owner.replace("postgresql+psycopg://", "postgresql://", 1)
    for owner_of, role in _APP_ROLES.values():
        if owner_of == owner:
            engine = create_engine(owner.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.begin() as connection:
                apply_grants(connection, role)
            engine.dispose()


def reset_schema(app: Flask) -> None:
    """Drop everything and migrate from scratch (migrations are the schema's source of truth),
    as the tables' owner; then grant the service's role again (PostgreSQL)."""
    from flask_migrate import upgrade

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    owner = owner_url(url)
    if owner != url:
        import tempfile

        app = make_app(Path(tempfile.mkdtemp(prefix="casework-owner-")), owner)
    drop_schema(app)
    with app.app_context():
        upgrade()
    _grant_app_role(owner)


def drop_schema(app: Flask) -> None:
    """Drop every table, as the app's connection (the owner); on PostgreSQL the policies and
    their functions first (they refer to the tables, which cannot go before them)."""
    from casework.access.row_policies import CASE_TABLES, DROP_FUNCTIONS, uninstall_statements

    with app.app_context():
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                for table in CASE_TABLES:
                    if connection.scalar(text("SELECT to_regclass(:t)"), {"t": table.name}):
                        for statement in uninstall_statements(table):
                            connection.execute(text(statement))
                for statement in DROP_FUNCTIONS:
                    connection.execute(text(statement))
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[str]:
    """The migrated database, as the service reaches it (on PostgreSQL: its own role)."""
    app = make_app(tmp_path_factory.mktemp("migrate"), database_url)
    reset_schema(app)
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    from casework.access.database_roles import create_role_statement

    role = f"casework_app_{secrets.token_hex(4)}"
    admin = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(create_role_statement(role))
    app_url = make_url(database_url).set(username=role, password=None).render_as_string(False)
    _APP_ROLES[app_url] = (database_url, role)
    _grant_app_role(database_url)
    yield app_url
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    del _APP_ROLES[app_url]


@pytest.fixture()
def owner_app(tmp_path: Path, app: Flask) -> Flask:
    """The application connected as the tables' owner (the migration role), for the few
    operations production runs as the owner: protecting the audit trail, restoring a backup.
    On SQLite there is one role: the same database."""
    return make_app(tmp_path / "owner", owner_url(app.config["SQLALCHEMY_DATABASE_URI"]))


def register_keys(app: Flask) -> None:
    """Write the check values of ``app``'s keys, as ``casework init`` does on a fresh database
    (without its audit entry, so tests start from an empty trail)."""
    from casework.crypto import app_holder
    from casework.crypto.checks import stored_check_values, write_check_values

    with app.app_context():
        keyring = app_holder(app).get()
        with db.engine.begin() as connection:
            stored = stored_check_values(connection)
            missing = [key_id for key_id in keyring.key_ids if key_id not in stored]
            write_check_values(connection, keyring, missing)


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory, migrated: str) -> Iterator[Flask]:
    """One application for every test that takes ``app``: building one costs ~0.3 s (the URL
    map, the OpenAPI document), more than most tests. Each test gets it back as it was."""
    app = make_app(tmp_path_factory.mktemp("shared"), migrated)
    _APPS.remove(app)  # disposed by the ``app`` fixture after each test, not dropped
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def app(tmp_path: Path, shared_app: Flask) -> Iterator[Flask]:
    """The shared application with an instance folder of this test's own, on empty tables
    (but the key check values, as ``casework init`` leaves them). A test may change its
    configuration: it is put back afterwards."""
    app = shared_app
    saved_config, saved_instance = dict(app.config), app.instance_path
    instance = tmp_path / "instance"
    app.instance_path = str(instance)
    app.config["CASEWORK_AUDIT_CHECKPOINT_FILE"] = str(instance / "audit-checkpoints.jsonl")
    register_keys(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
        truncate_all(app)
        app.config.clear()
        app.config.update(saved_config)
        app.instance_path = saved_instance
        with app.app_context():
            db.engine.dispose()


@pytest.fixture()
def own_app(tmp_path: Path, migrated: str) -> Iterator[Flask]:
    """An application of this test's own, for a test that must change what the shared one
    cannot (add a route after requests were served)."""
    app = make_app(tmp_path, migrated)
    register_keys(app)
    yield app
    with app.app_context():
        db.session.remove()
    truncate_all(app)


def truncate_all(app: Flask) -> None:
    """Empty every table (faster than re-migrating; keeps the schema), as the owner."""
    from casework.audit.grants import unprotect

    tables = [t for t in reversed(db.metadata.sorted_tables)]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        engine = create_engine(owner_url(url).replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            unprotect(connection)  # a test may have made the audit trail append-only
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} CASCADE"))
        engine.dispose()
        return
    with app.app_context(), db.engine.begin() as connection:
        unprotect(connection)
        for table in tables:
            connection.execute(table.delete())
    from casework.rate_limits import clear_counters

    clear_counters(app)  # SQLite keeps them in a file of their own


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class World:
    app: Flask
    units: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def client_for(self, username: str) -> ApiClient:
        api = ApiClient(self.app.test_client())
        api.login(username)
        return api


class ApiClient:
    """A logged-in JSON client that sends the CSRF token like a browser-side script would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf: str | None = None

    def login(self, username: str, password: str = PASSWORD, otp: str | None = None) -> Any:
        body = {"username": username, "password": password}
        if otp:
            body["otp"] = otp
        response = self.client.post("/api/v1/auth/login", json=body)
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        merged.update(headers or {})
        return merged

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(
        self, url: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.post(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.patch(url, json=json, headers=self._headers(headers))

    def put(self, url: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.put(url, json=json, headers=self._headers(headers))

    def delete(self, url: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.delete(url, headers=self._headers(headers))


SMALL_UNITS = [
    {
        "Code": "01",
        "FullName": "Thành phố Hà Nội",
        "Wards": [
            {"Code": "00004", "FullName": "Phường Ba Đình", "ProvinceCode": "01"},
            {"Code": "00008", "FullName": "Phường Ngọc Hà", "ProvinceCode": "01"},
        ],
    },
    {
        "Code": "79",
        "FullName": "Thành phố Hồ Chí Minh",
        "Wards": [
            {"Code": "26734", "FullName": "Phường Sài Gòn", "ProvinceCode": "79"},
        ],
    },
]

WORLD_USERS = [
    # username, roles, unit code
    ("worker_a", ["social_worker"], "00004"),
    ("worker_a2", ["social_worker"], "00004"),
    ("supervisor_a", ["supervisor"], "00004"),
    ("worker_b", ["social_worker"], "00008"),
    ("supervisor_b", ["supervisor"], "00008"),
    ("supervisor_province", ["supervisor"], "01"),
    ("statistician", ["statistician"], "01"),
    ("administrator", ["administrator"], "01"),
    ("auditor", ["auditor"], "01"),
    ("worker_hcm", ["social_worker"], "26734"),
]


@pytest.fixture()
def world(app: Flask) -> World:
    return build_world(app)


def build_world(app: Flask) -> World:
    """The small world of WORLD_USERS in SMALL_UNITS, on an empty database."""
    from casework.accounts.operations import create_user
    from casework.units.loader import load_units
    from casework.units.models import Unit

    world = World(app=app)
    with app.app_context():
        load_units(db.session, SMALL_UNITS)
        for username, roles, code in WORLD_USERS:
            create_user(db.session, username, PASSWORD, roles=roles, unit_code=code)
        db.session.commit()
        for unit in db.session.scalars(db.select(Unit)):
            world.units[unit.code] = unit.id
        db.session.remove()
    return world


def case_body(case_type: str = "post_rehab", unit: str = "00004", **person: Any) -> dict[str, Any]:
    """The smallest valid body of API.md, with overrides."""
    base = {
        "full_name": "Nguyễn Thị Hoa",
        "sex": "female",
        "date_of_birth": "1994-03-17",
        "national_id": "001194012345",
        "phone": "0912345678",
    }
    base.update(person)
    return {"case_type": case_type, "unit": unit, "person": base}


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block, in order."""
    from sqlalchemy import event

    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
