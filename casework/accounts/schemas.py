from __future__ import annotations

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256),
                             load_only=True)
    otp = fields.String(validate=validate.Length(max=16), load_only=True)


class RoleSchema(Schema):
    role = fields.String()
    unit = fields.String(attribute="unit_code")
    unit_name = fields.String()


class MeSchema(Schema):
    id = fields.UUID()
    username = fields.String()
    display_name = fields.String()
    unit = fields.String()
    roles = fields.List(fields.Nested(RoleSchema))
    permissions = fields.List(fields.String())


class LoginResultSchema(MeSchema):
    csrf_token = fields.String()
