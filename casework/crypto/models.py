"""Key bookkeeping in the database: which keys it was written with (their check values, never
the keys), and where a rotation stopped, so a rerun continues there."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Uuid
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


class KeyCheck(db.Model):
    """The check value of root key ``key_id`` (``Keyring.check_value``): proof that a key is the
    one this database was written with, without holding the key.

    Written when a key is introduced (``casework init``, ``keys generate``, ``keys rotate``,
    ``keys register``) and never changed: every worker compares its keyring against these rows
    before serving (``casework.crypto.checks``).
    """

    __tablename__ = "crypto_key_check"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    check_value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = timestamp_column()

    def __repr__(self) -> str:
        return f"<KeyCheck key {self.key_id}>"
