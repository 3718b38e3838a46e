"""Settings → two-step login: set up with a first code, recovery codes once, log in with a
code, turn off with the password; a user the configuration obliges to enrol is taken there."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.conftest import PASSWORD, make_app
from tests.web.conftest import Browser

PAGE = "/account/two-step"


def secret_on(html: str) -> str:
    match = re.search(r'id="totp-secret"><code>([A-Z2-7 ]+)</code>', html)
    assert match, "no secret shown"
    return match.group(1).replace(" ", "")


def start(browser: Browser) -> str:
    response = browser.submit(PAGE, PAGE + "/start", {})
    assert response.status_code == 302
    page = browser.text(PAGE)
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn on the server
    assert "otpauth://totp/casework:worker_a?secret=" in page
    return secret_on(page)


def code_for(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def test_a_worker_sets_up_two_step_login_and_sees_the_recovery_codes_once(browser_for):
    worker = browser_for("worker_a")
    page = worker.text(PAGE)
    assert "Cài đặt đăng nhập hai bước" in page
    secret = start(worker)
    response = worker.submit(PAGE, PAGE + "/confirm", {"code": "000000"})
    assert response.status_code == 422
    assert "Mã không đúng" in response.get_data(as_text=True)
    response = worker.submit(PAGE, PAGE + "/confirm", {"code": code_for(secret)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", html)
    assert len(codes) == 10 and "chỉ hiển thị một lần" in html
    again = worker.text(PAGE)
    assert "Đăng nhập hai bước đang bật" in again and codes[0] not in again and secret not in again


def test_login_then_needs_the_code_and_a_recovery_code_works_once(world, browser_for):
    worker = browser_for("worker_a")
    secret = start(worker)
    html = worker.submit(PAGE, PAGE + "/confirm", {"code": code_for(secret)}).get_data(as_text=True)
    recovery = re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", html)[0]
    fresh = browser_for()
    assert fresh.login("worker_a").status_code == 401  # no code
    response = fresh.submit(
        "/login",
        "/login",
        {"username": "worker_a", "password": PASSWORD, "otp": code_for(secret, 1)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/today"
    other = browser_for()
    response = other.submit(
        "/login", "/login", {"username": "worker_a", "password": PASSWORD, "otp": recovery}
    )
    assert response.status_code == 302
    third = browser_for()
    response = third.submit(
        "/login", "/login", {"username": "worker_a", "password": PASSWORD, "otp": recovery}
    )
    assert response.status_code == 401  # spent


def test_turning_it_off_asks_for_the_password(browser_for):
    worker = browser_for("worker_a")
    secret = start(worker)
    worker.submit(PAGE, PAGE + "/confirm", {"code": code_for(secret)})
    response = worker.submit(PAGE, PAGE + "/remove", {"password": "not my password at all"})
    assert response.status_code == 422
    assert "Đây không phải mật khẩu hiện tại của bạn." in response.get_data(as_text=True)
    response = worker.submit(PAGE, PAGE + "/remove", {"password": PASSWORD})
    assert response.status_code == 302
    assert "Đã tắt đăng nhập hai bước." in worker.text(PAGE)
    assert browser_for().login("worker_a").status_code == 302  # password alone again


@pytest.mark.parametrize("path", ["/start", "/confirm", "/remove"])
def test_two_step_forms_refuse_a_post_without_csrf(browser_for, path):
    worker = browser_for("worker_a")
    assert worker.client.post(PAGE + path, data={"code": "123456"}).status_code == 400


def test_the_page_needs_a_login(browser_for):
    response = browser_for().get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture()
def mfa_browser(world, tmp_path):
    """A browser on an app of the same world whose configuration requires two-step login."""
    app = make_app(
        tmp_path / "mfa",
        world.app.config["SQLALCHEMY_DATABASE_URI"],
        environ={"CASEWORK_REQUIRE_MFA": "true"},
    )
    return lambda: Browser(app.test_client())


def test_a_supervisor_required_to_enrol_is_taken_there_after_login(mfa_browser):
    supervisor = mfa_browser()
    response = supervisor.login("supervisor_a")
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    # Any other page sends them back there, instead of a refusal page.
    response = supervisor.get("/supervisor/dashboard")
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    page = supervisor.text(PAGE)
    assert "bắt buộc đăng nhập hai bước" in page
    response = supervisor.submit(PAGE, PAGE + "/start", {})
    assert response.status_code == 302
    secret = secret_on(supervisor.text(PAGE))
    response = supervisor.submit(PAGE, PAGE + "/confirm", {"code": code_for(secret)})
    assert response.status_code == 200
    assert supervisor.get("/supervisor/dashboard").status_code == 200
    assert "không tắt được" in supervisor.text(PAGE)  # required: no way to turn it off here


def test_a_worker_is_not_obliged_by_the_supervisor_rule(mfa_browser):
    worker = mfa_browser()
    response = worker.login("worker_a")
    assert response.headers["Location"] == "/today"
