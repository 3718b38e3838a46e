"""casework: case management for community reintegration support in Vietnam."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from casework.application import CaseworkFlask

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    Settings come from the environment (``casework.config``); ``config`` overrides them (tests).
    """
    app = CaseworkFlask(
        __name__,
        instance_relative_config=True,
        template_folder=str(shipped_folder("templates")),
    )
    from casework.config import build_config

    overrides = dict(config or {})
    instance_path = Path(overrides.pop("INSTANCE_PATH", app.instance_path))
    app.instance_path = str(instance_path)
    app.config.update(build_config(instance_path, overrides.pop("ENVIRON", None)))
    app.config.update(overrides)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})["hide_parameters"] = True
    logging.basicConfig(level=app.config["CASEWORK_LOG_LEVEL"].upper())
    for noisy in ("alembic", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    _init_extensions(app)
    _register_blueprints(app)
    return app


def shipped_folder(name: str) -> Path:
    """``templates`` or ``migrations``: inside the package when installed from a wheel (the build
    maps them there), else at the top of the checkout, where the project keeps them."""
    package_root = Path(__file__).resolve().parent
    installed = package_root / name
    return installed if installed.is_dir() else package_root.parent / name


def _init_extensions(app: Flask) -> None:
    # Import every model so metadata (and Alembic) knows every table.
    from casework import (
        cli,
        crypto,
        input_guard,
        models,  # noqa: F401
        security,
        unit_of_work,
    )
    from casework.access import row_security
    from casework.audit import trail
    from casework.database import configure_engine
    from casework.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(shipped_folder("migrations")),
        render_as_batch=True,
        compare_type=True,
        render_item=_render_migration_type,
    )
    crypto.init_app(app)
    trail.install(db.session)
    row_security.install(db.session)
    from casework.notifications import delivery

    delivery.install(db.session)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from casework.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    unit_of_work.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    cli.init_app(app)


def _render_migration_type(type_: str, obj: Any, _context: Any) -> str | bool:
    """Write our column types into migrations as the plain SQLAlchemy types they store as."""
    from casework.model_base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _register_blueprints(app: Flask) -> None:
    from casework.api import init_app as init_api
    from casework.health import blp as health_blp
    from casework.web import init_app as init_web

    app.register_blueprint(health_blp)
    init_api(app)
    init_web(app)
    # Last, so our one error shape replaces the handlers flask-smorest registered.
    from casework import errors

    errors.init_app(app)
