"""A small world for statistics, built with the real operations on a frozen clock.

Six cases in Hà Nội (01): communes Ba Đình (00004) and Ngọc Hà (00008). Times are 03:00 UTC
(10:00 in Vietnam) unless said otherwise, so the Vietnamese day is the UTC day.

A  trafficking   00004  female, born 2008 (17: <18)   opened 2025-01-06
   consent 01-06 · verified 01-08 (in time: due 01-09) · assessed 01-10 · counselling 01-15 ·
   schooling 02-03 · skipped to vocational training 02-05 · training completed 04-10 (job
   placement) · job found 04-20 (loan referral; due 05-20, overdue at the end of 2025)
   support: vocational training (completed 04-09), job started 04-12 kept 3 months (not 6),
   loan referred 04-21 approved 30,000,000 đ; one counselling note 01-20
B  post-prison   00004  male, born 1990 (35: 30-44)   opened Thu 2025-01-09
   address checked 01-15 (late: 3 working days → due Tue 01-14) · received 01-20 (assessed) ·
   suspended (lost contact) 02-10 · resumed 03-01 · transfer requested 03-05 → accepted by
   Ngọc Hà 03-07 · counselling 04-02 (in 00008) · re-offence 05-05 (overdue: due 05-02)
   support: identity papers planned 01-20 referred 01-25
C  post-rehab    00008  male, born 1999 (26: 18-29)   opened 2025-02-03
   verified 02-04 (in time) · assessed 02-10 · counselling 02-12 · relapse 2025-03-31 18:00 UTC
   (= 1 April in Vietnam, so April / Q2) · closure requested (reintegrated) 06-02 · closed 06-05
   support: psychological planned 02-10 (not connected); counselling notes 02-15, 03-01
D  sex work exit 00008  female, no birth year (unknown) opened 2025-04-01
   consent 04-02 · assessed 04-03 · closure requested (declined support) 07-01 · closed 07-02
   support: essentials declined (not a need)
E  trafficking   00004  female, born 1980             opened 2024-12-30
   consent 2024-12-30 · verified 2025-01-02 (in time: 3 days) · stays verified (overdue)
F  post-prison   00004  male, born 1960 (65: 45+)     opened 2025-07-10, nothing since (overdue)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from casework.accounts.models import User
from casework.cases.models import Case
from casework.cases.operations import open_case
from casework.cases.transitions import fire
from casework.extensions import db
from tests.conftest import World


def at(month: int, day: int, year: int = 2025, hour: int = 3) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class StatsWorld:
    world: World
    cases: dict[str, uuid.UUID] = field(default_factory=dict)


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _open(name: str, case_type: str, unit: str, person: dict[str, Any], when: datetime) -> Case:
    case, _ = open_case(db.session, _user(name),
                        {"case_type": case_type, "unit": unit, "person": person,
                         "opened_on": when.date()}, now=when)
    return case


def _fire(case: Case, who: str, event: str, when: datetime, **data: Any) -> None:
    fire(db.session, _user(who), case, event, data, now=when)


def build_stats_world(world: World) -> StatsWorld:
    from casework.services.models import CaseNote, SupportItem

    out = StatsWorld(world)
    with world.app.app_context():
        a = _open("worker_a", "trafficking_victim", "00004",
                  {"full_name": "Nguyễn Thị A", "sex": "female", "date_of_birth": date(2008, 5, 1)},
                  at(1, 6))
        _fire(a, "worker_a", "record_consent", at(1, 6, hour=4), consent_date="2025-01-06")
        _fire(a, "worker_a", "verify", at(1, 8), victim_status="confirmed")
        _fire(a, "worker_a", "assess", at(1, 10), plan="kế hoạch")
        _fire(a, "worker_a", "start_counselling", at(1, 15))
        _fire(a, "worker_a", "complete_counselling", at(2, 3))
        _fire(a, "worker_a", "skip_schooling", at(2, 5), reason="đã tốt nghiệp")
        _fire(a, "worker_a", "complete_vocational_training", at(4, 10))
        _fire(a, "worker_a", "complete_job_placement", at(4, 20))

        b = _open("worker_a", "post_prison", "00004",
                  {"full_name": "Trần Văn B", "sex": "male", "date_of_birth": date(1990, 3, 3)},
                  at(1, 9))
        _fire(b, "worker_a", "check_address", at(1, 15), checked_on="2025-01-15")
        _fire(b, "worker_a", "receive", at(1, 20), plan="kế hoạch")
        _fire(b, "worker_a", "suspend", at(2, 10), suspension_reason="lost_contact")
        _fire(b, "worker_a", "resume", at(3, 1))
        _fire(b, "worker_a", "request_transfer", at(3, 5), to_unit="00008")
        _fire(b, "supervisor_b", "accept_transfer", at(3, 7))
        _fire(b, "worker_b", "start_counselling", at(4, 2))
        _fire(b, "worker_b", "reoffend", at(5, 5), finding_authority="Công an",
              finding_document="QĐ 1", finding_date="2025-05-04")

        c = _open("worker_b", "post_rehab", "00008",
                  {"full_name": "Lê Văn C", "sex": "male", "date_of_birth": date(1999, 7, 7)},
                  at(2, 3))
        _fire(c, "worker_b", "verify", at(2, 4), rehab_kind="voluntary",
              rehab_completion_date="2024-01-15")
        _fire(c, "worker_b", "assess", at(2, 10), plan="kế hoạch")
        _fire(c, "worker_b", "start_counselling", at(2, 12))
        _fire(c, "worker_b", "relapse", datetime(2025, 3, 31, 18, tzinfo=UTC),
              finding_authority="Công an", finding_document="KL 2", finding_date="2025-03-30")
        _fire(c, "worker_b", "request_closure", at(6, 2), closure_reason="reintegrated",
              completion_certificate="GCN 3")
        _fire(c, "supervisor_b", "approve_closure", at(6, 5))

        d = _open("worker_b", "sex_work_exit", "00008", {"sex": "female"}, at(4, 1))
        _fire(d, "worker_b", "record_consent", at(4, 2), consent_date="2025-04-02")
        _fire(d, "worker_b", "assess", at(4, 3), plan="kế hoạch")
        _fire(d, "worker_b", "request_closure", at(7, 1), closure_reason="declined_support")
        _fire(d, "supervisor_b", "approve_closure", at(7, 2))

        e = _open("worker_a", "trafficking_victim", "00004",
                  {"full_name": "Phạm Thị E", "sex": "female", "date_of_birth": date(1980, 1, 1)},
                  at(12, 30, year=2024))
        _fire(e, "worker_a", "record_consent", at(12, 30, year=2024, hour=5),
              consent_date="2024-12-30")
        _fire(e, "worker_a", "verify", at(1, 2), victim_status="confirmed")

        f = _open("worker_a", "post_prison", "00004",
                  {"full_name": "Đỗ Văn F", "sex": "male", "date_of_birth": date(1960, 2, 2)},
                  at(7, 10))

        def item(case: Case, kind: str, status: str, planned: date, **kw: Any) -> None:
            db.session.add(SupportItem(case_id=case.id, kind=kind, status=status,
                                       planned_on=planned, **kw))

        item(a, "vocational_training", "completed", date(2025, 2, 1),
             referred_on=date(2025, 2, 2), started_on=date(2025, 2, 5),
             ended_on=date(2025, 4, 9), training_result="completed")
        item(a, "job_placement", "in_progress", date(2025, 4, 10), started_on=date(2025, 4, 12),
             kept_3_months=True, kept_6_months=False)
        item(a, "loan", "referred", date(2025, 4, 20), referred_on=date(2025, 4, 21),
             loan_status="approved", amount_vnd=30_000_000)
        item(b, "identity_papers", "referred", date(2025, 1, 20), referred_on=date(2025, 1, 25))
        item(c, "psychological", "planned", date(2025, 2, 10))
        item(d, "essentials", "declined", date(2025, 4, 3), ended_on=date(2025, 4, 5))
        db.session.add(CaseNote(case_id=a.id, kind="counselling_psychological",
                                occurred_on=date(2025, 1, 20)))
        for day in (date(2025, 2, 15), date(2025, 3, 1)):
            db.session.add(CaseNote(case_id=c.id, kind="counselling_legal", occurred_on=day))
        db.session.add(CaseNote(case_id=c.id, kind="home_visit", occurred_on=date(2025, 2, 20)))
        db.session.commit()
        out.cases = {"A": a.id, "B": b.id, "C": c.id, "D": d.id, "E": e.id, "F": f.id}
        db.session.remove()
    return out


@pytest.fixture()
def stats_world(world: World) -> StatsWorld:
    return build_stats_world(world)
