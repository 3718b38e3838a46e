"""Break-glass payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casework.people.disclosure import LOOKUP_PATHS

KINDS = ("reveal", "probe")


class RevealSchema(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000),
        metadata={"description": "why you need the identity (≥ 10 characters)"},
    )


class RevealOutSchema(Schema):
    """One entry of the reveal review: a break-glass reveal or an identity probe."""

    id = fields.UUID()
    kind = fields.String(
        metadata={
            "description": "reveal: a break-glass reveal; probe: a lookup by national ID or "
            "phone that matched this case while its identity was hidden from the user",
            "enum": list(KINDS),
        }
    )
    case_id = fields.UUID(allow_none=True)
    case_reference = fields.String(allow_none=True)
    unit = fields.String(
        allow_none=True, metadata={"description": "the case's unit (for a probe: when probed)"}
    )
    username = fields.String(allow_none=True)
    at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "reveals only"})
    reason = fields.String(allow_none=True, metadata={"description": "reveals only"})
    via = fields.String(
        allow_none=True,
        metadata={"description": "probes only: the lookup path", "enum": sorted(LOOKUP_PATHS)},
    )
    matched_on = fields.List(
        fields.String(), metadata={"description": "probes only: the fields that matched"}
    )


class RevealListArgsSchema(Schema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    username = fields.String(validate=validate.Length(max=64))
    case_id = fields.UUID()
