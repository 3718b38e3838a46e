"""Support schemes are codes: loans and training name the scheme funding them, keep its limits,
and are counted per scheme under the same suppression as every other figure."""

from __future__ import annotations

from casework.services.models import SupportItem
from tests.services.conftest import count, open_case


def plan(api, case_id, **body):
    return api.post(f"/api/v1/cases/{case_id}/support-items", json=body)


def add_scheme(api, **extra):
    body = {
        "code": "hn_startup_2026",
        "name": "Quỹ hỗ trợ khởi nghiệp của thành phố",
        "funder": "province",
        "kinds": ["loan"],
        "max_amount_vnd": 30_000_000,
        "unit": "01",
        **extra,
    }
    return api.post("/api/v1/schemes", json=body)


def test_every_user_reads_the_packaged_schemes_with_their_limits(world):
    for username in ("worker_a", "statistician", "administrator"):
        body = world.client_for(username).get("/api/v1/schemes").get_json()
        by_code = {s["code"]: s for s in body}
        assert by_code["qd22_2023_post_prison"]["max_amount_vnd"] == 100_000_000
        assert by_code["qd22_2023_post_prison"]["case_types"] == ["post_prison"]
        assert {"wu_938", "wu_939", "vbsp_job_creation"} <= set(by_code)
        assert all(s["packaged"] for s in body)


def test_a_loan_names_its_scheme_and_is_shown_with_it(world, worker, case):
    response = plan(worker, case["id"], kind="loan", scheme="vbsp_job_creation",
                    amount_vnd=80_000_000)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["scheme"] == "vbsp_job_creation"


def test_an_amount_above_the_schemes_limit_is_refused_on_the_amount_and_nothing_written(
    world, worker, case
):
    response = plan(worker, case["id"], kind="loan", scheme="vbsp_job_creation",
                    amount_vnd=100_000_001)
    assert response.status_code == 422
    assert "amount_vnd" in response.get_json()["errors"]
    assert count(world, SupportItem) == 0


def test_raising_the_amount_later_is_held_to_the_same_limit(world, worker, case):
    item = plan(worker, case["id"], kind="vocational_training", scheme="vocational_short_course",
                amount_vnd=3_000_000).get_json()
    response = worker.patch(f"/api/v1/support-items/{item['id']}", json={"amount_vnd": 5_000_000})
    assert response.status_code == 422
    assert "amount_vnd" in response.get_json()["errors"]


def test_a_scheme_for_another_kind_or_case_type_or_an_unknown_code_is_refused(world, worker, case):
    for body in (
        {"kind": "loan", "scheme": "vocational_short_course"},
        {"kind": "loan", "scheme": "qd22_2023_post_prison"},  # the case is post_rehab
        {"kind": "loan", "scheme": "no_such_scheme"},
        {"kind": "loan", "scheme": "NOT A CODE"},
    ):
        response = plan(worker, case["id"], **body)
        assert response.status_code == 422, body
        assert "scheme" in response.get_json()["errors"], body
    assert count(world, SupportItem) == 0


def test_post_prison_credit_under_qd22_2023_is_for_people_released_from_prison(world, worker):
    released = open_case(worker, case_type="post_prison", national_id="001194099999",
                         phone="0912000999")
    response = plan(worker, released["id"], kind="loan", scheme="qd22_2023_post_prison",
                    amount_vnd=100_000_000)
    assert response.status_code == 201, response.get_json()


def test_an_administrator_adds_a_provincial_scheme_that_applies_in_its_province_only(world):
    admin = world.client_for("administrator")
    response = add_scheme(admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["packaged"] is False
    worker_a = world.client_for("worker_a")
    assert "hn_startup_2026" in {s["code"] for s in worker_a.get("/api/v1/schemes").get_json()}
    hcm = world.client_for("worker_hcm")
    assert "hn_startup_2026" not in {s["code"] for s in hcm.get("/api/v1/schemes").get_json()}
    hcm_case = open_case(hcm, unit="26734")
    refused = plan(hcm, hcm_case["id"], kind="loan", scheme="hn_startup_2026")
    assert refused.status_code == 422 and "scheme" in refused.get_json()["errors"]
    a_case = open_case(worker_a, national_id="001194011111", phone="0912011111")
    assert plan(worker_a, a_case["id"], kind="loan", scheme="hn_startup_2026",
                amount_vnd=30_000_000).status_code == 201


def test_a_closed_scheme_takes_no_new_items(world, worker, case):
    admin = world.client_for("administrator")
    add_scheme(admin)
    closed = admin.patch("/api/v1/schemes/hn_startup_2026", json={"active": False})
    assert closed.status_code == 200 and closed.get_json()["active"] is False
    response = plan(worker, case["id"], kind="loan", scheme="hn_startup_2026")
    assert response.status_code == 422 and "scheme" in response.get_json()["errors"]


def test_only_a_scheme_manager_adds_schemes_and_codes_are_never_reused(world):
    assert add_scheme(world.client_for("worker_a")).status_code == 403
    assert add_scheme(world.client_for("supervisor_a")).status_code == 403
    admin = world.client_for("administrator")
    taken = add_scheme(admin, code="wu_938")
    assert taken.status_code == 422 and "code" in taken.get_json()["errors"]
    outside = add_scheme(admin, unit="79")
    assert outside.status_code == 422 and "unit" in outside.get_json()["errors"]
    bad = add_scheme(admin, kinds=["spaceship"], max_amount_vnd=-1, extra="x")
    assert bad.status_code == 422
    assert {"kinds", "max_amount_vnd", "extra"} <= set(bad.get_json()["errors"])


def test_loans_are_counted_per_scheme_with_small_counts_hidden(world, worker):
    for i in range(6):
        case = open_case(worker, national_id=f"0011940{i:05d}", phone=f"091200{i:04d}")
        plan(worker, case["id"], kind="loan", scheme="vbsp_job_creation", amount_vnd=10_000_000)
    one = open_case(worker, national_id="001194077777", phone="0912077777")
    plan(worker, one["id"], kind="loan", scheme="wu_939", amount_vnd=5_000_000)
    stat = world.client_for("statistician")
    year = __import__("casework.model_base", fromlist=["x"]).vietnam_today().year
    body = stat.get("/api/v1/schemes/counts", query_string={"unit": "01", "period": str(year)})
    assert body.status_code == 200, body.get_json()
    rows = {r["scheme"]: r["cells"] for r in body.get_json()["schemes"]}
    total = next(c for c in rows["vbsp_job_creation"] if c["kind"] == "*")
    # k is the stricter (trafficking) threshold, 11 by default: six loans are hidden too
    assert total["items"] is None
    assert all(c["items"] is None for c in rows["wu_939"])
    world.app.config.update(CASEWORK_SUPPRESSION_K=3, CASEWORK_SUPPRESSION_K_TRAFFICKING=3)
    body = stat.get("/api/v1/schemes/counts", query_string={"unit": "01", "period": str(year)})
    rows = {r["scheme"]: r["cells"] for r in body.get_json()["schemes"]}
    loan = next(c for c in rows["vbsp_job_creation"] if c["kind"] == "loan")
    assert loan == {"kind": "loan", "items": 6, "done": 0, "amount_vnd": 60_000_000}
    assert all(c["items"] is None and c["amount_vnd"] is None for c in rows["wu_939"])


def test_scheme_counts_are_for_report_readers_in_their_own_subtree(world):
    assert world.client_for("worker_a").get(
        "/api/v1/schemes/counts", query_string={"period": "2026"}
    ).status_code == 403
    assert world.client_for("supervisor_a").get(
        "/api/v1/schemes/counts", query_string={"unit": "26734", "period": "2026"}
    ).status_code == 404
