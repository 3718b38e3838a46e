"""Clubs, peer groups, self-help groups, self-managed teams and volunteer social-work teams:
their members and meetings.

A group belongs to a unit; workers and supervisors of that unit's subtree
(``programme.record``) keep it. A member is a case of the group's area (and of the caller's
scope) or only a contact, whose name is encrypted. Need-to-know follows the member: a case is
shown by its reference, with the person's name only where the caller may identify that case
(``casework.access.identity.may_see_identity``). Report readers see counts, never members.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from casework.access.identity import may_see_identity
from casework.access.row_security import statistics_context, using
from casework.access.scoping import case_by_id, path_condition, scope_paths, unit_in_scope
from casework.audit import trail
from casework.errors import Forbidden, Invalid, NotFound
from casework.model_base import vietnam_today
from casework.programme.activities import RECORD, record_unit, require_reader
from casework.programme.models import GroupMeeting, GroupMember, ProgrammeGroup
from casework.stats.reports import parse_period
from casework.units.loader import current_unit_for
from casework.units.models import Unit


def visible_groups(user: Any) -> Select:
    paths = require_reader(user)
    return (
        select(ProgrammeGroup)
        .join(Unit, ProgrammeGroup.unit_id == Unit.id)
        .where(path_condition(Unit.path, paths))
    )


def get_group(session: Session, user: Any, group_id: uuid.UUID) -> ProgrammeGroup:
    """:raise NotFound: unknown, or outside the caller's subtree (the same answer)."""
    group = session.scalar(visible_groups(user).where(ProgrammeGroup.id == group_id))
    if group is None:
        raise NotFound()
    return group


def _require_keeper(user: Any, group: ProgrammeGroup) -> None:
    """:raise Forbidden: the caller may read the group but does not keep its unit's groups."""
    if not unit_in_scope(user, group.unit, RECORD):
        raise Forbidden()


def create_group(session: Session, actor: Any, data: dict[str, Any]) -> ProgrammeGroup:
    """:raise Forbidden, Invalid: as ``record_unit``; a founding date in the future."""
    unit = record_unit(session, actor, data["unit"])
    if data.get("founded_on") and data["founded_on"] > vietnam_today():
        raise Invalid(errors={"founded_on": [_("The date cannot be in the future.")]})
    group = ProgrammeGroup(
        unit_id=unit.id,
        unit=unit,
        kind=data["kind"],
        name=data["name"],
        founded_on=data.get("founded_on"),
        active=True,
        created_by_id=actor.id,
    )
    session.add(group)
    session.flush()
    trail.record(session, "group.create", actor=actor, object_type="programme_group",
                 object_id=group.id, unit_path=unit.path, kind=group.kind)
    return group


def list_groups(session: Session, user: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Groups of the caller's subtree with their active members and meetings counted."""
    query = visible_groups(user)
    if args.get("unit"):
        unit = current_unit_for(session, args["unit"])
        if unit is None:
            return []
        query = query.where(path_condition(Unit.path, [unit.path]))
    if args.get("kind"):
        query = query.where(ProgrammeGroup.kind == args["kind"])
    groups = list(session.scalars(query.order_by(ProgrammeGroup.name, ProgrammeGroup.id)))
    return [group_summary(session, g) for g in groups]


def group_summary(session: Session, group: ProgrammeGroup) -> dict[str, Any]:
    # Counted in the statistics context: a report reader sees how many, not who.
    with using(session, statistics_context(group.unit.path)):
        members = session.scalar(
            select(func.count()).where(
                GroupMember.group_id == group.id, GroupMember.left_on.is_(None)
            )
        )
    meetings, last = session.execute(
        select(func.count(), func.max(GroupMeeting.held_on)).where(
            GroupMeeting.group_id == group.id
        )
    ).one()
    return {
        "group": group,
        "active_members": int(members or 0),
        "meetings": int(meetings or 0),
        "last_meeting": last,
    }


def add_member(session: Session, actor: Any, group: ProgrammeGroup, data: dict[str, Any]
               ) -> GroupMember:
    """Add a case of the group's area (and the actor's scope), or a contact, to the group.

    :raise Forbidden: the actor does not keep this group's unit.
    :raise Invalid: (``case``) not a case the actor may see, or outside the group's area, or
        already a member; neither or both of ``case`` and ``contact_name``.
    """
    _require_keeper(actor, group)
    if bool(data.get("case")) == bool(data.get("contact_name")):
        raise Invalid(errors={"case": [_("Give either a case or a contact's name.")]})
    member = GroupMember(
        group_id=group.id,
        unit_id=group.unit_id,
        role=data.get("role", "member"),
        joined_on=data.get("joined_on") or vietnam_today(),
        created_by_id=actor.id,
    )
    if member.joined_on > vietnam_today():
        raise Invalid(errors={"joined_on": [_("The date cannot be in the future.")]})
    if data.get("case"):
        case = session.scalar(case_by_id(actor, "case.update"), {"case_id": data["case"]})
        if case is None or not case.unit.path.startswith(group.unit.path):
            raise Invalid(errors={"case": [_("No case with this id in this group's area.")]})
        already = session.scalar(
            select(GroupMember.id).where(
                GroupMember.group_id == group.id,
                GroupMember.case_id == case.id,
                GroupMember.left_on.is_(None),
            )
        )
        if already:
            raise Invalid(errors={"case": [_("Already a member of this group.")]})
        member.case_id, member.case = case.id, case
    else:
        member.contact_name = data["contact_name"]
    session.add(member)
    session.flush()
    trail.record(session, "group.member_add", actor=actor, object_type="group_member",
                 object_id=member.id, unit_path=group.unit.path, group_id=str(group.id),
                 case_id=str(member.case_id) if member.case_id else None)
    return member


def leave(session: Session, actor: Any, group: ProgrammeGroup, member_id: uuid.UUID,
          left_on: Any = None) -> GroupMember:
    """:raise NotFound: not a member of this group. :raise Invalid: a date before joining."""
    _require_keeper(actor, group)
    member = session.scalar(
        select(GroupMember).where(GroupMember.id == member_id, GroupMember.group_id == group.id)
    )
    if member is None:
        raise NotFound()
    day = left_on or vietnam_today()
    if day < member.joined_on or day > vietnam_today():
        raise Invalid(errors={"left_on": [_("Between the joining date and today.")]})
    member.left_on = day
    session.flush()
    trail.record(session, "group.member_leave", actor=actor, object_type="group_member",
                 object_id=member.id, unit_path=group.unit.path, group_id=str(group.id))
    return member


def members(session: Session, user: Any, group: ProgrammeGroup) -> list[dict[str, Any]]:
    """The members, as the caller may see them: a case by reference, its person's name only
    where the caller may identify that case; a contact's name to the group's keepers.

    :raise Forbidden: the caller does not keep this group's unit (report readers see counts).
    """
    _require_keeper(user, group)
    rows = session.scalars(
        select(GroupMember)
        .where(GroupMember.group_id == group.id)
        .order_by(GroupMember.joined_on, GroupMember.created_at)
    ).all()
    shown = []
    for m in rows:
        view: dict[str, Any] = {
            "id": m.id, "role": m.role, "joined_on": m.joined_on, "left_on": m.left_on,
            "case": None, "reference": None, "name": None, "masked": False,
        }
        if m.case_id is None:
            view["name"] = m.contact_name
        else:
            case = session.scalar(case_by_id(user), {"case_id": m.case_id})
            if case is None:  # the case moved out of the caller's scope: not even its reference
                view["masked"] = True
            else:
                view["case"], view["reference"] = case.id, case.reference
                if may_see_identity(session, user, case):
                    view["name"] = case.person.full_name if case.person else None
                else:
                    view["masked"] = True
        shown.append(view)
    trail.record(session, "group.members_read", actor=user, object_type="programme_group",
                 object_id=group.id, unit_path=group.unit.path, count=len(shown))
    return shown


def record_meeting(session: Session, actor: Any, group: ProgrammeGroup, data: dict[str, Any]
                   ) -> GroupMeeting:
    """:raise Forbidden: not a keeper of the group's unit. :raise Invalid: a date in the future
    or before the group was founded; more members present than the group has."""
    _require_keeper(actor, group)
    today = vietnam_today()
    if data["held_on"] > today or (group.founded_on and data["held_on"] < group.founded_on):
        raise Invalid(errors={"held_on": [_("Between the founding date and today.")]})
    with using(session, statistics_context(group.unit.path)):
        recorded = session.scalar(
            select(func.count()).where(GroupMember.group_id == group.id,
                                       GroupMember.joined_on <= data["held_on"])
        )
    if recorded and data["members_present"] > recorded:
        raise Invalid(errors={"members_present": [
            _("More than the %(n)s members the group has.", n=recorded)]})
    meeting = GroupMeeting(
        group_id=group.id,
        held_on=data["held_on"],
        topic=data["topic"],
        members_present=data["members_present"],
        others_present=data.get("others_present", 0),
        created_by_id=actor.id,
    )
    session.add(meeting)
    session.flush()
    trail.record(session, "group.meeting", actor=actor, object_type="group_meeting",
                 object_id=meeting.id, unit_path=group.unit.path, group_id=str(group.id))
    return meeting


def meetings(session: Session, user: Any, group: ProgrammeGroup) -> list[GroupMeeting]:
    return list(session.scalars(
        select(GroupMeeting).where(GroupMeeting.group_id == group.id)
        .order_by(GroupMeeting.held_on.desc(), GroupMeeting.created_at.desc())
    ))


def group_report(session: Session, user: Any, unit_code: str | None, period_text: str
                 ) -> dict[str, Any]:
    """Per group kind in a unit's subtree: groups, members at the end of the period, meetings
    and attendance in it. :raise Forbidden, NotFound, Invalid: as the activity report."""
    paths = require_reader(user)
    unit = current_unit_for(session, unit_code) if unit_code else (
        session.scalar(select(Unit).where(Unit.path == paths[0])) if len(paths) == 1 else None)
    if unit_code is None and unit is None:
        raise Invalid(errors={"unit": [_("Choose a unit.")]})
    if unit is None or not any(unit.path.startswith(p) for p in paths):
        raise NotFound()
    period = parse_period(period_text)
    inside = path_condition(Unit.path, [unit.path])
    groups = dict(session.execute(
        select(ProgrammeGroup.kind, func.count()).join(Unit, ProgrammeGroup.unit_id == Unit.id)
        .where(inside).group_by(ProgrammeGroup.kind)).all())
    with using(session, statistics_context(unit.path)):
        members_by_kind = dict(session.execute(
            select(ProgrammeGroup.kind, func.count())
            .join(GroupMember, GroupMember.group_id == ProgrammeGroup.id)
            .join(Unit, ProgrammeGroup.unit_id == Unit.id)
            .where(inside, GroupMember.joined_on <= period.end,
                   GroupMember.left_on.is_(None) | (GroupMember.left_on > period.end))
            .group_by(ProgrammeGroup.kind)).all())
    held = {k: (n, int(a or 0)) for k, n, a in session.execute(
        select(ProgrammeGroup.kind, func.count(), func.sum(GroupMeeting.members_present))
        .join(GroupMeeting, GroupMeeting.group_id == ProgrammeGroup.id)
        .join(Unit, ProgrammeGroup.unit_id == Unit.id)
        .where(inside, GroupMeeting.held_on >= period.start, GroupMeeting.held_on <= period.end)
        .group_by(ProgrammeGroup.kind)).all()}
    kinds = sorted(set(groups) | set(held))
    return {
        "unit": unit.code,
        "period": period.label,
        "kinds": [{
            "kind": k,
            "groups": int(groups.get(k, 0)),
            "members": int(members_by_kind.get(k, 0)),
            "meetings": held.get(k, (0, 0))[0],
            "members_present": held.get(k, (0, 0))[1],
        } for k in kinds],
    }


def scope_of(user: Any) -> list[str]:
    return scope_paths(user, RECORD)
