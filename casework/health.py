"""``GET /healthz`` for load balancers: the database answers, its schema is at head, and the
encryption keys are the ones the database was written with.

Answers 200 only when all three hold, else 503 naming what failed; ``keys`` is ``ok``,
``unavailable`` (no usable key), ``mismatch`` (the wrong key), ``unregistered`` (a key the
database has no check value for) or ``unchecked``. It reads and never writes, so the key gate
in ``casework.security`` lets it through to say why a node is out.
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from casework.crypto import key_status
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
    keys = key_status(current_app._get_current_object())  # noqa: SLF001
    body = {"status": "ok" if keys == "ok" else "unavailable", "database": "ok", "schema": "head"}
    body["keys"] = keys
    return jsonify(body), 200 if keys == "ok" else 503
