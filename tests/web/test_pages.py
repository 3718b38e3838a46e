"""The web pages, as each role sees them: status, key content, masking, CSRF and scope."""

from __future__ import annotations

import re

import pytest

from casework.model_base import utcnow, vietnam_today
from tests.web.conftest import Browser
from workflows.dates import local_date

TRAFFICKING = {
    "case_type": "trafficking_victim",
    "unit": "00004",
    "full_name": "Trần Thị Mai",
    "sex": "female",
    "date_of_birth": "1998-05-02",
    "national_id": "001198012345",
    "phone": "0912000111",
    "referral_source": "hotline_111",
}


def open_case(browser: Browser, **fields: str) -> str:
    """Open a case through the intake form; returns the case page's path."""
    body = {**TRAFFICKING, **fields}
    response = browser.submit("/cases/new", "/cases/new", body)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].split("?")[0]


def fire(browser: Browser, case_url: str, event: str, **fields: str):  # noqa: ANN201
    page = browser.text(case_url)
    version = re.search(
        rf'action="{case_url}/events/{event}".*?name="version" value="(\d+)"', page, re.S
    )
    assert version, f"no form for {event}"
    return browser.submit(
        case_url, f"{case_url}/events/{event}", {"version": version.group(1), **fields}
    )


# --- logging in and out ---------------------------------------------------------------------


def test_pages_need_a_login(world, browser_for):
    response = browser_for().get("/cases")
    assert response.status_code == 302 and "/login?next=/cases" in response.headers["Location"]


def test_login_page_is_vietnamese_with_a_csrf_token(world, browser_for):
    page = browser_for().text("/login")
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Mật khẩu" in page and 'name="otp"' in page
    assert 'name="csrf_token"' in page


@pytest.mark.parametrize(
    "username, password",
    [("worker_a", "wrong password here"), ("nobody", "correct horse battery staple")],
)
def test_every_login_failure_gives_the_same_message(world, browser_for, username, password):
    response = browser_for().login(username, password)
    assert response.status_code == 401
    assert "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng." in response.get_data(as_text=True)


def test_a_login_without_the_csrf_token_is_refused(world, browser_for):
    browser = browser_for()
    response = browser.client.post(
        "/login", data={"username": "worker_a", "password": "correct horse battery staple"}
    )
    assert response.status_code == 400
    assert "Không thể xử lý yêu cầu" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "username, home",
    [
        ("worker_a", "/cases"),
        ("supervisor_a", "/supervisor/dashboard"),
        ("supervisor_province", "/supervisor/dashboard"),
        ("statistician", "/stats"),
        ("administrator", "/admin/users"),
        ("auditor", "/home"),
    ],
)
def test_each_role_lands_on_today_which_leads_to_its_work(world, browser_for, username, home):
    browser = browser_for(username)
    response = browser.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/today"
    today = browser.get("/today")
    assert today.status_code == 200
    assert f'href="{home}' in today.get_data(as_text=True)
    assert browser.get(home).status_code == 200


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(world, browser_for):
    browser = browser_for()
    page = browser.text("/login?next=/workflows")
    response = browser.submit(
        "/login?next=/workflows",
        "/login?next=/workflows",
        {"username": "worker_a", "password": "correct horse battery staple"},
    )
    assert response.headers["Location"] == "/workflows" and page
    other = browser_for()
    response = other.submit(
        "/login",
        "/login?next=//evil.example/x",
        {"username": "worker_a", "password": "correct horse battery staple"},
    )
    assert response.headers["Location"] == "/today"


def test_logout_is_a_post_with_csrf(world, browser_for):
    browser = browser_for("worker_a")
    assert browser.client.post("/logout").status_code == 400  # no token
    assert browser.get("/cases").status_code == 200
    response = browser.submit("/cases", "/logout", {})
    assert response.status_code == 302
    assert browser.get("/cases").status_code == 302


def test_language_switch_sets_a_cookie_and_the_page_follows(world, browser_for):
    browser = browser_for("worker_a")
    response = browser.get("/lang/en?next=/cases")
    assert response.status_code == 302 and response.headers["Location"] == "/cases"
    assert "lang=en" in response.headers["Set-Cookie"]
    page = browser.text("/cases")
    assert '<html lang="en">' in page and "My cases" in page and "Hồ sơ của tôi" not in page
    browser.get("/lang/vi?next=/cases")
    assert "Hồ sơ của tôi" in browser.text("/cases")


def test_language_switch_never_redirects_off_site(world, browser_for):
    response = browser_for().get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


# --- a social worker --------------------------------------------------------------------------


def test_intake_opens_a_case_and_shows_it_with_dates_in_vietnamese(world, browser_for):
    worker = browser_for("worker_a")
    case_url = open_case(worker)
    page = worker.text(case_url)
    assert "Nạn nhân bị mua bán" in page and "Tiếp nhận tin báo" in page
    assert "Trần Thị Mai" in page  # the worker who opened it is assigned and sees the identity
    # The opening date is the date in Hà Nội, which is not the server's UTC date every evening.
    assert local_date(utcnow()).strftime("%d/%m/%Y") in page
    assert "Ghi nhận sự đồng ý" in page  # the next action
    assert "Xác minh với công an tỉnh" in page


def test_intake_shows_the_schemas_errors_next_to_the_fields(world, browser_for):
    worker = browser_for("worker_a")
    response = worker.submit(
        "/cases/new",
        "/cases/new",
        {
            **TRAFFICKING,
            "national_id": "123",
            "phone": "12",
            "full_name": "",
            "date_of_birth": "2999-01-01",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="national_id-error"' in page and "12 chữ số" in page
    assert 'id="phone-error"' in page and "Số điện thoại Việt Nam không hợp lệ" in page
    assert 'id="date_of_birth-error"' in page
    assert "/ not a Vietnamese phone number" not in page


def test_intake_without_a_name_is_refused_except_for_sex_work_exit(world, browser_for):
    worker = browser_for("worker_a")
    refused = worker.submit(
        "/cases/new", "/cases/new", {"case_type": "post_rehab", "unit": "00004", "sex": "male"}
    )
    assert refused.status_code == 422
    assert "Loại hồ sơ này bắt buộc có họ tên." in refused.get_data(as_text=True)
    accepted = worker.submit(
        "/cases/new", "/cases/new", {"case_type": "sex_work_exit", "unit": "00004", "sex": "female"}
    )
    assert accepted.status_code == 302


def test_intake_in_another_commune_is_refused(world, browser_for):
    worker = browser_for("worker_a")
    response = worker.submit("/cases/new", "/cases/new", {**TRAFFICKING, "unit": "00008"})
    assert response.status_code == 422
    assert "Đơn vị này nằm ngoài địa bàn của bạn." in response.get_data(as_text=True)


def test_duplicate_warning_links_matches_in_scope_and_only_mentions_others(world, browser_for):
    worker = browser_for("worker_a")
    first = open_case(worker)
    second = open_case(worker, full_name="Trần T. Mai")
    page = worker.text(second + "?new=1")
    assert "Người này có thể đã có hồ sơ." in page and f'href="{first}"' in page
    other = browser_for("worker_b")
    third = open_case(other, unit="00008")
    page = other.text(third + "?new=1")
    assert "Có thể người này đã có hồ sơ mà bạn không được xem; hãy hỏi cán bộ phụ trách." in page
    assert first not in page and "HS-" in page  # only its own reference


def test_caseload_filters_and_search(world, browser_for):
    worker = browser_for("worker_a")
    case_url = open_case(worker)
    open_case(worker, case_type="post_rehab", national_id="001090000001", phone="0987000111")
    page = worker.text("/cases")
    assert "2 hồ sơ" in page
    assert "1 hồ sơ" in worker.text("/cases?case_type=trafficking_victim")
    assert "1 hồ sơ" in worker.text("/cases?q=001198012345")
    assert "1 hồ sơ" in worker.text("/cases?q=0987000111")
    assert "0 hồ sơ" in worker.text("/cases?overdue=true")
    reference = re.search(r"HS-\d{4}-[A-Z0-9]{8}", worker.text(case_url)).group(0)
    assert case_url in worker.text(f"/cases?q={reference}")
    assert "0 hồ sơ" in worker.text("/cases?stage=closed")


def test_a_colleague_sees_a_trafficking_case_masked_and_can_reveal_it_with_a_reason(
    world, browser_for
):
    case_url = open_case(browser_for("worker_a"))
    colleague = browser_for("worker_a2")
    page = colleague.text(case_url)
    assert "Trần Thị Mai" not in page and "001198012345" not in page
    assert 'id="masked-note"' in page and "Hiện thông tin nhận dạng" in page
    assert "đã ẩn" in colleague.text("/cases?assigned=all")
    short = colleague.submit(case_url, f"{case_url}/reveal", {"reason": "xem"})
    assert short.status_code == 422
    response = colleague.submit(
        case_url, f"{case_url}/reveal", {"reason": "Đối tượng gọi điện, cần liên hệ lại gấp"}
    )
    assert response.status_code == 302
    assert "Trần Thị Mai" in colleague.text(case_url)


def test_another_communes_worker_gets_the_not_found_page(world, browser_for):
    case_url = open_case(browser_for("worker_a"))
    outsider = browser_for("worker_b")
    response = outsider.get(case_url)
    unknown = outsider.get("/cases/00000000-0000-0000-0000-000000000000")
    assert response.status_code == unknown.status_code == 404
    body = response.get_data(as_text=True)
    assert "Không tìm thấy" in body and "Trần Thị Mai" not in body

    def same(html: str, url: str) -> str:  # the page, without its URL and CSRF token
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html.replace(url, ""))

    assert same(body, case_url) == same(
        unknown.get_data(as_text=True), "/cases/00000000-0000-0000-0000-000000000000"
    )
    assert (
        outsider.submit(
            "/cases",
            f"{case_url}/events/record_consent",
            {"consent_date": vietnam_today().isoformat()},
        ).status_code
        == 404
    )


def test_a_trafficking_case_walks_to_follow_up_and_the_supervisor_closes_it(world, browser_for):
    worker = browser_for("worker_a")
    case_url = open_case(worker)
    today = vietnam_today().isoformat()
    steps = [
        ("record_consent", {"consent_date": today}),
        ("verify", {"victim_status": "confirmed"}),
        ("assess", {"plan": "Hỗ trợ tâm lý, học nghề may"}),
        ("start_counselling", {}),
        ("complete_counselling", {}),
        ("skip_schooling", {"reason": "Đã tốt nghiệp THPT"}),
        ("complete_vocational_training", {}),
        ("skip_job_placement", {"reason": "Tự tìm được việc"}),
        ("complete_loan_referral", {}),
        ("request_closure", {"closure_reason": "reintegrated"}),
    ]
    for event, fields in steps:
        response = fire(worker, case_url, event, **fields)
        assert response.status_code == 302, (event, response.get_data(as_text=True)[:3000])
    page = worker.text(case_url)
    assert "Đề nghị kết thúc hồ sơ" in page and "Đã tốt nghiệp THPT" in page
    assert "/events/approve_closure" not in page  # a worker cannot approve
    supervisor = browser_for("supervisor_a")
    queue = supervisor.text("/supervisor/approvals")
    assert case_url in queue and "Đã tái hòa nhập cộng đồng" in queue
    response = fire(supervisor, case_url, "approve_closure")
    assert response.status_code == 302
    assert "Đã kết thúc hồ sơ" in supervisor.text(case_url)
    assert "Mở lại hồ sơ" in supervisor.text("/supervisor/approvals")


def test_a_guard_refusal_is_shown_inline(world, browser_for):
    worker = browser_for("worker_a")
    case_url = open_case(worker)
    page = worker.text(case_url)
    assert 'class="refusal"' in page  # verify is disabled until consent is recorded
    response = fire(worker, case_url, "verify", victim_status="confirmed")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'class="error-summary"' in body and "đồng ý" in body
    missing = fire(worker, case_url, "record_consent")
    assert missing.status_code == 422
    assert "Trường này là bắt buộc." in missing.get_data(as_text=True)


def test_a_stale_form_is_a_conflict(world, browser_for):
    worker = browser_for("worker_a")
    case_url = open_case(worker)
    today = vietnam_today().isoformat()
    assert fire(worker, case_url, "record_consent", consent_date=today).status_code == 302
    stale = worker.submit(
        case_url, f"{case_url}/events/record_consent", {"version": "1", "consent_date": today}
    )
    assert stale.status_code == 409
    assert "Người khác vừa thay đổi hồ sơ này" in stale.get_data(as_text=True)


def test_event_post_without_csrf_is_refused(world, browser_for):
    worker = browser_for("worker_a")
    case_url = open_case(worker)
    response = worker.client.post(
        f"{case_url}/events/record_consent", data={"consent_date": vietnam_today().isoformat()}
    )
    assert response.status_code == 400


# --- a supervisor -----------------------------------------------------------------------------


def test_supervisor_assigns_and_reassigns(world, browser_for):
    case_url = open_case(browser_for("worker_a"))
    supervisor = browser_for("supervisor_a")
    page = supervisor.text(case_url)
    assert 'id="assign-form"' in page and "worker_a2" in page and "worker_b" not in page
    version = re.search(r'id="assign-form".*?name="version" value="(\d+)"', page, re.S).group(1)
    response = supervisor.submit(
        case_url, f"{case_url}/assign", {"worker": "worker_a2", "version": version}
    )
    assert response.status_code == 302
    assert "Trần Thị Mai" in browser_for("worker_a2").text(case_url)
    assert "Trần Thị Mai" not in browser_for("worker_a").text(case_url)
    refused = supervisor.submit(
        case_url, f"{case_url}/assign", {"worker": "worker_b", "version": str(int(version) + 1)}
    )
    assert refused.status_code == 422
    assert 'id="assign-form"' not in browser_for("worker_a").text(case_url)


def test_dashboard_draws_its_charts(world, browser_for):
    worker = browser_for("worker_a")
    open_case(worker)
    open_case(worker, case_type="post_rehab", national_id="001090000001", phone="0987000111")
    page = browser_for("supervisor_a").text("/supervisor/dashboard")
    for chart in ("chart-by_stage", "chart-by_type", "chart-overdue", "chart-months"):
        assert f'id="{chart}"' in page
    assert page.count('class="bar-fill') >= 3
    assert "Hồ sơ đang xử lý theo giai đoạn" in page and "Tiếp nhận" in page


def test_dashboard_counts_only_the_supervisors_units(world, browser_for):
    open_case(browser_for("worker_a"))
    page = browser_for("supervisor_b").text("/supervisor/dashboard")
    assert re.search(r'class="figure">0<', page)


@pytest.mark.parametrize("username", ["worker_a", "statistician", "administrator", "auditor"])
def test_supervisor_pages_are_for_supervisors(world, browser_for, username):
    browser = browser_for(username)
    assert browser.get("/supervisor/dashboard").status_code == 403
    assert browser.get("/supervisor/approvals").status_code == 403


@pytest.mark.parametrize("username", ["statistician", "administrator", "auditor"])
def test_roles_without_case_content_see_no_caseload(world, browser_for, username):
    browser = browser_for(username)
    assert browser.get("/cases").status_code == 403
    assert browser.get("/cases/new").status_code == 403


# --- an administrator -------------------------------------------------------------------------


CODE = re.compile(r'id="enrolment-code"><code>([0-9A-Z-]+)</code>')


def test_administrator_lists_and_creates_users(world, browser_for):
    admin = browser_for("administrator")
    page = admin.text("/admin/users")
    assert "worker_a" in page and "Cán bộ xã hội" in page
    assert 'name="password"' not in page  # an administrator never types a password
    response = admin.submit(
        "/admin/users",
        "/admin/users",
        {
            "username": "stat_new",
            "display_name": "Nguyễn Văn Mới",
            "role": "statistician",
            "unit": "00004",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    code = CODE.search(response.get_data(as_text=True)).group(1)
    assert code not in admin.text("/admin/users")  # shown once, on the answer only
    assert "stat_new" in admin.text("/admin/users")
    refused = admin.submit(
        "/admin/users",
        "/admin/users",
        {"username": "stat_new", "role": "statistician", "unit": "00004"},
    )
    assert refused.status_code == 422 and "stat_new" in refused.get_data(as_text=True)
    newcomer = browser_for()
    form = {"code": code, "new_password": "mot cau mat khau rieng", "confirm_password": ""}
    form["confirm_password"] = form["new_password"]
    assert newcomer.submit("/enrol", "/enrol", form).status_code == 302
    assert newcomer.login("stat_new", form["new_password"]).status_code == 302
    assert browser_for("worker_a").get("/admin/users").status_code == 403


def test_a_new_case_worker_gets_the_code_from_the_approving_supervisor(world, browser_for):
    admin = browser_for("administrator")
    created = admin.submit(
        "/admin/users",
        "/admin/users",
        {"username": "worker_new", "role": "social_worker", "unit": "00004"},
    ).get_data(as_text=True)
    assert CODE.search(created) is None and "chờ cán bộ phụ trách" in created
    assert "chờ phê duyệt" in admin.text("/admin/users")
    supervisor = browser_for("supervisor_a")
    queue = supervisor.text("/supervisor/role-requests")
    assert "worker_new" in queue and "Phê duyệt" in queue
    action = re.search(r'action="(/supervisor/role-requests/[0-9a-f-]+)"', queue).group(1)
    approved = supervisor.submit("/supervisor/role-requests", action, {"decision": "approve"})
    code = CODE.search(approved.get_data(as_text=True)).group(1)
    newcomer = browser_for()
    password = "mot cau mat khau rieng"
    form = {"code": code, "new_password": password, "confirm_password": password}
    assert newcomer.submit("/enrol", "/enrol", form).status_code == 302
    assert newcomer.login("worker_new", password).status_code == 302
    assert newcomer.get("/cases").status_code == 200
    assert "worker_new" not in supervisor.text("/supervisor/role-requests")


def test_administrator_disables_resets_and_changes_roles(world, browser_for):
    admin = browser_for("administrator")
    users = admin.text("/admin/users")
    user_url = re.search(r'href="(/admin/users/[0-9a-f-]+)">worker_a2<', users).group(1)
    page = admin.text(user_url)
    assert "Khóa tài khoản" in page
    assert (
        admin.submit(
            user_url, f"{user_url}/roles", {"role": "supervisor", "unit": "00004"}
        ).status_code
        == 302
    )
    page = admin.text(user_url)
    assert "Đang chờ cán bộ phụ trách phê duyệt" in page  # not active: a supervisor decides
    withdraw = re.search(r'action="([^"]+/withdraw)"', page).group(1)
    assert admin.submit(user_url, withdraw, {}).status_code == 302
    assert "Đang chờ cán bộ phụ trách phê duyệt" not in admin.text(user_url)
    outside = admin.submit(user_url, f"{user_url}/roles", {"role": "supervisor", "unit": "26734"})
    assert outside.status_code == 422
    assert "Đơn vị không tồn tại hoặc nằm ngoài địa bàn của bạn." in outside.get_data(as_text=True)
    user = browser_for("worker_a2")
    reset = admin.submit(user_url, f"{user_url}/password", {})
    assert reset.status_code == 200 and CODE.search(reset.get_data(as_text=True)) is None
    assert user.get("/cases").status_code == 302  # the session ended with the password
    assert "Cán bộ xã hội — Phường Ba Đình" in reset.get_data(as_text=True)  # waits again
    assert admin.submit(user_url, f"{user_url}/active", {"active": "0"}).status_code == 302
    assert "đã khóa" in admin.text("/admin/users")


def test_an_administrator_cannot_reach_users_outside_their_subtree(world, browser_for):
    admin = browser_for("administrator")
    assert "worker_hcm" not in admin.text("/admin/users")


def test_unit_tree_browser(world, browser_for):
    admin = browser_for("administrator")
    page = admin.text("/admin/units")
    assert "Thành phố Hà Nội" in page and "/admin/units?parent=01" in page
    page = admin.text("/admin/units?parent=01")
    assert "Phường Ba Đình" in page and "00004" in page
    assert admin.get("/admin/units?parent=79").status_code == 404  # outside their subtree


# --- workflows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case_type", ["trafficking_victim", "post_rehab", "sex_work_exit", "post_prison"]
)
def test_workflow_diagram_of_each_type(world, browser_for, case_type):
    page = browser_for("worker_a").text(f"/workflows/{case_type}")
    assert 'class="flow"' in page and "stateDiagram-v2" in page
    assert "Đã kết thúc hồ sơ" in page


def test_case_page_highlights_the_cases_own_position(world, browser_for):
    worker = browser_for("worker_a")
    page = worker.text(open_case(worker))
    assert 'id="stage-identified"' in page
    assert re.search(r'class="stage-box stage-current"[^>]*id="stage-identified"', page)
    assert 'class="step step-current" aria-current="step"' in page


def test_unknown_workflow_is_not_found(world, browser_for):
    assert browser_for("worker_a").get("/workflows/nothing").status_code == 404


def test_case_page_shows_support_work_masked_like_the_identity(world, browser_for):
    case_url = open_case(browser_for("worker_a"))
    case_id = case_url.rsplit("/", 1)[1]
    api = world.client_for("worker_a")
    response = api.post(
        f"/api/v1/cases/{case_id}/notes",
        json={"kind": "home_visit", "content": "Thăm nhà, gia đình hợp tác tốt"},
    )
    assert response.status_code == 201, response.get_json()
    page = browser_for("worker_a").text(case_url)
    assert "Thăm gia đình" in page and "Thăm nhà, gia đình hợp tác tốt" in page
    colleague = browser_for("worker_a2").text(case_url)
    assert "Thăm gia đình" in colleague and "Thăm nhà, gia đình hợp tác tốt" not in colleague
