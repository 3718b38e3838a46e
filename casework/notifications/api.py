"""``/api/v1/notifications``: the caller's inbox, marking read, and their e-mail address."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casework.access.current import caller
from casework.extensions import db
from casework.i18n import current_language
from casework.notifications import operations
from casework.notifications.messages import title
from casework.notifications.schemas import (
    EmailSchema,
    InboxArgs,
    InboxSchema,
    NotificationSchema,
    ReadAllSchema,
)

blp = Blueprint(
    "notifications", __name__, url_prefix="/notifications", description="Your notifications"
)


def view(notification: Any) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "title": title(notification, current_language()),
        "case_id": notification.case_id,
        "reference": notification.reference,
        "link": notification.link,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@blp.route("")
class Inbox(MethodView):
    @blp.arguments(InboxArgs, location="query")
    @blp.response(200, InboxSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your latest 50 notifications, newest first, and how many are unread."""
        items, unread = operations.inbox(db.session, caller(), unread_only=args["unread"])
        return {"items": [view(n) for n in items], "unread": unread}


@blp.route("/<notification_id>/read")
class Read(MethodView):
    @blp.response(200, NotificationSchema)
    def post(self, notification_id: str) -> dict[str, Any]:
        """Mark one of your notifications read (someone else's: 404)."""
        return view(operations.mark_read(db.session, caller(), notification_id))


@blp.route("/read-all")
class ReadAll(MethodView):
    @blp.response(200, ReadAllSchema)
    def post(self) -> dict[str, Any]:
        """Mark all your notifications read."""
        return {"marked": operations.mark_all_read(db.session, caller())}


@blp.route("/email")
class Email(MethodView):
    @blp.arguments(EmailSchema)
    @blp.response(200, EmailSchema)
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Set where your notifications are e-mailed (stored encrypted); null stops e-mail."""
        from casework.accounts.models import User

        user = caller()
        operations.set_email(db.session, user, db.session.get(User, user.id), body["email"])
        return {"email": body["email"]}
