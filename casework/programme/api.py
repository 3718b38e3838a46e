"""``/api/v1``: the programme work — support schemes (and counts per scheme). Each view parses,
calls one operation and renders; the unit of work commits."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casework.access.current import caller
from casework.extensions import db
from casework.programme import schemes
from casework.programme.schemas import (
    SchemeCountsArgsSchema,
    SchemeCountsSchema,
    SchemeInSchema,
    SchemeOutSchema,
    SchemePatchSchema,
)

schemes_blp = Blueprint(
    "schemes", __name__, url_prefix="/schemes", description="Support schemes (coded)"
)


@schemes_blp.route("")
class Schemes(MethodView):
    @schemes_blp.response(200, SchemeOutSchema(many=True))
    def get(self) -> list[Any]:
        """The packaged schemes and those added for the caller's area."""
        return schemes.list_schemes(db.session, caller())

    @schemes_blp.arguments(SchemeInSchema)
    @schemes_blp.response(201, SchemeOutSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a scheme of the caller's subtree (``scheme.manage``)."""
        return schemes.create_scheme(db.session, caller(), data)


@schemes_blp.route("/counts")
class SchemeCounts(MethodView):
    @schemes_blp.arguments(SchemeCountsArgsSchema, location="query")
    @schemes_blp.response(200, SchemeCountsSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Loans and training per scheme in a unit's subtree and period, suppressed
        (``report.view``)."""
        return schemes.scheme_counts(db.session, caller(), args.get("unit"), args["period"])


@schemes_blp.route("/<string:code>")
class SchemeItem(MethodView):
    @schemes_blp.arguments(SchemePatchSchema)
    @schemes_blp.response(200, SchemeOutSchema)
    def patch(self, data: dict[str, Any], code: str) -> Any:
        """Edit or close a scheme the caller added (``scheme.manage``)."""
        return schemes.update_scheme(db.session, caller(), code, data)


def blueprints() -> list[Blueprint]:
    return [schemes_blp]
