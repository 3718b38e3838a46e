from __future__ import annotations

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=256), load_only=True
    )
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


class MeDetailSchema(MeSchema):
    totp_enrolled = fields.Boolean()
    pending = fields.List(
        fields.String(),
        metadata={
            "description": "steps owed before the service opens up: password_change, totp_enrolment"
        },
    )


class LoginOutSchema(MeDetailSchema):
    csrf_token = fields.String()


class PasswordChangeSchema(Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )
    new_password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )


class PasswordSchema(Schema):
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )


class TotpEnrolOutSchema(Schema):
    secret = fields.String(metadata={"description": "base32, to type into an authenticator"})
    otpauth_uri = fields.String(metadata={"description": "the same as a QR-code URI"})


class TotpConfirmSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=6, max=16))


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.String(), metadata={"description": "shown once"})


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    expires_in_days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))


class TokenSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the first characters, to recognise it"})
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreatedSchema(TokenSchema):
    token = fields.String(metadata={"description": "the secret, shown this once only"})


USERNAME = validate.Regexp(
    r"^[a-z0-9._-]{1,64}$", error="chữ thường, số, . _ - / lower-case letters, digits, . _ -"
)
UNIT_CODE = validate.Regexp(r"^\d{2,5}$", error="not an official unit code")


class AssignmentSchema(Schema):
    id = fields.UUID()
    role = fields.String()
    unit = fields.String(attribute="unit_code")
    unit_name = fields.String()


class UserOutSchema(Schema):
    id = fields.UUID()
    username = fields.String()
    display_name = fields.String()
    unit = fields.String(attribute="unit_code")
    active = fields.Boolean()
    roles = fields.List(fields.Nested(AssignmentSchema))
    totp_enrolled = fields.Boolean()
    locked_until = fields.DateTime(allow_none=True)
    password_must_change = fields.Boolean()
    created_at = fields.DateTime()


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(validate=validate.Length(max=200))
    unit = fields.String(required=True, validate=UNIT_CODE)
    roles = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=5))
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=256),
        metadata={"description": "temporary: changed at first login"},
    )


class UserPatchSchema(Schema):
    display_name = fields.String(validate=validate.Length(min=1, max=200))
    active = fields.Boolean()


class RoleGrantSchema(Schema):
    role = fields.String(required=True)
    unit = fields.String(required=True, validate=UNIT_CODE)


class UserListArgsSchema(Schema):
    unit = fields.String(validate=UNIT_CODE)
    role = fields.String()
    active = fields.Boolean()
