"""Moving cases through their workflows over the API: rules, roles, versions and history."""

from __future__ import annotations

from datetime import timedelta

from casework.model_base import vietnam_today
from tests.api.test_cases import open_case


def fire(api, case, event, **fields):
    return api.post(f"/api/v1/cases/{case['id']}/transitions", json={"event": event, **fields})


def ok(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_trafficking_case_walks_from_identification_to_follow_up_and_closure(world):
    worker = world.client_for("worker_a")
    case = open_case(worker, case_type="trafficking_victim")
    today = vietnam_today().isoformat()
    case = ok(fire(worker, case, "record_consent", consent_date=today))
    assert case["consent_given"] is True
    case = ok(fire(worker, case, "verify", victim_status="confirmed"))
    assert case["stage"] == "verified" and case["victim_status"] == "confirmed"
    case = ok(fire(worker, case, "assess", plan="Hỗ trợ tâm lý, học nghề may"))
    case = ok(fire(worker, case, "start_counselling"))
    case = ok(fire(worker, case, "complete_counselling"))
    case = ok(fire(worker, case, "skip_schooling", reason="Đã tốt nghiệp THPT"))
    assert case["stage"] == "vocational_training"
    case = ok(fire(worker, case, "complete_vocational_training"))
    case = ok(fire(worker, case, "skip_job_placement", reason="Tự tìm được việc"))
    case = ok(fire(worker, case, "complete_loan_referral"))
    assert case["stage"] == "follow_up"
    case = ok(fire(worker, case, "request_closure", closure_reason="reintegrated"))
    assert case["stage"] == "closure_requested"
    refused = fire(worker, case, "approve_closure")
    assert refused.status_code == 403
    supervisor = world.client_for("supervisor_a")
    case = ok(fire(supervisor, case, "approve_closure"))
    assert case["stage"] == "closed" and case["closed_on"] == today
    history = worker.get(f"/api/v1/cases/{case['id']}/history").get_json()
    assert [h["to_stage"] for h in history][:3] == ["identified", "identified", "verified"]
    assert history[-1]["event"] == "approve_closure" and history[-1]["actor"] == "supervisor_a"
    skipped = next(h for h in history if h["event"] == "skip_schooling")
    assert skipped["data"]["skipped_stage"] == "schooling"
    assert skipped["texts"] == {"reason": "Đã tốt nghiệp THPT"}


def test_verification_without_consent_is_refused_with_a_readable_message(world):
    worker = world.client_for("worker_a")
    case = open_case(worker, case_type="trafficking_victim")
    response = fire(worker, case, "verify", victim_status="confirmed")
    assert response.status_code == 422
    assert response.get_json()["code"] == "guard_refused"
    assert "đồng ý" in response.get_json()["message"]


def test_missing_fields_are_named(world):
    worker = world.client_for("worker_a")
    case = open_case(worker)
    response = fire(worker, case, "verify")
    assert response.status_code == 422
    assert {"rehab_kind", "rehab_completion_date"} <= set(response.get_json()["errors"])


def test_an_event_from_the_wrong_stage_is_a_conflict(world):
    worker = world.client_for("worker_a")
    case = open_case(worker)
    response = fire(worker, case, "start_counselling")
    assert response.status_code == 409


def test_a_stale_version_is_refused_and_nothing_changes(world):
    worker = world.client_for("worker_a")
    case = open_case(worker, case_type="sex_work_exit")
    options = worker.get(f"/api/v1/cases/{case['id']}/transitions").get_json()
    first = next(o for o in options if o["allowed"])
    body = {
        f["name"]: "2026-01-01" if f["kind"] == "date" else (f["choices"] or ["x"])[0]
        for f in first["fields"]
        if f["required"]
    }
    assert fire(worker, case, first["event"], version=1, **body).status_code == 200
    again = fire(worker, case, first["event"], version=1, **body)
    assert again.status_code == 409
    history = worker.get(f"/api/v1/cases/{case['id']}/history").get_json()
    assert len(history) == 2


def test_transitions_lists_only_what_this_caller_may_do(world):
    worker = world.client_for("worker_a")
    case = open_case(worker, case_type="trafficking_victim")
    options = {
        o["event"]: o for o in worker.get(f"/api/v1/cases/{case['id']}/transitions").get_json()
    }
    assert "record_consent" in options and options["verify"]["allowed"] is False
    assert options["verify"]["refusal"]
    assert "correct_stage" not in options  # a supervisor override
    stats = world.client_for("statistician")
    assert stats.get(f"/api/v1/cases/{case['id']}/transitions").status_code == 404


def test_a_transfer_waits_for_the_receiving_supervisor(world):
    worker = world.client_for("worker_a")
    case = open_case(worker)
    case = ok(fire(worker, case, "request_transfer", to_unit="00008"))
    assert case["stage"] == "transfer_pending" and case["transfer_to"]["code"] == "00008"
    # The sender still sees the case, read-only; the receiver's supervisor decides.
    assert worker.get(f"/api/v1/cases/{case['id']}").status_code == 200
    assert fire(world.client_for("supervisor_a"), case, "accept_transfer").status_code == 403
    receiver = world.client_for("supervisor_b")
    assert receiver.get(f"/api/v1/cases/{case['id']}").status_code == 200
    case = ok(fire(receiver, case, "accept_transfer"))
    assert case["stage"] == "identified" and case["unit"]["code"] == "00008"
    assert worker.get(f"/api/v1/cases/{case['id']}").status_code == 404


def test_suspend_and_resume_return_to_the_stage_left(world):
    worker = world.client_for("worker_a")
    case = open_case(worker)
    case = ok(
        fire(
            worker,
            case,
            "verify",
            rehab_kind="voluntary",
            rehab_completion_date=(vietnam_today() - timedelta(days=30)).isoformat(),
        )
    )
    case = ok(fire(worker, case, "suspend", suspension_reason="lost_contact"))
    assert case["stage"] == "suspended" and case["stage_before_suspension"] == "verified"
    case = ok(fire(worker, case, "resume"))
    assert case["stage"] == "verified" and case["stage_before_suspension"] is None


def test_workflow_diagram_is_served(world):
    api = world.client_for("worker_a")
    body = api.get("/api/v1/workflows/post_prison").get_json()
    assert body["initial"] == "identified"
    assert "stateDiagram" in body["mermaid"] or "flowchart" in body["mermaid"]
    assert api.get("/api/v1/workflows/unknown").status_code == 404
