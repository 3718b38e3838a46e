"""Settings read from the environment, with defaults that are safe for the embedded SQLite set-up.

Every setting the service understands is listed in ``SETTINGS`` with its default and a one-line
description; ``flask casework check`` prints them and flags what is unsafe for production.
An unknown ``CASEWORK_*`` variable is refused at start-up: a misspelt setting must not silently
leave a safe default in place of what the operator meant.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A setting is missing, unknown or malformed; the message names it."""


@dataclass(frozen=True)
class Setting:
    env: str
    default: Any
    help: str
    kind: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None, "SQLAlchemy URL; default: SQLite file instance/casework.db"),
    Setting("SECRET_KEY", None, "session signing key; default: generated into instance/secret_key"),
    Setting("CASEWORK_ROOT_KEY", None, "base64 root encryption key (or 'id:b64,…' keyring)"),
    Setting("CASEWORK_KEY_FILE", None, "path of the key file; default: instance/casework.key"),
    Setting(
        "CASEWORK_AUDIT_CHECKPOINT_FILE",
        None,
        "append-only file of signed audit checkpoints; default: instance/audit-checkpoints.jsonl",
    ),
    Setting(
        "REDIS_URL", None, "Redis for the rate limits of all workers; default: the database"
    ),
    Setting("CASEWORK_LOCALE", "vi", "default language of the web pages (vi or en)"),
    Setting("CASEWORK_LOG_LEVEL", "INFO", "logging level"),
    Setting(
        "CASEWORK_ENV", "production", "production or development (development: no Secure cookie)"
    ),
    Setting(
        "CASEWORK_REQUIRE_MFA", "false", "require TOTP for supervisors and administrators", bool
    ),
    Setting("CASEWORK_SESSION_IDLE_MINUTES", "30", "idle timeout of a session", int),
    Setting("CASEWORK_SESSION_MAX_HOURS", "12", "absolute lifetime of a session", int),
    Setting(
        "CASEWORK_LOGIN_RATE_LIMIT",
        "10 per minute",
        "login attempts allowed per client address (Flask-Limiter syntax)",
    ),
    Setting(
        "CASEWORK_LOCKOUT_THRESHOLD",
        "5",
        "failed logins in a row before an account is locked (1 min, doubling)",
        int,
    ),
    Setting("CASEWORK_LOCKOUT_MAX_MINUTES", "60", "longest lock of an account", int),
    Setting(
        "CASEWORK_ENROLMENT_HOURS",
        "72",
        "how long an enrolment code (handed over to set a password) stays valid",
        int,
    ),
    Setting(
        "CASEWORK_SMTP_URL",
        None,
        "SMTP server for notification e-mail (smtp://host:port, smtp+starttls://, smtps://; "
        "user:password@ allowed); default: no e-mail",
    ),
    Setting("CASEWORK_SMTP_FROM", "casework@localhost", "sender address of notification e-mail"),
    Setting(
        "CASEWORK_QUEUE_URL",
        None,
        "Redis URL of the notification job queue (RQ; run `flask notifications worker`); "
        "default: deliver in-process after each commit",
    ),
    Setting(
        "CASEWORK_PUBLIC_URL", "", "the service's address, put in front of links in e-mail"
    ),
    Setting(
        "CASEWORK_REMINDER_LEAD_DAYS",
        "1",
        "days before a stage's due date the daily run reminds its worker: a default and "
        "stage=days overrides, e.g. '1,identified=1,check_address=2'",
    ),
    Setting(
        "CASEWORK_NOTIFY_ATTEMPTS", "4", "delivery attempts before a message is dead-lettered", int
    ),
    Setting("CASEWORK_SUPPRESSION_K", "5", "smallest count published in statistics", int),
    Setting("CASEWORK_SUPPRESSION_K_TRAFFICKING", "11", "the same for trafficking cases", int),
    Setting(
        "CASEWORK_NEED_TO_KNOW_TYPES",
        "trafficking_victim",
        "case types whose identity only the assigned worker and supervisors see",
    ),
)

# Rate-limit storages every worker shares (RATELIMIT_STORAGE_URI prefixes).
SHARED_LIMIT_STORAGE = ("casework-database://", "redis://", "rediss://", "redis+")

KNOWN_ENV = {s.env for s in SETTINGS} | {"CASEWORK_TEST_DATABASE_URL", "CASEWORK_BIND"}
LOCALES = ("vi", "en")


def _parse(setting: Setting, raw: str) -> Any:
    if setting.kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{setting.env}={raw!r} is not a boolean (use true or false)")
    if setting.kind is int:
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{setting.env}={raw!r} is not a whole number") from None
        if value <= 0:
            raise ConfigError(f"{setting.env} must be positive")
        return value
    return raw


def lead_days(setting: str) -> tuple[int, dict[str, int]]:
    """``CASEWORK_REMINDER_LEAD_DAYS`` as (default, {stage: days}).

    :raise ValueError: a part that is not ``days`` or ``stage=days``.
    """
    default, per_stage = 1, {}
    for part in filter(None, (p.strip() for p in setting.split(","))):
        stage, sep, days = part.rpartition("=")
        value = int(days)
        if value < 0:
            raise ValueError(f"negative lead time in {part!r}")
        if sep:
            per_stage[stage.strip()] = value
        else:
            default = value
    return default, per_stage


def load_settings(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables.

    :raise ConfigError: on an unknown CASEWORK_* variable or a malformed value.
    """
    unknown = sorted(k for k in environ if k.startswith("CASEWORK_") and k not in KNOWN_ENV)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]} (known: see `flask casework check`)")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            values[setting.env] = (
                _parse(setting, setting.default) if setting.default is not None else None
            )
        else:
            values[setting.env] = _parse(setting, raw)
    if values["CASEWORK_LOCALE"] not in LOCALES:
        raise ConfigError(f"CASEWORK_LOCALE must be one of {', '.join(LOCALES)}")
    try:
        lead_days(values["CASEWORK_REMINDER_LEAD_DAYS"])
    except ValueError:
        raise ConfigError(
            "CASEWORK_REMINDER_LEAD_DAYS must be days and stage=days, comma-separated"
        ) from None
    if values["CASEWORK_ENV"] not in {"production", "development"}:
        raise ConfigError("CASEWORK_ENV must be production or development")
    if values["CASEWORK_LOG_LEVEL"].upper() not in logging.getLevelNamesMapping():
        raise ConfigError(f"CASEWORK_LOG_LEVEL={values['CASEWORK_LOG_LEVEL']!r} is not a level")
    return values


def secret_key_from_instance(instance_path: Path) -> str:
    """Read the session secret from instance/secret_key, creating it (0600) on first run."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Make a plain postgres:// URL use psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_config(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The full Flask configuration for an app whose instance folder is ``instance_path``."""
    env = os.environ if environ is None else environ
    settings = load_settings(env, instance_path)
    database_url = settings["DATABASE_URL"] or f"sqlite:///{instance_path / 'casework.db'}"
    development = settings["CASEWORK_ENV"] == "development"
    config: dict[str, Any] = {
        **settings,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # No ping before every checkout: it is a round trip on every request, to guard against a
        # connection the server dropped, which is rare (a database restart) and costs one failed
        # request per worker when it happens (SQLAlchemy then discards the whole pool). Recycling
        # connections after half an hour keeps them clear of idle timeouts on the way.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "pool_recycle": 1800},
        "CASEWORK_KEY_FILE": settings["CASEWORK_KEY_FILE"] or str(instance_path / "casework.key"),
        "CASEWORK_AUDIT_CHECKPOINT_FILE": settings["CASEWORK_AUDIT_CHECKPOINT_FILE"]
        or str(instance_path / "audit-checkpoints.jsonl"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "SESSION_COOKIE_NAME": "casework_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        # CSRF is checked by casework.api for every state-changing request made with a session.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_HEADERS": ["X-CSRF-Token", "X-CSRFToken"],
        "BABEL_DEFAULT_LOCALE": settings["CASEWORK_LOCALE"],
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "API_TITLE": "casework",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Shared by every worker either way: a per-process store multiplies the limit by the
        # number of workers (casework.rate_limits).
        "RATELIMIT_STORAGE_URI": settings["REDIS_URL"] or "casework-database://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    }
    if database_url.startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    config["SECRET_KEY"] = settings["SECRET_KEY"] or secret_key_from_instance(instance_path)
    return config


def production_warnings(config: Mapping[str, Any], debug: bool) -> list[str]:
    """What in this configuration is unsafe for production use, one line each."""
    warnings: list[str] = []
    if debug:
        warnings.append("debug mode is on: tracebacks would reach the browser")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        warnings.append("the database is SQLite: use PostgreSQL (DATABASE_URL) in production")
    if not config.get("SESSION_COOKIE_SECURE"):
        warnings.append("the session cookie is not Secure (CASEWORK_ENV=development)")
    if not config.get("CASEWORK_ROOT_KEY"):
        warnings.append(
            "the encryption key is read from a local file: mount it as a secret or set "
            "CASEWORK_ROOT_KEY from a secret store"
        )
    if not str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(SHARED_LIMIT_STORAGE):
        warnings.append("login rate limits are kept per worker process, not shared")
    if not config.get("CASEWORK_REQUIRE_MFA"):
        warnings.append("TOTP is not required for supervisors and administrators")
    return warnings
