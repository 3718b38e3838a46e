"""Consent records: explicit, historied, and withdrawal takes effect at once."""

from __future__ import annotations

import uuid

from casework.extensions import db
from tests.services.conftest import open_case


def consent(api, case_id, scope="processing", decision="given", **extra):
    return api.post(
        f"/api/v1/cases/{case_id}/consents", json={"scope": scope, "decision": decision, **extra}
    )


def test_recording_processing_consent_sets_the_coded_fact_the_workflow_reads(world, worker, case):
    assert case["consent_given"] is False
    response = consent(worker, case["id"], document_reference="Phiếu đồng ý số 12/2026")
    assert response.status_code == 201
    assert response.get_json()["current"] is True
    assert worker.get(f"/api/v1/cases/{case['id']}").get_json()["consent_given"] is True
    consent(worker, case["id"], decision="withdrawn")
    assert worker.get(f"/api/v1/cases/{case['id']}").get_json()["consent_given"] is False


def test_withdrawal_is_a_new_record_and_history_is_kept(world, worker, case):
    consent(worker, case["id"], scope="sharing_employer")
    consent(worker, case["id"], scope="sharing_employer", decision="withdrawn")
    history = worker.get(f"/api/v1/cases/{case['id']}/consents").get_json()
    assert [(c["decision"], c["current"]) for c in history] == [
        ("given", False),
        ("withdrawn", True),
    ]
    assert all(c["recorded_by"] == "worker_a" for c in history)


def test_the_document_reference_is_encrypted_at_rest(world, worker, case):
    consent(worker, case["id"], document_reference="Phiếu số 77")
    with world.app.app_context():
        raw = db.session.execute(db.text("SELECT document_reference_ct FROM consent")).scalar()
        db.session.remove()
    assert b"77" not in bytes(raw)


def test_has_consent_follows_the_latest_decision(world, worker, case):
    from casework.cases.models import Case
    from casework.services.consent import has_consent

    consent(worker, case["id"], scope="statistics")
    with world.app.app_context():
        row = db.session.get(Case, uuid.UUID(case["id"]))
        assert has_consent(db.session, row, "statistics") is not None
        assert has_consent(db.session, row, "sharing_ngo") is None
        db.session.remove()
    consent(worker, case["id"], scope="statistics", decision="withdrawn")
    with world.app.app_context():
        row = db.session.get(Case, uuid.UUID(case["id"]))
        assert has_consent(db.session, row, "statistics") is None
        db.session.remove()


def test_statistics_withdrawal_is_a_sql_condition_the_stats_package_can_filter_on(world, worker):
    from casework.cases.models import Case
    from casework.services.consent import statistics_withdrawn

    kept = open_case(worker)
    withdrawn = open_case(worker, national_id="001194099999", phone="0987654321")
    consent(worker, withdrawn["id"], scope="statistics", decision="withdrawn")
    with world.app.app_context():
        excluded = set(db.session.scalars(db.select(Case.id).where(statistics_withdrawn())))
        counted = set(db.session.scalars(db.select(Case.id).where(~statistics_withdrawn())))
        db.session.remove()
    assert {str(i) for i in excluded} == {withdrawn["id"]}
    assert kept["id"] in {str(i) for i in counted}


def test_unknown_scopes_and_future_dates_are_refused(world, worker, case):
    assert consent(worker, case["id"], scope="everything").status_code == 422
    response = consent(worker, case["id"], decided_on="2999-01-01")
    assert response.status_code == 422 and "decided_on" in response.get_json()["errors"]


def test_consent_is_never_recorded_by_default(world, worker, case):
    assert worker.get(f"/api/v1/cases/{case['id']}/consents").get_json() == []


def test_an_auditor_may_not_record_consent(world, case):
    response = consent(world.client_for("auditor"), case["id"])
    assert response.status_code == 404
