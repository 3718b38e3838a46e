"""What a lookup may tell its caller about the cases it found: one rule for every lookup path.

A lookup by something that identifies a person (national ID, phone; names later) can find cases
anywhere in the country. What the caller is told about each is decided here, and only here, for
every path that looks people up — the people search, the caseload's ``q=``, the duplicate
warning at intake and on the new case's page, an import's report — so no path can answer it
differently:

- a case whose identity the caller may see right now (in their scope, and for a need-to-know type
  assigned to them, under their supervision or revealed with a reason: ``may_see_identity``) is
  **described**: its reference, type, stage and worker may be shown and linked;
- every other case — outside the caller's scope, or inside it with the identity hidden by
  need-to-know — is **undisclosed**: the answer only says, yes or no, that a possible match
  exists and to ask a supervisor. No count, reference, type, stage or worker: a hidden case in the
  caller's own commune answers exactly like a case in another province, so typing a known ID or
  phone cannot confirm that someone is, say, a trafficking victim.

A lookup that matches an undisclosed case of a need-to-know type is an **identity probe**: someone
typed the identifiers of a person whose identity is hidden from them. Each is audited
(``identity.probe``: the caller, the case as object, the lookup path and which fields matched —
never the value looked up) and listed to the supervisors above the case, beside break-glass
reveals. Probes of such cases outside the caller's scope are recorded too: a case's supervisors
want to know who elsewhere looks for its person, and both answers then cost the same work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.identity import may_see_identity, need_to_know_types
from casework.access.scoping import case_scope_condition
from casework.audit import trail
from casework.cases.models import Case
from casework.units.models import Unit

#: The audit action of an identity probe; the reveal review lists these beside the reveals.
PROBE_ACTION = "identity.probe"

#: Every lookup path, named in each probe's audit entry (``via``) and on the reveal review.
LOOKUP_PATHS = frozenset(
    {
        "people_search",  # GET /api/v1/people/search
        "caseload_search",  # GET /api/v1/cases?q=…, and the caseload page's search box
        "intake",  # the duplicate warning of POST /api/v1/cases and the intake form
        "intake_page",  # the same warning shown again on the new case's page
        "import",  # an import's per-row report (dry run or commit)
    }
)

#: Values per ``IN`` list, as in the blind-index lookup (far below SQLite's 999 parameters).
IN_CHUNK = 400


@dataclass
class PersonMatch:
    """A case the caller may be told about, and which of the looked-up fields matched it."""

    case: Case
    matched_on: list[str]


@dataclass
class SearchResult:
    """The answer to one lookup, as the caller may receive it.

    ``undisclosed`` is a yes/no on purpose: a count of matches the caller may not see would tell
    one hidden case in their commune from one elsewhere, or from two.
    """

    described: list[PersonMatch] = field(default_factory=list)
    undisclosed: bool = False

    @property
    def found(self) -> bool:
        """Whether the lookup matched anything at all (described or not)."""
        return bool(self.described) or self.undisclosed


def check_path(via: str) -> None:
    """:raise ValueError: ``via`` is not one of ``LOOKUP_PATHS`` (a new path must be named)."""
    if via not in LOOKUP_PATHS:
        raise ValueError(f"unknown lookup path {via!r}: add it to LOOKUP_PATHS")


def _in_scope(session: Session, user: Actor, case_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``case_ids`` lie in the caller's scope (the same SQL condition as every list)."""
    visible: set[uuid.UUID] = set()
    for start in range(0, len(case_ids), IN_CHUNK):
        visible.update(
            session.scalars(
                select(Case.id)
                .join(Unit, Case.unit_id == Unit.id)
                .where(Case.id.in_(case_ids[start : start + IN_CHUNK]), case_scope_condition(user))
            )
        )
    return visible


def disclose(
    session: Session,
    user: Actor,
    found: Sequence[Sequence[tuple[Case, list[str]]]],
    *,
    via: str,
) -> list[SearchResult]:
    """Each lookup's exact matches, as the caller may be told of them, probes audited.

    ``found`` holds, per lookup and in the order to show, the cases that matched exactly and the
    names of the fields that matched (``national_id``, ``phone``…). A case found by several
    lookups of one call (rows of one list) is audited as one probe.

    :raise ValueError: ``via`` is not one of ``LOOKUP_PATHS`` (a new path must be named there).
    """
    check_path(via)
    cases = {case.id: case for matches in found for case, _on in matches}
    in_scope = _in_scope(session, user, sorted(cases))
    hidden_types = need_to_know_types()
    shown = {
        case_id: case_id in in_scope and may_see_identity(session, user, case)
        for case_id, case in cases.items()
    }
    probes: dict[uuid.UUID, set[str]] = {}
    results: list[SearchResult] = []
    for matches in found:
        result = SearchResult()
        for case, matched_on in matches:
            if shown[case.id]:
                result.described.append(PersonMatch(case=case, matched_on=list(matched_on)))
                continue
            result.undisclosed = True
            if case.case_type in hidden_types:
                probes.setdefault(case.id, set()).update(matched_on)
        results.append(result)
    for case_id, fields in probes.items():
        case = cases[case_id]
        trail.record(
            session,
            PROBE_ACTION,
            actor=user,
            object_type="case",
            object_id=case.id,
            unit_path=case.unit.path,
            via=via,
            matched_on=sorted(fields),
        )
    return results
