"""Tables of support work: providers, consent, support items, referrals, notes, imports.

Coded facts (kinds, statuses, dates, amounts, flags) stay in the clear so statistics count them
without decrypting anything; every free text a person typed — outcome notes, referral notes,
counselling content, consent document references, an employer's name — is an ``EncryptedField``
bound to its table, column and row, as DESIGN.md "Sensitive data" asks.
"""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.accounts.models import User
from casework.cases.models import Case
from casework.crypto.orm import EncryptedField
from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column
from casework.units.models import Unit


class ServiceProvider(UUIDPrimaryKey, db.Model):
    """A body people are referred to: a vocational school, an employer, a bank branch, a clinic…

    Provider contacts are the provider's own public details, not a client's, so they stay plain.
    A provider registered at a province serves every commune below it.
    """

    __tablename__ = "service_provider"
    __table_args__ = (Index("ix_service_provider_unit_kind", "unit_id", "kind"),)

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    contact: Mapped[str | None] = mapped_column(String(500))
    services: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = timestamp_column()
    updated_at: Mapped[datetime] = timestamp_column()

    unit: Mapped[Unit] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ServiceProvider {self.kind} {self.id}>"


class Consent(UUIDPrimaryKey, db.Model):
    """One consent decision of a person for one scope; history is kept, never edited.

    Withdrawal is a new row. ``is_current`` marks the latest decision per (case, scope) so
    "may we share / count this person now" is one indexed lookup; it is the only column a later
    decision changes on an earlier row.
    """

    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_case_scope_current", "case_id", "scope", "is_current"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"))
    scope: Mapped[str] = mapped_column(String(48))
    decision: Mapped[str] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(default=True)
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = timestamp_column()
    document_reference_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_reference = EncryptedField("document_reference_ct")

    case: Mapped[Case] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def given(self) -> bool:
        return self.decision == "given"


class SupportItem(UUIDPrimaryKey, db.Model):
    """One line of a case's support plan, from planned to its outcome.

    Loans, training and jobs carry their own coded details in nullable columns of this one table
    (not a table each) so the plan reads as one list and a report counts every kind in one query.
    """

    __tablename__ = "support_item"
    __table_args__ = (Index("ix_support_item_kind_status", "kind", "status"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_provider.id"))
    planned_on: Mapped[date] = mapped_column(Date)
    referred_on: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    amount_vnd: Mapped[int | None] = mapped_column(BigInteger)
    # the support scheme funding it, by code (casework.programme.schemes)
    scheme_code: Mapped[str | None] = mapped_column(String(40), index=True)
    # loan
    loan_programme: Mapped[str | None] = mapped_column(String(200))
    loan_status: Mapped[str | None] = mapped_column(String(16))
    # vocational training
    course: Mapped[str | None] = mapped_column(String(200))
    training_result: Mapped[str | None] = mapped_column(String(16))
    # job placement: where someone works can find them, so the employer's name is encrypted
    employer_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    employer_name = EncryptedField("employer_name_ct")
    kept_3_months: Mapped[bool | None] = mapped_column()
    kept_6_months: Mapped[bool | None] = mapped_column()
    outcome_note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    outcome_note = EncryptedField("outcome_note_ct")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()
    updated_at: Mapped[datetime] = timestamp_column()

    case: Mapped[Case] = relationship()
    provider: Mapped[ServiceProvider | None] = relationship(lazy="joined")


class Referral(UUIDPrimaryKey, db.Model):
    """A case referred to a provider (and/or for a kind of service), in Primero's manner.

    ``sent → accepted | refused``, ``accepted → done``, and the sender may revoke while open.
    When personal data is shared the consent relied on is linked, or the supervisor's override
    is recorded (who, and an encrypted reason).
    """

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_status", "status"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_provider.id"))
    service_kind: Mapped[str | None] = mapped_column(String(32))
    support_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("support_item.id"))
    status: Mapped[str] = mapped_column(String(16), default="sent")
    shares_personal_data: Mapped[bool] = mapped_column(default=False)
    consent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consent.id"))
    consent_override: Mapped[bool] = mapped_column(default=False)
    override_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    override_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    override_reason = EncryptedField("override_reason_ct")
    # Set when the person withdrew the sharing consent while this referral was still open.
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_because: Mapped[str | None] = mapped_column(String(32))
    note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    note = EncryptedField("note_ct")
    outcome_note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    outcome_note = EncryptedField("outcome_note_ct")
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = timestamp_column()
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()
    provider: Mapped[ServiceProvider | None] = relationship(lazy="joined")
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])


class CaseNote(UUIDPrimaryKey, db.Model):
    """A counselling session, home visit or call, with the date of the next visit if planned."""

    __tablename__ = "case_note"
    __table_args__ = (Index("ix_case_note_case_occurred", "case_id", "occurred_on"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date)
    next_visit_on: Mapped[date | None] = mapped_column(Date, index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()
    content_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    content = EncryptedField("content_ct")

    case: Mapped[Case] = relationship()
    author: Mapped[User | None] = relationship()


class CaseImport(UUIDPrimaryKey, db.Model):
    """One upload of a handover list: a dry run's report, or the record of a committed import.

    The per-row report (row numbers, statuses, field messages, references of matching cases in
    the importer's scope) is stored encrypted: even a minimal report says "row 7 of the prison's
    list already has a case here", which is about a person.
    """

    __tablename__ = "case_import"

    case_type: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = timestamp_column()
    dry_run: Mapped[bool] = mapped_column(default=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_ok: Mapped[int] = mapped_column(Integer, default=0)
    rows_error: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    filename_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    filename = EncryptedField("filename_ct")
    report_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    report_json = EncryptedField("report_ct")

    unit: Mapped[Unit] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
