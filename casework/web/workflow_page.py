"""The workflow of each case type, drawn from its declaration (see ``casework.web.diagram``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

import workflows
from casework.cases.models import CASE_TYPES
from casework.errors import NotFound
from casework.web import diagram
from casework.web.auth import login_required_page
from casework.web.labels import lang
from workflows.diagram import to_mermaid

bp = Blueprint("web_workflow", __name__, url_prefix="/workflows")


@bp.get("")
@login_required_page
def index() -> str:
    return render_template("workflows.html", case_types=CASE_TYPES)


@bp.get("/<case_type>")
@login_required_page
def show(case_type: str) -> str:
    """:raise 404: unknown case type (or a ``stage`` the type does not have)."""
    if case_type not in CASE_TYPES:
        raise NotFound()
    current = request.args.get("stage") or None
    workflow = workflows.get_workflow(case_type)
    if current is not None and not workflow.has_stage(current):
        raise NotFound()
    return render_template(
        "workflow.html",
        diagram=diagram.build(case_type, current),
        case_types=CASE_TYPES,
        mermaid=to_mermaid(workflow, current, lang=lang()),
    )
