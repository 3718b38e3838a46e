"""``GET /healthz`` for load balancers: the database answers and its schema is at head."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from casework.extensions import db

blp = Blueprint("health", __name__)


def _script_heads(app: Flask) -> set[str]:
    """Head revisions in migrations/, read once per process: the files do not change under a
    running server, and parsing them cost ~20 ms on every load-balancer probe."""
    heads = app.extensions.get("casework_script_heads")
    if heads is None:
        migrate_ext = app.extensions["migrate"]
        script = ScriptDirectory.from_config(migrate_ext.migrate.get_config())
        heads = app.extensions["casework_script_heads"] = set(script.get_heads())
    return heads


def schema_heads() -> tuple[set[str], set[str]]:
    """(revisions in the database, head revisions in migrations/)."""
    # The session's own connection: on SQLite a second connection would wait for its lock.
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    return current, _script_heads(current_app._get_current_object())  # noqa: SLF001


@blp.get("/healthz")
def healthz():  # noqa: ANN201
    try:
        db.session.execute(text("SELECT 1"))
        current, heads = schema_heads()
    except Exception:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    if current != heads:
        return jsonify({"status": "unavailable", "database": "ok", "schema": "not at head"}), 503
    return jsonify({"status": "ok", "database": "ok", "schema": "head"})
