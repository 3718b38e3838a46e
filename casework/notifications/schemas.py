"""Shapes of the notifications API."""

from __future__ import annotations

from marshmallow import Schema, fields


class NotificationSchema(Schema):
    id = fields.UUID()
    kind = fields.String(metadata={"description": "assigned, due_soon, overdue, "
                                   "transfer_requested, closure_approved, closure_returned, "
                                   "referral_answered"})
    title = fields.String(metadata={"description": "in the request's language; no personal data"})
    case_id = fields.UUID(allow_none=True)
    reference = fields.String(allow_none=True)
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer()


class InboxArgs(Schema):
    unread = fields.Boolean(load_default=False)


class ReadAllSchema(Schema):
    marked = fields.Integer()


class EmailSchema(Schema):
    email = fields.String(required=True, allow_none=True, metadata={
        "description": "where your notifications are e-mailed; null stops e-mail"})
