"""Notifications: what a user is told, and each attempt to tell them outside the service.

A notification carries a kind, a case reference and a link — never a name or any personal
data — so the same words can go by e-mail or SMS without leaking who the case is about. It is
per recipient: on PostgreSQL a user reads and marks only their own (row_policies "recipient").
A delivery is one channel's attempts at sending one notification; after the last failed
attempt it is left ``dead`` (the dead-letter record an operator reviews).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column

#: What happened, as the message names it (labels in casework.notifications.messages).
KINDS = (
    "assigned",
    "due_soon",
    "overdue",
    "transfer_requested",
    "closure_approved",
    "closure_returned",
    "referral_answered",
)
DELIVERY_STATES = ("pending", "sent", "dead")


class Notification(UUIDPrimaryKey, db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_created", "recipient_id", "created_at"),)

    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(32))
    link: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = timestamp_column()
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="notification")


class Delivery(UUIDPrimaryKey, db.Model):
    __tablename__ = "notification_delivery"

    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = timestamp_column()
    updated_at: Mapped[datetime] = timestamp_column()

    notification: Mapped[Notification] = relationship(back_populates="deliveries")
