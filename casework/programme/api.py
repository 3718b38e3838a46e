"""``/api/v1``: the programme work — support schemes (and counts per scheme). Each view parses,
calls one operation and renders; the unit of work commits."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page

from casework.access.current import caller
from casework.extensions import db
from casework.programme import activities, groups, ratings, schemes
from casework.programme.schemas import (
    ActivityInSchema,
    ActivityListArgsSchema,
    ActivityOutSchema,
    ActivityReportSchema,
    GroupInSchema,
    GroupListArgsSchema,
    GroupOutSchema,
    GroupReportSchema,
    MeetingInSchema,
    MeetingOutSchema,
    MemberInSchema,
    MemberLeaveSchema,
    MemberOutSchema,
    RatingInSchema,
    RatingOutSchema,
    RatingReviewSchema,
    RatingSummaryArgsSchema,
    RatingSummarySchema,
    ReportArgsSchema,
    SchemeCountsArgsSchema,
    SchemeCountsSchema,
    SchemeInSchema,
    SchemeOutSchema,
    SchemePatchSchema,
)

schemes_blp = Blueprint(
    "schemes", __name__, url_prefix="/schemes", description="Support schemes (coded)"
)


@schemes_blp.route("")
class Schemes(MethodView):
    @schemes_blp.response(200, SchemeOutSchema(many=True))
    def get(self) -> list[Any]:
        """The packaged schemes and those added for the caller's area."""
        return schemes.list_schemes(db.session, caller())

    @schemes_blp.arguments(SchemeInSchema)
    @schemes_blp.response(201, SchemeOutSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a scheme of the caller's subtree (``scheme.manage``)."""
        return schemes.create_scheme(db.session, caller(), data)


@schemes_blp.route("/counts")
class SchemeCounts(MethodView):
    @schemes_blp.arguments(SchemeCountsArgsSchema, location="query")
    @schemes_blp.response(200, SchemeCountsSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Loans and training per scheme in a unit's subtree and period, suppressed
        (``report.view``)."""
        return schemes.scheme_counts(db.session, caller(), args.get("unit"), args["period"])


@schemes_blp.route("/<string:code>")
class SchemeItem(MethodView):
    @schemes_blp.arguments(SchemePatchSchema)
    @schemes_blp.response(200, SchemeOutSchema)
    def patch(self, data: dict[str, Any], code: str) -> Any:
        """Edit or close a scheme the caller added (``scheme.manage``)."""
        return schemes.update_scheme(db.session, caller(), code, data)


activities_blp = Blueprint(
    "activities",
    __name__,
    url_prefix="/activities",
    description="Communication, training and campaign activities",
)


@activities_blp.route("")
class Activities(MethodView):
    @activities_blp.arguments(ActivityListArgsSchema, location="query")
    @activities_blp.response(200, ActivityOutSchema(many=True))
    @activities_blp.paginate(Page)
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Activities of the caller's subtree, newest first."""
        return activities.list_activities(db.session, caller(), args)

    @activities_blp.arguments(ActivityInSchema)
    @activities_blp.response(201, ActivityOutSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Record an activity a unit of the caller's subtree held (``programme.record``)."""
        return activities.record_activity(db.session, caller(), data)


@activities_blp.route("/report")
class ActivityReport(MethodView):
    @activities_blp.arguments(ReportArgsSchema, location="query")
    @activities_blp.response(200, ActivityReportSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The plans' activity indicators for a unit's subtree and a period."""
        return activities.activity_report(db.session, caller(), args.get("unit"), args["period"])


@activities_blp.route("/<uuid:activity_id>")
class ActivityItem(MethodView):
    @activities_blp.response(200, ActivityOutSchema)
    def get(self, activity_id: Any) -> Any:
        """One activity of the caller's subtree."""
        return activities.get_activity(db.session, caller(), activity_id)


groups_blp = Blueprint(
    "groups",
    __name__,
    url_prefix="/groups",
    description="Clubs, peer and self-help groups, self-managed and volunteer teams",
)


@groups_blp.route("")
class Groups(MethodView):
    @groups_blp.arguments(GroupListArgsSchema, location="query")
    @groups_blp.response(200, GroupOutSchema(many=True))
    @groups_blp.paginate(Page)
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Groups of the caller's subtree, with members and meetings counted."""
        return groups.list_groups(db.session, caller(), args)

    @groups_blp.arguments(GroupInSchema)
    @groups_blp.response(201, GroupOutSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Found a group at a unit of the caller's subtree (``programme.record``)."""
        group = groups.create_group(db.session, caller(), data)
        return groups.group_summary(db.session, group)


@groups_blp.route("/report")
class GroupReport(MethodView):
    @groups_blp.arguments(ReportArgsSchema, location="query")
    @groups_blp.response(200, GroupReportSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Groups, members, meetings and attendance per kind in a unit's subtree and period."""
        return groups.group_report(db.session, caller(), args.get("unit"), args["period"])


@groups_blp.route("/<uuid:group_id>")
class GroupItem(MethodView):
    @groups_blp.response(200, GroupOutSchema)
    def get(self, group_id: Any) -> Any:
        """One group of the caller's subtree."""
        user = caller()
        return groups.group_summary(db.session, groups.get_group(db.session, user, group_id))


@groups_blp.route("/<uuid:group_id>/members")
class GroupMembers(MethodView):
    @groups_blp.response(200, MemberOutSchema(many=True))
    def get(self, group_id: Any) -> list[Any]:
        """The members, a case by reference (its name only where the caller may identify it)."""
        user = caller()
        return groups.members(db.session, user, groups.get_group(db.session, user, group_id))

    @groups_blp.arguments(MemberInSchema)
    @groups_blp.response(201, MemberOutSchema)
    def post(self, data: dict[str, Any], group_id: Any) -> Any:
        """Add a case of the group's area, or a contact."""
        user = caller()
        group = groups.get_group(db.session, user, group_id)
        member = groups.add_member(db.session, user, group, data)
        return next(m for m in groups.members(db.session, user, group) if m["id"] == member.id)


@groups_blp.route("/<uuid:group_id>/members/<uuid:member_id>/leave")
class GroupMemberLeave(MethodView):
    @groups_blp.arguments(MemberLeaveSchema)
    @groups_blp.response(200, MemberOutSchema)
    def post(self, data: dict[str, Any], group_id: Any, member_id: Any) -> Any:
        """A member leaves the group (kept, with the date)."""
        user = caller()
        group = groups.get_group(db.session, user, group_id)
        groups.leave(db.session, user, group, member_id, data.get("left_on"))
        return next(m for m in groups.members(db.session, user, group) if m["id"] == member_id)


@groups_blp.route("/<uuid:group_id>/meetings")
class GroupMeetings(MethodView):
    @groups_blp.response(200, MeetingOutSchema(many=True))
    def get(self, group_id: Any) -> list[Any]:
        """The group's meetings, newest first."""
        user = caller()
        return groups.meetings(db.session, user, groups.get_group(db.session, user, group_id))

    @groups_blp.arguments(MeetingInSchema)
    @groups_blp.response(201, MeetingOutSchema)
    def post(self, data: dict[str, Any], group_id: Any) -> Any:
        """Record a meeting and how many came."""
        user = caller()
        group = groups.get_group(db.session, user, group_id)
        return groups.record_meeting(db.session, user, group, data)


ratings_blp = Blueprint(
    "ratings", __name__, url_prefix="/units", description="Commune ratings and hotspots"
)


@ratings_blp.route("/<string:unit_code>/ratings")
class Ratings(MethodView):
    @ratings_blp.response(200, RatingOutSchema(many=True))
    def get(self, unit_code: str) -> list[Any]:
        """A commune's ratings, newest year first."""
        unit = ratings.commune(db.session, caller(), unit_code)
        return ratings.ratings_of(db.session, unit)

    @ratings_blp.arguments(RatingInSchema)
    @ratings_blp.response(201, RatingOutSchema)
    def post(self, data: dict[str, Any], unit_code: str) -> Any:
        """The commune's self-assessment of a year (corrected until reviewed)."""
        user = caller()
        return ratings.self_assess(db.session, user, ratings.commune(db.session, user, unit_code),
                                   data)


@ratings_blp.route("/<string:unit_code>/ratings/<int:year>/review")
class RatingReview(MethodView):
    @ratings_blp.arguments(RatingReviewSchema)
    @ratings_blp.response(200, RatingOutSchema)
    def post(self, data: dict[str, Any], unit_code: str, year: int) -> Any:
        """The district's or province's review (``programme.review`` above the commune)."""
        user = caller()
        unit = ratings.commune(db.session, user, unit_code)
        return ratings.review(db.session, user, unit, year, data)


@ratings_blp.route("/<string:unit_code>/ratings/summary")
class RatingSummary(MethodView):
    @ratings_blp.arguments(RatingSummaryArgsSchema, location="query")
    @ratings_blp.response(200, RatingSummarySchema)
    def get(self, args: dict[str, Any], unit_code: str) -> dict[str, Any]:
        """Share of communes rated well, hotspots, areas without social evils, for a year."""
        return ratings.rating_summary(db.session, caller(), unit_code, args["year"])


def blueprints() -> list[Blueprint]:
    return [schemes_blp, activities_blp, groups_blp, ratings_blp]
