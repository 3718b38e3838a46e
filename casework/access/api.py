"""Break-glass: ``POST /api/v1/cases/{id}/reveal``; supervisors list them: ``GET /api/v1/reveals``.

A worker who sees a case with its identity masked (need-to-know) may reveal it for a few hours by
writing why; the reveal is audited (``case.break_glass``) and listed for the supervisors above
the case's unit, who see the reason.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, Page
from sqlalchemy import select

import casework.api.pagination  # noqa: F401 - names the paging parameter per_page
from casework.access.current import caller
from casework.access.identity import REVEAL_HOURS, may_see_identity, reveal_identity
from casework.access.models import IdentityReveal
from casework.access.paging import SqlPage
from casework.access.schemas import RevealListArgsSchema, RevealOutSchema, RevealSchema
from casework.access.scoping import path_condition, scope_paths
from casework.accounts.models import User
from casework.audit import trail
from casework.cases import operations
from casework.cases.models import Case
from casework.errors import Conflict, Forbidden
from casework.extensions import db
from casework.units.models import Unit

blp = Blueprint("reveals", __name__, url_prefix="", description="Break-glass identity reveals")


def reveal_view(reveal: IdentityReveal, case: Case, with_reason: bool) -> dict[str, Any]:
    return {
        "id": reveal.id,
        "case_id": case.id,
        "case_reference": case.reference,
        "unit": case.unit.code,
        "username": reveal.user.username,
        "at": reveal.at,
        "expires_at": reveal.expires_at,
        "reason": reveal.reason if with_reason else None,
    }


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
        operations.require(user, "case.break_glass", case.unit)
        operations.require(user, "case.read_identity", case.unit)
        if may_see_identity(db.session, user, case):
            raise Conflict(_("You already see the identity of this person."))
        reveal = reveal_identity(db.session, user, case, data["reason"].strip())
        trail.record(
            db.session,
            "case.break_glass",
            actor=user,
            object_type="case",
            object_id=case.id,
            unit_path=case.unit.path,
            reveal_id=str(reveal.id),
            hours=REVEAL_HOURS,
        )
        return reveal_view(reveal, case, with_reason=True)


@blp.route("/reveals")
class Reveals(MethodView):
    @blp.arguments(RevealListArgsSchema, location="query")
    @blp.response(200, RevealOutSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """Break-glass reveals on cases of your subtree, newest first (supervisors)."""
        user = caller()
        paths = scope_paths(user, "reveal.review")
        if not paths:
            raise Forbidden()
        query = (
            select(IdentityReveal, Case)
            .join(Case, IdentityReveal.case_id == Case.id)
            .join(Unit, Case.unit_id == Unit.id)
            .where(path_condition(Unit.path, paths))
        )
        if "username" in args:
            query = query.join(User, IdentityReveal.user_id == User.id).where(
                User.username == args["username"].strip().lower()
            )
        if "case_id" in args:
            query = query.where(Case.id == args["case_id"])
        trail.record(db.session, "reveal.list", actor=user, filters=sorted(args))
        return SqlPage(
            query.order_by(IdentityReveal.at.desc(), IdentityReveal.id),
            lambda reveal, case: reveal_view(reveal, case, with_reason=True),
            scalars=False,
        )
