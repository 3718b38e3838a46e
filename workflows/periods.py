"""Legal periods that decide when a case may close as reintegrated.

Exposed on their own so the app can also show "management ends on …" on a
case page with the same arithmetic the guards use.
"""

from __future__ import annotations

from datetime import date

from workflows.dates import add_years

REHAB_KINDS: tuple[str, ...] = ("voluntary", "substitution", "minor", "compulsory")

MANAGEMENT_YEARS: dict[str, int] = {
    # Law 73/2021 Art 40: 1 year after voluntary rehab, substitution therapy or
    # rehab of a minor; 2 years for adults after compulsory rehab.
    "voluntary": 1,
    "substitution": 1,
    "minor": 1,
    "compulsory": 2,
}


def management_period_end(rehab_kind: str | None, completion: date | None) -> date | None:
    """The last day of post-rehab management, or None when it cannot be known.

    The period starts the day after completion (Civil Code Art 147) and ends on
    the anniversary (Art 148); a case may close as reintegrated on that day.
    """
    years = MANAGEMENT_YEARS.get(rehab_kind or "")
    if years is None or completion is None:
        return None
    return add_years(completion, years)


def clearance_years(sentence_months: int) -> int:
    """Years after release until a record is cleared (Penal Code 2015 Art 70(2)).

    Up to 5 years' prison: 2; over 5 up to 15: 3; over 15 (and life or death
    commuted, which the app records as a long sentence): 5.
    """
    if sentence_months <= 60:
        return 2
    if sentence_months <= 180:
        return 3
    return 5


def record_clearance_date(
    record_cleared_on: date | None, release_date: date | None, sentence_months: int | None
) -> date | None:
    """When the person's criminal record is (or will be) cleared.

    A clearance date recorded from the judicial record certificate wins: the
    computed date ignores supplementary penalties and unpaid obligations that
    can delay clearance. Otherwise release date + 2/3/5 years, as DESIGN.md asks.
    """
    if record_cleared_on is not None:
        return record_cleared_on
    if release_date is None or sentence_months is None:
        return None
    return add_years(release_date, clearance_years(sentence_months))
