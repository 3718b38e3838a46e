"""Communication, training and campaign activities: who holds them, how many were reached, and
the indicators the plans report (share of communes holding at least one activity, members and
officials reached per kind, campaign days held).

An activity is recorded by a worker or supervisor at a unit of their subtree
(``programme.record``) and read there, or by a report reader (``report.view``) in theirs. It
counts people reached, never names them, so its figures need no small-count suppression.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from casework.access.scoping import path_condition, scope_paths, unit_in_scope
from casework.audit import trail
from casework.errors import Forbidden, Invalid, NotFound
from casework.model_base import vietnam_today
from casework.programme.models import Activity
from casework.stats.reports import parse_period
from casework.units.loader import current_unit_for
from casework.units.models import CURRENT_TREE, Unit

RECORD = "programme.record"
REPORT = "report.view"


def _reader_paths(user: Any) -> list[str]:
    return sorted(set(scope_paths(user, RECORD)) | set(scope_paths(user, REPORT)))


def require_reader(user: Any) -> list[str]:
    """:raise Forbidden: the caller neither records nor reports programme work anywhere."""
    paths = _reader_paths(user)
    if not paths:
        raise Forbidden()
    return paths


def record_unit(session: Session, actor: Any, code: str, field: str = "unit") -> Unit:
    """The unit ``code`` where ``actor`` records programme work.

    :raise Forbidden: the actor records programme work nowhere.
    :raise Invalid: unknown code, or outside the actor's subtree (on ``field``).
    """
    if not scope_paths(actor, RECORD):
        raise Forbidden()
    unit = current_unit_for(session, code)
    if unit is None:
        raise Invalid(errors={field: [_("Unknown unit code.")]})
    if not unit_in_scope(actor, unit, RECORD):
        raise Invalid(errors={field: [_("This unit is outside your area.")]})
    return unit


def _check(data: dict[str, Any]) -> None:
    if data.get("kind") == "campaign" and not data.get("campaign_day"):
        raise Invalid(errors={"campaign_day": [_("Choose the campaign day.")]})
    if data.get("kind") not in (None, "campaign") and data.get("campaign_day"):
        raise Invalid(errors={"campaign_day": [_("Only a campaign has a campaign day.")]})
    if data.get("held_on") and data["held_on"] > vietnam_today():
        raise Invalid(errors={"held_on": [_("The date cannot be in the future.")]})


def record_activity(session: Session, actor: Any, data: dict[str, Any]) -> Activity:
    """Record an activity a unit of the actor's subtree held.

    :raise Forbidden: the actor records programme work nowhere.
    :raise Invalid: unit unknown or outside the subtree, a campaign without its day, a day on
        another kind, a date in the future.
    """
    unit = record_unit(session, actor, data["unit"])
    _check(data)
    activity = Activity(
        unit_id=unit.id,
        unit=unit,
        kind=data["kind"],
        campaign_day=data.get("campaign_day"),
        topic=data["topic"],
        title=data["title"],
        held_on=data["held_on"],
        members_reached=data.get("members_reached", 0),
        officials_reached=data.get("officials_reached", 0),
        created_by_id=actor.id,
    )
    session.add(activity)
    session.flush()
    trail.record(
        session,
        "activity.create",
        actor=actor,
        object_type="programme_activity",
        object_id=activity.id,
        unit_path=unit.path,
        kind=activity.kind,
    )
    return activity


def visible_activities(user: Any) -> Select:
    paths = require_reader(user)
    return (
        select(Activity)
        .join(Unit, Activity.unit_id == Unit.id)
        .where(path_condition(Unit.path, paths))
    )


def list_activities(session: Session, user: Any, args: dict[str, Any]) -> list[Activity]:
    """Activities of the caller's subtree, newest first, filtered by unit subtree, period, kind.

    :raise Forbidden: as ``require_reader``. :raise Invalid: a bad period.
    """
    query = visible_activities(user)
    if args.get("unit"):
        unit = current_unit_for(session, args["unit"])
        if unit is None:
            return []
        query = query.where(path_condition(Unit.path, [unit.path]))
    if args.get("period"):
        period = parse_period(args["period"])
        query = query.where(Activity.held_on >= period.start, Activity.held_on <= period.end)
    if args.get("kind"):
        query = query.where(Activity.kind == args["kind"])
    query = query.order_by(Activity.held_on.desc(), Activity.created_at.desc(), Activity.id)
    return list(session.scalars(query.limit(args.get("limit", 500))))


def get_activity(session: Session, user: Any, activity_id: uuid.UUID) -> Activity:
    """:raise NotFound: unknown or outside the caller's subtree."""
    found = session.scalar(visible_activities(user).where(Activity.id == activity_id))
    if found is None:
        raise NotFound()
    return found


def activity_report(
    session: Session, user: Any, unit_code: str | None, period_text: str
) -> dict[str, Any]:
    """The plans' activity indicators for a unit's subtree and a period.

    :raise Forbidden: no ``report.view``/``programme.record`` anywhere.
    :raise NotFound: unknown unit or outside the caller's subtree.
    :raise Invalid: a bad period.
    """
    paths = require_reader(user)
    if unit_code:
        unit = current_unit_for(session, unit_code)
    elif len(paths) == 1:
        unit = session.scalar(select(Unit).where(Unit.path == paths[0]))
    else:
        raise Invalid(errors={"unit": [_("Choose a unit.")]})
    if unit is None or not any(unit.path.startswith(p) for p in paths):
        raise NotFound()
    period = parse_period(period_text)
    inside = (
        path_condition(Unit.path, [unit.path]),
        Activity.held_on >= period.start,
        Activity.held_on <= period.end,
    )
    base = select(Activity).join(Unit, Activity.unit_id == Unit.id).where(*inside).subquery()
    per_kind = session.execute(
        select(
            base.c.kind,
            func.count(),
            func.coalesce(func.sum(base.c.members_reached), 0),
            func.coalesce(func.sum(base.c.officials_reached), 0),
        ).group_by(base.c.kind)
    ).all()
    per_day = session.execute(
        select(base.c.campaign_day, func.count(), func.count(func.distinct(base.c.unit_id)))
        .where(base.c.campaign_day.is_not(None))
        .group_by(base.c.campaign_day)
    ).all()
    communes = select(Unit.id).where(
        Unit.tree == CURRENT_TREE,
        Unit.kind == "commune",
        or_(Unit.valid_to.is_(None), Unit.valid_to >= period.start),
        path_condition(Unit.path, [unit.path]),
    )
    commune_ids = set(session.scalars(communes))
    active_units = set(session.scalars(select(base.c.unit_id).distinct()))
    # An activity of a neighbourhood counts for its commune.
    below = session.execute(
        select(Unit.id, Unit.path).where(Unit.id.in_(active_units - commune_ids))
    ).all() if active_units - commune_ids else []
    holding = active_units & commune_ids
    if below:
        commune_paths = dict(
            session.execute(select(Unit.path, Unit.id).where(Unit.id.in_(commune_ids))).all()
        )
        for _id, path in below:
            holding |= {cid for cpath, cid in commune_paths.items() if path.startswith(cpath)}
    total = len(commune_ids)
    return {
        "unit": unit.code,
        "period": period.label,
        "kinds": [
            {"kind": k, "activities": n, "members_reached": int(m), "officials_reached": int(o)}
            for k, n, m, o in sorted(per_kind)
        ],
        "campaign_days": [
            {"campaign_day": d, "activities": n, "units": u} for d, n, u in sorted(per_day)
        ],
        "communes": total,
        "communes_holding_activity": len(holding),
        "share_communes_holding_activity": round(len(holding) / total, 4) if total else None,
    }
