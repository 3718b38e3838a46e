"""Finding people by national ID or phone through the blind index, and searching for them.

The blind index narrows the search to a few candidate rows (16 bits: many unrelated people share
a value); each candidate is decrypted and compared exactly, so false positives never reach the
caller. What the caller is then told about each exact match — described, or only "a possible
match exists; ask your supervisor" — is decided by ``casework.people.disclosure``, the one rule
every lookup path goes through (need-to-know included), which also audits identity probes.

``find_people`` answers one question (a form, the search page); ``find_people_many`` answers a
whole list's (an import) with a few ``IN`` queries instead of one query per row. Both run the
same code, so a row of an imported list is checked exactly as the same person typed in a form.
``search_people`` is the user's search action: a lookup audited as a search.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.row_security import identity_lookup
from casework.audit import trail
from casework.cases.models import Case
from casework.crypto.blind import normalise_national_id, normalise_phone
from casework.people.disclosure import IN_CHUNK, SearchResult, check_path, disclose
from casework.people.models import Person


@dataclass(frozen=True)
class Lookup:
    """One person to look for: a national ID and/or a phone, as typed (normalised here)."""

    national_id: str | None = None
    phone: str | None = None


def _chunks(values: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), IN_CHUNK):
        yield list(values[start : start + IN_CHUNK])


def _candidates(session: Session, id_indexes: set[int], phone_indexes: set[int]) -> list[Case]:
    """Every case whose person falls in one of the blind-index buckets, in the order found.

    In scope or not: a match elsewhere is counted (never described), so on PostgreSQL the
    database is told to admit exactly these buckets' people and cases for the query.
    """
    found: dict[uuid.UUID, Case] = {}
    pairs = zip_longest(_chunks(sorted(id_indexes)), _chunks(sorted(phone_indexes)))
    for id_chunk, phone_chunk in pairs:
        conditions = []
        if id_chunk:
            conditions.append(Person.national_id_bi.in_(id_chunk))
        if phone_chunk:
            conditions.append(Person.phone_bi.in_(phone_chunk))
        query = select(Case).join(Person, Case.person_id == Person.id).where(or_(*conditions))
        with identity_lookup(session, id_chunk or (), phone_chunk or ()):
            for case in session.scalars(query).unique():
                found.setdefault(case.id, case)
    return list(found.values())


def _exact(value: str | None, normalise: Any) -> str | None:
    """The value compared exactly; ``None`` when there is nothing to compare ("N/A", "")."""
    if not value:
        return None
    return normalise(str(value)) or None


def find_people_many(
    session: Session,
    user: Actor,
    lookups: Sequence[Lookup],
    *,
    via: str,
    exclude_person: uuid.UUID | None = None,
) -> list[SearchResult]:
    """For each lookup, in order: its exact matches as the caller may be told of them.

    The buckets of every lookup are fetched together (``IN`` over the 16-bit values), each
    candidate is decrypted once and indexed by its normalised ID and phone, and each lookup then
    keeps only exact matches: a bucket shared by chance never counts as a match. ``disclose``
    then describes the matches the caller may see and only mentions the others, auditing probes
    of hidden identities under ``via`` (one of ``disclosure.LOOKUP_PATHS``).

    :raise ValueError: ``via`` names no known lookup path.
    """
    check_path(via)
    wanted = [
        (
            _exact(lookup.national_id, normalise_national_id),
            _exact(lookup.phone, normalise_phone),
        )
        for lookup in lookups
    ]
    id_indexes = {
        index
        for national_id, _phone in wanted
        if national_id and (index := Person.national_id.blind_index_of(national_id)) is not None
    }
    phone_indexes = {
        index
        for _national_id, phone in wanted
        if phone and (index := Person.phone.blind_index_of(phone)) is not None
    }
    if not id_indexes and not phone_indexes:
        return disclose(session, user, [[] for _ in lookups], via=via)
    by_id: dict[str, list[Case]] = {}
    by_phone: dict[str, list[Case]] = {}
    order: dict[uuid.UUID, int] = {}
    for position, case in enumerate(_candidates(session, id_indexes, phone_indexes)):
        if exclude_person is not None and case.person_id == exclude_person:
            continue
        order[case.id] = position
        person = case.person
        if person.national_id_bi in id_indexes and (
            stored := _exact(person.national_id, normalise_national_id)
        ):
            by_id.setdefault(stored, []).append(case)
        if person.phone_bi in phone_indexes and (stored := _exact(person.phone, normalise_phone)):
            by_phone.setdefault(stored, []).append(case)
    matches: list[list[tuple[Case, list[str]]]] = []
    for national_id, phone in wanted:
        matched: dict[uuid.UUID, tuple[Case, list[str]]] = {}
        for case in by_id.get(national_id, []) if national_id else []:
            matched[case.id] = (case, ["national_id"])
        for case in by_phone.get(phone, []) if phone else []:
            matched.setdefault(case.id, (case, []))[1].append("phone")
        matches.append(sorted(matched.values(), key=lambda item: order[item[0].id]))
    return disclose(session, user, matches, via=via)


def find_people(
    session: Session,
    user: Actor,
    *,
    via: str,
    national_id: str | None = None,
    phone: str | None = None,
    exclude_person: uuid.UUID | None = None,
) -> SearchResult:
    """Exact matches on national ID and/or phone, as the caller may be told of them.

    :raise ValueError: ``via`` names no known lookup path.
    """
    lookup = Lookup(national_id=national_id, phone=phone)
    return find_people_many(session, user, [lookup], via=via, exclude_person=exclude_person)[0]


def search_people(
    session: Session,
    user: Actor,
    *,
    via: str,
    national_id: str | None = None,
    phone: str | None = None,
) -> SearchResult:
    """A user searching for a person by national ID and/or phone; audited as a search.

    The audit entry names the fields searched by and what the answer said (how many cases were
    described, whether a possible match was only mentioned), never the values.

    :raise Forbidden: the caller may search for people nowhere.
    """
    from casework.cases.operations import require_any

    require_any(user, "people.search")
    result = find_people(session, user, via=via, national_id=national_id, phone=phone)
    trail.record(
        session,
        "people.search",
        actor=user,
        via=via,
        by=[name for name, value in (("national_id", national_id), ("phone", phone)) if value],
        matches=len(result.described),
        undisclosed=result.undisclosed,
    )
    return result
