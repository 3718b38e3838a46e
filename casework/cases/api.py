"""``/api/v1/cases``: open, list, read and edit cases (transitions live in ``workflow_api``)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, Page

from casework.access.current import caller
from casework.access.identity import may_see_identity
from casework.cases import operations
from casework.cases.caseload import CaseloadPage, filtered_caseload
from casework.cases.presenters import case_view, duplicates_view
from casework.cases.schemas import (
    CaseCreateSchema,
    CaseListArgsSchema,
    CaseOutSchema,
    CasePatchSchema,
    CaseSummarySchema,
)
from casework.extensions import db

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Cases (hồ sơ)")


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseListArgsSchema, location="query")
    @blp.response(200, CaseSummarySchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """The caller's caseload, scoped to their units, filtered and paginated in SQL."""
        user = caller()
        return CaseloadPage(db.session, user, filtered_caseload(db.session, user, args))

    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open a case. The response warns when the person may already have a case."""
        user = caller()
        operations.require_any(user, "case.create")
        case, duplicates = operations.open_case(db.session, user, data)
        return {**case_view(db.session, user, case), "duplicates": duplicates_view(duplicates)}


@blp.route("/<uuid:case_id>")
class CaseItem(MethodView):
    @blp.response(200, CaseOutSchema)
    def get(self, case_id: Any) -> dict[str, Any]:
        """One case; identity fields only where the caller may see them."""
        user = caller()
        case = operations.get_case(db.session, user, case_id)
        return operations.view_case(db.session, user, case)

    @blp.arguments(CasePatchSchema)
    @blp.response(200, CaseOutSchema)
    def patch(self, data: dict[str, Any], case_id: Any) -> dict[str, Any]:
        """Edit case and person details; send the version read (field or If-Match)."""
        user = caller()
        case = operations.get_case(db.session, user, case_id)
        version = operations.requested_version(
            data.pop("version", None), request.headers.get("If-Match")
        )
        operations.update_case(db.session, user, case, data, version)
        return case_view(db.session, user, case)


__all__ = ["blp", "may_see_identity"]
