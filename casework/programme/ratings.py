"""Commune ratings: a commune's yearly self-assessment against the rating criteria ("xã,
phường, thị trấn làm tốt công tác phòng, chống tệ nạn ma túy, mại dâm"), hotspots ("trọng
điểm"), and the review by the district or province above it.

The criteria, their points and the threshold of a good rating are data
(``rating_criteria``, ``rating_results`` in programme-vocabulary.json). A commune assesses
itself (``programme.record`` at the commune) and may correct its assessment until it is
reviewed; a reviewer holds ``programme.review`` at a unit strictly above the commune.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.access.scoping import path_condition, scope_paths, unit_in_scope
from casework.audit import trail
from casework.errors import Conflict, Forbidden, Invalid, NotFound
from casework.model_base import utcnow, vietnam_today
from casework.programme.activities import RECORD, require_reader
from casework.programme.models import CommuneRating
from casework.programme.vocabulary import vocabulary
from casework.units.loader import current_unit_for
from casework.units.models import CURRENT_TREE, Unit

REVIEW = "programme.review"
FIRST_YEAR = 2020


def result_for(total: int) -> str:
    """The rating a total earns (the highest threshold it reaches)."""
    for result in sorted(vocabulary()["rating_results"], key=lambda r: -r["min_points"]):
        if total >= result["min_points"]:
            return result["code"]
    return "not_yet"


def commune(session: Session, user: Any, code: str) -> Unit:
    """The commune ``code`` in the caller's reading scope.

    :raise Forbidden: the caller reads programme work nowhere.
    :raise NotFound: unknown, not a commune, or outside the caller's scope.
    """
    paths = require_reader(user)
    unit = current_unit_for(session, code)
    if unit is None or unit.kind != "commune" or not any(unit.path.startswith(p) for p in paths):
        raise NotFound()
    return unit


def ratings_of(session: Session, unit: Unit) -> list[CommuneRating]:
    return list(session.scalars(
        select(CommuneRating).where(CommuneRating.unit_id == unit.id)
        .order_by(CommuneRating.year.desc())))


def _check_scores(scores: dict[str, int]) -> int:
    criteria = {c["code"]: c["max_points"] for c in vocabulary()["rating_criteria"]}
    errors: dict[str, list[str]] = {}
    for code, points in scores.items():
        if code not in criteria:
            errors[f"scores.{code}"] = [_("Not a rating criterion.")]
        elif not 0 <= points <= criteria[code]:
            errors[f"scores.{code}"] = [_("Between 0 and %(n)s points.", n=criteria[code])]
    missing = sorted(set(criteria) - set(scores))
    for code in missing:
        errors[f"scores.{code}"] = [_("Give the points of every criterion.")]
    if errors:
        raise Invalid(errors=errors)
    return sum(scores.values())


def self_assess(session: Session, actor: Any, unit: Unit, data: dict[str, Any]
                ) -> CommuneRating:
    """The commune's self-assessment of a year (a correction while it is not yet reviewed).

    :raise Forbidden: the actor does not record programme work at this commune.
    :raise Invalid: a year out of range, unknown criteria or points out of range.
    :raise Conflict: the year's rating was already reviewed.
    """
    if not unit_in_scope(actor, unit, RECORD):
        raise Forbidden()
    year = data["year"]
    if not FIRST_YEAR <= year <= vietnam_today().year:
        raise Invalid(errors={"year": [_("Between %(a)s and this year.", a=FIRST_YEAR)]})
    total = _check_scores(data["scores"])
    rating = session.scalar(select(CommuneRating).where(
        CommuneRating.unit_id == unit.id, CommuneRating.year == year))
    if rating is not None and rating.status == "reviewed":
        raise Conflict(_("This year's rating was already reviewed."))
    if rating is None:
        rating = CommuneRating(unit_id=unit.id, unit=unit, year=year)
        session.add(rating)
    rating.scores = dict(sorted(data["scores"].items()))
    rating.total = total
    rating.self_result = result_for(total)
    rating.hotspots = sorted(set(data.get("hotspots", [])))
    rating.no_social_evils = bool(data.get("no_social_evils", False))
    rating.status = "self_assessed"
    rating.assessed_by_id = actor.id
    rating.assessed_at = utcnow()
    session.flush()
    trail.record(session, "rating.self_assess", actor=actor, object_type="commune_rating",
                 object_id=rating.id, unit_path=unit.path, year=year, result=rating.self_result)
    return rating


def review(session: Session, actor: Any, unit: Unit, year: int, data: dict[str, Any]
           ) -> CommuneRating:
    """The district's or province's review of a commune's self-assessment.

    :raise Forbidden: the actor holds ``programme.review`` at no unit strictly above it.
    :raise NotFound: the commune has not assessed that year.
    """
    above = [p for p in scope_paths(actor, REVIEW) if unit.path.startswith(p) and p != unit.path]
    if not above:
        raise Forbidden()
    rating = session.scalar(select(CommuneRating).where(
        CommuneRating.unit_id == unit.id, CommuneRating.year == year))
    if rating is None:
        raise NotFound()
    rating.status = "reviewed"
    rating.reviewed_result = data["result"]
    rating.reviewed_hotspots = sorted(set(data.get("hotspots", rating.hotspots)))
    rating.reviewed_by_id = actor.id
    rating.reviewed_at = utcnow()
    session.flush()
    trail.record(session, "rating.review", actor=actor, object_type="commune_rating",
                 object_id=rating.id, unit_path=unit.path, year=year, result=data["result"],
                 changed=data["result"] != rating.self_result)
    return rating


def rating_summary(session: Session, user: Any, code: str, year: int) -> dict[str, Any]:
    """For a unit's subtree and a year: communes, self-assessed, reviewed, rated well (as
    reviewed), hotspots per topic, residential areas without social evils.

    :raise Forbidden, NotFound: as ``require_reader`` / out of scope.
    """
    paths = require_reader(user)
    unit = current_unit_for(session, code)
    if unit is None or not any(unit.path.startswith(p) for p in paths):
        raise NotFound()
    inside = path_condition(Unit.path, [unit.path])
    communes = session.scalar(select(func.count()).select_from(Unit).where(
        Unit.tree == CURRENT_TREE, Unit.kind == "commune", Unit.valid_to.is_(None), inside))
    rows = session.scalars(select(CommuneRating).join(Unit, CommuneRating.unit_id == Unit.id)
                           .where(inside, CommuneRating.year == year)).all()
    reviewed = [r for r in rows if r.status == "reviewed"]
    good = sum(1 for r in reviewed if r.reviewed_result == "good")
    hotspots: dict[str, int] = {}
    for r in rows:
        for topic in (r.reviewed_hotspots if r.status == "reviewed" else r.hotspots) or []:
            hotspots[topic] = hotspots.get(topic, 0) + 1
    return {
        "unit": unit.code,
        "year": year,
        "communes": int(communes or 0),
        "self_assessed": len(rows),
        "reviewed": len(reviewed),
        "rated_good": good,
        "share_rated_good": round(good / communes, 4) if communes else None,
        "hotspots": dict(sorted(hotspots.items())),
        "without_social_evils": sum(1 for r in rows if r.no_social_evils),
    }


def ratings_in_scope(session: Session, user: Any, year: int) -> list[CommuneRating]:
    """Every rating of a year in the caller's reading scope, by commune name."""
    paths = require_reader(user)
    return list(session.scalars(
        select(CommuneRating).join(Unit, CommuneRating.unit_id == Unit.id)
        .where(path_condition(Unit.path, paths), CommuneRating.year == year)
        .order_by(Unit.name)))


def may_review(user: Any, unit: Unit) -> bool:
    return any(unit.path.startswith(p) and p != unit.path for p in scope_paths(user, REVIEW))
