"""Column helpers shared by every table: application-made UUID keys and UTC timestamps.

Primary keys are generated in Python (not by the database) so that the row id exists before the
INSERT: field encryption binds each ciphertext to its row id.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, Uuid
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (stored as UTC everywhere)."""
    return datetime.now(UTC)


class UUIDPrimaryKey:
    """Mixin giving a table a UUID primary key assigned at construction time."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)

    def __init__(self, **kwargs: object) -> None:
        # Assign the id first so encrypted attributes set in the same call can bind to it.
        if "id" not in kwargs:
            kwargs = {"id": uuid.uuid4(), **kwargs}
        for key in ("id",):
            setattr(self, key, kwargs.pop(key))
        super().__init__(**kwargs)


def timestamp_column(**kwargs: object) -> Mapped[datetime]:
    """A timezone-aware timestamp defaulting to now."""
    return mapped_column(DateTime(timezone=True), default=utcnow, **kwargs)
