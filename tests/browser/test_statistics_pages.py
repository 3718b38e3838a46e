"""The statistician's pages in a real browser: choose a unit and period, read, drill, download.

Screenshots of the statistics page at 1280 and 360 px go to test-artifacts/screenshots/
(``stats-province-*``, ``stats-commune-*``).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.stats.conftest import build_stats_world

pytestmark = pytest.mark.browser


@pytest.fixture()
def stats_world(world):  # noqa: ANN001, ANN201 - built before the server starts serving it
    return build_stats_world(world)


def _fits_the_phone(page) -> None:  # noqa: ANN001
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(size)


def test_a_statistician_chooses_a_unit_and_period_and_takes_the_report(stats_world, person):
    from openpyxl import load_workbook

    statistician = person("statistician")
    page = statistician.page
    page.get_by_role("link", name="Thống kê", exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Thống kê"

    page.get_by_label("Đơn vị", exact=True).select_option(label="Thành phố Hà Nội")
    page.get_by_label("Kỳ báo cáo", exact=True).select_option(label="Quý I/2025")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    assert "Thành phố Hà Nội — Quý I/2025" in page.locator(".report-head").inner_text()
    # The charts: one bar per case type, one per month of the quarter.
    assert page.locator("#chart-columns .bar-label").count() == 4
    assert page.locator("#chart-periods .bar-label").all_text_contents() == [
        "Tháng 01/2025", "Tháng 02/2025", "Tháng 03/2025"]
    assert page.locator("td.protected").count() > 0  # small counts: the marker, not a number
    assert "x = số liệu được bảo vệ, không công bố" in page.inner_text(".protection-note")
    _fits_the_phone(page)
    statistician.shot("stats-province")

    # Drill down from the province's table to a commune; the period stays.
    page.locator(".indicator-detail").get_by_role("link", name="Phường Ba Đình").click()
    page.wait_for_load_state()
    assert "Phường Ba Đình — Quý I/2025" in page.locator(".report-head").inner_text()
    assert page.locator(".breadcrumbs").get_by_role("link", name="Thành phố Hà Nội").count() == 1

    # Another indicator from the list of all indicators.
    page.get_by_role("link", name="Hồ sơ quá hạn").first.click()
    page.wait_for_load_state()
    assert page.locator("#detail-title").inner_text() == "Hồ sơ quá hạn"
    _fits_the_phone(page)
    statistician.shot("stats-commune")

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (.xlsx) — Tiếng Việt").click()
    assert download.value.suggested_filename == "bao-cao-thong-ke-00004-2025-Q1.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[:3] == ["Thông tin chung", "Tổng hợp", "Hồ sơ mới"]


def test_the_page_reads_in_english_on_a_phone(stats_world, person):
    statistician = person("statistician", viewport=PHONE)
    page = statistician.page
    statistician.go("/lang/en?next=/stats?unit=01%26period=2025")
    page.wait_for_load_state()
    statistician.go("/stats?unit=01&period=2025")
    assert "Thành phố Hà Nội — Year 2025" in page.locator(".report-head").inner_text()
    assert page.locator("#chart-columns .bar-label").first.text_content() == "Trafficking victim"
    assert page.locator("#chart-periods .bar-label").all_text_contents() == [
        "Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
    _fits_the_phone(page)


def test_published_figures_are_drawn_as_bars(stats_world, person):
    # At k = 1 no count is withheld: each published figure (the true count with the cell key
    # method's small fixed noise) is drawn as a bar, the largest across the whole width.
    app = stats_world.world.app
    app.config.update(CASEWORK_SUPPRESSION_K=1, CASEWORK_SUPPRESSION_K_TRAFFICKING=1)
    statistician = person("statistician")
    page = statistician.page
    statistician.go("/stats?unit=01&period=2025")
    fills = page.locator("#chart-periods rect.bar-fill")
    # New cases per quarter of 2025: 3, 1, 1, 0 before the noise — a 0 stays 0 and draws no bar.
    widths = [float(fills.nth(i).get_attribute("width").rstrip("%")) for i in range(fills.count())]
    assert 1 <= len(widths) <= 3 and max(widths) == 100.0
    assert all(0 < width <= 100 for width in widths)
    statistician.shot("stats-published")
