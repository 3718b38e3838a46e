"""Flask extensions, created unbound so that every app (tests make many) binds its own."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from marshmallow import Schema, fields
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from casework import pagination

# Before any blueprint is declared: every API module imports this one for ``db``.
pagination.install()

# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ErrorSchema(Schema):
    """The one error shape of API.md, documented for every operation."""

    code = fields.String(metadata={"description": "machine-readable error code"})
    message = fields.String(metadata={"description": "readable, in the request's language"})
    errors = fields.Dict(metadata={"description": "field name → messages"})


class CaseworkApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_pagination_header(self) -> None:
        # The header carries JSON text: documented as such (see casework.pagination).
        self.spec.components.header("PAGINATION", pagination.PAGINATION_HEADER, lazy=True)


class ViewLimiter(Limiter):
    """Flask-Limiter where only views that declare a limit are checked.

    Flask-Limiter also runs a check before every request, for application-wide and default
    limits. This service declares none: the login views carry their own limit, which their
    decorator enforces. With nothing to find, that check still resolved the request's limits
    each time, ~0.1 ms of CPU on every API call (5 % of reading a case, issue 9), so it is left
    out while no such limit is configured. Limits on a whole blueprint would need it back.
    """

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        manager = self.limit_manager
        if manager.default_limits or manager.application_limits:
            return
        hooks = app.before_request_funcs.get(None, [])
        if self._check_request_limit in hooks:
            hooks.remove(self._check_request_limit)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
api = CaseworkApi()
babel = Babel()
csrf = CSRFProtect()
limiter = ViewLimiter(key_func=get_remote_address, default_limits=[])
