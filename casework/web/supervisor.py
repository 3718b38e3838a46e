"""A supervisor's pages: the unit dashboard, the approvals queue and the reveal review.

The review is ``casework.access.review`` (the API's ``GET /api/v1/reveals``) as a page. The queue
only lists; every decision (approve or return a closure, accept or refuse a transfer,
reopen) posts to the case's event URL and goes through ``cases.transitions.fire``, where the
rules and the permission check live.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from casework.access.actor import Actor
from casework.access.current import caller
from casework.access.review import review
from casework.access.schemas import RevealListArgsSchema
from casework.cases import operations
from casework.cases.caseload import approval_queues
from casework.cases.models import Case
from casework.cases.presenters import case_summaries, case_summary, worker_usernames
from casework.cases.transitions import options_for
from casework.cases.workflow_api import option_view
from casework.extensions import db
from casework.web import labels
from casework.web.auth import login_required_page
from casework.web.dashboard import unit_dashboard

bp = Blueprint("web_supervisor", __name__, url_prefix="/supervisor")

QUEUE_LIMIT = 50
RECENTLY_CLOSED = 20
REVIEW_PER_PAGE = 50


@bp.get("/dashboard")
@login_required_page
def dashboard() -> str:
    user = caller()
    operations.require_any(user, "case.approve")
    return render_template("dashboard.html", data=unit_dashboard(db.session, user))


def _queue_rows(user: Actor, cases: list[Case]) -> list[dict[str, Any]]:
    rows = []
    known = worker_usernames(db.session, user, cases)
    for case in cases:
        options = [option_view(o, labels.lang()) for o in options_for(user, case)]
        rows.append(
            {
                "case": case,
                "summary": case_summary(db.session, user, case, known),
                "options": [o for o in options if o["event"] in DECISIONS],
            }
        )
    return rows


#: The events this queue offers; everything else is on the case page.
DECISIONS = frozenset(
    {"approve_closure", "return_closure", "accept_transfer", "refuse_transfer", "reopen"}
)


@bp.get("/approvals")
@login_required_page
def approvals() -> str:
    user = caller()
    operations.require_any(user, "case.approve")
    found = approval_queues(
        db.session, user, limit=QUEUE_LIMIT, recently_closed=RECENTLY_CLOSED
    )
    queues = {
        "closures": _queue_rows(user, found["closures"]),
        "transfers": _queue_rows(user, found["transfers"]),
        "unassigned": case_summaries(db.session, user, found["unassigned"]),
        "closed": _queue_rows(user, found["closed"]),
    }
    return render_template("approvals.html", queues=queues)


@bp.get("/reveals")
@login_required_page
def reveals() -> str:
    """Break-glass reveals and identity probes below the supervisor, newest first.

    :raise 403: the caller reviews reveals nowhere.
    """
    raw = {k: v for k, v in request.args.items() if v != "" and k in ("kind", "username")}
    try:
        filters = RevealListArgsSchema().load(raw)
    except ValidationError:
        filters = {}
    entries = review(db.session, caller(), filters)
    total = len(entries)
    pages = max((total + REVIEW_PER_PAGE - 1) // REVIEW_PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    start = (page - 1) * REVIEW_PER_PAGE
    return render_template(
        "reveals.html",
        entries=entries[start : start + REVIEW_PER_PAGE],
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        lookup_path_label=lambda code: labels.label_of(labels.LOOKUP_PATH_LABELS, code),
    )


__all__ = ["bp"]
