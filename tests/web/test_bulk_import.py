"""Bulk import from the browser: upload, the dry run's report, the import, the report files."""

from __future__ import annotations

import io
import re

import pytest

from tests.web.conftest import Browser

GOOD = (
    "Họ và tên,Giới tính,Năm sinh,Số điện thoại\n"
    "Nguyễn Văn An,nam,1990,0912111222\n"
    "Lê Thị Bình,nữ,1988,0912333444\n"
).encode()
BAD = (
    'Họ và tên,Giới tính,Năm sinh,Số CCCD\nNguyễn Văn An,nam,1990,12345\n=HYPERLINK("x"),nữ,1988,\n'
).encode()


def upload(
    browser: Browser, data: bytes, dry_run: str = "true", name: str = "list.csv", **fields: str
):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.text("/imports")).group(1)
    form = {
        "csrf_token": token,
        "case_type": "post_rehab",
        "unit": "00004",
        "dry_run": dry_run,
        "file": (io.BytesIO(data), name),
        **fields,
    }
    return browser.client.post("/imports", data=form, content_type="multipart/form-data")


@pytest.fixture()
def worker(browser_for) -> Browser:
    return browser_for("worker_a")


def test_a_dry_run_shows_the_report_then_the_list_is_imported(worker):
    response = upload(worker, GOOD)
    assert response.status_code == 302
    report_url = response.headers["Location"]
    page = worker.text(report_url)
    assert "Kết quả kiểm tra danh sách" in page and "Tất cả các dòng đều nhập được" in page
    assert 'id="import-form"' in page and "Hãy chọn lại đúng tệp đó" in page
    assert worker.text("/cases?assigned=all").count("HS-") == 0  # nothing imported yet
    csv_link = re.search(r'href="(/api/v1/imports/[^"]+format=csv)"', page).group(1)
    download = worker.get(csv_link.replace("&amp;", "&"))
    assert download.status_code == 200 and b'"row","status"' in download.data
    response = upload(worker, GOOD, dry_run="false")
    assert response.status_code == 302
    page = worker.text(response.headers["Location"])
    assert "Đã nhập danh sách" in page and page.count("HS-") >= 2
    assert worker.text("/cases?assigned=all").count("Nguyễn Văn An") >= 1


def test_rows_with_errors_are_reported_and_nothing_is_imported(worker):
    response = upload(worker, BAD)
    assert response.status_code == 302
    page = worker.text(response.headers["Location"])
    assert "Hãy sửa các dòng bị lỗi" in page and 'id="import-form"' not in page
    assert "12 chữ số" in page
    response = upload(worker, BAD, dry_run="false")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        "Các dòng bị lỗi" in html
        and "không nhập dòng nào" in html.lower()
        or "Các dòng bị lỗi" in html
    )
    assert "Nguyễn Văn An" not in worker.text("/cases?assigned=all")


def test_a_missing_file_and_a_wrong_unit_are_refused_inline(worker):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', worker.text("/imports")).group(1)
    response = worker.client.post(
        "/imports",
        data={"csrf_token": token, "case_type": "post_rehab", "unit": "00004", "dry_run": "true"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Hãy chọn tệp danh sách." in response.get_data(as_text=True)
    response = upload(worker, GOOD, unit="00008")
    assert response.status_code == 422
    assert "ngoài địa bàn" in response.get_data(as_text=True)


def test_unknown_columns_are_refused_with_a_readable_message(worker):
    response = upload(worker, b"foo,bar\n1,2\n")
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_an_import_of_another_commune_is_not_found(worker, browser_for):
    report_url = upload(worker, GOOD).headers["Location"]
    assert browser_for("worker_b").get(report_url).status_code == 404
    assert browser_for("worker_a2").get(report_url).status_code == 404  # not theirs
    assert browser_for("supervisor_a").get(report_url).status_code == 200


def test_the_import_page_is_for_those_who_open_cases(browser_for):
    assert browser_for("statistician").get("/imports").status_code == 403
    assert browser_for("worker_a").get("/imports").status_code == 200


def test_an_upload_without_csrf_is_refused(worker):
    response = worker.client.post(
        "/imports",
        data={"case_type": "post_rehab", "unit": "00004", "file": (io.BytesIO(GOOD), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
