"""Erasure requests: a supervisor asks, a second person approves; the decision is kept.

Coded only (reason codes, who, when): after the erasure nothing here says anything about the
person beyond the fact and date of the erasure.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column

#: Why a person's data is erased (shown as "erased on …, reason …").
ERASURE_REASONS = (
    "data_subject_request",  # the person asked (Law 91/2025)
    "consent_withdrawn",
    "retention_expired",  # set by `retention run` only
    "unlawful_processing",
    "other",
)
REQUESTABLE_REASONS = tuple(r for r in ERASURE_REASONS if r != "retention_expired")


class ErasureRequest(UUIDPrimaryKey, db.Model):
    __tablename__ = "erasure_request"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="requested")  # → approved
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = timestamp_column()
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<ErasureRequest {self.id} {self.status}>"
