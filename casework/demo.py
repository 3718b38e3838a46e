"""A synthetic demo world: one real province, users of every role, ~500 cases with a history.

Everything is invented (Faker's vi_VN names, random but valid-looking CCCD and phone numbers).
Cases move through their real workflows with ``cases.transitions.fire`` on a simulated clock,
so the history, due dates and audit trail are exactly what the service would have written.
Refuses to run on a database that already holds cases or users.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workflows
from casework.accounts.models import User
from casework.accounts.operations import create_user
from casework.cases.models import CASE_TYPES, Case, CaseEvent
from casework.cases.operations import open_case
from casework.cases.transitions import WorkflowRefused, acting_permissions, fire, options_for
from casework.errors import DomainError
from casework.units.loader import PACKAGED_UNITS, load_units, read_file
from casework.units.models import CURRENT_TREE, Unit

DEMO_PROVINCE = "15"  # Tỉnh Lào Cai: a border province where the four programmes all work
FORWARD_PREFIXES = (
    "record_consent",
    "verify",
    "check_address",
    "receive",
    "consent",
    "assess",
    "start_",
    "complete_",
    "skip_",
    "classify",
    "request_closure",
    "approve_closure",
)


_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


class DemoError(Exception):
    """The demo cannot be built here (for example: the database is not empty)."""


@dataclass
class DemoWorld:
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)
    cases: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    seen: dict[tuple[str, str], bool] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"demo world: {self.cases} cases in province {DEMO_PROVINCE}; stages: "
            + ", ".join(f"{s} {n}" for s, n in sorted(self.stages.items())),
            "demo logins (username / password / role / unit):",
        ]
        lines += [f"  {u:18} {p}  {r:14} {unit}" for u, p, r, unit in self.logins]
        return "\n".join(lines)


def _ensure_units(session: Session) -> list[Unit]:
    province = session.scalar(
        select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == DEMO_PROVINCE)
    )
    if province is None:
        load_units(session, read_file(PACKAGED_UNITS))
        province = session.scalar(
            select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == DEMO_PROVINCE)
        )
    communes = session.scalars(
        select(Unit).where(Unit.parent_id == province.id).order_by(Unit.code)
    ).all()
    return [province, *communes]


def _users(
    session: Session, province: Unit, communes: list[Unit], world: DemoWorld
) -> dict[str, list[User]]:
    plan = [
        ("tinh.giamsat", "supervisor", province),
        ("tinh.thongke", "statistician", province),
        ("tinh.quantri", "administrator", province),
        ("tinh.thanhtra", "auditor", province),
    ]
    for i, commune in enumerate(communes[:2], start=1):
        plan += [
            (f"xa{i}.canbo", "social_worker", commune),
            (f"xa{i}.canbo2", "social_worker", commune),
            (f"xa{i}.giamsat", "supervisor", commune),
        ]
    by_unit: dict[str, list[User]] = {}
    for username, role, unit in plan:
        password = "-".join(
            "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(5)) for _ in range(4)
        )
        user = create_user(
            session, username, password, roles=[role], unit_code=unit.code, display_name=username
        )
        by_unit.setdefault(unit.code, []).append(user)
        world.logins.append((username, password, role, f"{unit.code} {unit.name}"))
    return by_unit


def _fake_person(fake: Faker, rng: random.Random, case_type: str) -> dict[str, Any]:
    sex = (
        "female"
        if case_type in ("trafficking_victim", "sex_work_exit") or rng.random() < 0.3
        else "male"
    )
    if case_type == "post_rehab" or case_type == "post_prison":
        sex = "male" if rng.random() < 0.85 else "female"
    born = date(rng.randint(1965, 2008), rng.randint(1, 12), rng.randint(1, 28))
    name = fake.name_female() if sex == "female" else fake.name_male()
    person: dict[str, Any] = {
        "sex": sex,
        "full_name": name,
        "date_of_birth": born,
        "national_id": f"0{rng.randint(10, 96):02d}{rng.randint(0, 3)}"
        f"{born.year % 100:02d}{rng.randint(0, 999999):06d}",
        "phone": f"0{rng.choice([3, 5, 7, 8, 9])}{rng.randint(10000000, 99999999)}",
        "address": fake.street_address(),
    }
    if case_type == "sex_work_exit" and rng.random() < 0.4:
        person = {"sex": sex, "aliases": fake.first_name_female()}  # pseudonymous intake
    return person


def _field_value(
    f: workflows.Field,
    rng: random.Random,
    fake: Faker,
    now: datetime,
    case: Case,
    communes: list[Unit],
) -> Any:
    if f.kind == "choice":
        choices = list(f.choices)
        if f.name == "victim_status":
            return "confirmed" if rng.random() < 0.8 else rng.choice(choices)
        if f.name == "closure_reason":
            return "reintegrated" if rng.random() < 0.7 else rng.choice(choices)
        if f.name == "rehab_kind":
            return rng.choice(["voluntary", "compulsory", "substitution"])
        return rng.choice(choices)
    if f.kind == "date":
        return (
            (
                now
                - timedelta(
                    days=rng.randint(
                        400 if "completion" in f.name else 0, 800 if "completion" in f.name else 5
                    )
                )
            )
            .date()
            .isoformat()
        )
    if f.kind == "int":
        return rng.randint(6, 120)
    if f.kind == "unit":
        return rng.choice([c.code for c in communes[:2] if c.id != case.unit_id])
    return fake.sentence(nb_words=8)


def _walk(
    session: Session,
    case: Case,
    users_by_unit: dict[str, list[User]],
    communes: list[Unit],
    rng: random.Random,
    fake: Faker,
    start: datetime,
    steps: int,
    stop_at: str | None = None,
) -> None:
    now = start
    for _ in range(steps):
        if case.stage == stop_at:
            return
        unit = case.transfer_to_unit if case.stage == "transfer_pending" else case.unit
        users = users_by_unit.get(unit.code, []) + users_by_unit.get(DEMO_PROVINCE, [])
        candidates = []
        for user in users:
            for option in options_for(user, case, now):
                if option.allowed and option.event.name not in {
                    o.event.name for o, _ in candidates
                }:
                    candidates.append((option, user))
        if not candidates:
            return
        forward = [c for c in candidates if c[0].event.name.startswith(FORWARD_PREFIXES)]
        pool = forward if forward and rng.random() < 0.85 else candidates
        option, actor = rng.choice(pool)
        if option.event.forced:
            continue
        now = min(
            now + timedelta(days=rng.randint(1, 20)), datetime.now(UTC) - timedelta(minutes=1)
        )
        data = {
            f.name: _field_value(f, rng, fake, now, case, communes)
            for f in option.fields
            if f.required or rng.random() < 0.5
        }
        if not acting_permissions(actor, case, option.event.name):
            continue
        try:
            fire(session, actor, case, option.event.name, data, now=now)
        except (WorkflowRefused, DomainError):
            continue


def build_demo_world(session: Session, cases: int = 500, seed: int = 2026) -> DemoWorld:
    """Create the demo units, users and cases in ``session`` (the caller commits).

    :raise DemoError: the database already holds users or cases.
    """
    if session.scalar(select(func.count()).select_from(User)) or session.scalar(
        select(func.count()).select_from(Case)
    ):
        raise DemoError(
            "the database already holds users or cases: the demo fills only an empty database"
        )
    rng = random.Random(seed)
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    world = DemoWorld()
    province, *communes = _ensure_units(session)
    users_by_unit = _users(session, province, communes, world)
    for i in range(cases):
        _demo_case(
            session,
            world,
            users_by_unit,
            communes,
            rng,
            fake,
            i,
            CASE_TYPES[i % len(CASE_TYPES)],
            rng.randint(0, 14),
        )
        if i % 50 == 49:
            session.flush()
    # Top up so every stage of every type appears at least once (bounded attempts).
    for case_type in CASE_TYPES:
        for stage in (s.name for s in workflows.get_workflow(case_type).stages):
            for attempt in range(40):
                if world.seen.get((case_type, stage)):
                    break
                _demo_case(
                    session,
                    world,
                    users_by_unit,
                    communes,
                    rng,
                    fake,
                    attempt,
                    case_type,
                    40,
                    stop_at=stage,
                )
    return world


def _demo_case(
    session: Session,
    world: DemoWorld,
    users_by_unit: dict[str, list[User]],
    communes: list[Unit],
    rng: random.Random,
    fake: Faker,
    i: int,
    case_type: str,
    steps: int,
    stop_at: str | None = None,
) -> None:
    commune = communes[0] if i % 5 < 2 else communes[1] if i % 5 < 4 else rng.choice(communes[2:])
    opener = (users_by_unit.get(commune.code) or users_by_unit[DEMO_PROVINCE])[0]
    start = datetime.now(UTC) - timedelta(days=rng.randint(3, 540))
    body: dict[str, Any] = {
        "case_type": case_type,
        "unit": commune.code,
        "person": _fake_person(fake, rng, case_type),
        "opened_on": start.date(),
        "referral_source": rng.choice(
            ["commune", "police", "rehab_centre", "prison", "womens_union", "family"]
        ),
    }
    if case_type == "post_prison":
        body["release_date"] = (start - timedelta(days=rng.randint(1, 10))).date()
        body["sentence_months"] = rng.choice([18, 36, 60, 84, 120])
    case, _ = open_case(session, opener, body, now=start)
    _walk(session, case, users_by_unit, communes, rng, fake, start, steps, stop_at)
    world.stages[case.stage] = world.stages.get(case.stage, 0) + 1
    for stage in session.scalars(select(CaseEvent.to_stage).where(CaseEvent.case_id == case.id)):
        world.seen[(case_type, stage)] = True
    world.cases += 1
