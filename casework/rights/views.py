"""The printable page of a person's export (handed over on paper, Vietnamese by default)."""

from __future__ import annotations

from flask import Blueprint, render_template

from casework.access.current import caller
from casework.extensions import db
from casework.rights.export import export_person
from casework.web.auth import login_required_page

bp = Blueprint("web_rights", __name__, url_prefix="/people")


@bp.route("/<person_id>/export")
@login_required_page
def export_page(person_id: str) -> str:
    return render_template(
        "rights/export.html", data=export_person(db.session, caller(), person_id)
    )
