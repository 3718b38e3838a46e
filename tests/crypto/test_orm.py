"""Specification of encrypted model attributes: code sees plaintext, the database never does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.crypto import (
    CryptoError,
    DecryptionError,
    EncryptedField,
    FieldSpec,
    Keyring,
    KeyUnavailableError,
    blind_index,
    decrypt_value,
    encrypt_value,
    encrypted_fields,
    key_id_of,
    normalise_national_id,
    normalise_phone,
    use_keyring,
)
from casework.crypto.orm import forget_model

from .conftest import KEY_1, KEY_2, CryptoModels

NAME = "Trần Thị Thu Hà"


@pytest.fixture
def person(models: CryptoModels, with_keyring1: Keyring) -> object:
    return models.person(
        full_name=NAME,
        national_id="001 234 567 890",
        phone="+84 912 345 678",
        date_of_birth=date(1998, 2, 14),
    )


def test_fields_read_back_as_plaintext(person: Any) -> None:
    assert person.full_name == NAME
    assert person.national_id == "001 234 567 890"
    assert person.phone == "+84 912 345 678"
    assert person.date_of_birth == date(1998, 2, 14)


def test_ciphertext_column_holds_no_plaintext(person: Any) -> None:
    assert isinstance(person.full_name_ct, bytes)
    assert NAME.encode() not in person.full_name_ct
    assert key_id_of(person.full_name_ct) == 1


def test_ciphertext_is_bound_to_the_row_and_field_name(person: Any, keyring1: Keyring) -> None:
    text = decrypt_value(
        keyring1, person.full_name_ct, "crypto_test_person", "full_name", person.id
    )
    assert text == NAME


def test_blind_index_columns_are_filled_from_the_normalised_value(
    person: Any, keyring1: Keyring
) -> None:
    assert person.national_id_bi == blind_index(
        keyring1, "crypto_test_person.national_id", "001234567890"
    )
    assert person.phone_bi == blind_index(keyring1, "crypto_test_person.phone", "0912345678")


def test_setting_none_clears_ciphertext_and_blind_index(person: Any) -> None:
    person.national_id = None
    assert person.national_id is None
    assert person.national_id_ct is None
    assert person.national_id_bi is None


def test_unset_fields_read_as_none(models: CryptoModels, with_keyring1: Keyring) -> None:
    empty = models.person()
    assert empty.full_name is None
    assert empty.date_of_birth is None


def test_value_without_digits_gets_no_blind_index(
    models: CryptoModels, with_keyring1: Keyring
) -> None:
    # Otherwise every "không có" (none) would share one bucket.
    assert models.person(national_id="không có").national_id_bi is None


def test_new_values_use_the_active_key(person: Any, keyring2: Keyring) -> None:
    with use_keyring(keyring2):
        person.full_name = "Phạm Văn Đồng"
        assert key_id_of(person.full_name_ct) == 2
        assert person.full_name == "Phạm Văn Đồng"
        assert key_id_of(person.national_id_ct) == 1
        assert person.national_id == "001 234 567 890"


def test_setting_the_same_value_again_writes_nothing(person: Any) -> None:
    before = person.full_name_ct
    person.full_name = NAME
    assert person.full_name_ct is before


def test_changed_ciphertext_is_decrypted_again(person: Any, keyring1: Keyring) -> None:
    assert person.full_name == NAME
    person.full_name_ct = encrypt_value(
        keyring1, "Hoàng Minh", "crypto_test_person", "full_name", person.id
    )
    assert person.full_name == "Hoàng Minh"


def test_plaintext_is_not_kept_where_pickling_would_carry_it(person: Any) -> None:
    assert person.full_name == NAME
    assert NAME not in repr(vars(person))


def test_date_field_rejects_datetimes_and_strings(person: Any) -> None:
    with pytest.raises(TypeError):
        person.date_of_birth = datetime(1998, 2, 14, 10, 30)
    with pytest.raises(TypeError):
        person.date_of_birth = "1998-02-14"


def test_text_field_rejects_other_types(person: Any) -> None:
    with pytest.raises(TypeError):
        person.full_name = 42


def test_a_row_without_id_cannot_hold_encrypted_values(
    models: CryptoModels, with_keyring1: Keyring
) -> None:
    person = models.person()
    person.id = None
    with pytest.raises(CryptoError, match="has no id yet"):
        person.full_name = NAME


def test_without_a_keyring_nothing_is_written_or_read(person: Any, models: CryptoModels) -> None:
    fresh = models.person()
    with use_keyring(None):
        with pytest.raises(KeyUnavailableError):
            fresh.full_name = NAME
        assert fresh.full_name_ct is None
        person.full_name_ct = bytes(person.full_name_ct)  # a different object: no cached plaintext
        with pytest.raises(KeyUnavailableError):
            _ = models.person(id=person.id, full_name_ct=person.full_name_ct).full_name


def test_a_wrong_key_fails_closed(person: Any) -> None:
    copy = type(person)(id=person.id, full_name_ct=person.full_name_ct)
    with use_keyring(Keyring({1: KEY_2})), pytest.raises(DecryptionError):
        _ = copy.full_name


def test_ciphertext_copied_to_another_person_fails_to_decrypt(
    person: Any, models: CryptoModels
) -> None:
    other = models.person(full_name_ct=person.full_name_ct)
    with pytest.raises(DecryptionError, match=str(other.id)):
        _ = other.full_name


def test_class_attribute_is_the_descriptor(models: CryptoModels) -> None:
    assert isinstance(models.person.full_name, EncryptedField)


def test_registry_lists_every_encrypted_field(models: CryptoModels) -> None:
    specs = encrypted_fields()[models.person]
    assert [s.attr for s in specs] == ["full_name", "national_id", "phone", "date_of_birth"]
    assert specs[1] == FieldSpec(
        model=models.person,
        attr="national_id",
        ciphertext_attr="national_id_ct",
        blind_index_attr="national_id_bi",
        normaliser=normalise_national_id,
        kind="text",
    )
    assert specs[2].normaliser is normalise_phone
    assert specs[3].kind == "date"
    assert specs[1].blind_index_name == "crypto_test_person.national_id"
    assert [s.attr for s in encrypted_fields()[models.visit]] == ["note"]


def test_lookup_by_phone_finds_the_person_and_drops_false_positives(
    models: CryptoModels, session: Session, with_keyring1: Keyring
) -> None:
    Person = models.person
    wanted = Person(full_name=NAME, phone="0912 345 678")
    others = [Person(full_name=f"Người {i}", phone=f"09{i:08}") for i in range(300)]
    session.add_all([wanted, *others])
    session.commit()
    session.expunge_all()

    candidates = session.scalars(select(Person).where(Person.phone.candidates("+84912345678")))
    found = [p for p in candidates if Person.phone.matches(p, "+84912345678")]

    assert [p.full_name for p in found] == [NAME]


def test_lookup_of_an_empty_value_matches_nothing(
    models: CryptoModels, session: Session, with_keyring1: Keyring
) -> None:
    session.add(models.person(national_id="không có"))
    session.commit()
    query = select(models.person).where(models.person.national_id.candidates("—"))
    assert session.scalars(query).all() == []


def test_values_survive_a_database_round_trip(
    models: CryptoModels, session: Session, with_keyring1: Keyring
) -> None:
    written = models.person(full_name=NAME, date_of_birth=date(2001, 9, 2))
    row_id = written.id
    session.add(written)
    session.commit()
    session.expunge_all()
    read = session.get(models.person, row_id)
    assert (read.full_name, read.date_of_birth) == (NAME, date(2001, 9, 2))


class Plain:
    """Any object with a table name and an id can hold encrypted fields (no database needed)."""

    __tablename__ = "plain"

    def __init__(self, row_id: object) -> None:
        self.id = row_id
        self.when_ct: bytes | None = None
        self.text_ct: bytes | None = None

    when = EncryptedField("when_ct", kind="date")
    text = EncryptedField("text_ct")


@pytest.fixture(scope="module", autouse=True)
def _forget_plain() -> Iterator[None]:
    yield
    forget_model(Plain)


_KEYRING = Keyring({1: KEY_1})


@given(st.dates(), st.text(), st.uuids())
def test_any_date_and_text_round_trip_through_the_descriptor(
    when: date, text: str, row_id: uuid.UUID
) -> None:
    with use_keyring(_KEYRING):
        holder = Plain(row_id)
        holder.when = when
        holder.text = text
        reread = Plain(row_id)
        reread.when_ct, reread.text_ct = holder.when_ct, holder.text_ct
        assert (reread.when, reread.text) == (when, text)
