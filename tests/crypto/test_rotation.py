"""Specification of key rotation: every value moves to the new key, resumably, losing no edit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, LargeBinary, event, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from casework.crypto import EncryptedField, Keyring, encrypt_value, use_keyring
from casework.crypto.models import RotationProgress
from casework.crypto.orm import forget_model
from casework.crypto.rotation import count_by_key_id, rotate_all, verify_all
from casework.model_base import UUIDPrimaryKey

from .conftest import KEY_1, KEY_3, CryptoModels

PEOPLE = 25
PERSON_TABLE = "crypto_test_person"


def person_values(i: int) -> dict[str, Any]:
    return {
        "full_name": f"Nguyễn Văn {i}",
        "national_id": f"0012345{i:05}",
        "phone": f"09{i:08}" if i % 3 else None,  # some fields left empty
        "date_of_birth": date(1980 + i, 1 + i % 12, 1 + i % 28),
    }


@pytest.fixture
def people(models: CryptoModels, session: Session, keyring1: Keyring) -> dict[uuid.UUID, dict]:
    """25 people and 5 visits written under key 1; returns each person's values by id."""
    written: dict[uuid.UUID, dict] = {}
    with use_keyring(keyring1):
        for i in range(PEOPLE):
            values = person_values(i)
            person = models.person(**values)
            written[person.id] = values
            session.add(person)
        session.add_all(models.visit(note=f"Thăm hộ gia đình lần {i}") for i in range(5))
        session.commit()
    return written


def read_people(models: CryptoModels, session: Session, keyring: Keyring) -> dict:
    session.expire_all()
    with use_keyring(keyring):
        return {
            p.id: {
                "full_name": p.full_name,
                "national_id": p.national_id,
                "phone": p.phone,
                "date_of_birth": p.date_of_birth,
            }
            for p in session.scalars(select(models.person))
        }


def blind_indexes(models: CryptoModels, session: Session) -> list[tuple]:
    Person = models.person
    return session.execute(
        select(Person.id, Person.national_id_bi, Person.phone_bi).order_by(Person.id)
    ).all()


def ciphertext_count(people: dict) -> int:
    return sum(v is not None for values in people.values() for v in values.values()) + 5


def test_after_rotation_no_ciphertext_uses_the_old_key_and_every_read_works(
    models: CryptoModels, session: Session, people: dict, keyring2: Keyring
) -> None:
    assert count_by_key_id(session) == {1: ciphertext_count(people)}
    indexes_before = blind_indexes(models, session)

    report = rotate_all(session, keyring2, batch_size=10)

    assert count_by_key_id(session) == {2: ciphertext_count(people)}
    assert read_people(models, session, keyring2) == people
    assert verify_all(session, keyring2) == []
    assert blind_indexes(models, session) == indexes_before
    assert report.target_key_id == 2
    assert report.tables[PERSON_TABLE].examined == PEOPLE
    assert report.tables[PERSON_TABLE].reencrypted == PEOPLE
    assert report.tables["crypto_test_visit"].reencrypted == 5
    assert report.failures == []


def test_rotated_values_no_longer_open_without_the_new_key(
    models: CryptoModels, session: Session, people: dict, keyring1: Keyring, keyring2: Keyring
) -> None:
    rotate_all(session, keyring2)
    problems = verify_all(session, keyring1)
    assert len(problems) == ciphertext_count(people)
    assert all("key id 2 is not in the keyring" in p for p in problems)


def test_rotating_again_rewrites_nothing(session: Session, people: dict, keyring2: Keyring) -> None:
    rotate_all(session, keyring2)
    again = rotate_all(session, keyring2)
    assert again.examined == PEOPLE + 5
    assert again.reencrypted == 0


def test_progress_is_reported_after_each_batch(
    session: Session, people: dict, keyring2: Keyring
) -> None:
    calls: list[tuple[str, int, int]] = []
    rotate_all(session, keyring2, batch_size=10, progress=lambda *args: calls.append(args))
    assert calls == [
        ("crypto_test_person", 10, 25),
        ("crypto_test_person", 20, 25),
        ("crypto_test_person", 25, 25),
        ("crypto_test_visit", 5, 5),
    ]


def test_interrupted_rotation_resumes_after_the_last_committed_batch(
    models: CryptoModels, session: Session, people: dict, keyring2: Keyring
) -> None:
    class Crash(Exception):
        pass

    def crash(table: str, done: int, total: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        rotate_all(session, keyring2, batch_size=10, progress=crash)
    session.rollback()
    first_ten = sorted(people)[:10]
    on_key_2 = count_by_key_id(session)[2]
    assert on_key_2 == sum(v is not None for i in first_ten for v in people[i].values())
    progress = session.get(RotationProgress, PERSON_TABLE)
    assert (progress.target_key_id, progress.last_id) == (2, first_ten[-1])

    resumed = rotate_all(session, keyring2, batch_size=10)

    assert resumed.tables[PERSON_TABLE].examined == PEOPLE - 10
    assert count_by_key_id(session) == {2: ciphertext_count(people)}
    assert read_people(models, session, keyring2) == people
    assert session.scalars(select(RotationProgress)).all() == []


def test_progress_towards_another_key_is_ignored(
    session: Session, people: dict, keyring2: Keyring
) -> None:
    session.add(RotationProgress(table_name=PERSON_TABLE, target_key_id=9, last_id=max(people)))
    session.commit()
    report = rotate_all(session, keyring2)
    assert report.tables[PERSON_TABLE].examined == PEOPLE
    assert count_by_key_id(session) == {2: ciphertext_count(people)}


def edit_just_before_rotation_updates(engine: Engine, row_id: uuid.UUID, blob: bytes) -> list:
    """Make another writer change ``row_id`` right before the rotation's UPDATE of it.

    The edit goes through the rotation's own connection, as a commit by the service would
    land between the rotation's read and its write.
    """
    edits: list[bool] = []

    @event.listens_for(engine, "before_cursor_execute")
    def concurrent_edit(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(f"UPDATE {PERSON_TABLE} ") and not edits:
            cursor.execute(
                f"UPDATE {PERSON_TABLE} SET full_name_ct = ? WHERE id = ?", (blob, row_id.hex)
            )
            edits.append(True)

    return edits


@pytest.mark.parametrize("writer_key", ["new key", "old key (server not yet reloaded)"])
def test_concurrent_edit_during_rotation_is_not_lost(
    models: CryptoModels,
    engine: Engine,
    session: Session,
    people: dict,
    keyring1: Keyring,
    keyring2: Keyring,
    writer_key: str,
) -> None:
    first = min(people)
    writer = keyring2 if writer_key == "new key" else keyring1
    edited = encrypt_value(writer, "Tên đã sửa", PERSON_TABLE, "full_name", first)
    edits = edit_just_before_rotation_updates(engine, first, edited)

    report = rotate_all(session, keyring2, batch_size=10)

    assert edits == [True]
    assert report.tables[PERSON_TABLE].retried == 1
    expected = dict(people)
    expected[first] = {**people[first], "full_name": "Tên đã sửa"}
    assert read_people(models, session, keyring2) == expected
    assert count_by_key_id(session) == {2: ciphertext_count(people)}


def test_row_deleted_during_rotation_is_skipped(
    models: CryptoModels, engine: Engine, session: Session, people: dict, keyring2: Keyring
) -> None:
    first = min(people)

    @event.listens_for(engine, "before_cursor_execute")
    def delete_first(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(f"UPDATE {PERSON_TABLE} "):
            cursor.execute(f"DELETE FROM {PERSON_TABLE} WHERE id = ?", (first.hex,))

    report = rotate_all(session, keyring2)

    assert report.tables[PERSON_TABLE].reencrypted == PEOPLE - 1
    assert report.failures == []
    assert first not in read_people(models, session, keyring2)


def test_undecryptable_value_is_reported_and_left_alone(
    models: CryptoModels, session: Session, people: dict, keyring2: Keyring
) -> None:
    victim = sorted(people)[3]
    Person = models.person.__table__
    blob = session.scalar(select(Person.c.full_name_ct).where(Person.c.id == victim))
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    session.execute(update(Person).where(Person.c.id == victim).values(full_name_ct=tampered))
    session.commit()

    report = rotate_all(session, keyring2)

    assert len(report.failures) == 1
    assert f"{PERSON_TABLE}.full_name row {victim}" in report.failures[0]
    assert people[victim]["full_name"] not in report.failures[0]
    assert count_by_key_id(session)[1] == 1
    assert [p for p in verify_all(session, keyring2) if str(victim) in p] == report.failures


def test_verify_all_detects_blind_indexes_from_another_index_key(
    session: Session, people: dict
) -> None:
    # Key 1 dropped from the environment: key 3 becomes the index key and searches would miss.
    wrong_index_key = Keyring({1: KEY_1, 3: KEY_3}, index_key_id=3)
    problems = verify_all(session, wrong_index_key)
    assert problems
    assert all("blind index does not match" in p for p in problems)
    assert sum("national_id" in p for p in problems) == PEOPLE


def test_models_whose_table_does_not_exist_are_skipped(
    session: Session, people: dict, keyring2: Keyring
) -> None:
    class Base(DeclarativeBase):
        pass

    class Absent(UUIDPrimaryKey, Base):  # its table was never created in this database
        __tablename__ = "crypto_test_absent"

        secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
        secret = EncryptedField("secret_ct")

    try:
        report = rotate_all(session, keyring2)
        problems = verify_all(session, keyring2)
    finally:
        forget_model(Absent)
    assert "crypto_test_absent" not in report.tables
    assert report.reencrypted == PEOPLE + 5
    assert problems == []


def test_reads_keep_working_while_rotation_runs(
    models: CryptoModels, session: Session, people: dict, keyring2: Keyring
) -> None:
    """Between batches the table holds both keys' ciphertexts; every value still reads."""
    seen_mid_rotation: list[dict] = []
    mixed_key_ids: list[set[int]] = []

    def read_between_batches(table: str, done: int, total: int) -> None:
        if table == PERSON_TABLE and done < total:
            mixed_key_ids.append(set(count_by_key_id(session)))
            seen_mid_rotation.append(read_people(models, session, keyring2))

    rotate_all(session, keyring2, batch_size=10, progress=read_between_batches)

    assert {1, 2} in mixed_key_ids  # the reads really happened halfway
    assert seen_mid_rotation and all(snapshot == people for snapshot in seen_mid_rotation)
