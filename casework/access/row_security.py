"""Telling PostgreSQL whose transaction it is, so its row-level security can scope every query.

The policies (``casework.access.row_policies``) read transaction-local settings; this module
writes them. Every transaction runs in one *context*, decided here and nowhere else:

- a request of a user holding a case role: ``user``, with the paths of the units where they may
  read cases (``scope_paths(user, "case.read")``, the same scope the application applies);
- a request of anybody else — the login page, an anonymous call, an administrator, an auditor,
  a statistician outside a report — and any session outside a request that has not declared
  otherwise: no context, and the database shows no row about a person;
- a report's computation: ``statistics`` for the report's unit (or every unit), entered for the
  computation only (``using``), reading only the tables statistics count;
- a command line job: the context its command declares (``casework.cli``), ``system`` with a
  reason for the maintenance that must read everything (``keys rotate``, ``verify``, ``demo``,
  ``backup``), a named user's for an import.

The settings are written with ``set_config(…, true)``: local to the transaction, gone at its end,
so a pooled connection never carries one request's scope into the next. A session applies its
context when a transaction begins (``after_begin``); a request's first statement resolves the
caller (session or token, user, roles — no case table), and ``bind_caller`` then applies the
caller's context before anything else is read.

What this does not stop: the settings are ordinary, so SQL that can call ``set_config`` itself
(an injection able to run functions) can widen them. Every statement is parameterised; this
layer catches the application forgetting its own scope, not an attacker already writing SQL.

SQLite has no row-level security: every function here does nothing there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, scoped_session

from casework.access.actor import Actor

#: Unit paths of a statistics context that reaches every unit.
EVERY_UNIT = "*"

_KEY = "casework.row_security"


@dataclass(frozen=True)
class DatabaseContext:
    """Whose transaction this is, as the row-level security policies understand it."""

    name: str  # "" (nobody), "user", "statistics" or "system"
    unit_paths: tuple[str, ...] = ()
    reason: str = ""
    user_id: str = ""  # a user context's user (their notifications: row_policies "recipient")


NOBODY = DatabaseContext("")


def caller_context(user: Actor) -> DatabaseContext:
    """A request of ``user``: the units where they may read cases; nothing without a case role."""
    from casework.access.scoping import scope_paths

    paths = tuple(scope_paths(user, "case.read"))
    return DatabaseContext("user", paths, user_id=str(user.id)) if paths else NOBODY


def statistics_context(unit_path: str | None) -> DatabaseContext:
    """A report's computation over the subtree at ``unit_path`` (``None``: every unit)."""
    return DatabaseContext("statistics", (unit_path or EVERY_UNIT,), "statistics")


def system_context(reason: str) -> DatabaseContext:
    """Maintenance that must read or write every row; ``reason`` names it (pg_stat_activity).

    :raise ValueError: no reason given — "everything" is never the silent default.
    """
    if not reason.strip():
        raise ValueError("a system context needs a reason")
    return DatabaseContext("system", (), reason)


# --- where the context of the current transaction comes from ---------------------------------


def _holder() -> dict[str, Any] | None:
    """Per request (the WSGI environ), else per application context (a command, a job)."""
    if has_request_context():
        return request.environ.setdefault(_KEY, {})
    if has_app_context():
        return g.setdefault(_KEY, {})
    return None


def current() -> DatabaseContext:
    """The context a transaction beginning now runs in."""
    holder = _holder()
    if holder is None:
        return NOBODY
    context = holder.get("context")
    if context is not None:
        return context
    if has_request_context():
        return NOBODY
    return current_app.extensions.get(_KEY, {}).get("outside_requests", NOBODY)


def set_default_outside_requests(app: Flask, context: DatabaseContext) -> None:
    """Give sessions outside requests and commands ``context`` instead of nothing.

    For test harnesses, whose fixtures and assertions read the database directly; the service
    never calls it (outside a request, a session sees nothing until its command says who it is).
    """
    app.extensions.setdefault(_KEY, {})["outside_requests"] = context


# --- writing the settings ----------------------------------------------------------------------

_APPLY = text(
    "SELECT set_config('casework.context', :context, true),"
    " set_config('casework.unit_paths', :paths, true),"
    " set_config('casework.unit_ids', casework_units_under(:paths), true),"
    " set_config('casework.reason', :reason, true),"
    " set_config('casework.user_id', :user_id, true),"
    " set_config('casework.admitted_cases', '', true),"
    " set_config('casework.lookup_people', '', true),"
    " set_config('casework.lookup_national_id_bi', '', true),"
    " set_config('casework.lookup_phone_bi', '', true)"
)


def _apply(connection: Connection, context: DatabaseContext) -> None:
    paths = context.unit_paths
    if any("\n" in path for path in paths):  # a path never holds one; a line per path
        raise ValueError("a unit path cannot contain a line break")
    connection.execute(
        _APPLY,
        {
            "context": context.name,
            "paths": "\n".join(paths),
            "reason": context.reason,
            "user_id": context.user_id,
        },
    )


def _open(session: Session | scoped_session) -> Session | None:
    """The session itself if a transaction is open in it (``db.session`` is a scoped one)."""
    real = session() if isinstance(session, scoped_session) else session
    return real if real.in_transaction() else None


def _is_postgresql(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "postgresql"


def _after_begin(_session: Session, _transaction: Any, connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    context = current()
    if context.name:  # without one, a fresh transaction has no setting: it sees nothing
        _apply(connection, context)


def install(session_factory: Any) -> None:
    """Apply the current context at the start of every transaction of ``session_factory``."""
    if not event.contains(session_factory, "after_begin", _after_begin):
        event.listen(session_factory, "after_begin", _after_begin)


def _switch(session: Session, context: DatabaseContext) -> None:
    holder = _holder()
    if holder is None:
        raise RuntimeError("a database context needs an application context")
    holder["context"] = context
    if _open(session) is not None and _is_postgresql(session):
        _apply(session.connection(), context)


def bind_caller(session: Session, user: Actor) -> None:
    """The request's caller is known: their context from now on, this transaction included."""
    _switch(session, caller_context(user))


@contextmanager
def using(session: Session, context: DatabaseContext) -> Iterator[None]:
    """Run the block (every transaction begun in it too) in ``context``, then return to the one
    before — in the transaction still open, if any."""
    holder = _holder()
    if holder is None:
        raise RuntimeError("a database context needs an application context")
    previous = holder.get("context")
    _switch(session, context)
    try:
        yield
    finally:
        if previous is None:
            holder.pop("context", None)
        else:
            holder["context"] = previous
        if _open(session) is not None and _is_postgresql(session):
            _apply(session.connection(), current())


def admit_case(session: Session, case_id: uuid.UUID) -> None:
    """Let this transaction read and write one case beyond its units.

    For the one move the application makes outside the caller's units: a receiving unit
    refusing a transfer hands the case back to the sending unit, whose row it then writes.
    """
    if not _is_postgresql(session):
        return
    session.connection().execute(
        text(
            "SELECT set_config('casework.admitted_cases', concat_ws(',', nullif("
            "current_setting('casework.admitted_cases', true), ''), CAST(:case_id AS text)), true)"
        ),
        {"case_id": str(case_id)},
    )


@contextmanager
def identity_lookup(
    session: Session, national_id_buckets: Iterable[int], phone_buckets: Iterable[int]
) -> Iterator[None]:
    """Inside the block, the people in these blind-index buckets and their cases are readable.

    A national ID or phone typed at intake is compared with every person, in scope or not,
    to warn of a duplicate and to count matches elsewhere (never described): the database
    admits exactly the candidates of the buckets looked up, for the block only.
    """
    if not _is_postgresql(session):
        yield
        return
    ids = [int(bucket) for bucket in national_id_buckets]
    phones = [int(bucket) for bucket in phone_buckets]
    connection = session.connection()
    connection.execute(
        text(
            "SELECT set_config('casework.lookup_national_id_bi', :ids, true),"
            " set_config('casework.lookup_phone_bi', :phones, true)"
        ),
        {"ids": ",".join(map(str, ids)), "phones": ",".join(map(str, phones))},
    )
    # The cases are admitted through their people: case_file's policy cannot read ``person``
    # (person's policy reads case_file, and policies may not refer to each other in a circle).
    connection.execute(
        text(
            "SELECT set_config('casework.lookup_people', (SELECT coalesce(string_agg("
            "p.id::text, ','), '') FROM person p WHERE p.national_id_bi = ANY(:ids)"
            " OR p.phone_bi = ANY(:phones)), true)"
        ),
        {"ids": ids, "phones": phones},
    )
    try:
        yield
    finally:
        if _open(session) is not None:
            session.connection().execute(
                text(
                    "SELECT set_config('casework.lookup_national_id_bi', '', true),"
                    " set_config('casework.lookup_phone_bi', '', true),"
                    " set_config('casework.lookup_people', '', true)"
                )
            )
