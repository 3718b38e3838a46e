"""``/api/v1/cases``: open, list, read and edit cases (transitions live in ``workflow_api``)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, Page
from sqlalchemy import false, func, or_, select

from casework.access.actor import Actor
from casework.access.current import caller
from casework.access.identity import may_see_identity
from casework.access.scoping import scope_paths, scoped_cases
from casework.cases import operations
from casework.cases.models import Case
from casework.cases.presenters import case_view, duplicates_view
from casework.cases.schemas import (
    CaseCreateSchema,
    CaseListArgsSchema,
    CaseOutSchema,
    CasePatchSchema,
    CaseSummarySchema,
)
from casework.extensions import db
from casework.model_base import vietnam_today
from casework.people.operations import search_people
from casework.units.models import CURRENT_TREE, Unit

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Cases (hồ sơ)")


def filtered_caseload(user: Actor, args: dict[str, Any]):  # noqa: ANN201 - a Select
    """The caller's scoped caseload with the list filters applied, in SQL."""
    query = scoped_cases(user)
    if "case_type" in args:
        query = query.where(Case.case_type == args["case_type"])
    if "stage" in args:
        query = query.where(Case.stage == args["stage"])
    if "unit" in args:
        unit = db.session.scalar(
            select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == args["unit"])
        )
        query = query.where(unit.subtree_filter() if unit else Case.id.is_(None))
    if args.get("assigned") == "me":
        query = query.where(Case.assigned_worker_id == user.id)
    elif args.get("assigned") == "none":
        query = query.where(Case.assigned_worker_id.is_(None))
    if args.get("overdue") is True:
        query = query.where(Case.due_on < vietnam_today(), Case.stage != "closed")
    elif args.get("overdue") is False:
        query = query.where(or_(Case.due_on.is_(None), Case.due_on >= vietnam_today()))
    if "due_before" in args:
        query = query.where(Case.due_on < args["due_before"], Case.stage != "closed")
    if "visit_overdue" in args:  # the next visit planned in the latest note has passed (issue 6)
        from casework.services.notes import visit_overdue_condition

        condition = visit_overdue_condition()
        query = query.where(condition if args["visit_overdue"] else ~condition)
    if args.get("q"):
        query = _search(query, user, args["q"].strip())
    return query.order_by(Case.due_on.is_(None), Case.due_on, Case.opened_on.desc(), Case.id)


def _search(query, user: Actor, text: str):  # noqa: ANN001, ANN202
    """``q=``: a case reference, or a national ID or phone looked up like every lookup.

    A reference finds a case of the caller's scope (the list shows such a case anyway, masked
    where need-to-know says so). An ID or phone finds only cases whose identity the caller may
    see: a case whose identity is hidden from them is left out exactly like a case elsewhere, so
    a known identifier cannot be connected to a masked case (``casework.people.disclosure``).
    """
    if text.upper().startswith("HS-"):
        return query.where(Case.reference == text.upper())
    digits = "".join(ch for ch in text if ch.isdigit())
    national_id = digits if len(digits) in (9, 12) else None
    phone = text if 9 <= len(digits) <= 12 else None
    if (national_id is None and phone is None) or not scope_paths(user, "people.search"):
        return query.where(false())  # nothing to look up, or a caller who looks up nobody
    found = search_people(
        db.session, user, via="caseload_search", national_id=national_id, phone=phone
    )
    return query.where(Case.id.in_([m.case.id for m in found.described]))


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseListArgsSchema, location="query")
    @blp.response(200, CaseSummarySchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """The caller's caseload, scoped to their units, filtered and paginated in SQL."""
        user = caller()
        return _SummaryPage(filtered_caseload(user, args), user)

    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open a case. The response warns when the person may already have a case."""
        user = caller()
        operations.require_any(user, "case.create")
        case, duplicates = operations.open_case(db.session, user, data)
        return {**case_view(db.session, user, case), "duplicates": duplicates_view(duplicates)}


class _SummaryPage:
    """A scoped query that flask-smorest's paginator can count and slice in SQL.

    Rows become summaries (identity masked per row) only for the page that is returned.
    """

    def __init__(self, query, user: Actor) -> None:  # noqa: ANN001 - a Select
        self.query, self.user = query, user

    def __len__(self) -> int:
        return db.session.scalar(
            select(func.count()).select_from(self.query.order_by(None).subquery())
        )

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        rows = self.query.offset(window.start).limit(window.stop - window.start)
        return operations.list_summaries(db.session, self.user, db.session.scalars(rows).unique())


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


__all__ = ["blp", "filtered_caseload", "may_see_identity"]
