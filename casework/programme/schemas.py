"""Payloads of the programme API. Unknown fields are refused (marshmallow's RAISE)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casework.cases.schemas import UNIT_CODE
from casework.programme.vocabulary import codes
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


# --- activities --------------------------------------------------------------------------------

#: Plausible upper bounds: a provincial campaign day reaches tens of thousands at most.
MAX_MEMBERS_REACHED = 100_000
MAX_OFFICIALS_REACHED = 10_000


class ActivityInSchema(Schema):
    unit = fields.String(required=True, validate=UNIT_CODE)
    kind = fields.String(required=True, validate=validate.OneOf(codes("activity_kinds")))
    campaign_day = fields.String(
        validate=validate.OneOf(codes("campaign_days")), allow_none=True
    )
    topic = fields.String(required=True, validate=validate.OneOf(codes("topics")))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    held_on = fields.Date(required=True)
    members_reached = fields.Integer(validate=validate.Range(min=0, max=MAX_MEMBERS_REACHED))
    officials_reached = fields.Integer(
        validate=validate.Range(min=0, max=MAX_OFFICIALS_REACHED)
    )


class ActivityListArgsSchema(Schema):
    unit = fields.String(validate=UNIT_CODE)
    period = fields.String(validate=validate.Length(min=4, max=32))
    kind = fields.String(validate=validate.OneOf(codes("activity_kinds")))


class ActivityOutSchema(Schema):
    id = fields.UUID()
    unit = fields.Function(lambda a: a.unit.code)
    unit_name = fields.Function(lambda a: a.unit.name)
    kind = fields.String()
    campaign_day = fields.String(allow_none=True)
    topic = fields.String()
    title = fields.String()
    held_on = fields.Date()
    members_reached = fields.Integer()
    officials_reached = fields.Integer()


class ReportArgsSchema(Schema):
    unit = fields.String(validate=UNIT_CODE)
    period = fields.String(required=True, validate=validate.Length(min=4, max=32))


class ActivityKindRowSchema(Schema):
    kind = fields.String()
    activities = fields.Integer()
    members_reached = fields.Integer()
    officials_reached = fields.Integer()


class CampaignDayRowSchema(Schema):
    campaign_day = fields.String()
    activities = fields.Integer()
    units = fields.Integer()


class ActivityReportSchema(Schema):
    unit = fields.String()
    period = fields.String()
    kinds = fields.List(fields.Nested(ActivityKindRowSchema))
    campaign_days = fields.List(fields.Nested(CampaignDayRowSchema))
    communes = fields.Integer()
    communes_holding_activity = fields.Integer()
    share_communes_holding_activity = fields.Float(allow_none=True)


# --- groups --------------------------------------------------------------------------------------

MAX_PRESENT = 1_000


class GroupInSchema(Schema):
    unit = fields.String(required=True, validate=UNIT_CODE)
    kind = fields.String(required=True, validate=validate.OneOf(codes("group_kinds")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    founded_on = fields.Date()


class GroupListArgsSchema(Schema):
    unit = fields.String(validate=UNIT_CODE)
    kind = fields.String(validate=validate.OneOf(codes("group_kinds")))


class GroupOutSchema(Schema):
    id = fields.Function(lambda s: s["group"].id)
    unit = fields.Function(lambda s: s["group"].unit.code)
    kind = fields.Function(lambda s: s["group"].kind)
    name = fields.Function(lambda s: s["group"].name)
    founded_on = fields.Function(lambda s: s["group"].founded_on)
    active = fields.Function(lambda s: s["group"].active)
    active_members = fields.Integer()
    meetings = fields.Integer()
    last_meeting = fields.Date(allow_none=True)


class MemberInSchema(Schema):
    case = fields.UUID(metadata={"description": "a case of the group's area"})
    contact_name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf(("member", "leader")))
    joined_on = fields.Date()


class MemberLeaveSchema(Schema):
    left_on = fields.Date()


class MemberOutSchema(Schema):
    id = fields.UUID()
    role = fields.String()
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)
    case = fields.UUID(allow_none=True)
    reference = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    masked = fields.Boolean()


class MeetingInSchema(Schema):
    held_on = fields.Date(required=True)
    topic = fields.String(required=True, validate=validate.OneOf(codes("topics")))
    members_present = fields.Integer(
        required=True, validate=validate.Range(min=0, max=MAX_PRESENT)
    )
    others_present = fields.Integer(validate=validate.Range(min=0, max=MAX_PRESENT))


class MeetingOutSchema(Schema):
    id = fields.UUID()
    group_id = fields.UUID()
    held_on = fields.Date()
    topic = fields.String()
    members_present = fields.Integer()
    others_present = fields.Integer()


class GroupKindRowSchema(Schema):
    kind = fields.String()
    groups = fields.Integer()
    members = fields.Integer()
    meetings = fields.Integer()
    members_present = fields.Integer()


class GroupReportSchema(Schema):
    unit = fields.String()
    period = fields.String()
    kinds = fields.List(fields.Nested(GroupKindRowSchema))


# --- commune ratings ---------------------------------------------------------------------------


class RatingInSchema(Schema):
    year = fields.Integer(required=True)
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(max=32)),
        values=fields.Integer(),
        required=True,
        validate=validate.Length(max=50),
    )
    hotspots = fields.List(fields.String(validate=validate.OneOf(codes("hotspot_topics"))))
    no_social_evils = fields.Boolean()


class RatingReviewSchema(Schema):
    result = fields.String(required=True, validate=validate.OneOf(codes("rating_results")))
    hotspots = fields.List(fields.String(validate=validate.OneOf(codes("hotspot_topics"))))


class RatingOutSchema(Schema):
    unit = fields.Function(lambda r: r.unit.code)
    year = fields.Integer()
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    self_result = fields.String()
    hotspots = fields.List(fields.String())
    no_social_evils = fields.Boolean()
    status = fields.String()
    reviewed_result = fields.String(allow_none=True)
    reviewed_hotspots = fields.List(fields.String(), allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)


class RatingSummaryArgsSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class RatingSummarySchema(Schema):
    unit = fields.String()
    year = fields.Integer()
    communes = fields.Integer()
    self_assessed = fields.Integer()
    reviewed = fields.Integer()
    rated_good = fields.Integer()
    share_rated_good = fields.Float(allow_none=True)
    hotspots = fields.Dict(keys=fields.String(), values=fields.Integer())
    without_social_evils = fields.Integer()
