"""Case payloads of the JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casework.cases.models import CASE_TYPES, REFERRAL_SOURCES, REHAB_KINDS
from casework.people.schemas import PersonInSchema, PersonOutSchema, PersonPatchSchema

UNIT_CODE = validate.Regexp(
    r"^\d{2,5}$", error="Mã đơn vị không hợp lệ / not an official unit code."
)


class CaseCreateSchema(Schema):
    case_type = fields.String(required=True, validate=validate.OneOf(CASE_TYPES))
    unit = fields.String(
        required=True, validate=UNIT_CODE, metadata={"description": "official code of the commune"}
    )
    person = fields.Nested(PersonInSchema, required=True)
    referral_source = fields.String(validate=validate.OneOf(REFERRAL_SOURCES))
    referral_note = fields.String(validate=validate.Length(max=5000))
    assigned_to = fields.String(metadata={"description": "username of the assigned worker"})
    consent_given = fields.Boolean()
    rehab_kind = fields.String(validate=validate.OneOf(REHAB_KINDS))
    rehab_completion_date = fields.Date()
    release_date = fields.Date()
    sentence_months = fields.Integer(validate=validate.Range(min=0, max=1200))
    opened_on = fields.Date()


class CasePatchSchema(Schema):
    version = fields.Integer(metadata={"description": "the version read; or send If-Match"})
    person = fields.Nested(PersonPatchSchema)
    referral_source = fields.String(validate=validate.OneOf(REFERRAL_SOURCES), allow_none=True)
    referral_note = fields.String(validate=validate.Length(max=5000), allow_none=True)
    rehab_kind = fields.String(validate=validate.OneOf(REHAB_KINDS), allow_none=True)
    rehab_completion_date = fields.Date(allow_none=True)
    release_date = fields.Date(allow_none=True)
    sentence_months = fields.Integer(validate=validate.Range(min=0, max=1200), allow_none=True)


class UnitRefSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class DuplicateSchema(Schema):
    case_id = fields.UUID(allow_none=True)
    reference = fields.String(allow_none=True)
    matched_on = fields.List(fields.String())
    elsewhere = fields.Boolean()
    message = fields.String()


class CaseOutSchema(Schema):
    id = fields.UUID()
    reference = fields.String()
    case_type = fields.String()
    stage = fields.String()
    version = fields.Integer()
    unit = fields.Nested(UnitRefSchema)
    recorded_unit = fields.Nested(UnitRefSchema)
    assigned_to = fields.String(allow_none=True)
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    closure_reason = fields.String(allow_none=True)
    referral_source = fields.String(allow_none=True)
    referral_note = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    stage_before_suspension = fields.String(allow_none=True)
    transfer_to = fields.Nested(UnitRefSchema, allow_none=True)
    victim_status = fields.String(allow_none=True)
    consent_given = fields.Boolean()
    rehab_kind = fields.String(allow_none=True)
    rehab_completion_date = fields.Date(allow_none=True)
    release_date = fields.Date(allow_none=True)
    sentence_months = fields.Integer(allow_none=True)
    record_cleared_on = fields.Date(allow_none=True)
    classification = fields.String(allow_none=True)
    relapse_count = fields.Integer()
    person = fields.Nested(PersonOutSchema)
    duplicates = fields.List(fields.Nested(DuplicateSchema))


class CaseSummarySchema(Schema):
    """A row of a caseload list: no identity beyond what the caller may see."""

    id = fields.UUID()
    reference = fields.String()
    case_type = fields.String()
    stage = fields.String()
    version = fields.Integer()
    unit = fields.Nested(UnitRefSchema)
    assigned_to = fields.String(allow_none=True)
    opened_on = fields.Date()
    due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    full_name = fields.String(allow_none=True)


class CaseListArgsSchema(Schema):
    case_type = fields.String(validate=validate.OneOf(CASE_TYPES))
    stage = fields.String(validate=validate.Length(max=32))
    unit = fields.String(validate=UNIT_CODE)
    assigned = fields.String(validate=validate.OneOf(["me", "none"]))
    overdue = fields.Boolean()
    due_before = fields.Date()
    visit_overdue = fields.Boolean(metadata={"description": "the next visit planned has passed"})
    q = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "reference, national ID or phone"},
    )


__all__ = [
    "CaseCreateSchema",
    "CaseListArgsSchema",
    "CaseOutSchema",
    "CasePatchSchema",
    "CaseSummarySchema",
    "PersonOutSchema",
]
