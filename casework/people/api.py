"""``/api/v1/people/search``: exact lookup by national ID or phone through the blind index."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from casework.access.current import caller
from casework.cases.presenters import case_summaries, undisclosed_message
from casework.cases.schemas import CaseSummarySchema
from casework.extensions import db
from casework.people.operations import search_people
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
    matches = fields.List(
        fields.Nested(CaseSummarySchema),
        metadata={"description": "cases of this person whose identity you may see"},
    )
    elsewhere = fields.Boolean(
        metadata={
            "description": "a possible match exists that you may not be shown (outside your "
            "scope, or hidden from you by need-to-know): ask your supervisor"
        }
    )
    message = fields.String(allow_none=True)


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchResultSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Exact matches you may see; any other match is only mentioned, never described.

        A case outside your scope and one in your scope whose identity need-to-know hides from
        you get the same answer (``elsewhere``, a message, no reference or count).
        """
        user = caller()
        result = search_people(
            db.session,
            user,
            via="people_search",
            national_id=args.get("national_id"),
            phone=args.get("phone"),
        )
        return {
            "matches": case_summaries(db.session, user, [m.case for m in result.described]),
            "elsewhere": result.undisclosed,
            "message": undisclosed_message() if result.undisclosed else None,
        }
