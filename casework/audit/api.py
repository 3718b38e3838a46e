"""``GET /api/v1/audit``: the audit trail, for auditors (``audit.read``) only.

An auditor reads the entries about their subtree (``unit_path``) and the entries tied to no unit
(failed logins of unknown usernames). Entries carry names and codes, never case content, so
reading them shows no one's identity. Reading the trail is itself audited.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

import casework.api.pagination  # noqa: F401 - names the paging parameter per_page
from casework.access.current import caller
from casework.access.paging import SqlPage
from casework.access.scoping import path_condition, scope_paths
from casework.audit import trail
from casework.audit.models import AuditEvent
from casework.errors import Forbidden
from casework.extensions import db


class AuditArgsSchema(Schema):
    action = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "exact action, or a prefix ending in '.' (e.g. 'auth.')"},
    )
    actor = fields.String(validate=validate.Length(max=64), metadata={"description": "username"})
    object_id = fields.String(validate=validate.Length(max=64))
    outcome = fields.String(validate=validate.OneOf(["ok", "failed", "denied"]))
    since = fields.DateTime(metadata={"description": "ISO 8601, inclusive"})
    until = fields.DateTime(metadata={"description": "ISO 8601, exclusive"})


class AuditEventSchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.UUID(allow_none=True)
    actor_username = fields.String(allow_none=True)
    action = fields.String()
    outcome = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    unit_path = fields.String(allow_none=True)
    remote_addr = fields.String(allow_none=True)
    detail = fields.Dict()


blp = Blueprint("audit", __name__, url_prefix="/audit", description="The audit trail")


def _utc(moment: datetime) -> datetime:
    """Times without an offset are UTC, like every stored time."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_query(user: Any, args: dict[str, Any]):  # noqa: ANN201 - a Select
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


@blp.route("")
class AuditTrail(MethodView):
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """Audit entries of your subtree, newest first; filter by action, actor, object, outcome
        and time."""
        user = caller()
        if not scope_paths(user, "audit.read"):
            raise Forbidden()
        trail.record(db.session, "audit.read", actor=user, filters=sorted(args))
        return SqlPage(audit_query(user, args), lambda event: event)
