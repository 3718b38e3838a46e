"""Tables of the programme work. None of them holds a row about a person but through a case
(support items name a scheme by its code); see row_policies.py for those that do."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import Case
from casework.crypto.orm import EncryptedField
from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column
from casework.units.models import Unit


class SupportScheme(UUIDPrimaryKey, db.Model):
    """A support scheme a province added to the packaged ones (casework/data/support-schemes.json).

    It applies in the subtree of ``unit`` (a provincial credit line serves the province's
    communes). Codes are unique across the packaged and added schemes, and never reused, so a
    count per scheme code means the same thing every year.
    """

    __tablename__ = "support_scheme"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    funder: Mapped[str] = mapped_column(String(32))
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    case_types: Mapped[list | None] = mapped_column(JSON)
    max_amount_vnd: Mapped[int | None] = mapped_column(BigInteger)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()

    unit: Mapped[Unit] = relationship(lazy="joined")


class Activity(UUIDPrimaryKey, db.Model):
    """A communication, training or campaign activity a unit held: who was reached is counted,
    never named (no row about a person)."""

    __tablename__ = "programme_activity"
    __table_args__ = (Index("ix_programme_activity_unit_held", "unit_id", "held_on"),)

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(32))
    campaign_day: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date)
    members_reached: Mapped[int] = mapped_column(Integer, default=0)
    officials_reached: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()

    unit: Mapped[Unit] = relationship(lazy="joined")


class ProgrammeGroup(UUIDPrimaryKey, db.Model):
    """A club, peer group, self-help group, self-managed team or volunteer social-work team of
    a unit (the kinds are data: ``group_kinds`` in programme-vocabulary.json)."""

    __tablename__ = "programme_group"

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    founded_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()

    unit: Mapped[Unit] = relationship(lazy="joined")


class GroupMember(UUIDPrimaryKey, db.Model):
    """A member of a group: a case of the group's area, or only a contact (a name, encrypted).

    ``unit_id`` is the group's unit, kept on the row so row-level security scopes members as it
    scopes the group (row_policies.py: reach ``unit``), whether or not the member is a case.
    """

    __tablename__ = "group_member"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme_group.id"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    contact_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_name = EncryptedField("contact_name_ct")
    role: Mapped[str] = mapped_column(String(16), default="member")
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()

    case: Mapped[Case | None] = relationship()


class GroupMeeting(UUIDPrimaryKey, db.Model):
    """A meeting of a group: when, on what, how many came (counted, never named)."""

    __tablename__ = "group_meeting"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programme_group.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(32))
    members_present: Mapped[int] = mapped_column(Integer)
    others_present: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()


class CommuneRating(UUIDPrimaryKey, db.Model):
    """A commune's yearly self-assessment against the rating criteria (data:
    ``rating_criteria``) and its review by the district or province above it."""

    __tablename__ = "commune_rating"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(Integer)
    self_result: Mapped[str] = mapped_column(String(16))
    hotspots: Mapped[list] = mapped_column(JSON, default=list)
    no_social_evils: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="self_assessed")
    reviewed_result: Mapped[str | None] = mapped_column(String(16))
    reviewed_hotspots: Mapped[list | None] = mapped_column(JSON)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assessed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    assessed_at: Mapped[datetime] = timestamp_column()

    unit: Mapped[Unit] = relationship(lazy="joined")
