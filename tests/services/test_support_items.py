"""Support plan items: the status table, kind details, and the trafficking rule of Art 37."""

from __future__ import annotations

import pytest

from tests.services.conftest import add_provider, open_case, set_case


def plan(api, case_id, **body):
    return api.post(f"/api/v1/cases/{case_id}/support-items", json=body)


def move(api, item_id, **body):
    return api.patch(f"/api/v1/support-items/{item_id}", json=body)


def test_an_item_goes_from_planned_to_completed_with_dates(world, worker, case):
    item = plan(worker, case["id"], kind="psychological").get_json()
    assert item["status"] == "planned" and item["planned_on"]
    for status in ("referred", "in_progress", "completed"):
        response = move(worker, item["id"], status=status)
        assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["referred_on"] and body["started_on"] and body["ended_on"]
    assert (
        worker.get(f"/api/v1/cases/{case['id']}/support-items").get_json()[0]["status"]
        == "completed"
    )


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "completed"),
        (["declined"], "in_progress"),
        (["in_progress", "completed"], "planned"),
        (["referred"], "planned"),
    ],
)
def test_illegal_status_moves_are_refused(world, worker, case, path, illegal):
    item = plan(worker, case["id"], kind="medical").get_json()
    for status in path:
        assert move(worker, item["id"], status=status).status_code == 200
    response = move(worker, item["id"], status=illegal)
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_a_loan_carries_bank_programme_amount_and_its_own_status(world, worker, case):
    bank = add_provider(world, kind="social_policy_bank", services=["loan"])
    item = plan(
        worker,
        case["id"],
        kind="loan",
        provider=bank["id"],
        amount_vnd=50_000_000,
        loan_programme="Cho vay giải quyết việc làm",
        loan_status="applied",
    ).get_json()
    assert (item["provider"]["kind"], item["amount_vnd"], item["loan_status"]) == (
        "social_policy_bank",
        50_000_000,
        "applied",
    )
    for loan_status in ("approved", "disbursed", "repaying", "repaid"):
        assert move(worker, item["id"], loan_status=loan_status).status_code == 200
    assert move(worker, item["id"], loan_status="applied").status_code == 422


def test_a_loan_cannot_jump_from_applied_to_disbursed(world, worker, case):
    item = plan(worker, case["id"], kind="loan", loan_status="applied").get_json()
    response = move(worker, item["id"], loan_status="disbursed")
    assert response.status_code == 422 and "loan_status" in response.get_json()["errors"]


def test_training_records_course_dates_and_result(world, worker, case):
    school = add_provider(world)
    item = plan(
        worker,
        case["id"],
        kind="vocational_training",
        provider=school["id"],
        course="May công nghiệp 3 tháng",
    ).get_json()
    move(worker, item["id"], status="in_progress", started_on="2025-01-06")
    body = move(
        worker,
        item["id"],
        status="not_possible",
        ended_on="2025-02-01",
        training_result="dropped_out",
    ).get_json()
    assert (body["course"], body["training_result"], body["started_on"], body["ended_on"]) == (
        "May công nghiệp 3 tháng",
        "dropped_out",
        "2025-01-06",
        "2025-02-01",
    )


def test_a_job_records_the_employer_encrypted_and_whether_it_was_kept(world, worker, case):
    item = plan(
        worker, case["id"], kind="job_placement", employer_name="Xưởng may Hoa Sen"
    ).get_json()
    assert move(worker, item["id"], kept_3_months=True).status_code == 422  # not started yet
    move(worker, item["id"], status="in_progress", started_on="2025-01-02")
    body = move(worker, item["id"], kept_3_months=True, kept_6_months=False).get_json()
    assert (body["employer_name"], body["kept_3_months"], body["kept_6_months"]) == (
        "Xưởng may Hoa Sen",
        True,
        False,
    )
    assert move(worker, item["id"], kept_3_months=False, kept_6_months=True).status_code == 422
    from casework.extensions import db

    with world.app.app_context():
        raw = db.session.execute(db.text("SELECT employer_name_ct FROM support_item")).scalar()
        db.session.remove()
    assert b"Hoa Sen" not in bytes(raw)


def test_details_of_another_kind_are_refused(world, worker, case):
    response = plan(
        worker, case["id"], kind="medical", loan_status="applied", kept_3_months=True, amount_vnd=1
    )
    assert response.status_code == 422
    assert {"loan_status", "kept_3_months", "amount_vnd"} <= set(response.get_json()["errors"])


@pytest.mark.parametrize("kind", ["schooling", "vocational_training", "initial_allowance", "loan"])
def test_gated_support_waits_for_a_confirmed_victim(world, worker, kind):
    case = open_case(worker, case_type="trafficking_victim")
    response = worker.post(f"/api/v1/cases/{case['id']}/support-items?lang=en", json={"kind": kind})
    assert response.status_code == 422
    assert "confirmed" in response.get_json()["message"]
    set_case(world, case["id"], victim_status="confirmed")
    assert plan(worker, case["id"], kind=kind).status_code == 201


def test_other_support_is_open_to_a_victim_under_identification(world, worker):
    case = open_case(worker, case_type="trafficking_victim")
    for kind in ("essentials", "medical", "psychological", "legal_aid", "travel"):
        assert plan(worker, case["id"], kind=kind).status_code == 201


def test_a_gated_item_cannot_move_on_once_status_is_no_longer_confirmed(world, worker):
    case = open_case(worker, case_type="trafficking_victim")
    set_case(world, case["id"], victim_status="confirmed")
    item = plan(worker, case["id"], kind="loan").get_json()
    set_case(world, case["id"], victim_status="not_a_victim")
    assert move(worker, item["id"], status="in_progress").status_code == 422
    assert move(worker, item["id"], status="not_possible").status_code == 200


def test_the_rule_is_only_for_trafficking_cases(world, worker, case):
    assert plan(worker, case["id"], kind="loan").status_code == 201


def test_a_closed_case_takes_no_new_items(world, worker, case):
    set_case(world, case["id"], stage="closed")
    assert plan(worker, case["id"], kind="medical").status_code == 409


def test_bad_item_input_is_a_422(world, worker, case):
    response = plan(worker, case["id"], kind="massage", amount_vnd=-5, status="completed")
    assert response.status_code == 422
    assert {"kind", "amount_vnd", "status"} <= set(response.get_json()["errors"])
    item = plan(worker, case["id"], kind="medical").get_json()
    assert move(worker, item["id"]).status_code == 422  # nothing to change
    assert move(worker, item["id"], started_on="2999-01-01").status_code == 422


def test_outcome_notes_are_masked_for_colleagues_without_need_to_know(world, worker):
    case = open_case(worker, case_type="trafficking_victim")
    item = plan(
        worker, case["id"], kind="medical", outcome_note="Khám tại bệnh viện Bạch Mai"
    ).get_json()
    assert item["outcome_note"] == "Khám tại bệnh viện Bạch Mai"
    colleague = world.client_for("worker_a2").get(f"/api/v1/support-items/{item['id']}").get_json()
    assert colleague["outcome_note"] is None and colleague["masked"] is True
