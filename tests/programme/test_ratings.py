"""Commune ratings: a commune assesses itself against the criteria each year; the province
above it reviews; the province reports the share of communes rated well and its hotspots."""

from __future__ import annotations

from casework.model_base import vietnam_today

YEAR = vietnam_today().year
FULL = {"leadership": 15, "communication": 15, "no_new_cases": 20, "management": 20,
        "reintegration": 15, "models": 15}


def assess(api, unit="00004", **extra):
    return api.post(f"/api/v1/units/{unit}/ratings",
                    json={"year": YEAR, "scores": FULL, **extra})


def test_a_commune_assesses_itself_and_the_province_reviews_it(world):
    response = assess(world.client_for("supervisor_a"), hotspots=["drugs"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["total"], body["self_result"], body["status"]) == (100, "good", "self_assessed")
    reviewed = world.client_for("supervisor_province").post(
        f"/api/v1/units/00004/ratings/{YEAR}/review", json={"result": "not_yet"})
    assert reviewed.status_code == 200, reviewed.get_json()
    assert reviewed.get_json()["reviewed_result"] == "not_yet"
    assert reviewed.get_json()["reviewed_hotspots"] == ["drugs"]


def test_a_reviewed_rating_can_no_longer_be_corrected_by_the_commune(world):
    assess(world.client_for("supervisor_a"))
    world.client_for("supervisor_province").post(
        f"/api/v1/units/00004/ratings/{YEAR}/review", json={"result": "good"})
    assert assess(world.client_for("supervisor_a")).status_code == 409


def test_a_commune_cannot_review_itself_nor_a_neighbour_assess_it(world):
    assess(world.client_for("worker_a"))
    assert world.client_for("supervisor_a").post(
        f"/api/v1/units/00004/ratings/{YEAR}/review", json={"result": "good"}
    ).status_code == 403
    assert assess(world.client_for("worker_b")).status_code == 404
    assert world.client_for("worker_hcm").get("/api/v1/units/00004/ratings").status_code == 404


def test_points_out_of_range_or_unknown_criteria_are_refused_naming_the_criterion(world):
    api = world.client_for("supervisor_a")
    response = assess(api, scores={**FULL, "leadership": 16, "charm": 3})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "scores.leadership" in errors and "scores.charm" in errors
    missing = assess(api, scores={"leadership": 10})
    assert missing.status_code == 422 and "scores.models" in missing.get_json()["errors"]
    future = assess(api, year=YEAR + 1)
    assert future.status_code == 422 and "year" in future.get_json()["errors"]
    assert api.get("/api/v1/units/00004/ratings").get_json() == []


def test_the_province_reports_the_share_of_communes_rated_well_and_its_hotspots(world):
    assess(world.client_for("supervisor_a"), hotspots=["drugs"], no_social_evils=True)
    assess(world.client_for("supervisor_b"), unit="00008",
           scores={**FULL, "no_new_cases": 0, "management": 0})
    province = world.client_for("supervisor_province")
    province.post(f"/api/v1/units/00004/ratings/{YEAR}/review", json={"result": "good"})
    summary = world.client_for("statistician").get(
        "/api/v1/units/01/ratings/summary", query_string={"year": YEAR}).get_json()
    assert summary == {
        "unit": "01", "year": YEAR, "communes": 2, "self_assessed": 2, "reviewed": 1,
        "rated_good": 1, "share_rated_good": 0.5, "hotspots": {"drugs": 1},
        "without_social_evils": 1,
    }
    assert world.client_for("auditor").get(
        "/api/v1/units/01/ratings/summary", query_string={"year": YEAR}).status_code == 403
