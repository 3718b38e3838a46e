"""Per-person data keys: each person's fields sealed under a key of their own, wrapped by the root
key; old values still read; migration reseals them in batches; rotation re-wraps keys only."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import select

from casework import crypto
from casework.crypto.fields import encrypt_value, is_person_sealed, key_id_of
from casework.crypto.person_keys import PersonDataKey
from casework.crypto.rotation import rotate_all, verify_all
from casework.extensions import db
from casework.people.models import Person
from tests.conftest import case_body

PERSON_CT = ("full_name_ct", "date_of_birth_ct", "national_id_ct", "phone_ct")


def _new_case(world, **person) -> dict:
    response = world.client_for("worker_a").post("/api/v1/cases", json=case_body(**person))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _raw_person(person_id: uuid.UUID) -> dict:
    row = db.session.execute(
        select(*(getattr(Person.__table__.c, c) for c in PERSON_CT)).where(
            Person.__table__.c.id == person_id
        )
    ).one()
    return {n: None if v is None else bytes(v) for n, v in zip(PERSON_CT, row, strict=True)}


def _raw_key(person_id: uuid.UUID) -> bytes | None:
    value = db.session.execute(
        select(PersonDataKey.__table__.c.key_ct).where(PersonDataKey.__table__.c.id == person_id)
    ).scalar()
    return None if value is None else bytes(value)


def _person_of(case_id: str) -> uuid.UUID:
    from casework.cases.models import Case

    return db.session.execute(
        select(Case.person_id).where(Case.id == uuid.UUID(case_id))
    ).scalar_one()


def test_a_new_persons_fields_are_sealed_under_a_data_key_of_their_own(world):
    first = _new_case(world)
    second = _new_case(world, full_name="Trần Văn Nam", national_id="001094000111")
    with world.app.app_context():
        for case in (first, second):
            person_id = _person_of(case["id"])
            assert all(is_person_sealed(blob) for blob in _raw_person(person_id).values())
            wrapped = _raw_key(person_id)
            assert wrapped is not None and not is_person_sealed(wrapped)
            assert key_id_of(wrapped) == 1  # wrapped under the root key
        one, two = (_person_of(c["id"]) for c in (first, second))
        a = db.session.get(PersonDataKey, one).key
        b = db.session.get(PersonDataKey, two).key
        assert a != b
        assert verify_all(db.session, crypto.require_keyring(world.app)) == []


def test_values_written_under_the_root_key_still_read_and_migrate_in_resumable_batches(world):
    cases = [_new_case(world, full_name=f"Người {n}") for n in range(3)]
    with world.app.app_context():
        keyring = crypto.require_keyring(world.app)
        people = [_person_of(c["id"]) for c in cases]
        # Put them back the way they were before this change: under the root key, no data key.
        for n, person_id in enumerate(people):
            old = encrypt_value(keyring, f"Người {n}", "person", "full_name", person_id)
            db.session.execute(
                Person.__table__.update()
                .where(Person.__table__.c.id == person_id)
                .values(full_name_ct=old, date_of_birth_ct=None, national_id_ct=None, phone_ct=None)
            )
            db.session.execute(
                PersonDataKey.__table__.delete().where(PersonDataKey.__table__.c.id == person_id)
            )
        db.session.commit()
        db.session.remove()
    api = world.client_for("worker_a")
    assert api.get(f"/api/v1/cases/{cases[0]['id']}").get_json()["person"]["full_name"] == (
        "Người 0"
    )
    runner = world.app.test_cli_runner()
    result = runner.invoke(args=["keys", "migrate-person-keys", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "resealed 3" in result.output and "created 3 data keys" in result.output
    again = runner.invoke(args=["keys", "migrate-person-keys"])
    assert "resealed 0" in again.output
    with world.app.app_context():
        for person_id in people:
            assert is_person_sealed(_raw_person(person_id)["full_name_ct"])
        assert verify_all(db.session, crypto.require_keyring(world.app)) == []
    for n, case in enumerate(cases):
        shown = api.get(f"/api/v1/cases/{case['id']}").get_json()["person"]["full_name"]
        assert shown == f"Người {n}"


def test_rotating_the_root_key_rewraps_data_keys_and_leaves_sealed_values_alone(world):
    case = _new_case(world)
    with world.app.app_context():
        person_id = _person_of(case["id"])
        before = _raw_person(person_id)
        keyring = crypto.require_keyring(world.app).with_key(2, os.urandom(32))
        rotate_all(db.session, keyring, batch_size=2)
        assert _raw_person(person_id) == before
        assert key_id_of(_raw_key(person_id)) == 2
        assert verify_all(db.session, keyring) == []
        # Under the old keyring alone, the re-wrapped key (so the person) no longer opens.
        assert verify_all(db.session, crypto.require_keyring(world.app))
