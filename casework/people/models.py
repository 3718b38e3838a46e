"""The people a case is about. Identity lives here, encrypted field by field.

Only ``sex`` and ``birth_year`` stay in the clear: statistics need them (age bands) and neither
identifies a person on its own. Everything else a person could be recognised by is an
``EncryptedField`` bound to this table, column and row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto.blind import normalise_national_id, normalise_phone
from casework.crypto.orm import EncryptedField
from casework.crypto.person_keys import PersonDataKey
from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column

SEXES = ("female", "male", "other")

#: Person attributes that identify someone; masked for callers without need-to-know.
IDENTITY_FIELDS = (
    "full_name",
    "aliases",
    "date_of_birth",
    "national_id",
    "phone",
    "address",
    "family_contacts",
)
#: Sensitive data under Law 91/2025 (health, criminal justice), also masked.
SENSITIVE_FIELDS = ("health_notes", "justice_notes")


class Person(UUIDPrimaryKey, db.Model):
    __tablename__ = "person"

    sex: Mapped[str] = mapped_column(String(8))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = timestamp_column()
    # Erasure (casework.rights.erasure): when and why (a code); the identity fields are gone.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erasure_reason: Mapped[str | None] = mapped_column(String(32))
    # A legal hold (a court or inspection needs the record) stops erasure and retention.
    legal_hold: Mapped[bool] = mapped_column(default=False, server_default=false())

    full_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    full_name = EncryptedField("full_name_ct", person="id")
    aliases_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    aliases = EncryptedField("aliases_ct", person="id")
    date_of_birth_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    date_of_birth = EncryptedField("date_of_birth_ct", kind="date", person="id")
    national_id_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    national_id_bi: Mapped[int | None] = mapped_column(Integer, index=True)
    national_id = EncryptedField(
        "national_id_ct",
        blind_index="national_id_bi",
        normaliser=normalise_national_id,
        person="id",
    )
    phone_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_bi: Mapped[int | None] = mapped_column(Integer, index=True)
    phone = EncryptedField(
        "phone_ct", blind_index="phone_bi", normaliser=normalise_phone, person="id"
    )
    address_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    address = EncryptedField("address_ct", person="id")
    family_contacts_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    family_contacts = EncryptedField("family_contacts_ct", person="id")
    health_notes_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    health_notes = EncryptedField("health_notes_ct", person="id")
    justice_notes_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    justice_notes = EncryptedField("justice_notes_ct", person="id")

    # The person's wrapped data key, loaded with them (one query for a page of people); the
    # key itself is written and destroyed through casework.crypto.person_keys.
    data_key_row: Mapped[PersonDataKey | None] = relationship(
        PersonDataKey, viewonly=True, lazy="joined"
    )

    def __repr__(self) -> str:  # never the name: reprs end up in logs
        return f"<Person {self.id}>"
