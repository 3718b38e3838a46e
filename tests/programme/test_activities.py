"""Communication, training and campaign activities: recorded by a commune, counted for the
province's report (people reached per kind, campaign days, share of communes holding one)."""

from __future__ import annotations

from datetime import timedelta

from casework.model_base import vietnam_today
from casework.programme.models import Activity
from tests.services.conftest import count

TODAY = vietnam_today()


def activity(**extra):
    return {
        "unit": "00004",
        "kind": "communication",
        "topic": "drugs",
        "title": "Tuyên truyền phòng, chống ma túy tại tổ dân phố",
        "held_on": TODAY.isoformat(),
        "members_reached": 120,
        "officials_reached": 8,
        **extra,
    }


def test_a_worker_records_a_campaign_day_and_reads_it_back(world):
    worker = world.client_for("worker_a")
    response = worker.post(
        "/api/v1/activities", json=activity(kind="campaign", campaign_day="trafficking_0730")
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["unit"], body["campaign_day"], body["members_reached"]) == (
        "00004", "trafficking_0730", 120,
    )
    assert worker.get(f"/api/v1/activities/{body['id']}").status_code == 200
    assert [a["id"] for a in worker.get("/api/v1/activities").get_json()] == [body["id"]]


def test_impossible_counts_and_dates_are_refused_naming_the_field_and_nothing_is_written(world):
    worker = world.client_for("worker_a")
    for bad, field in (
        ({"members_reached": -1}, "members_reached"),
        ({"officials_reached": 10_001}, "officials_reached"),
        ({"members_reached": 100_001}, "members_reached"),
        ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, "held_on"),
        ({"kind": "campaign"}, "campaign_day"),
        ({"campaign_day": "hiv_1201"}, "campaign_day"),  # on a communication activity
        ({"kind": "picnic"}, "kind"),
        ({"topic": "x"}, "topic"),
    ):
        response = worker.post("/api/v1/activities", json=activity(**bad))
        assert response.status_code == 422, bad
        assert field in response.get_json()["errors"], (bad, response.get_json())
    assert count(world, Activity) == 0


def test_a_worker_records_only_in_their_own_commune_and_reads_only_their_subtree(world):
    worker_b = world.client_for("worker_b")
    response = worker_b.post("/api/v1/activities", json=activity(unit="00004"))
    assert response.status_code == 422 and "unit" in response.get_json()["errors"]
    mine = world.client_for("worker_a").post("/api/v1/activities", json=activity()).get_json()
    assert worker_b.get(f"/api/v1/activities/{mine['id']}").status_code == 404
    assert worker_b.get("/api/v1/activities").get_json() == []
    province = world.client_for("supervisor_province")
    assert [a["id"] for a in province.get("/api/v1/activities").get_json()] == [mine["id"]]


def test_roles_without_programme_work_neither_record_nor_read(world):
    for username in ("administrator", "auditor"):
        api = world.client_for(username)
        assert api.post("/api/v1/activities", json=activity(unit="01")).status_code == 403
        assert api.get("/api/v1/activities").status_code == 403
    statistician = world.client_for("statistician")
    assert statistician.post("/api/v1/activities", json=activity(unit="01")).status_code == 403
    assert statistician.get("/api/v1/activities").status_code == 200


def test_the_province_report_counts_people_reached_and_the_share_of_communes_holding_one(world):
    worker_a = world.client_for("worker_a")
    worker_a.post("/api/v1/activities", json=activity())
    worker_a.post("/api/v1/activities", json=activity(
        kind="campaign", campaign_day="drugs_0626", members_reached=300, officials_reached=0))
    worker_a.post("/api/v1/activities", json=activity(
        kind="training", topic="reintegration", members_reached=0, officials_reached=25))
    world.client_for("worker_hcm").post("/api/v1/activities", json=activity(unit="26734"))
    report = world.client_for("statistician").get(
        "/api/v1/activities/report", query_string={"unit": "01", "period": str(TODAY.year)}
    )
    assert report.status_code == 200, report.get_json()
    body = report.get_json()
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert kinds["communication"] == {
        "kind": "communication", "activities": 1, "members_reached": 120, "officials_reached": 8,
    }
    assert kinds["training"]["officials_reached"] == 25
    assert body["campaign_days"] == [{"campaign_day": "drugs_0626", "activities": 1, "units": 1}]
    # Hà Nội has two communes in the test world; one held activities (HCM's is not counted)
    assert (body["communes"], body["communes_holding_activity"]) == (2, 1)
    assert body["share_communes_holding_activity"] == 0.5


def test_a_commune_cannot_read_the_report_of_another_province(world):
    response = world.client_for("supervisor_a").get(
        "/api/v1/activities/report", query_string={"unit": "79", "period": "2026"}
    )
    assert response.status_code == 404
    bad = world.client_for("supervisor_a").get(
        "/api/v1/activities/report", query_string={"unit": "00004", "period": "soon"}
    )
    assert bad.status_code == 422 and "period" in bad.get_json()["errors"]
