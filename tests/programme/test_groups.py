"""Clubs, peer and self-help groups: members who are cases of the group's area or only
contacts, shown as need-to-know allows; meetings with attendance; counts for the report."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from casework.extensions import db
from casework.model_base import vietnam_today
from casework.programme.models import GroupMeeting, GroupMember
from tests.services.conftest import count, open_case

TODAY = vietnam_today()


def found(api, **extra):
    body = {"unit": "00004", "kind": "peer_group", "name": "Nhóm đồng đẳng Ba Đình", **extra}
    response = api.post("/api/v1/groups", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def meeting(**extra):
    return {"held_on": TODAY.isoformat(), "topic": "reintegration", "members_present": 2,
            **extra}


def test_a_worker_founds_a_group_adds_a_case_and_a_contact_and_records_a_meeting(world):
    worker = world.client_for("worker_a")
    group = found(worker)
    case = open_case(worker)
    assert worker.post(f"/api/v1/groups/{group['id']}/members",
                       json={"case": case["id"]}).status_code == 201
    contact = worker.post(f"/api/v1/groups/{group['id']}/members",
                          json={"contact_name": "Trần Văn Bình", "role": "leader"})
    assert contact.status_code == 201 and contact.get_json()["name"] == "Trần Văn Bình"
    response = worker.post(f"/api/v1/groups/{group['id']}/meetings", json=meeting())
    assert response.status_code == 201, response.get_json()
    summary = worker.get(f"/api/v1/groups/{group['id']}").get_json()
    assert (summary["active_members"], summary["meetings"]) == (2, 1)
    assert summary["last_meeting"] == TODAY.isoformat()


def test_a_contacts_name_is_encrypted_at_rest(world):
    worker = world.client_for("worker_a")
    group = found(worker)
    worker.post(f"/api/v1/groups/{group['id']}/members", json={"contact_name": "Trần Văn Bình"})
    with world.app.app_context():
        raw = db.session.execute(text("SELECT contact_name_ct FROM group_member")).scalar()
        db.session.remove()
    assert raw and "Bình".encode() not in bytes(raw)


def test_a_member_who_is_a_case_is_shown_by_reference_where_the_caller_may_not_identify_it(
    world,
):
    worker_a = world.client_for("worker_a")
    supervisor = world.client_for("supervisor_a")
    group = found(supervisor)
    # a trafficking victim's identity is need-to-know: the assigned worker and supervisors only
    victim = open_case(supervisor, case_type="trafficking_victim")
    assert supervisor.post(f"/api/v1/groups/{group['id']}/members",
                           json={"case": victim["id"]}).status_code == 201
    [seen_by_supervisor] = supervisor.get(f"/api/v1/groups/{group['id']}/members").get_json()
    assert seen_by_supervisor["name"] == "Nguyễn Thị Hoa"
    [seen_by_worker] = worker_a.get(f"/api/v1/groups/{group['id']}/members").get_json()
    assert seen_by_worker["reference"] == victim["reference"]
    assert seen_by_worker["name"] is None and seen_by_worker["masked"] is True


def test_a_case_outside_the_group_area_or_the_callers_scope_is_refused_on_the_case_field(world):
    worker_a = world.client_for("worker_a")
    group = found(worker_a)
    other = open_case(world.client_for("worker_b"), unit="00008")
    province_group = found(world.client_for("supervisor_province"), unit="00008")
    for api, gid, body in (
        (worker_a, group["id"], {"case": other["id"]}),  # out of worker_a's scope
        (world.client_for("supervisor_province"), province_group["id"],
         {"case": open_case(worker_a, national_id="001194022222", phone="0912022222")["id"]}),
        (worker_a, group["id"], {}),  # neither a case nor a contact
    ):
        response = api.post(f"/api/v1/groups/{gid}/members", json=body)
        assert response.status_code == 422, body
        assert "case" in response.get_json()["errors"]
    assert count(world, GroupMember) == 0


def test_a_meeting_of_a_group_in_another_commune_is_not_found_and_nothing_is_written(world):
    group = found(world.client_for("worker_b"), unit="00008")
    response = world.client_for("worker_a").post(
        f"/api/v1/groups/{group['id']}/meetings", json=meeting())
    assert response.status_code == 404
    assert count(world, GroupMeeting) == 0


def test_impossible_attendance_is_refused_naming_the_field(world):
    worker = world.client_for("worker_a")
    group = found(worker)
    worker.post(f"/api/v1/groups/{group['id']}/members", json={"contact_name": "A"})
    for bad, field in (
        ({"members_present": -1}, "members_present"),
        ({"members_present": 1001}, "members_present"),
        ({"members_present": 2}, "members_present"),  # the group has one member
        ({"others_present": -3}, "others_present"),
        ({"held_on": (TODAY + timedelta(days=2)).isoformat()}, "held_on"),
    ):
        response = worker.post(f"/api/v1/groups/{group['id']}/meetings", json=meeting(**bad))
        assert response.status_code == 422, bad
        assert field in response.get_json()["errors"], (bad, response.get_json())
    assert count(world, GroupMeeting) == 0


def test_a_statistician_counts_groups_but_never_reads_members(world):
    worker = world.client_for("worker_a")
    group = found(worker)
    worker.post(f"/api/v1/groups/{group['id']}/members", json={"contact_name": "A"})
    worker.post(f"/api/v1/groups/{group['id']}/meetings", json=meeting(members_present=1))
    stat = world.client_for("statistician")
    assert stat.get(f"/api/v1/groups/{group['id']}/members").status_code == 403
    assert stat.post(f"/api/v1/groups/{group['id']}/meetings", json=meeting()).status_code == 403
    assert stat.get("/api/v1/groups").get_json()[0]["active_members"] == 1
    report = stat.get("/api/v1/groups/report",
                      query_string={"unit": "01", "period": str(TODAY.year)}).get_json()
    assert report["kinds"] == [{"kind": "peer_group", "groups": 1, "members": 1, "meetings": 1,
                                "members_present": 1}]
    for username in ("administrator", "auditor"):
        assert world.client_for(username).get("/api/v1/groups").status_code == 403


def test_a_member_leaves_and_is_no_longer_counted(world):
    worker = world.client_for("worker_a")
    group = found(worker)
    member = worker.post(f"/api/v1/groups/{group['id']}/members",
                         json={"contact_name": "A"}).get_json()
    left = worker.post(f"/api/v1/groups/{group['id']}/members/{member['id']}/leave", json={})
    assert left.status_code == 200 and left.get_json()["left_on"] == TODAY.isoformat()
    assert worker.get(f"/api/v1/groups/{group['id']}").get_json()["active_members"] == 0
