"""The two PostgreSQL roles of a production install, and what the service's own role may do.

- The **owner** (the migration role) owns the schema: ``casework init``, ``flask db upgrade``,
  ``casework restore`` and ``casework grants --apply`` run as it.
- The **application role** is what gunicorn and the everyday commands connect as. It must not
  own the tables and must be neither a superuser nor ``BYPASSRLS``: superusers and roles with
  ``BYPASSRLS`` skip row-level security altogether, and an owner could switch it off, drop the
  policies or the audit trail's append-only triggers. It gets rows, never DDL, and may not
  update, delete or truncate audit rows.

The row-level security policies are forced (``FORCE ROW LEVEL SECURITY``), so even a service
left running as the owner is scoped — but only a separate role makes them binding.
``casework grants`` prints the statements below (``--apply`` runs them as the owner);
``casework check`` says when the service's own connection is one that would skip the policies.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

APP_ROLE = "casework_app"


def quote_identifier(name: str) -> str:
    """``name`` as a PostgreSQL identifier (role and schema names are not bind parameters)."""
    return '"' + name.replace('"', '""') + '"'


def grant_statements(role: str = APP_ROLE, schema: str = "public") -> list[str]:
    """What the owner grants the application role, after every migration (idempotent).

    Default privileges make tables created later by the owner readable and writable by the
    role too; ``audit_event`` is then re-revoked by running these again.
    """
    r, s = quote_identifier(role), quote_identifier(schema)
    return [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]


def create_role_statement(role: str = APP_ROLE) -> str:
    """The role itself, created once by a superuser (its password is set interactively)."""
    return (
        f"CREATE ROLE {quote_identifier(role)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
        "NOCREATEROLE"
    )


class RoleError(Exception):
    """The role cannot be used as the application role; the message says why."""


def apply_grants(connection: Connection, role: str) -> list[str]:
    """Grant ``role`` what the service needs, as the connected owner; returns the statements.

    :raise RoleError: no such role, it is the connected role itself, or it would bypass
        row-level security (a superuser or ``BYPASSRLS``).
    """
    found = connection.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).one_or_none()
    if found is None:
        raise RoleError(f"no role {role}: create it first ({create_role_statement(role)})")
    if found.rolsuper or found.rolbypassrls:
        raise RoleError(f"{role} is a superuser or has BYPASSRLS: row-level security would not "
                        "apply to it; use a role without either")
    if role == connection.execute(text("SELECT current_user")).scalar():
        raise RoleError(f"{role} is the role connected now, the owner: the service needs its own")
    schema = connection.execute(text("SELECT current_schema()")).scalar() or "public"
    statements = grant_statements(role, schema)
    for statement in statements:
        connection.execute(text(statement))
    return statements


def connection_problems(connection: Connection) -> list[str]:
    """Why the connected role would not be bound by row-level security (empty: it would be)."""
    role = connection.execute(
        text("SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles "
             "WHERE rolname = current_user")
    ).one()
    problems = []
    if role.rolsuper:
        problems.append(f"the service connects as {role.name}, a superuser: row-level security "
                        "does not apply to it (see `casework grants`)")
    elif role.rolbypassrls:
        problems.append(f"the service connects as {role.name}, which has BYPASSRLS: row-level "
                        "security does not apply to it (see `casework grants`)")
    owns = not role.rolsuper and connection.execute(
        text("SELECT count(*) FROM pg_class WHERE relname = 'case_file' "
             "AND pg_has_role(current_user, relowner, 'USAGE')")
    ).scalar()
    if owns:
        problems.append(f"the service connects as {role.name}, which owns the tables: it could "
                        "switch row-level security off and drop the audit trail's triggers "
                        "(see `casework grants`)")
    return problems
