"""What an administrator may reach: users whose home unit lies in their subtree.

Scoped in SQL like cases (``casework.access.scoping``): a user outside the subtree answers 404,
exactly like an unknown id; a unit outside it cannot be given to anyone (422).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.scoping import path_condition, scope_paths, unit_in_scope
from casework.accounts.models import RoleAssignment, User
from casework.errors import Forbidden, Invalid, NotFound
from casework.units.loader import current_unit_for
from casework.units.models import CURRENT_TREE, Unit

PERMISSION = "user.manage"


def require_administrator(admin: Actor) -> None:
    """:raise Forbidden: the caller manages users nowhere."""
    if not scope_paths(admin, PERMISSION):
        raise Forbidden()


def managed_users(admin: Actor) -> Select:
    """``SELECT user_account`` limited to the administrator's subtree."""
    return (
        select(User)
        .join(Unit, User.unit_id == Unit.id)
        .where(path_condition(Unit.path, scope_paths(admin, PERMISSION)))
    )


def get_managed_user(session: Any, admin: Actor, user_id: uuid.UUID) -> User:
    """:raise NotFound: unknown user, or one outside the administrator's subtree."""
    user = session.scalar(managed_users(admin).where(User.id == user_id))
    if user is None:
        raise NotFound()
    return user


def managed_unit(session: Any, admin: Actor, code: str) -> Unit:
    """The unit with this code, if it lies in the administrator's subtree.

    :raise Invalid: unknown code or a unit outside the subtree (the same message).
    """
    unit = current_unit_for(session, code)
    if unit is None or not unit_in_scope(admin, unit, PERMISSION):
        raise Invalid(errors={"unit": [_("Unknown unit, or outside your area.")]})
    return unit


def get_assignment(user: User, admin: Actor, assignment_id: uuid.UUID) -> RoleAssignment:
    """:raise NotFound: no such assignment of this user inside the administrator's subtree."""
    for assignment in user.roles:
        if assignment.id == assignment_id and unit_in_scope(admin, assignment.unit, PERMISSION):
            return assignment
    raise NotFound()


def managed_user_list(session: Session, admin: Actor) -> list[User]:
    """The accounts ``admin`` manages, by username."""
    return list(session.scalars(managed_users(admin).order_by(User.username)).unique())


@dataclass(frozen=True)
class UnitTree:
    """One level of the administrator's unit browser."""

    parent: Unit | None
    units: list[Unit]
    counts: dict[Any, int]  # parent id → number of children
    ancestors: list[Unit]  # of ``parent``, top first


def unit_tree(session: Session, user: Actor, code: str) -> UnitTree:
    """Children of the unit ``code`` (or the top of the administrator's subtree).

    :raise Forbidden: the caller manages neither units nor users.
    :raise NotFound: a code outside the administrator's subtree (like an unknown one).
    """
    paths = scope_paths(user, "unit.manage") or scope_paths(user, "user.manage")
    if not paths:
        raise Forbidden()
    code = code.strip()
    parent = None
    if code:
        parent = session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
        if parent is None or not any(parent.path.startswith(p) for p in paths):
            raise NotFound()
        children = select(Unit).where(Unit.parent_id == parent.id)
    else:
        children = select(Unit).where(Unit.tree == CURRENT_TREE, Unit.path.in_(paths))
    rows = list(session.scalars(children.where(Unit.valid_to.is_(None)).order_by(Unit.code)))
    counts = dict(
        session.execute(
            select(Unit.parent_id, func.count())
            .where(Unit.parent_id.in_([u.id for u in rows]))
            .group_by(Unit.parent_id)
        ).all()
    )
    trail_units = (
        []
        if parent is None
        else sorted(
            session.scalars(select(Unit).where(Unit.path.in_(parent.ancestors_paths()))),
            key=lambda u: len(u.path),
        )
    )
    return UnitTree(parent, rows, counts, trail_units)
