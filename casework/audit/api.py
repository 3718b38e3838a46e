"""``GET /api/v1/audit``: the audit trail, for auditors (``audit.read``) only.

An auditor reads the entries about their subtree (``unit_path``) and the entries tied to no unit
(failed logins of unknown usernames). Entries carry names and codes, never case content, so
reading them shows no one's identity. Reading the trail is itself audited.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page
from marshmallow import Schema, fields, validate

from casework.access.current import caller
from casework.audit.operations import read_trail
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


@blp.route("")
class AuditTrail(MethodView):
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """Audit entries of your subtree, newest first; filter by action, actor, object, outcome
        and time."""
        return read_trail(db.session, caller(), args)
