"""Reading the audit trail (``audit.read``): the one operation behind ``GET /api/v1/audit``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.paging import SqlPage
from casework.access.scoping import path_condition, scope_paths
from casework.audit import trail
from casework.audit.models import AuditEvent
from casework.errors import Forbidden


def _utc(moment: datetime) -> datetime:
    """Times without an offset are UTC, like every stored time."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_query(user: Actor, args: dict[str, Any]):  # noqa: ANN201 - a Select
    """The entries ``user`` may read, filtered in SQL, newest first."""
    paths = scope_paths(user, "audit.read")
    query = select(AuditEvent).where(
        or_(path_condition(AuditEvent.unit_path, paths), AuditEvent.unit_path.is_(None))
    )
    action = args.get("action")
    if action:
        if action.endswith("."):
            query = query.where(AuditEvent.action.startswith(action, autoescape=True))
        else:
            query = query.where(AuditEvent.action == action)
    if args.get("actor"):
        query = query.where(AuditEvent.actor_username == args["actor"].strip().lower())
    if args.get("object_id"):
        query = query.where(AuditEvent.object_id == args["object_id"])
    if args.get("outcome"):
        query = query.where(AuditEvent.outcome == args["outcome"])
    if args.get("since"):
        query = query.where(AuditEvent.at >= _utc(args["since"]))
    if args.get("until"):
        query = query.where(AuditEvent.at < _utc(args["until"]))
    return query.order_by(AuditEvent.seq.desc())


def read_trail(session: Session, user: Actor, args: dict[str, Any]) -> SqlPage:
    """The entries ``user`` may read, as a page; reading is itself audited (``audit.read``).

    :raise Forbidden: the caller reads the audit trail nowhere.
    """
    if not scope_paths(user, "audit.read"):
        raise Forbidden()
    trail.record(session, "audit.read", actor=user, filters=sorted(args))
    return SqlPage(audit_query(user, args), lambda event: event)
