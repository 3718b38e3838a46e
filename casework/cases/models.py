"""Cases (hồ sơ), their stage history and the coded facts the workflows' guards read.

A case belongs to one unit of the current tree (``unit_id``, which scoping follows) and remembers
the unit it was first recorded in (``recorded_unit_id``), which may be a pre-reform commune.
``version`` is the optimistic-locking counter: SQLAlchemy adds ``WHERE version = :old`` to every
UPDATE, so a concurrent edit is detected instead of silently lost.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.accounts.models import User
from casework.crypto.orm import EncryptedField
from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column
from casework.people.models import Person
from casework.stats.protection import new_record_key
from casework.units.models import Unit

CASE_TYPES = ("trafficking_victim", "post_rehab", "sex_work_exit", "post_prison")
CLOSURE_REASONS = (
    "reintegrated",
    "moved_away",
    "declined_support",
    "not_eligible",
    "deceased",
    "duplicate",
)
REFERRAL_SOURCES = (
    "commune",
    "police",
    "border_guard",
    "hotline_111",
    "rehab_centre",
    "prison",
    "womens_union",
    "ngo",
    "self",
    "family",
    "other",
)
VICTIM_STATUSES = ("under_identification", "confirmed", "not_a_victim")
REHAB_KINDS = ("voluntary", "substitution", "compulsory", "minor")
CLASSIFICATIONS = ("A", "B", "C", "D")


class Case(UUIDPrimaryKey, db.Model):
    __tablename__ = "case_file"
    __table_args__ = (
        Index("ix_case_file_unit_stage", "unit_id", "stage"),
        Index("ix_case_file_due", "due_on"),
        # Statistics: new cases per unit and period (casework.stats).
        Index("ix_case_file_recorded_unit_opened", "recorded_unit_id", "opened_on"),
    )

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    case_type: Mapped[str] = mapped_column(String(32), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    recorded_unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    assigned_worker_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), index=True
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    opened_on: Mapped[date] = mapped_column(Date)
    # The statistics' record key (casework.stats.protection): drawn once at intake, never
    # changed, never shown; a coded number 0..255 that says nothing about the person.
    record_key: Mapped[int] = mapped_column(SmallInteger, default=new_record_key)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(32))
    referral_source: Mapped[str | None] = mapped_column(String(32))
    referral_note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    referral_note = EncryptedField("referral_note_ct")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = timestamp_column()
    updated_at: Mapped[datetime] = timestamp_column()

    # Workflow bookkeeping (coded, read by the guards in workflows/).
    stage_entered_at: Mapped[datetime] = timestamp_column()
    due_on: Mapped[date | None] = mapped_column(Date)
    stage_before_suspension: Mapped[str | None] = mapped_column(String(32))
    consent_given: Mapped[bool] = mapped_column(default=False)
    victim_status: Mapped[str | None] = mapped_column(String(32))
    rehab_kind: Mapped[str | None] = mapped_column(String(16))
    rehab_completion_date: Mapped[date | None] = mapped_column(Date)
    release_date: Mapped[date | None] = mapped_column(Date)
    sentence_months: Mapped[int | None] = mapped_column(Integer)
    record_cleared_on: Mapped[date | None] = mapped_column(Date)
    classification: Mapped[str | None] = mapped_column(String(1))
    relapse_count: Mapped[int] = mapped_column(Integer, default=0)
    transfer_to_unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"))

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")
    recorded_unit: Mapped[Unit] = relationship(foreign_keys=[recorded_unit_id])
    transfer_to_unit: Mapped[Unit | None] = relationship(foreign_keys=[transfer_to_unit_id])
    person: Mapped[Person] = relationship(lazy="joined")
    assigned_worker: Mapped[User | None] = relationship(foreign_keys=[assigned_worker_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.seq", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Case {self.reference} {self.case_type}/{self.stage}>"

    @property
    def is_closed(self) -> bool:
        return self.stage == "closed"


class CaseEvent(UUIDPrimaryKey, db.Model):
    """One append-only row of a case's stage history (routemaster's shape).

    Coded event data (victim status, classification, closure reason, dates) stays readable for
    statistics in ``data``; any free text — the reason a person typed — is encrypted.
    """

    __tablename__ = "case_event"
    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        Index("ix_case_event_event_at", "event", "at"),
        Index("ix_case_event_to_stage_at", "to_stage", "at"),
        # Statistics: a province's or commune's history in a period (casework.stats).
        Index("ix_case_event_unit_at", "unit_id", "at"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(48))
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    reason = EncryptedField("reason_ct")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    forced: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    unit: Mapped[Unit] = relationship()
