"""``/api/v1/people/search``: exact lookup by national ID or phone through the blind index."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from casework.access.current import caller
from casework.audit import trail
from casework.cases import operations
from casework.cases.presenters import case_summaries
from casework.cases.schemas import CaseSummarySchema
from casework.extensions import db
from casework.people.operations import find_people
from casework.people.schemas import check_national_id, check_phone

blp = Blueprint("people", __name__, url_prefix="/people", description="People lookup")


class SearchArgs(Schema):
    national_id = fields.String(validate=check_national_id)
    phone = fields.String(validate=check_phone)

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("national_id") and not data.get("phone"):
            raise ValidationError("give national_id or phone", "_schema")


class SearchResultSchema(Schema):
    matches = fields.List(fields.Nested(CaseSummarySchema))
    elsewhere = fields.Boolean(metadata={"description": "a record exists outside your scope"})
    message = fields.String(allow_none=True)


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchResultSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Exact matches within the caller's scope; matches elsewhere are only mentioned."""
        user = caller()
        operations.require_any(user, "people.search")
        result = find_people(
            db.session, user, national_id=args.get("national_id"), phone=args.get("phone")
        )
        trail.record(
            db.session,
            "people.search",
            actor=user,
            by=sorted(args),
            matches=len(result.in_scope),
            elsewhere=bool(result.elsewhere),
        )
        return {
            "matches": case_summaries(db.session, user, [m.case for m in result.in_scope]),
            "elsewhere": bool(result.elsewhere),
            "message": "Hồ sơ đã có ở nơi khác; hãy hỏi cán bộ phụ trách / "
            "a record exists elsewhere; ask your supervisor."
            if result.elsewhere
            else None,
        }
