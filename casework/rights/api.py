"""``/api/v1/people/{id}/erasure``: ask for a person's erasure, approve it (a second person)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from casework.access.current import caller
from casework.extensions import db
from casework.rights.erasure import approve_erasure, erasure_status, request_erasure
from casework.rights.export import export_person
from casework.rights.models import REQUESTABLE_REASONS

blp = Blueprint("rights", __name__, url_prefix="/people", description="A person's rights: erasure")


class ErasureIn(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(REQUESTABLE_REASONS))


class ErasureOut(Schema):
    person_id = fields.UUID()
    status = fields.String(metadata={"description": "none, requested or erased"})
    erased_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    request_id = fields.UUID(allow_none=True)
    requested_at = fields.DateTime(allow_none=True)


@blp.route("/<person_id>/erasure")
class Erasure(MethodView):
    @blp.response(200, ErasureOut)
    def get(self, person_id: str) -> dict[str, Any]:
        """Where the person's erasure stands."""
        return erasure_status(db.session, caller(), person_id)

    @blp.arguments(ErasureIn)
    @blp.response(202, ErasureOut)
    def post(self, body: dict[str, Any], person_id: str) -> dict[str, Any]:
        """Ask for the erasure of everything held about the person (a second person approves).

        Refused (409) while a legal hold or an open case stands; 404 for an unknown person or
        one none of whose cases is in your scope.
        """
        return request_erasure(db.session, caller(), person_id, body["reason"])


@blp.route("/<person_id>/erasure/approve")
class ErasureApproval(MethodView):
    @blp.response(200, ErasureOut)
    def post(self, person_id: str) -> dict[str, Any]:
        """Approve the pending erasure: the person's data key is destroyed now.

        The requester's own approval is refused (403).
        """
        return approve_erasure(db.session, caller(), person_id)


class ExportOut(Schema):
    person = fields.Dict(metadata={"description": "every column held about the person"})
    cases = fields.List(
        fields.Dict(),
        metadata={
            "description": "each case you may export, with history, notes, support, referrals, "
            "consents and the list of documents"
        },
    )
    access_log = fields.List(
        fields.Dict(), metadata={"description": "who viewed or changed the record, and when"}
    )
    incomplete = fields.Boolean(
        metadata={"description": "the person has cases you may not export: ask a supervisor above"}
    )
    generated_at = fields.String()


@blp.route("/<person_id>/export")
class Export(MethodView):
    @blp.response(200, ExportOut)
    def get(self, person_id: str) -> dict[str, Any]:
        """Everything held about the person (access and portability, Law 91/2025); audited."""
        return export_person(db.session, caller(), person_id)
