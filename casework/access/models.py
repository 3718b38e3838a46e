"""Break-glass records: who revealed a masked identity, on which case, and why."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.accounts.models import User
from casework.crypto.orm import EncryptedField
from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column


class IdentityReveal(UUIDPrimaryKey, db.Model):
    """A user with ``case.break_glass`` revealed a case's identity, giving a written reason.

    The reveal lasts a few hours; supervisors above the case's unit see every reveal.
    """

    __tablename__ = "identity_reveal"
    __table_args__ = (Index("ix_identity_reveal_user_case", "user_id", "case_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = timestamp_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    reason = EncryptedField("reason_ct")

    user: Mapped[User] = relationship()
