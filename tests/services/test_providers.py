"""The providers directory: supervisors manage their subtree, workers read what serves them."""

from __future__ import annotations

from tests.services.conftest import add_provider


def test_a_supervisor_registers_a_provider_in_their_commune(world):
    provider = add_provider(
        world, kind="social_policy_bank", services=["loan", "loan"], contact="024 3823 0000"
    )
    assert provider["unit"]["code"] == "00004"
    assert provider["services"] == ["loan"]
    assert provider["active"] is True


def test_workers_see_providers_of_their_commune_and_province_but_not_other_communes(world):
    own = add_provider(world, unit="00004")
    provincial = add_provider(world, kind="legal_aid", unit="01", by="supervisor_province")
    other = add_provider(world, unit="00008", by="supervisor_b")
    listed = {p["id"] for p in world.client_for("worker_a").get("/api/v1/providers").get_json()}
    assert listed == {own["id"], provincial["id"]}
    assert world.client_for("worker_a").get(f"/api/v1/providers/{other['id']}").status_code == 404


def test_list_filters_by_kind_service_and_active(world):
    add_provider(world, kind="employer", services=["job_placement"])
    add_provider(world, kind="vocational_school", services=["vocational_training"], active=False)
    api = world.client_for("worker_a")
    assert [p["kind"] for p in api.get("/api/v1/providers?kind=employer").get_json()] == [
        "employer"
    ]
    assert len(api.get("/api/v1/providers?service=vocational_training").get_json()) == 1
    assert len(api.get("/api/v1/providers?active=true").get_json()) == 1


def test_workers_may_not_register_providers(world):
    response = world.client_for("worker_a").post(
        "/api/v1/providers", json={"name": "X", "kind": "ngo", "unit": "00004"}
    )
    assert response.status_code == 403


def test_a_supervisor_cannot_register_outside_their_subtree(world):
    response = world.client_for("supervisor_a").post(
        "/api/v1/providers", json={"name": "X", "kind": "ngo", "unit": "00008"}
    )
    assert response.status_code == 422
    assert "unit" in response.get_json()["errors"]


def test_a_supervisor_edits_and_deactivates_a_provider(world):
    provider = add_provider(world)
    api = world.client_for("supervisor_a")
    response = api.patch(
        f"/api/v1/providers/{provider['id']}",
        json={"active": False, "name": "Trường Trung cấp nghề Ba Đình"},
    )
    assert response.status_code == 200
    assert response.get_json()["active"] is False


def test_a_commune_supervisor_cannot_edit_a_provincial_provider_they_can_read(world):
    provincial = add_provider(world, unit="01", by="supervisor_province")
    response = world.client_for("supervisor_a").patch(
        f"/api/v1/providers/{provincial['id']}", json={"active": False}
    )
    assert response.status_code == 403


def test_bad_provider_input_is_a_422_with_field_errors(world):
    api = world.client_for("supervisor_a")
    response = api.post(
        "/api/v1/providers",
        json={"name": "", "kind": "bank", "unit": "00004", "services": ["flying"], "secret": 1},
    )
    assert response.status_code == 422
    assert {"name", "kind", "services", "secret"} <= set(response.get_json()["errors"])


def test_statisticians_see_no_providers_list(world):
    assert world.client_for("statistician").get("/api/v1/providers").status_code == 403


def test_the_openapi_document_describes_the_support_endpoints(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/providers",
        "/api/v1/cases/{case_id}/consents",
        "/api/v1/cases/{case_id}/support-items",
        "/api/v1/support-items/{item_id}",
        "/api/v1/cases/{case_id}/referrals",
        "/api/v1/referrals/{referral_id}",
        "/api/v1/cases/{case_id}/notes",
        "/api/v1/imports",
        "/api/v1/imports/{import_id}/report",
    ):
        assert path in paths, path


def test_an_administrator_keeps_the_directory_without_seeing_cases(world):
    """``provider.manage`` is not case content: the administrator manages the province's
    providers, sees them, and still sees no case."""
    admin = world.client_for("administrator")
    provider = add_provider(world, kind="legal_aid", unit="00008", by="administrator")
    assert admin.get(f"/api/v1/providers/{provider['id']}").status_code == 200
    assert [p["id"] for p in admin.get("/api/v1/providers").get_json()] == [provider["id"]]
    edited = admin.patch(f"/api/v1/providers/{provider['id']}", json={"active": False})
    assert edited.status_code == 200 and edited.get_json()["active"] is False
    assert admin.get("/api/v1/cases").get_json() == []


def test_statisticians_and_auditors_neither_read_nor_manage_the_directory(world):
    for username in ("statistician", "auditor"):
        api = world.client_for(username)
        assert api.get("/api/v1/providers").status_code == 403
        response = api.post("/api/v1/providers", json={"name": "X", "kind": "ngo", "unit": "01"})
        assert response.status_code == 403
