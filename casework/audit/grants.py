"""Making ``audit_event`` append-only in the database itself, not only in the application.

``flask --app wsgi audit protect`` (also run by ``casework init``) installs triggers that refuse
every UPDATE and DELETE of an audit row (and, on PostgreSQL, TRUNCATE), whoever asks: a bug, a
careless ``psql`` session or an attacker who took over the application cannot quietly rewrite
history — and ``audit verify`` would still catch what the triggers did not stop.

A trigger can be dropped by the table's owner. In production run the service as its own role
that does not own the tables, so it can neither drop the trigger nor touch the rows: the
statements, which revoke UPDATE, DELETE and TRUNCATE on ``audit_event`` from that role, are in
``casework.access.database_roles`` (``casework grants`` prints or applies them; re-run it after
a migration that recreates ``audit_event``). The owner can still drop the triggers and delete
rows; rows taken off the end leave a chain that is still whole, which is what the signed
checkpoints kept outside the database are for (``casework.audit.checkpoints``,
docs/operations.md). The application only ever INSERTs and SELECTs audit rows; the chain append
takes an advisory lock, which needs no grant.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

POSTGRESQL_PROTECT = (
    """
    CREATE OR REPLACE FUNCTION casework_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION casework_audit_append_only()
    """,
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    """
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION casework_audit_append_only()
    """,
)

POSTGRESQL_UNPROTECT = (
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
)

SQLITE_PROTECT = (
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END
    """,
)

SQLITE_UNPROTECT = (
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
)


def protect(connection: Connection) -> None:
    """Install the append-only triggers (idempotent)."""
    statements = POSTGRESQL_PROTECT if connection.dialect.name == "postgresql" else SQLITE_PROTECT
    for statement in statements:
        connection.execute(text(statement))


def unprotect(connection: Connection) -> None:
    """Remove the triggers: for the table's owner only (tests that empty the database, a
    deliberate, documented purge). The service never calls it."""
    statements = (
        POSTGRESQL_UNPROTECT if connection.dialect.name == "postgresql" else SQLITE_UNPROTECT
    )
    for statement in statements:
        connection.execute(text(statement))


def is_protected(connection: Connection) -> bool:
    if connection.dialect.name == "postgresql":
        query = "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_append_only'"
    else:
        query = (
            "SELECT count(*) FROM sqlite_master "
            "WHERE type = 'trigger' AND name = 'audit_event_no_update'"
        )
    return bool(connection.execute(text(query)).scalar())
