"""Break-glass: ``POST /api/v1/cases/{id}/reveal``; supervisors review: ``GET /api/v1/reveals``.

A worker who sees a case with its identity masked (need-to-know) may reveal it for a few hours by
writing why; the reveal is audited (``case.break_glass``) and listed for the supervisors above
the case's unit, who see the reason — beside the identity probes (lookups that matched a hidden
identity), see ``casework.access.review``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page

from casework.access.current import caller
from casework.access.review import reveal_view, review
from casework.access.schemas import RevealListArgsSchema, RevealOutSchema, RevealSchema
from casework.cases import operations
from casework.extensions import db

blp = Blueprint("reveals", __name__, url_prefix="", description="Break-glass identity reveals")


@blp.route("/cases/<uuid:case_id>/reveal")
class CaseReveal(MethodView):
    @blp.arguments(RevealSchema)
    @blp.response(201, RevealOutSchema)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Reveal a masked identity for a few hours (8), giving a written reason.

        Audited and shown to the supervisors above the case. 409 when you already see it.
        """
        user = caller()
        case = operations.get_case(db.session, user, case_id)
        reveal = operations.break_glass(db.session, user, case, data["reason"])
        return reveal_view(reveal, case, with_reason=True)


@blp.route("/reveals")
class Reveals(MethodView):
    @blp.arguments(RevealListArgsSchema, location="query")
    @blp.response(200, RevealOutSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """Reveals and identity probes on cases of your subtree, newest first (supervisors).

        A probe is a lookup (by national ID or phone) that matched a case whose identity is
        hidden from the person looking (``kind: probe``, with the lookup path in ``via``).
        """
        return review(db.session, caller(), args)
