"""Referrals: sent → accepted/refused → done, revocable by the sender, consent-gated sharing."""

from __future__ import annotations

import pytest

from tests.services.conftest import add_provider


def refer(api, case_id, **body):
    return api.post(f"/api/v1/cases/{case_id}/referrals", json=body)


def give(api, case_id, scope, decision="given"):
    response = api.post(
        f"/api/v1/cases/{case_id}/consents", json={"scope": scope, "decision": decision}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture()
def school(world):
    return add_provider(world, kind="vocational_school", services=["vocational_training"])


def test_a_referral_without_personal_data_needs_no_consent(world, worker, case, school):
    response = refer(worker, case["id"], provider=school["id"], note="Hỏi lịch học nghề may")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["consent_basis"], body["sent_by"]) == ("sent", "none", "worker_a")
    assert body["note"] == "Hỏi lịch học nghề may"


def test_sharing_personal_data_without_consent_is_refused_with_a_readable_message(
    world, worker, case, school
):
    response = worker.post(
        f"/api/v1/cases/{case['id']}/referrals?lang=en",
        json={"provider": school["id"], "shares_personal_data": True},
    )
    assert response.status_code == 422
    assert "shares_personal_data" in response.get_json()["errors"]
    assert "consent" in response.get_json()["message"]


def test_consent_to_sharing_with_that_kind_of_provider_allows_it(world, worker, case, school):
    give(worker, case["id"], "sharing_vocational_school")
    response = refer(worker, case["id"], provider=school["id"], shares_personal_data=True)
    assert response.status_code == 201
    assert response.get_json()["consent_basis"] == "consent"


def test_consent_to_another_kind_does_not_cover_this_one(world, worker, case, school):
    give(worker, case["id"], "sharing_employer")
    response = refer(worker, case["id"], provider=school["id"], shares_personal_data=True)
    assert response.status_code == 422


def test_a_supervisor_overrides_missing_consent_with_a_reason_and_it_is_audited(
    world, case, school
):
    supervisor = world.client_for("supervisor_a")
    response = refer(
        supervisor,
        case["id"],
        provider=school["id"],
        shares_personal_data=True,
        consent_override_reason="Người bị hại đang gặp nguy hiểm, cần chuyển gấp",
    )
    assert response.status_code == 201
    assert response.get_json()["consent_basis"] == "override"
    audit = world.client_for("auditor").get("/api/v1/audit?action=referral.consent_override")
    if audit.status_code == 200:  # the audit API belongs to issue 4; checked there too
        assert "Người bị hại" not in audit.get_data(as_text=True)
    from casework.audit.models import AuditEvent
    from casework.extensions import db

    with world.app.app_context():
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
        db.session.remove()
    assert "referral.consent_override" in actions


def test_a_worker_cannot_override_missing_consent(world, worker, case, school):
    response = refer(
        worker,
        case["id"],
        provider=school["id"],
        shares_personal_data=True,
        consent_override_reason="Tôi nghĩ là cần thiết lắm",
    )
    assert response.status_code == 403


def test_withdrawal_stops_sharing_at_once(world, worker, case, school):
    give(worker, case["id"], "sharing_vocational_school")
    pending = refer(worker, case["id"], provider=school["id"], shares_personal_data=True).get_json()
    accepted = refer(
        worker, case["id"], provider=school["id"], shares_personal_data=True
    ).get_json()
    worker.patch(f"/api/v1/referrals/{accepted['id']}", json={"status": "accepted"})
    no_data = refer(worker, case["id"], provider=school["id"]).get_json()

    withdrawal = give(worker, case["id"], "sharing_vocational_school", "withdrawn")
    assert set(withdrawal["stopped_referrals"]) == {pending["id"], accepted["id"]}

    referrals = {r["id"]: r for r in worker.get(f"/api/v1/cases/{case['id']}/referrals").get_json()}
    assert (referrals[pending["id"]]["status"], referrals[pending["id"]]["revoked_because"]) == (
        "revoked",
        "consent_withdrawn",
    )
    assert referrals[accepted["id"]]["status"] == "accepted"
    assert referrals[accepted["id"]]["consent_withdrawn"] is True
    assert referrals[no_data["id"]]["status"] == "sent"
    again = refer(worker, case["id"], provider=school["id"], shares_personal_data=True)
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["accepted", "done"], "done"),
        (["refused"], "refused"),
        (["revoked"], "revoked"),
        (["accepted", "revoked"], "revoked"),
    ],
)
def test_referral_life_cycles(world, worker, case, school, path, final):
    referral = refer(worker, case["id"], provider=school["id"]).get_json()
    for status in path:
        response = worker.patch(
            f"/api/v1/referrals/{referral['id']}",
            json={"status": status, "note": f"ghi chú {status}"},
        )
        assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == final
    assert body["closed_at"] is not None
    assert body["outcome_note"] == f"ghi chú {path[-1]}"


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "done"),
        (["refused"], "accepted"),
        (["accepted", "done"], "revoked"),
        (["revoked"], "accepted"),
    ],
)
def test_illegal_referral_moves_are_refused(world, worker, case, school, path, illegal):
    referral = refer(worker, case["id"], provider=school["id"]).get_json()
    for status in path:
        worker.patch(f"/api/v1/referrals/{referral['id']}", json={"status": status})
    response = worker.patch(f"/api/v1/referrals/{referral['id']}", json={"status": illegal})
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_only_the_sender_or_a_supervisor_may_revoke(world, worker, case, school):
    referral = refer(worker, case["id"], provider=school["id"]).get_json()
    other = world.client_for("worker_a2")
    assert (
        other.patch(f"/api/v1/referrals/{referral['id']}", json={"status": "revoked"}).status_code
        == 403
    )
    supervisor = world.client_for("supervisor_a")
    assert (
        supervisor.patch(
            f"/api/v1/referrals/{referral['id']}", json={"status": "revoked"}
        ).status_code
        == 200
    )


def test_a_referral_needs_a_provider_or_a_service(world, worker, case):
    response = refer(worker, case["id"])
    assert response.status_code == 422


def test_a_provider_of_another_commune_cannot_be_referred_to(world, worker, case):
    other = add_provider(world, unit="00008", by="supervisor_b")
    response = refer(worker, case["id"], provider=other["id"])
    assert response.status_code == 422
    assert "provider" in response.get_json()["errors"]


def test_an_inactive_provider_takes_no_new_referrals(world, worker, case, school):
    world.client_for("supervisor_a").patch(
        f"/api/v1/providers/{school['id']}", json={"active": False}
    )
    assert refer(worker, case["id"], provider=school["id"]).status_code == 422


def test_referring_a_planned_item_marks_it_referred(world, worker, case, school):
    item = worker.post(
        f"/api/v1/cases/{case['id']}/support-items", json={"kind": "vocational_training"}
    ).get_json()
    response = refer(worker, case["id"], support_item=item["id"], provider=school["id"])
    assert response.get_json()["service_kind"] == "vocational_training"
    item = worker.get(f"/api/v1/support-items/{item['id']}").get_json()
    assert item["status"] == "referred"
    assert item["provider"]["id"] == school["id"]


def test_a_client_cannot_set_the_override_flag_or_status_directly(world, worker, case, school):
    response = refer(
        worker, case["id"], provider=school["id"], consent_override=True, status="done"
    )
    assert response.status_code == 422
    assert {"consent_override", "status"} <= set(response.get_json()["errors"])
