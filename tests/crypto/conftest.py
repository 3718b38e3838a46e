"""A small real world for the crypto tests: fixed keys, throwaway models, a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, LargeBinary, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from casework.crypto import (
    EncryptedField,
    Keyring,
    normalise_national_id,
    normalise_phone,
    use_keyring,
)
from casework.crypto.models import RotationProgress
from casework.crypto.orm import forget_model
from casework.model_base import UUIDPrimaryKey

# Fixed bytes keep blind-index values reproducible between runs.
KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
KEY_3 = bytes(range(200, 232))


@pytest.fixture
def keyring1() -> Keyring:
    """The keyring before rotation: key 1 only."""
    return Keyring({1: KEY_1})


@pytest.fixture
def keyring2() -> Keyring:
    """The keyring after a key was added: 2 active, 1 kept for old rows and blind indexes."""
    return Keyring({1: KEY_1, 2: KEY_2})


@dataclass
class CryptoModels:
    base: type[DeclarativeBase]
    person: type
    visit: type


def build_models() -> CryptoModels:
    """Two models shaped like the lead's: names, IDs, a phone, a date and a free-text note."""

    class Base(DeclarativeBase):
        pass

    class Person(UUIDPrimaryKey, Base):
        __tablename__ = "crypto_test_person"

        full_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
        full_name = EncryptedField("full_name_ct")
        national_id_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
        national_id_bi: Mapped[int | None] = mapped_column(index=True)
        national_id = EncryptedField(
            "national_id_ct", blind_index="national_id_bi", normaliser=normalise_national_id
        )
        phone_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
        phone_bi: Mapped[int | None] = mapped_column(index=True)
        phone = EncryptedField("phone_ct", blind_index="phone_bi", normaliser=normalise_phone)
        date_of_birth_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
        date_of_birth = EncryptedField("date_of_birth_ct", kind="date")

    class Visit(UUIDPrimaryKey, Base):
        __tablename__ = "crypto_test_visit"

        note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
        note = EncryptedField("note_ct")

    return CryptoModels(base=Base, person=Person, visit=Visit)


@pytest.fixture
def models() -> Iterator[CryptoModels]:
    built = build_models()
    yield built
    forget_model(built.person)
    forget_model(built.visit)


@pytest.fixture
def engine(tmp_path: Path, models: CryptoModels) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'crypto.db'}")
    models.base.metadata.create_all(engine)
    RotationProgress.__table__.create(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def with_keyring1(keyring1: Keyring) -> Iterator[Keyring]:
    with use_keyring(keyring1):
        yield keyring1
