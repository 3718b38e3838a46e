"""Finding people by national ID or phone through the blind index, inside the caller's scope.

The blind index narrows the search to a few candidate rows (16 bits: many unrelated people share
a value); each candidate is decrypted and compared exactly, so false positives never reach the
caller. Matches outside the caller's scope are counted, never described.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.access.scoping import case_scope_condition
from casework.cases.models import Case
from casework.crypto.blind import normalise_national_id, normalise_phone
from casework.people.models import Person
from casework.units.models import Unit


@dataclass
class PersonMatch:
    case: Case
    matched_on: list[str]


@dataclass
class SearchResult:
    in_scope: list[PersonMatch] = field(default_factory=list)
    elsewhere: int = 0


def _candidates(session: Session, national_id: str | None, phone: str | None) -> list[Case]:
    conditions = []
    if national_id:
        conditions.append(Person.national_id.candidates(national_id))
    if phone:
        conditions.append(Person.phone.candidates(phone))
    if not conditions:
        return []
    return list(
        session.scalars(
            select(Case).join(Person, Case.person_id == Person.id).where(or_(*conditions))
        ).unique()
    )


def _matched_fields(person: Person, national_id: str | None, phone: str | None) -> list[str]:
    matched = []
    if national_id and person.national_id and normalise_national_id(
        person.national_id
    ) == normalise_national_id(national_id):
        matched.append("national_id")
    if phone and person.phone and normalise_phone(person.phone) == normalise_phone(phone):
        matched.append("phone")
    return matched


def find_people(
    session: Session,
    user: Any,
    *,
    national_id: str | None = None,
    phone: str | None = None,
    exclude_person: uuid.UUID | None = None,
) -> SearchResult:
    """Exact matches on national ID and/or phone: described in scope, counted elsewhere."""
    result = SearchResult()
    candidates = _candidates(session, national_id, phone)
    if not candidates:
        return result
    visible_ids = set(
        session.scalars(
            select(Case.id)
            .join(Unit, Case.unit_id == Unit.id)
            .where(Case.id.in_([c.id for c in candidates]), case_scope_condition(user))
        )
    )
    for case in candidates:
        if case.person_id == exclude_person:
            continue
        matched = _matched_fields(case.person, national_id, phone)
        if not matched:
            continue  # a blind-index collision, not the same person
        if case.id in visible_ids:
            result.in_scope.append(PersonMatch(case=case, matched_on=matched))
        else:
            result.elsewhere += 1
    return result
