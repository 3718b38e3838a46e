"""Bookkeeping for key rotation: where a rotation stopped, so a rerun continues there."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import db
from casework.model_base import timestamp_column, utcnow


class RotationProgress(db.Model):
    """The last row id re-encrypted to ``target_key_id`` in ``table_name``.

    A row exists only while a table's rotation is unfinished; it is deleted when the table is
    done, so the next rotation scans everything again (rows written by a server that had not
    yet loaded the new key may lie anywhere in id order).
    """

    __tablename__ = "crypto_rotation_progress"

    table_name: Mapped[str] = mapped_column(String(128), primary_key=True)
    target_key_id: Mapped[int]
    last_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    updated_at: Mapped[datetime] = timestamp_column(onupdate=utcnow)

    def __repr__(self) -> str:
        return (
            f"<RotationProgress {self.table_name} → key {self.target_key_id} after {self.last_id}>"
        )
