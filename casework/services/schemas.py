"""Payloads of the support-work API. Unknown fields are refused (marshmallow's default, RAISE),
so a client cannot set ``status`` on creation, ``case_id`` or ``consent_override`` directly."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casework.cases.schemas import UNIT_CODE, UnitRefSchema
from casework.services.vocabulary import (
    CONSENT_DECISIONS,
    CONSENT_SCOPES,
    LOAN_STATUSES,
    NOTE_KINDS,
    PROVIDER_KINDS,
    REFERRAL_STATUSES,
    SUPPORT_KINDS,
    SUPPORT_STATUSES,
    TRAINING_RESULTS,
)

MAX_VND = 10**12  # a trillion đồng: far above any allowance or social-policy loan


def _text(max_length: int, **kwargs: object) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)  # type: ignore[arg-type]


# --- providers ---------------------------------------------------------------------------------


class ProviderInSchema(Schema):
    name = _text(200, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PROVIDER_KINDS))
    unit = fields.String(required=True, validate=UNIT_CODE)
    contact = fields.String(validate=validate.Length(max=500))
    services = fields.List(
        fields.String(validate=validate.OneOf(SUPPORT_KINDS)),
        validate=validate.Length(max=len(SUPPORT_KINDS)),
    )
    active = fields.Boolean()


class ProviderPatchSchema(Schema):
    name = _text(200)
    kind = fields.String(validate=validate.OneOf(PROVIDER_KINDS))
    contact = fields.String(validate=validate.Length(max=500), allow_none=True)
    services = fields.List(
        fields.String(validate=validate.OneOf(SUPPORT_KINDS)),
        validate=validate.Length(max=len(SUPPORT_KINDS)),
    )
    active = fields.Boolean()


class ProviderRefSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()


class ProviderOutSchema(ProviderRefSchema):
    unit = fields.Nested(UnitRefSchema)
    contact = fields.String(allow_none=True)
    services = fields.List(fields.String())
    active = fields.Boolean()


class ProviderListArgsSchema(Schema):
    kind = fields.String(validate=validate.OneOf(PROVIDER_KINDS))
    service = fields.String(validate=validate.OneOf(SUPPORT_KINDS))
    active = fields.Boolean()
    unit = fields.String(validate=UNIT_CODE)


# --- consent -----------------------------------------------------------------------------------


class ConsentInSchema(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(CONSENT_SCOPES))
    decision = fields.String(required=True, validate=validate.OneOf(CONSENT_DECISIONS))
    decided_on = fields.Date(metadata={"description": "when the person decided; today if absent"})
    document_reference = fields.String(
        validate=validate.Length(max=500),
        metadata={"description": "signed form's number (encrypted)"},
    )


class ConsentOutSchema(Schema):
    id = fields.UUID()
    scope = fields.String()
    decision = fields.String()
    current = fields.Boolean()
    decided_on = fields.Date()
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.DateTime()
    document_reference = fields.String(allow_none=True)
    masked = fields.Boolean()


class ConsentRecordedSchema(ConsentOutSchema):
    stopped_referrals = fields.List(
        fields.UUID(),
        metadata={
            "description": "open referrals this withdrawal revoked (sent) or flagged (accepted)"
        },
    )


# --- support items -----------------------------------------------------------------------------


class _SupportDetails(Schema):
    amount_vnd = fields.Integer(validate=validate.Range(min=0, max=MAX_VND), allow_none=True)
    loan_programme = fields.String(validate=validate.Length(max=200), allow_none=True)
    scheme = fields.String(
        validate=validate.Regexp(r"^[a-z0-9_]{2,40}$"),
        allow_none=True,
        metadata={"description": "the code of the support scheme funding it (GET /schemes)"},
    )
    loan_status = fields.String(validate=validate.OneOf(LOAN_STATUSES))
    course = fields.String(validate=validate.Length(max=200), allow_none=True)
    training_result = fields.String(validate=validate.OneOf(TRAINING_RESULTS), allow_none=True)
    employer_name = fields.String(validate=validate.Length(max=200), allow_none=True)
    kept_3_months = fields.Boolean(allow_none=True)
    kept_6_months = fields.Boolean(allow_none=True)
    started_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    outcome_note = fields.String(validate=validate.Length(max=5000), allow_none=True)


class SupportItemInSchema(_SupportDetails):
    kind = fields.String(required=True, validate=validate.OneOf(SUPPORT_KINDS))
    planned_on = fields.Date()
    provider = fields.UUID()


class SupportItemPatchSchema(_SupportDetails):
    status = fields.String(validate=validate.OneOf(SUPPORT_STATUSES))
    referred_on = fields.Date(allow_none=True)
    provider = fields.UUID(allow_none=True)

    @validates_schema
    def _something(self, data: dict, **_: object) -> None:
        if not data:
            raise ValidationError("Nothing to change.", "_schema")


class SupportItemOutSchema(Schema):
    id = fields.UUID()
    case_id = fields.UUID()
    kind = fields.String()
    status = fields.String()
    provider = fields.Nested(ProviderRefSchema, allow_none=True)
    planned_on = fields.Date()
    referred_on = fields.Date(allow_none=True)
    started_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    amount_vnd = fields.Integer(allow_none=True)
    loan_programme = fields.String(allow_none=True)
    scheme = fields.String(allow_none=True)
    loan_status = fields.String(allow_none=True)
    course = fields.String(allow_none=True)
    training_result = fields.String(allow_none=True)
    employer_name = fields.String(allow_none=True)
    kept_3_months = fields.Boolean(allow_none=True)
    kept_6_months = fields.Boolean(allow_none=True)
    outcome_note = fields.String(allow_none=True)
    masked = fields.Boolean()


# --- referrals ---------------------------------------------------------------------------------


class ReferralInSchema(Schema):
    provider = fields.UUID()
    service_kind = fields.String(validate=validate.OneOf(SUPPORT_KINDS))
    support_item = fields.UUID(metadata={"description": "the plan item this referral serves"})
    shares_personal_data = fields.Boolean(load_default=False)
    note = fields.String(validate=validate.Length(max=5000))
    consent_override_reason = fields.String(
        validate=validate.Length(min=10, max=2000),
        metadata={"description": "supervisors only: why data is shared without consent"},
    )


class ReferralPatchSchema(Schema):
    status = fields.String(validate=validate.OneOf([s for s in REFERRAL_STATUSES if s != "sent"]))
    note = fields.String(validate=validate.Length(max=5000), allow_none=True)

    @validates_schema
    def _something(self, data: dict, **_: object) -> None:
        if not data:
            raise ValidationError("Give a status or a note.", "_schema")


class ReferralOutSchema(Schema):
    id = fields.UUID()
    case_id = fields.UUID()
    provider = fields.Nested(ProviderRefSchema, allow_none=True)
    service_kind = fields.String(allow_none=True)
    support_item = fields.UUID(allow_none=True)
    status = fields.String()
    shares_personal_data = fields.Boolean()
    consent_basis = fields.String(metadata={"description": "consent, override or none"})
    consent_withdrawn = fields.Boolean()
    revoked_because = fields.String(allow_none=True)
    sent_by = fields.String(allow_none=True)
    sent_at = fields.DateTime()
    responded_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)
    outcome_note = fields.String(allow_none=True)
    override_reason = fields.String(allow_none=True)
    masked = fields.Boolean()


# --- notes -------------------------------------------------------------------------------------


class NoteInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(NOTE_KINDS))
    occurred_on = fields.Date(metadata={"description": "the day of the session; today if absent"})
    content = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    next_visit_on = fields.Date()


class NoteOutSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    occurred_on = fields.Date()
    next_visit_on = fields.Date(allow_none=True)
    author = fields.String(allow_none=True)
    created_at = fields.DateTime()
    content = fields.String(allow_none=True)
    masked = fields.Boolean()
