"""The app factory and configuration."""

from __future__ import annotations

import pytest

from casework.config import ConfigError, build_config, production_warnings
from tests.conftest import make_app


def test_factory_builds_an_app_with_testing_config(app):
    assert app.config["TESTING"] is True
    assert "casework_keyring" in app.extensions


def test_sqlite_is_the_default_database(tmp_path):
    config = build_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'casework.db'}"


def test_secret_key_is_generated_once_into_instance_with_private_mode(tmp_path):
    first = build_config(tmp_path, {})["SECRET_KEY"]
    second = build_config(tmp_path, {})["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_postgres_url_uses_psycopg3(tmp_path):
    config = build_config(tmp_path, {"DATABASE_URL": "postgres://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"CASEWORK_LOCAL": "vi"}, "unknown setting CASEWORK_LOCAL"),
        ({"CASEWORK_LOCALE": "fr"}, "CASEWORK_LOCALE must be one of"),
        ({"CASEWORK_REQUIRE_MFA": "maybe"}, "is not a boolean"),
        ({"CASEWORK_SUPPRESSION_K": "five"}, "is not a whole number"),
        ({"CASEWORK_ENV": "staging"}, "production or development"),
        ({"CASEWORK_LOG_LEVEL": "LOUD"}, "is not a level"),
    ],
)
def test_bad_settings_are_refused_with_their_name(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        build_config(tmp_path, environ)


def test_production_warnings_name_what_is_unsafe(tmp_path):
    config = build_config(tmp_path, {"CASEWORK_ENV": "development"})
    warnings = production_warnings(config, debug=True)
    joined = "\n".join(warnings)
    assert "debug mode" in joined and "SQLite" in joined and "not Secure" in joined


def test_secure_cookie_outside_development(tmp_path):
    assert build_config(tmp_path, {})["SESSION_COOKIE_SECURE"] is True
    assert build_config(tmp_path, {"CASEWORK_ENV": "development"})["SESSION_COOKIE_SECURE"] is False


def test_healthz_reports_database_schema_and_keys(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok", "database": "ok", "schema": "head", "keys": "ok"
    }


def test_healthz_fails_when_the_database_is_unreachable(tmp_path):
    app = make_app(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_security_headers_on_every_response(client):
    response = client.get("/healthz")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
