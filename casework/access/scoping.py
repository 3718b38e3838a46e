"""The one way to query cases: scoped in SQL to the units where the caller holds a permission.

Every list, read, search, export and statistic starts from ``scoped_cases`` (or filters with
``case_scope_condition``), so an endpoint cannot forget the scope: there is no other query helper
for cases, and the authorization-matrix test walks every route to prove it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, false, or_, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from casework.access.actor import Actor
from casework.access.roles import ROLE_PERMISSIONS
from casework.cases.models import Case
from casework.units.models import Unit, escape_like


def scope_paths(user: Actor, permission: str) -> list[str]:
    """Paths of the units where ``user`` holds a role granting ``permission``.

    Nested paths are folded (a province path already covers its communes), which keeps the SQL
    condition short.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return []
    paths = sorted(
        {a.unit.path for a in user.roles if permission in ROLE_PERMISSIONS.get(a.role, ())}
    )
    folded: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in folded):
            folded.append(path)
    return folded


def path_condition(column: Any, paths: list[str]) -> Any:
    """SQL: ``column`` lies under one of ``paths`` (false when there are none)."""
    if not paths:
        return false()
    return or_(*(column.like(escape_like(p) + "%", escape="\\") for p in paths))


_TransferUnit = aliased(Unit)


def case_scope_condition(user: Actor, permission: str = "case.read") -> Any:
    """SQL condition on ``Case``/``Unit`` (joined) limiting to the caller's scope.

    A case waiting for transfer is also visible (read-only) to the receiving unit, so its
    supervisor can accept or refuse it.
    """
    return _scope_condition(scope_paths(user, permission))


def _scope_condition(paths: list[str]) -> Any:
    incoming = Case.transfer_to_unit_id.in_(
        select(_TransferUnit.id).where(path_condition(_TransferUnit.path, paths))
    )
    return or_(path_condition(Unit.path, paths), incoming) if paths else false()


def scoped_cases(user: Actor, permission: str = "case.read") -> Select:
    """``SELECT case_file … JOIN unit`` restricted to what ``user`` may see with ``permission``.

    The scope's join to the case's unit also fills ``case.unit``, and people are loaded for the
    rows returned only (one ``IN`` query): joined to every row of the scope, PostgreSQL joined a
    worker's whole caseload to ``person`` and ``unit`` before sorting it down to a page of 20
    (issue 9: ~6 ms of database CPU per caseload page).
    """
    return (
        select(Case)
        .join(Unit, Case.unit_id == Unit.id)
        .where(case_scope_condition(user, permission))
        .options(contains_eager(Case.unit), selectinload(Case.person))
    )


def case_by_id(user: Actor, permission: str = "case.read") -> Select:
    """``scoped_cases`` for one case, its id bound as ``case_id``; ``case.unit`` loaded with it.

    Every case page and API call starts with this query, so the statement is built once per
    scope (the folded unit paths) and reused: building and keying it again on each request cost
    more than running it. The scope itself is worked out from ``user`` on every call.
    """
    return _case_by_id(permission, tuple(scope_paths(user, permission)))


@lru_cache(maxsize=512)
def _case_by_id(permission: str, paths: tuple[str, ...]) -> Select:
    # For one row, the incoming-transfer test is a correlated EXISTS: the IN (subquery) form of
    # the list queries, once PostgreSQL caches the prepared statement's generic plan, costs four
    # times the rest of this query.
    incoming = (
        select(_TransferUnit.id)
        .where(
            _TransferUnit.id == Case.transfer_to_unit_id,
            path_condition(_TransferUnit.path, list(paths)),
        )
        .exists()
    )
    condition = or_(path_condition(Unit.path, list(paths)), incoming) if paths else false()
    return (
        select(Case)
        .join(Unit, Case.unit_id == Unit.id)
        .where(condition, Case.id == bindparam("case_id"))
        # The scope's join to the case's unit also fills ``case.unit`` (no second join to it).
        .options(contains_eager(Case.unit))
    )


def unit_in_scope(user: Actor, unit: Unit, permission: str) -> bool:
    """True when ``unit`` lies in a subtree where ``user`` holds ``permission``."""
    return any(unit.path.startswith(p) for p in scope_paths(user, permission))
