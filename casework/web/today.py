"""``/today``: the landing page after login — each role's work waiting today, and the inbox.

The page parses nothing and decides nothing: ``casework.today.operations.today_for`` gathers the
day, ``casework.notifications.operations`` marks the inbox read.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from casework.access.current import caller
from casework.errors import Forbidden
from casework.extensions import db
from casework.i18n import current_language
from casework.model_base import vietnam_today
from casework.notifications import operations as notifications
from casework.notifications.messages import title
from casework.today.operations import today_for
from casework.web.auth import login_required_page
from casework.web.forms import ActionForm

bp = Blueprint("web_today", __name__)


@bp.get("/today")
@login_required_page
def today() -> str:
    user = caller()
    day = today_for(db.session, user, vietnam_today())
    language = current_language()
    return render_template(
        "today/today.html",
        day=day,
        inbox=[(n, title(n, language)) for n in day.inbox],
    )


@bp.post("/today/notifications/read")
@login_required_page
def read_all() -> Response:
    if not ActionForm().validate_on_submit():
        raise Forbidden()
    notifications.mark_all_read(db.session, caller())
    return redirect(url_for("web_today.today"))


@bp.get("/notifications/<notification_id>")
@login_required_page
def open_notification(notification_id: str) -> Response:
    """Follow a notification's link, marking it read on the way."""
    notification = notifications.mark_read(db.session, caller(), notification_id)
    return redirect(notification.link)
