"""The caller of a request, read in one Core query: no ORM object graph on every request.

Every API call and page first resolves its bearer (an API token or a session id) to a user and
that user's roles. As ORM objects (token, user, its unit, each role and its unit: five entities
and ~50 columns) that was the largest single step in a profile of a case read; the same facts
come here as one row of ~15 columns, the roles folded into one JSON value by the database.

A ``Principal`` answers what the hot paths ask — id, username, active, the roles and the paths
of their units, the pending-step flags — from that row. Anything else (``user.unit``, a TOTP
secret, a password hash) comes from the ``User`` row, loaded on first use in the request's
session; writes go to that row too, so services keep working with either object.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, literal_column, select
from sqlalchemy.orm import Session

from casework.accounts.models import RoleAssignment, User
from casework.units.models import Unit


@dataclass(frozen=True)
class UnitRef:
    """What a role needs of its unit: scope checks compare paths."""

    id: uuid.UUID
    code: str
    name: str
    kind: str
    path: str


@dataclass(frozen=True)
class Grant:
    """A role held in a unit (the read-only twin of ``RoleAssignment``)."""

    role: str
    unit_id: uuid.UUID
    unit: UnitRef


#: Columns of ``User`` a principal carries itself; everything else is read from the row.
OWN_COLUMNS = (
    "id",
    "username",
    "display_name",
    "active",
    "locale",
    "unit_id",
    "password_must_change",
    "totp_confirmed",
)


def grants_column(dialect: str) -> Any:
    """SQL: the user's roles as one JSON array (``[[role, unit id, code, name, kind, path]…]``)."""
    parts = (RoleAssignment.role, Unit.id, Unit.code, Unit.name, Unit.kind, Unit.path)
    if dialect == "postgresql":
        aggregate = func.coalesce(
            func.json_agg(func.json_build_array(*parts)), literal_column("'[]'::json")
        )
    else:
        aggregate = func.json_group_array(func.json_array(*parts))
    return (
        select(aggregate)
        .select_from(RoleAssignment)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .where(RoleAssignment.user_id == User.id)
        .scalar_subquery()
    )


def principal_columns() -> list[Any]:
    return [getattr(User, name) for name in OWN_COLUMNS]


class Principal:
    """The authenticated user as this request knows them (flask-login's protocol included)."""

    __slots__ = (*OWN_COLUMNS, "roles", "_session", "_record")

    def __init__(self, session: Session, values: dict[str, Any], roles: list[Grant]) -> None:
        for name in OWN_COLUMNS:
            object.__setattr__(self, name, values[name])
        object.__setattr__(self, "roles", roles)
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_record", None)

    @property
    def record(self) -> User:
        """The ``User`` row, loaded on first use (then kept for the request)."""
        record = self._record
        if record is None:
            record = self._session.get(User, self.id)
            object.__setattr__(self, "_record", record)
        return record

    def __getattr__(self, name: str) -> Any:
        # Private and SQLAlchemy's own names (``_sa_instance_state``) are never delegated: a
        # principal must not pass for the row it wraps (``inspect()`` would take it for the
        # User), nor load that row from an error handler after a failed flush.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.record, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.record, name, value)
        if name in OWN_COLUMNS:
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"<Principal {self.username}>"

    # flask-login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_names(self) -> set[str]:
        return {grant.role for grant in self.roles}


def parse_grants(raw: Any) -> list[Grant]:
    """The JSON array of ``grants_column`` as ``Grant`` objects (SQLite hands back text)."""
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    grants = []
    for role, unit_id, code, name, kind, path in items:
        unit = UnitRef(uuid.UUID(str(unit_id)), code, name, kind, path)
        grants.append(Grant(role, unit.id, unit))
    return grants


def principal_from(session: Session, row: Any) -> Principal:
    values = row._mapping
    return Principal(session, {n: values[n] for n in OWN_COLUMNS}, parse_grants(values["grants"]))


@lru_cache(maxsize=8)
def _bearer_query(table: Table, columns: tuple[str, ...], dialect: str) -> Select:
    """Built once per bearer table and dialect: every request runs one of these."""
    return (
        select(
            table.c.id.label("bearer_id"),
            *(table.c[name] for name in columns),
            *principal_columns(),
            grants_column(dialect).label("grants"),
        )
        .join_from(table, User, User.id == table.c.user_id)
        .where(table.c.token_hash == bindparam("digest"))
    )


def bearer_row(session: Session, table: Table, digest: str, columns: tuple[str, ...]) -> Any:
    """The row of ``table`` (sessions or tokens) with this digest: its id as ``bearer_id``, its
    ``columns``, its user's own columns and their grants; None when there is none.

    Run on the session's connection (same transaction) rather than through ``Session.execute``:
    the statement holds no ORM entity, and the ORM's execution layer cost more CPU than the
    query's own round trip on every request (measured, issue 9).
    """
    connection = session.connection()
    query = _bearer_query(table, columns, connection.dialect.name)
    return connection.execute(query, {"digest": digest}).one_or_none()


@dataclass(frozen=True)
class Bearer:
    """A live session or token: its row id and the principal it acts as."""

    id: uuid.UUID
    principal: Principal


def bearer_from(session: Session, row: Any) -> Bearer:
    return Bearer(row.bearer_id, principal_from(session, row))


__all__ = ["Bearer", "Grant", "Principal", "UnitRef", "bearer_from", "bearer_row"]
