"""Column helpers shared by every table: application-made UUID keys and UTC timestamps.

Primary keys are generated in Python (not by the database) so that the row id exists before the
INSERT: field encryption binds each ciphertext to its row id.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (stored as UTC everywhere)."""
    return datetime.now(UTC)


def vietnam_today() -> date:
    """Today's date in Vietnam: the calendar every date a person types or reads is on.

    Not ``date.today()``: servers run on UTC, and from 00:00 to 07:00 in Hà Nội their date is
    still yesterday, so a visit recorded "today" would be refused as in the future.
    """
    from workflows.dates import local_date

    return local_date(utcnow())


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the offset (``timestamptz``); SQLite keeps none and would hand back naive
    values, which then serialise without an offset. Binding converts to UTC; reading marks
    naive values as the UTC they are.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
    return mapped_column(UTCDateTime(), default=utcnow, **kwargs)
