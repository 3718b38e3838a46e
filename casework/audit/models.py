"""The audit trail: one append-only, HMAC-chained row per thing worth answering for.

Rows hold who, what, which object, which fields changed — never the values. ``seq`` orders the
chain; ``digest`` is HMAC(key, previous digest ‖ this row's canonical form), so a modified,
deleted, inserted or reordered row breaks the chain at that point.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey


class AuditEvent(UUIDPrimaryKey, db.Model):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    unit_path: Mapped[str | None] = mapped_column(String(255))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
