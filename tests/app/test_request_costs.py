"""What the per-request savings keep: PostgreSQL cursors describe their results the same, views
and hooks still run (coroutines still refused without the async extra), session cookies still
follow the secret key."""

from __future__ import annotations

import pytest
from flask import session
from sqlalchemy import text

from casework.application import CaseworkFlask
from casework.extensions import db


def _postgresql_only(app) -> None:  # noqa: ANN001
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL cursors only (SQLite's driver is untouched)")


def test_a_postgresql_cursor_describes_its_columns_as_psycopg_does(app):
    _postgresql_only(app)
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT 2 AS two")
            unread = cursor.description  # not looked into before the cursor moves on
            cursor.execute("SELECT 1 AS one, 'x'::text AS letter, now() AS at")
            assert [column.name for column in unread] == ["two"]
            description = cursor.description
            assert len(description) == 3
            assert [column.name for column in description] == ["one", "letter", "at"]
            assert description[1].type_code == 25  # text
            assert [c.name for c in description[1:]] == ["letter", "at"]
            assert [column.name for column in cursor.description] == ["one", "letter", "at"]
            cursor.execute("SET jit = off")
            assert cursor.description is None
        finally:
            raw.close()


def test_sqlalchemy_reads_names_and_values_through_it(app):
    _postgresql_only(app)
    with app.app_context():
        # A statement never run before: SQLAlchemy takes the names from the description.
        row = db.session.execute(text("SELECT 41 + 1 AS answer, 'ok' AS status")).one()
        assert row._mapping == {"answer": 42, "status": "ok"}
        # The same statement again (cached metadata), then an empty result.
        assert db.session.execute(text("SELECT 41 + 1 AS answer, 'ok' AS status")).one() == (
            42,
            "ok",
        )
        empty = db.session.execute(text("SELECT 1 AS one WHERE false"))
        assert list(empty.keys()) == ["one"] and empty.all() == []


def test_the_service_runs_on_its_own_flask_class(app):
    assert isinstance(app, CaseworkFlask)


def test_a_sync_view_is_called_as_it_is_and_a_coroutine_is_still_wrapped(app):
    def plain() -> str:
        return "plain"

    async def coroutine() -> str:
        return "async"

    assert app.ensure_sync(plain) is plain
    assert app.ensure_sync(plain) is plain  # the remembered answer
    # Flask's own behaviour for coroutines stands: wrapped, or refused without the async extra.
    try:
        wrapped = app.ensure_sync(coroutine)
    except RuntimeError as refusal:
        assert "async" in str(refusal)
    else:
        assert wrapped is not coroutine and wrapped() == "async"


def test_a_session_cookie_signed_under_an_old_secret_is_not_accepted(tmp_path, migrated):
    from tests.conftest import make_app, register_keys

    app = make_app(tmp_path, migrated)
    register_keys(app)

    @app.get("/test-session/set")
    def set_value() -> str:
        session["mark"] = "set"
        return "ok"

    @app.get("/test-session/read")
    def read_value() -> str:
        return session.get("mark", "none")

    client = app.test_client()
    client.get("/test-session/set")
    assert client.get("/test-session/read").text == "set"
    app.secret_key = "another-secret-key-for-this-test-only"
    assert client.get("/test-session/read").text == "none"
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret-key-not-for-production"]
    assert client.get("/test-session/read").text == "set"
