"""The web application in a real browser: logins, a trafficking case from report to closure,
scope, the language switch, the charts, and the phone layout. Screenshots go to
test-artifacts/screenshots/ (desktop 1280 px and phone 360 px)."""

from __future__ import annotations

import re

import pytest

from casework.model_base import vietnam_today
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "username, heading",
    [
        ("worker_a", "Hồ sơ của tôi"),
        ("supervisor_a", "Tổng quan đơn vị"),
        ("supervisor_province", "Tổng quan đơn vị"),
        ("statistician", "Hôm nay"),
        ("administrator", "Người dùng"),
        ("auditor", "Hôm nay"),
    ],
)
def test_each_role_logs_in(person, username, heading):
    someone = person(username)
    expect_heading = someone.page.get_by_role("heading", level=1)
    assert heading in expect_heading.inner_text()
    if username in ("worker_a", "administrator"):
        someone.shot(f"home-{username}")


def test_login_failure_and_login_page(person):
    someone = person()
    someone.go("/login")
    someone.shot("login")
    someone.login("worker_a", "not the password at all")
    assert "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng." in someone.page.inner_text("main")


def _fire(page, event: str, fields: dict[str, str] | None = None) -> None:
    form = page.locator(f"#form-{event}")
    for name, value in (fields or {}).items():
        field = form.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "error-summary" not in page.content(), page.inner_text("main")[:1500]


def test_a_worker_takes_a_trafficking_case_to_follow_up_and_a_supervisor_closes_it(person):
    worker = person("worker_a")
    page = worker.page
    page.get_by_role("link", name="Mở hồ sơ").first.click()
    page.get_by_label("Loại hồ sơ").select_option("trafficking_victim")
    assert page.locator("fieldset[data-for-types='post_rehab']").is_hidden()
    page.get_by_label("Nguồn tiếp nhận").select_option("hotline_111")
    page.get_by_label("Họ và tên").fill("Lò Thị Xuân")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Ngày sinh").fill("2001-09-14")
    page.get_by_label("Số CCCD").fill("011301004567")
    page.get_by_label("Số điện thoại").fill("0968123456")
    worker.shot("open-case")
    page.get_by_role("button", name="Mở hồ sơ").click()
    page.wait_for_load_state()
    case_url = page.url.split("?")[0]
    assert "Tiếp nhận tin báo" in page.inner_text("main")
    assert "Lò Thị Xuân" in page.inner_text("#person")
    worker.shot("case-identified")

    today = vietnam_today().isoformat()
    _fire(page, "record_consent", {"consent_date": today})
    _fire(page, "verify", {"victim_status": "confirmed"})
    assert "Đã xác minh" in page.inner_text(".case-stage")
    _fire(page, "assess", {"plan": "Hỗ trợ tâm lý; học nghề may tại trung tâm"})
    _fire(page, "start_counselling")
    assert "Tư vấn" in page.inner_text(".case-stage")
    _fire(page, "complete_counselling")
    _fire(page, "skip_schooling", {"reason": "Đã tốt nghiệp THPT"})
    assert "Học nghề" in page.inner_text(".case-stage")
    worker.shot("case-vocational-training")
    _fire(page, "complete_vocational_training")
    _fire(page, "skip_job_placement", {"reason": "Tự tìm được việc làm"})
    _fire(page, "complete_loan_referral")
    assert "Theo dõi tái hòa nhập" in page.inner_text(".case-stage")
    timeline = page.locator(".timeline")
    assert timeline.locator(".step-done").count() >= 5
    assert timeline.locator(".step-skipped").count() == 2
    worker.shot("case-follow-up")
    _fire(page, "request_closure", {"closure_reason": "reintegrated"})
    assert "Đề nghị kết thúc hồ sơ" in page.inner_text(".case-stage")

    supervisor = person("supervisor_a")
    supervisor.go("/supervisor/approvals")
    supervisor.shot("approvals")
    link = supervisor.page.locator(f"a[href='{case_url.replace(worker.base, '')}']")
    item = supervisor.page.locator(".queue-item", has=link)
    item.locator("button", has_text="Duyệt kết thúc hồ sơ").click()
    supervisor.page.wait_for_load_state()
    assert "Đã thực hiện: Duyệt kết thúc hồ sơ." in supervisor.page.inner_text("main")
    supervisor.page.goto(case_url)
    assert "Đã kết thúc hồ sơ" in supervisor.page.inner_text(".case-stage")
    supervisor.shot("case-closed")

    outsider = person("worker_b")
    response = outsider.page.goto(case_url)
    assert response.status == 404
    assert "Không tìm thấy" in outsider.page.inner_text("h1")
    assert "Lò Thị Xuân" not in outsider.page.content()
    outsider.shot("not-found")


def test_the_language_switch(person):
    worker = person("worker_a")
    page = worker.page
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "My cases" in page.get_by_role("heading", level=1).inner_text()
    worker.shot("caseload-english", phone_too=False)
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert "Hồ sơ của tôi" in page.get_by_role("heading", level=1).inner_text()


def _open_some_cases(worker) -> None:
    page = worker.page
    for n, (case_type, name) in enumerate(
        [
            ("post_rehab", "Nguyễn Văn An"),
            ("post_prison", "Phạm Văn Bình"),
            ("trafficking_victim", "Hà Thị Cúc"),
        ]
    ):
        worker.go("/cases/new")
        page.get_by_label("Loại hồ sơ").select_option(case_type)
        page.get_by_label("Họ và tên").fill(name)
        page.get_by_label("Giới tính").select_option("male" if n < 2 else "female")
        page.get_by_label("Số CCCD").fill(f"00109000000{n}")
        page.get_by_role("button", name="Mở hồ sơ").click()
        page.wait_for_load_state()


def test_the_dashboard_draws_its_charts(person):
    worker = person("worker_a")
    _open_some_cases(worker)
    worker.go("/cases?assigned=all")
    worker.shot("caseload")
    supervisor = person("supervisor_a")
    supervisor.go("/supervisor/dashboard")
    page = supervisor.page
    for chart in ("by_stage", "by_type", "chart-months"):
        selector = f"#chart-{chart} svg" if chart != "chart-months" else "#chart-months svg"
        svg = page.locator(selector)
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40
    bars = page.locator("#chart-by_type rect.bar-fill")
    widths = [
        float(re.sub(r"[^0-9.]", "", bars.nth(i).get_attribute("width")))
        for i in range(bars.count())
    ]
    assert bars.count() == 4 and max(widths) == 100.0
    opened = page.locator("#chart-months rect.bar-opened")
    assert max(float(opened.nth(i).get_attribute("height")) for i in range(opened.count())) > 0
    supervisor.shot("dashboard")


def test_phone_layout_menu_and_workflow(person):
    worker = person("worker_a", viewport=PHONE)
    page = worker.page
    toggle = page.get_by_role("button", name="Trình đơn")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#site-nav").is_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.locator("#site-nav").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.keyboard.press("Escape")
    assert page.locator("#site-nav").is_hidden()
    worker.go("/workflows/trafficking_victim")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    worker.shot("workflow-trafficking")


def test_skip_link_and_visible_focus(person):
    someone = person()
    someone.go("/login")
    someone.page.keyboard.press("Tab")
    focused = someone.page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = someone.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
