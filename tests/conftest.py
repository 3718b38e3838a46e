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


def reset_schema(app: Flask) -> None:
    """Drop everything and migrate from scratch (migrations are the schema's source of truth)."""
    from flask_migrate import upgrade

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> str:
    app = make_app(tmp_path_factory.mktemp("migrate"), database_url)
    reset_schema(app)
    return database_url


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


@pytest.fixture()
def app(tmp_path: Path, migrated: str) -> Iterator[Flask]:
    app = make_app(tmp_path, migrated)
    register_keys(app)
    yield app
    with app.app_context():
        db.session.remove()
        truncate_all(app)


def truncate_all(app: Flask) -> None:
    """Empty every table (faster than re-migrating; keeps the schema)."""
    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            from casework.audit.grants import unprotect

            unprotect(connection)  # a test may have made the audit trail append-only
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} CASCADE"))
            else:
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
