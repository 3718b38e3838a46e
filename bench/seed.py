"""Bulk seeding for the load benchmark: N cases with real encryption, written with COPY-speed
Core inserts (not the ORM one by one).

Every person row carries eight AES-GCM fields bound to its row id exactly as the application
writes them, so reads in the benchmark decrypt real ciphertexts.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from casework.cases.models import Case, CaseEvent
from casework.crypto import current_keyring
from casework.crypto.blind import blind_index, normalise_national_id, normalise_phone
from casework.crypto.fields import encrypt_value
from casework.people.models import Person
from casework.units.models import CURRENT_TREE, Unit

ENCRYPTED_PERSON_FIELDS = (
    "full_name",
    "aliases",
    "date_of_birth",
    "national_id",
    "phone",
    "address",
    "family_contacts",
    "health_notes",
)
FIRST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Thị", "Văn", "Ngọc", "Minh", "Thu", "Đức", "Hồng", "Quang"]
LAST = ["Hoa", "Lan", "Mai", "Hùng", "Dũng", "Tuấn", "Hương", "Linh", "Nam", "Thảo"]
CASE_TYPES = ("trafficking_victim", "post_rehab", "sex_work_exit", "post_prison")
STAGES = (
    "identified",
    "verified",
    "assessed",
    "counselling",
    "vocational_training",
    "job_placement",
    "loan_referral",
    "follow_up",
)


def _person_row(rng: random.Random, keyring: Any) -> dict[str, Any]:
    pid = uuid.uuid4()
    born = date(rng.randint(1965, 2007), rng.randint(1, 12), rng.randint(1, 28))
    province, century = rng.randint(10, 96), rng.randint(0, 3)
    national_id = f"0{province}{century}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
    phone = f"09{rng.randint(10000000, 99999999)}"
    plain = {
        "full_name": f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(LAST)}",
        "aliases": rng.choice(LAST),
        "date_of_birth": born.isoformat(),
        "national_id": national_id,
        "phone": phone,
        "address": f"Số {rng.randint(1, 300)} đường {rng.choice(LAST)}",
        "family_contacts": f"Mẹ: {rng.choice(FIRST)} Thị {rng.choice(LAST)}",
        "health_notes": "Theo dõi sức khoẻ định kỳ",
    }
    row: dict[str, Any] = {
        "id": pid,
        "sex": rng.choice(["female", "male"]),
        "birth_year": born.year,
        "created_at": datetime.now(UTC),
    }
    for name in ENCRYPTED_PERSON_FIELDS:
        row[f"{name}_ct"] = encrypt_value(keyring, plain[name], "person", name, pid)
    row["justice_notes_ct"] = None
    row["national_id_bi"] = blind_index(
        keyring, "person.national_id", normalise_national_id(national_id)
    )
    row["phone_bi"] = blind_index(keyring, "person.phone", normalise_phone(phone))
    return row


def seed_cases(
    session: Any, total: int, worker: Any, worker_share: int, seed: int = 9
) -> list[uuid.UUID]:
    """Insert ``total`` cases across every current commune; ``worker_share`` of them assigned to
    ``worker`` in their commune. Returns the ids of the worker's cases."""
    rng = random.Random(seed)
    keyring = current_keyring()
    communes = session.scalars(
        select(Unit.id).where(Unit.tree == CURRENT_TREE, Unit.kind == "commune")
    ).all()
    worker_unit = worker.unit_id
    mine: list[uuid.UUID] = []
    batch = 2000
    now = datetime.now(UTC)
    for start in range(0, total, batch):
        people, cases, events = [], [], []
        for i in range(start, min(start + batch, total)):
            person = _person_row(rng, keyring)
            people.append(person)
            own = i < worker_share
            unit = worker_unit if own else rng.choice(communes)
            stage = rng.choice(STAGES)
            opened = now - timedelta(days=rng.randint(5, 700))
            cid = uuid.uuid4()
            if own:
                mine.append(cid)
            cases.append(
                {
                    "id": cid,
                    "reference": f"HS-B-{i:08d}",
                    "case_type": CASE_TYPES[i % 4],
                    "stage": stage,
                    "unit_id": unit,
                    "recorded_unit_id": unit,
                    "person_id": person["id"],
                    "assigned_worker_id": worker.id if own else None,
                    "created_by_id": None,
                    "opened_on": opened.date(),
                    "version": 1,
                    "created_at": opened,
                    "updated_at": opened,
                    "stage_entered_at": opened,
                    "due_on": (opened + timedelta(days=30)).date(),
                    "consent_given": True,
                    "victim_status": "confirmed" if i % 4 == 0 else None,
                    "relapse_count": 0,
                    "rehab_kind": "voluntary" if i % 4 == 1 else None,
                    "rehab_completion_date": (opened - timedelta(days=10)).date()
                    if i % 4 == 1
                    else None,
                    "release_date": (opened - timedelta(days=3)).date() if i % 4 == 3 else None,
                    "sentence_months": 36 if i % 4 == 3 else None,
                }
            )
            events.append(
                {
                    "id": uuid.uuid4(),
                    "case_id": cid,
                    "seq": 1,
                    "event": "open",
                    "from_stage": None,
                    "to_stage": "identified",
                    "actor_id": None,
                    "unit_id": unit,
                    "at": opened,
                    "data": {},
                    "forced": False,
                    "reason_ct": None,
                }
            )
            if stage != "identified":
                events.append(
                    {
                        "id": uuid.uuid4(),
                        "case_id": cid,
                        "seq": 2,
                        "event": "correct_stage",
                        "from_stage": "identified",
                        "to_stage": stage,
                        "actor_id": None,
                        "unit_id": unit,
                        "at": opened + timedelta(days=1),
                        "data": {},
                        "forced": True,
                        "reason_ct": None,
                    }
                )
        session.execute(insert(Person), people)
        session.execute(insert(Case), cases)
        session.execute(insert(CaseEvent), events)
        session.commit()
    return mine
