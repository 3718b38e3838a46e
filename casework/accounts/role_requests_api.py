"""``/api/v1/role-requests``: case roles waiting for a second person.

Supervisors approve or refuse the requests of their subtree; administrators see those of theirs
and may withdraw them. Load (404 outside both) → check → one operation of
``casework.accounts.role_requests``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page

from casework.access.current import caller
from casework.access.paging import SqlPage
from casework.accounts import role_requests
from casework.accounts.admin_api import code_view
from casework.accounts.loader import require_session
from casework.accounts.models import RoleRequest
from casework.accounts.schemas import (
    RoleDecisionOutSchema,
    RoleDecisionSchema,
    RoleRequestArgsSchema,
    RoleRequestSchema,
)
from casework.extensions import db

blp = Blueprint(
    "role_requests",
    __name__,
    url_prefix="/role-requests",
    description="Case roles waiting for a supervisor's approval (four eyes)",
)


def request_view(request: RoleRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "user_id": request.user_id,
        "username": request.user.username,
        "display_name": request.user.display_name,
        "role": request.role,
        "unit_code": request.unit.code,
        "unit_name": request.unit.name,
        "cause": request.cause,
        "status": request.status,
        "requested_by": request.requested_by.username if request.requested_by else None,
        "requested_at": request.requested_at,
        "decided_by": request.decided_by.username if request.decided_by else None,
        "decided_at": request.decided_at,
    }


@blp.route("")
class RoleRequests(MethodView):
    @blp.arguments(RoleRequestArgsSchema, location="query")
    @blp.response(200, RoleRequestSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]):  # noqa: ANN201
        """Requests in the units where you approve roles or manage users (pending by default)."""
        user = caller()
        role_requests.require_reader(user)
        query = role_requests.visible_requests(user).where(RoleRequest.status == args["status"])
        return SqlPage(query.order_by(RoleRequest.requested_at), request_view)


@blp.route("/<uuid:request_id>")
class RoleRequestItem(MethodView):
    @blp.response(200, RoleRequestSchema)
    def get(self, request_id: uuid.UUID) -> dict[str, Any]:
        """One request of your subtree."""
        user = caller()
        role_requests.require_reader(user)
        return request_view(role_requests.get_request(db.session, user, request_id))

    @blp.response(204)
    def delete(self, request_id: uuid.UUID) -> None:
        """Withdraw a request that still waits (administrators)."""
        admin = caller()
        role_requests.require_reader(admin)
        request = role_requests.get_request(db.session, admin, request_id)
        role_requests.withdraw(db.session, admin, request)


@blp.route("/<uuid:request_id>/decision")
class RoleRequestDecision(MethodView):
    @blp.arguments(RoleDecisionSchema)
    @blp.response(200, RoleDecisionOutSchema)
    def post(self, data: dict[str, Any], request_id: uuid.UUID) -> dict[str, Any]:
        """Approve or refuse (supervisors at the request's unit or above; a login session).

        Not the person who asked, nor the account's holder. When the account's way in was not
        vouched for, approving replaces it: its password, sessions and tokens end and the
        answer carries a new enrolment code (shown this once) to hand over in person.
        """
        approver = caller()
        role_requests.require_reader(approver)
        request = role_requests.get_request(db.session, approver, request_id)
        # A script holding a token must not be the second pair of eyes.
        require_session()
        if data["decision"] == "refuse":
            return {
                **request_view(role_requests.refuse(db.session, approver, request)),
                "enrolment_code": None,
            }
        decision = role_requests.approve(db.session, approver, request)
        return {**request_view(decision.request), "enrolment_code": code_view(decision.code)}
