"""Tables of the programme work. None of them holds a row about a person but through a case
(support items name a scheme by its code); see row_policies.py for those that do."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import db
from casework.model_base import UUIDPrimaryKey, timestamp_column
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
