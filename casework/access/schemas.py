"""Break-glass payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class RevealSchema(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000),
        metadata={"description": "why you need the identity (≥ 10 characters)"},
    )


class RevealOutSchema(Schema):
    id = fields.UUID()
    case_id = fields.UUID()
    case_reference = fields.String()
    unit = fields.String()
    username = fields.String()
    at = fields.DateTime()
    expires_at = fields.DateTime()
    reason = fields.String(allow_none=True)


class RevealListArgsSchema(Schema):
    username = fields.String()
    case_id = fields.UUID()
