"""Payloads of the programme API. Unknown fields are refused (marshmallow's RAISE)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casework.cases.schemas import UNIT_CODE
from casework.services.schemas import MAX_VND
from casework.services.vocabulary import SUPPORT_KINDS

CASE_TYPES = ("trafficking_victim", "post_rehab", "sex_work_exit", "post_prison")
FUNDERS = ("vbsp", "womens_union", "state_budget", "province", "ngo", "other")
SCHEME_CODE = validate.Regexp(r"^[a-z0-9_]{2,40}$", error="Lower-case letters, digits and _.")


# --- support schemes ---------------------------------------------------------------------------


class SchemeInSchema(Schema):
    code = fields.String(required=True, validate=SCHEME_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(validate=validate.Length(max=300))
    funder = fields.String(required=True, validate=validate.OneOf(FUNDERS))
    legal_basis = fields.String(validate=validate.Length(max=300))
    kinds = fields.List(
        fields.String(validate=validate.OneOf(SUPPORT_KINDS)),
        required=True,
        validate=validate.Length(min=1, max=len(SUPPORT_KINDS)),
    )
    case_types = fields.List(
        fields.String(validate=validate.OneOf(CASE_TYPES)),
        validate=validate.Length(max=len(CASE_TYPES)),
    )
    max_amount_vnd = fields.Integer(validate=validate.Range(min=1, max=MAX_VND), allow_none=True)
    unit = fields.String(required=True, validate=UNIT_CODE)


class SchemePatchSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=300))
    name_en = fields.String(validate=validate.Length(max=300), allow_none=True)
    legal_basis = fields.String(validate=validate.Length(max=300), allow_none=True)
    max_amount_vnd = fields.Integer(validate=validate.Range(min=1, max=MAX_VND), allow_none=True)
    active = fields.Boolean()

    @validates_schema
    def _something(self, data: dict, **_: object) -> None:
        if not data:
            raise ValidationError("Nothing to change.", "_schema")


class SchemeOutSchema(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    funder = fields.String()
    legal_basis = fields.String(allow_none=True)
    kinds = fields.List(fields.String())
    case_types = fields.List(fields.String(), allow_none=True)
    max_amount_vnd = fields.Integer(allow_none=True)
    active = fields.Boolean()
    packaged = fields.Boolean()
    unit = fields.String(allow_none=True, attribute="unit_code")


class SchemeCountsArgsSchema(Schema):
    unit = fields.String(validate=UNIT_CODE)
    period = fields.String(required=True, validate=validate.Length(min=4, max=32))


class SchemeCellSchema(Schema):
    kind = fields.String(metadata={"description": "a support kind, or * for the scheme's total"})
    items = fields.Integer(allow_none=True, metadata={"description": "null: suppressed"})
    done = fields.Integer(allow_none=True)
    amount_vnd = fields.Integer(allow_none=True)


class SchemeRowSchema(Schema):
    scheme = fields.String()
    cells = fields.List(fields.Nested(SchemeCellSchema))


class SchemeCountsSchema(Schema):
    unit = fields.String()
    period = fields.String()
    k = fields.Integer()
    schemes = fields.List(fields.Nested(SchemeRowSchema))
