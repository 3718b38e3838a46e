"""The forms of the case page that record support work, and the case edit form.

Each form: the happy path, a validation error shown next to its field in Vietnamese, a case of
another commune answering 404 (as an unknown one), and a post without the CSRF token refused.
The rules themselves (consent gating, the override, the status tables) are the operations';
these tests check that the page passes them through and shows their answers.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casework.model_base import vietnam_today
from tests.web.conftest import Browser
from tests.web.test_pages import fire, open_case

UNKNOWN = "00000000-0000-0000-0000-000000000000"


def errors_of(html: str) -> list[str]:
    """The inline messages of a page (field errors), whitespace folded."""
    return [
        " ".join(m.split()) for m in re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)
    ]


def summary_of(html: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split()) if match else ""


def post(browser: Browser, case_url: str, path: str, data: dict) -> object:
    return browser.submit(case_url, case_url + path, data)


def ids_of(html: str, prefix: str) -> list[str]:
    return re.findall(rf'id="{prefix}-([0-9a-f-]{{36}})"', html)


@pytest.fixture()
def worker(browser_for) -> Browser:
    return browser_for("worker_a")


@pytest.fixture()
def case_url(worker) -> str:
    return open_case(worker)


@pytest.fixture()
def provider(world) -> str:
    """A vocational school of commune 00004, registered by its supervisor through the API."""
    api = world.client_for("supervisor_a")
    response = api.post(
        "/api/v1/providers",
        json={
            "name": "Trường Trung cấp nghề Ba Đình",
            "kind": "vocational_school",
            "unit": "00004",
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def days_ago(n: int) -> str:
    # A few days back: "today" on the server (UTC) and in Hà Nội may differ by a date.
    return (vietnam_today() - timedelta(days=n)).isoformat()


# --- support plan ------------------------------------------------------------------------------


def test_a_worker_plans_a_support_item_and_moves_it_on(worker, case_url, provider):
    response = post(worker, case_url, "/support-items", {"kind": "medical", "provider": provider})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#support")
    page = worker.text(case_url)
    assert "Đã thêm nội dung hỗ trợ vào kế hoạch." in page
    assert "Chăm sóc y tế" in page and "Trường Trung cấp nghề Ba Đình" in page
    (item,) = ids_of(page, "support")
    response = post(
        worker,
        case_url,
        f"/support-items/{item}",
        {
            "status": "in_progress",
            "started_on": days_ago(2),
            "outcome_note": "Đã khám tại trạm y tế phường",
        },
    )
    assert response.status_code == 302, errors_of(response.get_data(as_text=True))
    page = worker.text(case_url)
    assert "đang thực hiện" in page and "Đã khám tại trạm y tế phường" in page


def test_a_loan_carries_its_programme_amount_and_status(worker):
    case_url = open_case(
        worker, case_type="post_rehab", rehab_kind="voluntary", rehab_completion_date=days_ago(30)
    )
    response = post(
        worker,
        case_url,
        "/support-items",
        {"kind": "loan", "amount_vnd": "30000000", "loan_programme": "Vay giải quyết việc làm"},
    )
    assert response.status_code == 302, errors_of(response.get_data(as_text=True))
    (item,) = ids_of(worker.text(case_url), "support")
    for status in ("applied", "approved", "disbursed"):
        response = post(worker, case_url, f"/support-items/{item}", {"loan_status": status})
        assert response.status_code == 302, errors_of(response.get_data(as_text=True))
    page = worker.text(case_url)
    assert "30.000.000 đ" in page and "Vay giải quyết việc làm" in page and "đã giải ngân" in page
    # A move the loan table does not allow comes back next to the field, in Vietnamese.
    response = post(worker, case_url, f"/support-items/{item}", {"loan_status": "applied"})
    assert response.status_code == 422
    messages = errors_of(response.get_data(as_text=True))
    assert any("Khoản vay không thể chuyển" in e for e in messages)


def test_a_job_records_the_employer_and_whether_it_was_kept(worker):
    case_url = open_case(
        worker, case_type="post_rehab", rehab_kind="voluntary", rehab_completion_date=days_ago(30)
    )
    assert post(worker, case_url, "/support-items", {"kind": "job_placement"}).status_code == 302
    (item,) = ids_of(worker.text(case_url), "support")
    response = post(
        worker,
        case_url,
        f"/support-items/{item}",
        {
            "status": "in_progress",
            "employer_name": "Xưởng may Hồng Hà",
            "started_on": days_ago(200),
            "kept_3_months": "yes",
            "kept_6_months": "yes",
        },
    )
    assert response.status_code == 302, errors_of(response.get_data(as_text=True))
    page = worker.text(case_url)
    assert "Xưởng may Hồng Hà" in page and "Giữ được việc sau 6 tháng" in page


def test_training_for_an_unconfirmed_victim_is_refused_with_the_law_s_reason(worker, case_url):
    response = post(worker, case_url, "/support-items", {"kind": "vocational_training"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Điều 37 Luật 53/2024" in summary_of(html)
    assert "Chỉ khi người này đã được xác định là nạn nhân." in errors_of(html)
    assert 'id="form-support-new"' in html and '<details class="add-form" open>' in html


def test_a_support_item_without_a_kind_is_refused_inline(worker, case_url):
    response = post(worker, case_url, "/support-items", {"kind": ""})
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in errors_of(response.get_data(as_text=True))


def test_an_illegal_status_move_is_refused(worker, case_url):
    post(worker, case_url, "/support-items", {"kind": "medical"})
    (item,) = ids_of(worker.text(case_url), "support")
    response = post(worker, case_url, f"/support-items/{item}", {"status": "completed"})
    assert response.status_code == 422
    assert "Nội dung hỗ trợ không thể chuyển" in summary_of(response.get_data(as_text=True))


# --- sessions and visits -----------------------------------------------------------------------


def test_a_worker_records_a_home_visit_with_the_next_visit(worker, case_url):
    next_visit = vietnam_today() + timedelta(days=14)
    response = post(
        worker,
        case_url,
        "/notes",
        {
            "kind": "home_visit",
            "occurred_on": days_ago(1),
            "content": "Gia đình đồng ý hỗ trợ; chị Mai đang tìm việc.",
            "next_visit_on": next_visit.isoformat(),
        },
    )
    assert response.status_code == 302
    page = worker.text(case_url)
    assert "Thăm gia đình" in page and "chị Mai đang tìm việc" in page
    assert next_visit.strftime("%d/%m/%Y") in page


def test_a_note_needs_content_and_a_next_visit_after_it(worker, case_url):
    response = post(worker, case_url, "/notes", {"kind": "counselling_psychological"})
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in errors_of(response.get_data(as_text=True))
    response = post(
        worker,
        case_url,
        "/notes",
        {
            "kind": "home_visit",
            "content": "Thăm nhà",
            "occurred_on": days_ago(3),
            "next_visit_on": days_ago(5),
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Lần thăm tiếp theo trước lần thăm này." in errors_of(html)
    assert "Thăm nhà" in html  # what was typed is kept


# --- referrals and consent ---------------------------------------------------------------------


def test_a_referral_without_personal_data_needs_no_consent(worker, case_url, provider):
    response = post(
        worker, case_url, "/referrals", {"provider": provider, "service_kind": "medical"}
    )
    assert response.status_code == 302
    page = worker.text(case_url)
    assert "Đã chuyển gửi." in page and "đã gửi" in page


def test_sharing_personal_data_needs_consent_and_a_worker_cannot_override(
    worker, case_url, provider
):
    body = {"provider": provider, "shares_personal_data": "on"}
    response = post(worker, case_url, "/referrals", body)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Đối tượng chưa đồng ý chia sẻ dữ liệu" in summary_of(html)
    assert 'name="consent_override_reason"' not in html  # only a supervisor is offered it
    response = post(
        worker,
        case_url,
        "/referrals",
        {**body, "consent_override_reason": "Cần hỗ trợ khẩn cấp cho nạn nhân"},
    )
    assert response.status_code == 403
    assert "Chỉ cán bộ phụ trách hồ sơ này" in summary_of(response.get_data(as_text=True))


def test_a_supervisor_overrides_with_a_reason_and_it_shows(
    world, browser_for, worker, case_url, provider
):
    supervisor = browser_for("supervisor_a")
    assert 'name="consent_override_reason"' in supervisor.text(case_url)
    response = post(
        supervisor,
        case_url,
        "/referrals",
        {
            "provider": provider,
            "shares_personal_data": "on",
            "consent_override_reason": (
                "Nạn nhân cần học nghề gấp; không liên lạc được để xin ý kiến"
            ),
        },
    )
    assert response.status_code == 302, summary_of(response.get_data(as_text=True))
    page = worker.text(case_url)
    assert "chưa có sự đồng ý: quyết định của cán bộ phụ trách" in page
    assert "không liên lạc được để xin ý kiến" in page


def test_consent_lets_data_be_shared_and_its_withdrawal_stops_the_referral(
    worker, case_url, provider
):
    response = post(
        worker,
        case_url,
        "/consents",
        {
            "scope": "sharing_vocational_school",
            "decision": "given",
            "document_reference": "PĐY-2025-017",
        },
    )
    assert response.status_code == 302
    page = worker.text(case_url)
    assert "Chia sẻ với: cơ sở dạy nghề" in page and "PĐY-2025-017" in page
    response = post(
        worker, case_url, "/referrals", {"provider": provider, "shares_personal_data": "on"}
    )
    assert response.status_code == 302
    response = post(
        worker,
        case_url,
        "/consents",
        {"scope": "sharing_vocational_school", "decision": "withdrawn"},
    )
    assert response.status_code == 302
    page = worker.text(case_url)
    assert "Đã dừng chia sẻ ngay với 1 chuyển gửi đang mở." in page
    assert "đã hủy" in page and "rút lại" in page


def test_the_provider_s_answer_then_the_service_delivered(worker, case_url, provider):
    post(worker, case_url, "/referrals", {"provider": provider, "service_kind": "medical"})
    (referral,) = ids_of(worker.text(case_url), "referral")
    response = post(
        worker,
        case_url,
        f"/referrals/{referral}",
        {"status": "accepted", "note": "Trường nhận vào lớp may tháng sau"},
    )
    assert response.status_code == 302
    assert post(worker, case_url, f"/referrals/{referral}", {"status": "done"}).status_code == 302
    page = worker.text(case_url)
    assert "đã xong" in page and "Trường nhận vào lớp may tháng sau" in page
    response = post(worker, case_url, f"/referrals/{referral}", {"status": "revoked"})
    assert response.status_code == 422  # a finished referral cannot be revoked


def test_the_sender_revokes_a_referral(worker, case_url, provider):
    post(worker, case_url, "/referrals", {"provider": provider, "service_kind": "medical"})
    (referral,) = ids_of(worker.text(case_url), "referral")
    assert (
        post(worker, case_url, f"/referrals/{referral}", {"status": "revoked"}).status_code == 302
    )
    assert "đã hủy" in worker.text(case_url)


def test_a_referral_to_nothing_and_a_consent_without_scope_are_refused(worker, case_url):
    response = post(worker, case_url, "/referrals", {"note": "?"})
    assert response.status_code == 422
    assert "Hãy nêu cơ sở cung cấp hoặc loại dịch vụ." in errors_of(response.get_data(as_text=True))
    response = post(worker, case_url, "/consents", {"decision": "given"})
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in errors_of(response.get_data(as_text=True))


# --- scope and CSRF, for every form -------------------------------------------------------------

FORMS = [
    ("/support-items", {"kind": "medical"}),
    ("/notes", {"kind": "home_visit", "content": "Thăm nhà"}),
    ("/referrals", {"service_kind": "medical"}),
    ("/consents", {"scope": "processing", "decision": "given"}),
    ("/edit", {"referral_source": "police"}),
]


@pytest.mark.parametrize("path, data", FORMS, ids=[p for p, _ in FORMS])
def test_a_case_of_another_commune_answers_not_found(browser_for, worker, case_url, path, data):
    outsider = browser_for("worker_b")
    response = outsider.submit("/cases", case_url + path, {**data, "version": "1"})
    assert response.status_code == 404
    assert "Trần Thị Mai" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path, data", FORMS, ids=[p for p, _ in FORMS])
def test_a_form_without_its_csrf_token_is_refused(worker, case_url, path, data):
    response = worker.client.post(case_url + path, data={**data, "version": "1"})
    assert response.status_code == 400
    page = worker.text(case_url)
    assert "Đã thêm" not in page and "Đã ghi nhận" not in page


def test_records_of_another_case_are_not_reachable_through_this_one(browser_for, worker, case_url):
    post(worker, case_url, "/support-items", {"kind": "medical"})
    (item,) = ids_of(worker.text(case_url), "support")
    other = open_case(worker, national_id="001198099999", phone="0912000999")
    response = post(worker, other, f"/support-items/{item}", {"status": "in_progress"})
    assert response.status_code == 404
    response = post(worker, case_url, f"/support-items/{UNKNOWN}", {"status": "in_progress"})
    assert response.status_code == 404


def test_forms_are_offered_only_to_those_who_may_use_them(browser_for, worker, case_url):
    page = worker.text(case_url)
    for form in ("support-new", "note-new", "referral-new", "consent-new"):
        assert f'id="form-{form}"' in page
    assert 'name="consent_override_reason"' not in page


# --- editing the details -----------------------------------------------------------------------


def version_of(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match
    return match.group(1)


def test_a_worker_edits_the_case_and_the_person(worker, case_url):
    form = worker.text(case_url + "/edit")
    assert 'value="0912000111"' in form and "Trần Thị Mai" in form
    response = worker.submit(
        case_url + "/edit",
        case_url + "/edit",
        {
            "version": version_of(form),
            "referral_source": "police",
            "full_name": "Trần Thị Mai",
            "sex": "female",
            "date_of_birth": "1998-05-02",
            "national_id": "001198012345",
            "phone": "0987654321",
            "address": "Số 5 ngõ 12 Đội Cấn",
            "aliases": "",
        },
    )
    assert response.status_code == 302, summary_of(response.get_data(as_text=True))
    page = worker.text(case_url)
    assert "Đã lưu thông tin." in page
    assert "0987654321" in page and "Số 5 ngõ 12 Đội Cấn" in page and "Công an" in page


def test_an_edit_with_a_bad_national_id_is_refused_next_to_the_field(worker, case_url):
    form = worker.text(case_url + "/edit")
    response = worker.submit(
        case_url + "/edit",
        case_url + "/edit",
        {
            "version": version_of(form),
            "sex": "female",
            "national_id": "12345",
            "full_name": "Trần Thị Mai",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Số CCCD gồm 12 chữ số (hoặc CMND cũ 9 chữ số)" in " ".join(errors_of(html))
    assert "12 digits" not in html.split("</form>")[0].split("<form")[-1].split("hint")[0]


def test_a_stale_edit_form_answers_with_the_conflict_message(worker, case_url):
    stale = version_of(worker.text(case_url + "/edit"))
    fire(worker, case_url, "record_consent", consent_date=days_ago(1))  # the case moves on
    response = worker.submit(
        case_url + "/edit",
        case_url + "/edit",
        {
            "version": stale,
            "referral_source": "police",
            "sex": "female",
            "full_name": "Trần Thị Mai",
        },
    )
    assert response.status_code == 409
    assert "Người khác vừa thay đổi hồ sơ này" in summary_of(response.get_data(as_text=True))
    assert "Công an" not in worker.text(case_url).split('id="h-person"')[0]


def test_identity_fields_only_for_those_who_may_see_them(browser_for, case_url):
    colleague = browser_for("worker_a2")  # same commune, not assigned: identity masked
    form = colleague.text(case_url + "/edit")
    assert 'name="full_name"' not in form and 'name="national_id"' not in form
    assert 'name="referral_note"' not in form and "Trần Thị Mai" not in form
    response = colleague.submit(
        case_url + "/edit",
        case_url + "/edit",
        {"version": version_of(form), "referral_source": "police", "full_name": "Tên khác"},
    )
    assert response.status_code == 302
    owner = browser_for("worker_a")
    assert "Trần Thị Mai" in owner.text(case_url)


def test_roles_without_case_work_cannot_open_the_edit_form(browser_for, case_url):
    assert browser_for("statistician").get(case_url + "/edit").status_code == 404
