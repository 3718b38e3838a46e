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


class PendingRoleSchema(Schema):
    id = fields.UUID(metadata={"description": "the role request"})
    role = fields.String()
    unit = fields.String(attribute="unit_code")
    unit_name = fields.String()
    cause = fields.String(metadata={"description": "grant, new_account or reset"})
    requested_at = fields.DateTime()


class UserOutSchema(Schema):
    id = fields.UUID()
    username = fields.String()
    display_name = fields.String()
    unit = fields.String(attribute="unit_code")
    active = fields.Boolean()
    roles = fields.List(fields.Nested(AssignmentSchema))
    pending_roles = fields.List(
        fields.Nested(PendingRoleSchema),
        metadata={"description": "case roles waiting for a supervisor's approval"},
    )
    awaiting_enrolment = fields.Boolean(
        metadata={"description": "no password yet: its holder sets one with an enrolment code"}
    )
    totp_enrolled = fields.Boolean()
    locked_until = fields.DateTime(allow_none=True)
    password_must_change = fields.Boolean()
    created_at = fields.DateTime()


class EnrolmentCodeSchema(Schema):
    code = fields.String(
        metadata={
            "description": "shown this once: hand it over in person; its holder sets the "
            "password with POST /api/v1/auth/enrolment or on the page /enrol"
        }
    )
    expires_at = fields.DateTime()


class UserCreateSchema(Schema):
    """No password: the account's holder sets it with the enrolment code (never the creator)."""

    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(validate=validate.Length(max=200))
    unit = fields.String(required=True, validate=UNIT_CODE)
    roles = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=5))


class UserCreatedSchema(UserOutSchema):
    enrolment_code = fields.Nested(
        EnrolmentCodeSchema,
        allow_none=True,
        metadata={
            "description": "null when a case role waits for approval: the approving "
            "supervisor receives the code"
        },
    )


class NoBodySchema(Schema):
    """An action without input: any field sent (a ``password``) is refused, not ignored."""


class CredentialResetSchema(Schema):
    enrolment_code = fields.Nested(
        EnrolmentCodeSchema,
        allow_none=True,
        metadata={
            "description": "null when case roles wait for approval: the approving supervisor "
            "receives the code"
        },
    )
    awaiting_approval = fields.List(fields.Nested(PendingRoleSchema))


class RoleGrantOutSchema(Schema):
    id = fields.UUID(metadata={"description": "the assignment (active) or the request (pending)"})
    role = fields.String()
    unit = fields.String(attribute="unit_code")
    unit_name = fields.String()
    status = fields.String(
        metadata={"description": "active, or pending: a case role waits for a supervisor"}
    )


class RoleRequestSchema(Schema):
    id = fields.UUID()
    user_id = fields.UUID()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    unit = fields.String(attribute="unit_code")
    unit_name = fields.String()
    cause = fields.String(metadata={"description": "grant, new_account or reset"})
    status = fields.String(metadata={"description": "pending, approved, refused or withdrawn"})
    requested_by = fields.String(allow_none=True, metadata={"description": "a username"})
    requested_at = fields.DateTime()
    decided_by = fields.String(allow_none=True, metadata={"description": "a username"})
    decided_at = fields.DateTime(allow_none=True)


class RoleRequestArgsSchema(Schema):
    status = fields.String(
        load_default="pending",
        validate=validate.OneOf(("pending", "approved", "refused", "withdrawn")),
    )


class RoleDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "refuse")))


class RoleDecisionOutSchema(RoleRequestSchema):
    enrolment_code = fields.Nested(
        EnrolmentCodeSchema,
        allow_none=True,
        metadata={
            "description": "when the account's credential was not vouched for, the approval "
            "replaced it: hand this code over in person (shown this once)"
        },
    )


class EnrolSchema(Schema):
    code = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )


class EnrolledSchema(Schema):
    username = fields.String(metadata={"description": "log in with it and the new password"})


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
