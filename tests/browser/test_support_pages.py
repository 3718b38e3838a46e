"""The support-work forms, the case edit form, two-step login and bulk import in a real browser.

A worker plans a support item and moves it on, records a home visit, sends a referral that is
refused without consent, edits the case; sets up two-step login from the QR page's key and logs
in with a code; imports a handover list. Screenshots of each new page at 1280 and 360 px go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from casework.model_base import vietnam_today
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _open_case(worker, name: str = "Đinh Thị Lan") -> str:
    page = worker.page
    worker.go("/cases/new")
    page.get_by_label("Loại hồ sơ").select_option("post_rehab")
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Số CCCD").fill("001196004321")
    page.get_by_label("Số điện thoại").fill("0978111222")
    page.get_by_role("button", name="Mở hồ sơ").click()
    page.wait_for_load_state()
    return page.url.split("?")[0]


def _fits_the_phone(page) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_worker_adds_a_support_item_and_a_note(person):
    worker = person("worker_a")
    page = worker.page
    case_url = _open_case(worker)
    page.goto(case_url + "#support")

    # A support item: a loan, with its programme and amount.
    page.get_by_text("Thêm nội dung hỗ trợ").click()
    form = page.locator("#form-support-new")
    form.get_by_label("Loại hỗ trợ *").select_option("loan")
    form.get_by_label("Số tiền (đồng)").fill("20000000")
    form.get_by_label("Chương trình vay").fill("Cho vay giải quyết việc làm")
    worker.shot("case-support-form")
    form.get_by_role("button", name="Thêm vào kế hoạch").click()
    page.wait_for_load_state()
    assert "Đã thêm nội dung hỗ trợ vào kế hoạch." in page.inner_text("main")
    item = page.locator("#support .record").first
    assert "Vay vốn" in item.inner_text() and "20.000.000 đ" in item.inner_text()

    # Moving it on, with the loan's status.
    item.get_by_text("Cập nhật nội dung này").click()
    item.get_by_label("Chuyển sang", exact=True).select_option("referred")
    item.get_by_label("Chuyển khoản vay sang").select_option("applied")
    item.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()
    item = page.locator("#support .record").first
    assert "đã chuyển gửi" in item.inner_text().lower() or "chuyển" in item.inner_text().lower()
    assert "đã nộp hồ sơ vay" in item.inner_text()

    # A home visit with the date of the next one; then one with an impossible next date.
    page.get_by_text("Ghi nhận buổi tư vấn hoặc lần thăm").click()
    form = page.locator("#form-note-new")
    form.locator("#note-new-kind").select_option("home_visit")
    form.get_by_label("Nội dung trao đổi hoặc ghi nhận").fill(
        "Chị Lan đã đi làm ở xưởng may; gia đình ủng hộ."
    )
    next_visit = vietnam_today() + timedelta(days=30)
    form.get_by_label("Ngày thăm tiếp theo").fill(next_visit.isoformat())
    form.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state()
    notes = page.inner_text("#notes")
    assert "Thăm gia đình" in notes and "gia đình ủng hộ" in notes
    assert next_visit.strftime("%d/%m/%Y") in notes

    page.get_by_text("Ghi nhận buổi tư vấn hoặc lần thăm").click()
    form = page.locator("#form-note-new")
    form.locator("#note-new-kind").select_option("phone_call")
    form.get_by_label("Ngày", exact=True).fill((vietnam_today() - timedelta(days=2)).isoformat())
    form.get_by_label("Nội dung trao đổi hoặc ghi nhận").fill("Gọi điện hỏi thăm")
    form.get_by_label("Ngày thăm tiếp theo").fill((vietnam_today() - timedelta(days=5)).isoformat())
    form.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state()
    assert "Lần thăm tiếp theo trước lần thăm này." in page.inner_text("#form-note-new")
    assert page.locator("#form-note-new textarea").input_value() == "Gọi điện hỏi thăm"
    page.locator("#form-note-new").scroll_into_view_if_needed()
    worker.shot("case-note-error")

    # A referral sharing personal data without consent is refused, in Vietnamese.
    page.get_by_text("Chuyển gửi đến cơ sở").click()
    form = page.locator("#form-referral-new")
    form.get_by_label("Loại dịch vụ").select_option("legal_aid")
    form.get_by_label("Gửi kèm dữ liệu cá nhân").check()
    form.get_by_role("button", name="Chuyển gửi").click()
    page.wait_for_load_state()
    assert "Hãy nêu cơ sở sẽ nhận dữ liệu cá nhân." in page.inner_text("#form-referral-new")
    form = page.locator("#form-referral-new")
    form.get_by_label("Gửi kèm dữ liệu cá nhân").uncheck()
    form.get_by_role("button", name="Chuyển gửi").click()
    page.wait_for_load_state()
    assert "Đã chuyển gửi." in page.inner_text("main")

    # Consent with the signed form's reference.
    page.get_by_text("Ghi nhận đồng ý hoặc rút lại sự đồng ý").click()
    form = page.locator("#form-consent-new")
    form.get_by_label("Phạm vi *").select_option("processing")
    form.get_by_label("Quyết định *").select_option("given")
    form.get_by_label("Số phiếu đồng ý đã ký").fill("PĐY-12/2025")
    form.get_by_role("button", name="Ghi nhận quyết định").click()
    page.wait_for_load_state()
    assert "PĐY-12/2025" in page.inner_text("#consents")
    _fits_the_phone(page)
    worker.shot("case-support-work")

    # The edit form.
    page.get_by_role("link", name="Sửa thông tin").click()
    page.wait_for_load_state()
    page.get_by_label("Số điện thoại").fill("0978999888")
    page.get_by_label("Địa chỉ").fill("Tổ 3, phường Ba Đình")
    worker.shot("case-edit")
    page.get_by_role("button", name="Lưu thông tin").click()
    page.wait_for_load_state()
    assert "Đã lưu thông tin." in page.inner_text("main")
    assert "0978999888" in page.inner_text("#person")


def test_a_worker_sets_up_two_step_login_and_logs_in_with_a_code(person):
    worker = person("worker_a")
    page = worker.page
    page.get_by_role("link", name="Đăng nhập hai bước").click()
    page.wait_for_load_state()
    worker.shot("two-step-start")
    page.get_by_role("button", name="Cài đặt đăng nhập hai bước").click()
    page.wait_for_load_state()
    qr = page.get_by_role("img", name="Mã QR của khóa đăng nhập hai bước")
    box = qr.bounding_box()
    assert box and box["width"] >= 150
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: image loads under the CSP
    secret = page.inner_text("#totp-secret").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    _fits_the_phone(page)
    worker.shot("two-step-scan")
    page.get_by_label("Mã sáu chữ số ứng dụng đang hiển thị").fill("000000")
    page.get_by_role("button", name="Xác nhận và bật").click()
    page.wait_for_load_state()
    assert "Mã không đúng" in page.inner_text("main")
    page.get_by_label("Mã sáu chữ số ứng dụng đang hiển thị").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận và bật").click()
    page.wait_for_load_state()
    codes = page.locator("#recovery-codes code")
    assert codes.count() == 10
    worker.shot("two-step-recovery-codes")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()

    again = person()
    again.go("/login")
    again.page.get_by_label("Tên đăng nhập").fill("worker_a")
    again.page.get_by_label("Mật khẩu").fill(PASSWORD)
    again.page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).at(time.time() + 30))
    again.page.get_by_role("button", name="Đăng nhập").click()
    again.page.wait_for_load_state()
    assert "Hôm nay" in again.page.get_by_role("heading", level=1).inner_text()


def test_a_worker_checks_then_imports_a_handover_list(person, tmp_path: Path):
    listing = tmp_path / "danh-sach-ban-giao.csv"
    listing.write_text(
        "STT,Họ và tên,Giới tính,Năm sinh,Số CCCD\n"
        "1,Vũ Văn Dũng,nam,1985,001085001111\n"
        "2,Trịnh Văn Hải,nam,1979,12345\n"
        "3,Lò Văn Minh,nam,1992,001092002222\n",
        encoding="utf-8",
    )
    worker = person("worker_a")
    page = worker.page
    page.get_by_role("link", name="Nhập danh sách").first.click()
    page.wait_for_load_state()
    page.get_by_label("Danh sách (CSV hoặc Excel .xlsx)").set_input_files(str(listing))
    page.get_by_label("Loại hồ sơ").select_option("post_rehab")
    worker.shot("import-upload")
    page.get_by_role("button", name="Kiểm tra danh sách").click()
    page.wait_for_load_state()
    assert "Kết quả kiểm tra danh sách" in page.inner_text("h1")
    report = page.inner_text(".import-report")
    assert "12 chữ số" in report
    _fits_the_phone(page)
    worker.shot("import-report-errors")

    listing.write_text(
        "STT,Họ và tên,Giới tính,Năm sinh,Số CCCD\n"
        "1,Vũ Văn Dũng,nam,1985,001085001111\n"
        "2,Lò Văn Minh,nam,1992,001092002222\n",
        encoding="utf-8",
    )
    page.get_by_role("link", name="Kiểm tra tệp đã sửa").click()
    page.wait_for_load_state()
    assert page.get_by_label("Loại hồ sơ").input_value() == "post_rehab"  # remembered
    page.get_by_label("Danh sách (CSV hoặc Excel .xlsx)").set_input_files(str(listing))
    page.get_by_role("button", name="Kiểm tra danh sách").click()
    page.wait_for_load_state()
    assert "Tất cả các dòng đều nhập được" in page.inner_text("main")
    worker.shot("import-report-ready")
    form = page.locator("#commit")
    form.get_by_label("Danh sách (CSV hoặc Excel .xlsx)").set_input_files(str(listing))
    form.get_by_role("button", name="Nhập danh sách").click()
    page.wait_for_load_state()
    assert "Đã nhập danh sách" in page.inner_text("h1")
    assert page.locator(".import-report tbody tr").count() == 2
    worker.shot("import-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert (SCREENSHOTS / "import-done-phone.png").exists()
