"""Opening, reading, listing and editing cases through the JSON API."""

from __future__ import annotations

from tests.conftest import case_body, recorded_statements


def open_case(api, **kwargs):
    response = api.post("/api/v1/cases", json=case_body(**kwargs))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_smallest_valid_body_opens_a_case(world):
    api = world.client_for("worker_a")
    case = open_case(api)
    assert case["case_type"] == "post_rehab"
    assert case["unit"]["code"] == "00004"
    assert case["stage"] == "identified"
    assert case["version"] == 1
    assert case["reference"].startswith("HS-")
    assert case["person"]["full_name"] == "Nguyễn Thị Hoa"
    assert case["person"]["birth_year"] == 1994
    assert case["assigned_to"] == "worker_a"
    assert case["duplicates"] == []


def test_unknown_fields_are_refused(world):
    api = world.client_for("worker_a")
    body = case_body()
    body["stage"] = "closed"
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 422
    assert "stage" in response.get_json()["errors"]


def test_field_errors_are_named(world):
    api = world.client_for("worker_a")
    response = api.post(
        "/api/v1/cases",
        json=case_body(national_id="12345", phone="abc", date_of_birth="2999-01-01"),
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]["person"]
    assert {"national_id", "phone", "date_of_birth"} <= set(errors)


def test_a_unit_outside_the_callers_area_is_refused(world):
    api = world.client_for("worker_a")
    response = api.post("/api/v1/cases", json=case_body(unit="00008"))
    assert response.status_code == 422
    assert "unit" in response.get_json()["errors"]


def test_sex_work_exit_allows_pseudonymous_intake(world):
    api = world.client_for("worker_a")
    response = api.post(
        "/api/v1/cases",
        json={"case_type": "sex_work_exit", "unit": "00004", "person": {"sex": "female"}},
    )
    assert response.status_code == 201
    assert response.get_json()["person"]["full_name"] is None


def test_a_name_is_required_for_other_types(world):
    api = world.client_for("worker_a")
    response = api.post(
        "/api/v1/cases",
        json={"case_type": "post_prison", "unit": "00004", "person": {"sex": "male"}},
    )
    assert response.status_code == 422


def test_a_case_of_another_commune_is_not_found(world):
    case = open_case(world.client_for("worker_a"))
    other = world.client_for("worker_b")
    response = other.get(f"/api/v1/cases/{case['id']}")
    assert response.status_code == 404
    unknown = other.get("/api/v1/cases/00000000-0000-0000-0000-000000000000")
    assert unknown.get_json() == response.get_json()


def test_province_supervisor_sees_commune_cases(world):
    case = open_case(world.client_for("worker_a"))
    response = world.client_for("supervisor_province").get(f"/api/v1/cases/{case['id']}")
    assert response.status_code == 200
    assert response.get_json()["person"]["national_id"] == "001194012345"


def test_trafficking_identity_is_masked_for_other_workers_of_the_commune(world):
    case = open_case(world.client_for("worker_a"), case_type="trafficking_victim")
    response = world.client_for("worker_a2").get(f"/api/v1/cases/{case['id']}")
    assert response.status_code == 200
    person = response.get_json()["person"]
    assert person["full_name"] is None and person["national_id"] is None
    assert "full_name" in person["masked"]
    assert person["sex"] == "female"


def test_caseload_is_scoped_and_filtered(world):
    api_a = world.client_for("worker_a")
    open_case(api_a)
    open_case(api_a, case_type="post_prison", national_id="001094012346", phone="0987654321")
    assert len(api_a.get("/api/v1/cases").get_json()) == 2
    assert len(api_a.get("/api/v1/cases?case_type=post_prison").get_json()) == 1
    assert world.client_for("worker_b").get("/api/v1/cases").get_json() == []
    assert len(world.client_for("supervisor_province").get("/api/v1/cases").get_json()) == 2
    listing = api_a.get("/api/v1/cases?per_page=1")
    assert len(listing.get_json()) == 1
    assert '"total": 2' in listing.headers["X-Pagination"]


def test_statistician_gets_no_case_rows(world):
    open_case(world.client_for("worker_a"))
    stats = world.client_for("statistician")
    assert stats.get("/api/v1/cases").get_json() == []


def test_edit_needs_the_current_version(world):
    api = world.client_for("worker_a")
    case = open_case(api)
    url = f"/api/v1/cases/{case['id']}"
    first = api.patch(url, json={"version": 1, "person": {"phone": "0911111111"}})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    stale = api.patch(url, json={"version": 1, "person": {"phone": "0922222222"}})
    assert stale.status_code == 409
    assert api.get(url).get_json()["person"]["phone"] == "0911111111"
    via_header = api.patch(url, json={"person": {"address": "Số 1"}}, headers={"If-Match": "2"})
    assert via_header.status_code == 200


def test_duplicate_warning_links_a_case_in_scope(world):
    api = world.client_for("worker_a")
    first = open_case(api)
    second = open_case(api, full_name="Nguyễn T. Hoa")
    assert second["duplicates"][0]["reference"] == first["reference"]
    assert set(second["duplicates"][0]["matched_on"]) == {"national_id", "phone"}


def test_duplicate_outside_scope_reveals_nothing(world):
    open_case(world.client_for("worker_a"))
    second = open_case(world.client_for("worker_b"), unit="00008")
    assert second["duplicates"] == [
        {
            "case_id": None,
            "reference": None,
            "matched_on": [],
            "elsewhere": True,
            "message": second["duplicates"][0]["message"],
        }
    ]
    assert (
        "supervisor" in second["duplicates"][0]["message"]
        or "phụ trách" in second["duplicates"][0]["message"]
    )


def test_search_by_national_id_and_phone_is_exact_and_scoped(world):
    api = world.client_for("worker_a")
    case = open_case(api)
    found = api.get("/api/v1/people/search?national_id=001194012345").get_json()
    assert [m["reference"] for m in found["matches"]] == [case["reference"]]
    by_phone = api.get("/api/v1/people/search?phone=%2B84912345678").get_json()
    assert [m["reference"] for m in by_phone["matches"]] == [case["reference"]]
    assert api.get("/api/v1/people/search?national_id=001194012399").get_json()["matches"] == []
    other = world.client_for("worker_b").get("/api/v1/people/search?national_id=001194012345")
    assert other.get_json() == {
        "matches": [],
        "elsewhere": True,
        "message": other.get_json()["message"],
    }


def test_login_failures_answer_alike(world, client):
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x" * 12})
    wrong = client.post("/api/v1/auth/login", json={"username": "worker_a", "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()


def test_state_changes_need_the_csrf_token_with_a_session(world):
    api = world.client_for("worker_a")
    api.csrf = None
    response = api.post("/api/v1/cases", json=case_body())
    assert response.status_code == 400


def test_a_list_names_each_assigned_worker_with_one_lookup(world):
    """A supervisor's list over several workers' cases: the right names, read in one query
    (not a ``User`` object, with its roles, per worker)."""
    for worker in ("worker_a", "worker_a2"):
        for _ in range(2):
            world.client_for(worker).post("/api/v1/cases", json=case_body())
    supervisor = world.client_for("supervisor_a")
    with recorded_statements(world.app) as seen:
        listed = supervisor.get("/api/v1/cases?per_page=20").get_json()
    assert sorted(c["assigned_to"] for c in listed) == [
        "worker_a",
        "worker_a",
        "worker_a2",
        "worker_a2",
    ]
    lookups = [
        s for s in seen if "user_account" in s and "api_token" not in s and "user_session" not in s
    ]
    assert len(lookups) == 1
    assert "role_assignment" not in lookups[0]


def test_a_page_reads_the_people_of_its_own_rows_only(world):
    """A page is sorted and cut over the cases alone; its people are then read for its rows.
    (Joined to every case in scope, PostgreSQL joined a worker's whole caseload to ``person``
    before sorting it down to one page.)"""
    worker = world.client_for("worker_a")
    for _ in range(3):
        worker.post("/api/v1/cases", json=case_body())
    with recorded_statements(world.app) as seen:
        listed = worker.get("/api/v1/cases?assigned=me&per_page=2").get_json()
    assert len(listed) == 2
    assert all(c["full_name"] for c in listed)
    pages = [s for s in seen if "case_file" in s and "LIMIT" in s]
    assert pages
    assert all("JOIN person" not in s for s in pages)
    people = [s for s in seen if "FROM person" in s]
    assert len(people) == 1
    assert " IN " in people[0]
