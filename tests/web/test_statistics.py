"""The statistics pages: who reads which unit, standard periods only, Vietnamese first, audited.

Played with the statistics fixture world (tests/stats/conftest.py): a province statistician, the
commune supervisors, and the roles that may not read statistics at all.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.extensions import db
from casework.model_base import vietnam_today
from casework.stats import protection
from casework.stats.periods import month_shift
from tests.stats.conftest import build_stats_world

INTERNAL = ("post_rehab", "trafficking_victim", "new_cases", "by_unit", "by_period", "casework",
            "vocational_training", "Tổng / Total")


@pytest.fixture()
def stats_world(world):  # noqa: ANN001, ANN201
    return build_stats_world(world)


def visible_text(page: str) -> str:
    """What a reader sees of a page: the text of <main>, without tags or attributes."""
    main = page[page.index("<main"):page.index("</main>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def audit(app: Any, action: str) -> list[AuditEvent]:
    with app.app_context():
        entries = list(db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))
        db.session.expunge_all()
        db.session.remove()
    return entries


def test_a_statistician_reads_a_province_quarter_in_vietnamese(stats_world, browser_for):
    page = browser_for("statistician").text("/stats?unit=01&period=2025-Q1")
    text = visible_text(page)
    assert "Thành phố Hà Nội — Quý I/2025" in text
    assert "từ 01/01/2025 đến 31/03/2025" in text
    for label in ("Nạn nhân bị mua bán", "Người sau cai nghiện ma túy", "Tổng cộng",
                  "Tháng 01/2025", "Hồ sơ mới tiếp nhận", "Phường Ba Đình", "Phường Ngọc Hà"):
        assert label in text, label
    # Protected cells: the marker, explained once on the page, with the protection note.
    assert 'class="num protected"' in page
    assert "x = số liệu được bảo vệ, không công bố" in text
    assert f"Cách bảo vệ số liệu: {protection.NOTE_VI}" in text
    for code in INTERNAL:
        assert code not in text, code
    # Charts drawn on the server: one bar per case type, one per month of the quarter.
    assert page.count('class="bar-label"') == 4 + 3
    assert "<script" not in page[page.index("<main"):]  # no inline script (CSP)
    # The four downloads of this unit and period.
    for fmt in ("xlsx", "csv"):
        for lang in ("vi", "en"):
            assert f"/stats/report?unit=01&amp;period=2025-Q1&amp;format={fmt}&amp;lang={lang}" \
                in page


def test_every_view_is_audited_by_the_operation(stats_world, browser_for):
    browser = browser_for("statistician")
    browser.text("/stats?unit=01&period=2025-H1")
    browser.text("/stats?unit=00008&period=2025&indicator=overdue")
    entries = audit(stats_world.world.app, "stats.view")
    assert [(e.actor_username, e.object_id, e.detail["period"]) for e in entries] == [
        ("statistician", "01", "2025-H1"), ("statistician", "00008", "2025")]


def test_the_default_is_the_callers_area_and_last_month(stats_world, browser_for):
    page = browser_for("statistician").text("/stats")
    today = vietnam_today()
    last = month_shift(today.replace(day=1), -1)
    assert f"Thành phố Hà Nội — Tháng {last.month:02d}/{last.year}" in visible_text(page)
    assert f'<option value="{last.year}-{last.month:02d}" selected>' in page


def test_only_standard_periods_are_offered_and_accepted(stats_world, browser_for):
    browser = browser_for("statistician")
    page = browser.text("/stats?unit=01&period=2025")
    select = re.search(r'<select id="period".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"', select)
    assert options and all(re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?", o)
                           for o in options)
    assert "2025-01-01..2025-03-31" not in options
    before = len(audit(stats_world.world.app, "stats.view"))
    for period in ("2025-01-01..2025-01-31", "2025-01-15..2025-01-15", "2025-13", "soon"):
        response = browser.get(f"/stats?unit=01&period={period}")
        assert response.status_code == 422, period
        download = browser.get(f"/stats/report?unit=01&period={period}&format=csv")
        assert download.status_code == 422 and download.mimetype == "text/html", period
    refused = browser.get("/stats?unit=01&period=2025-01-01..2025-03-31").get_data(as_text=True)
    assert "Hãy chọn tháng, quý, 6 tháng hoặc năm." in refused
    assert len(audit(stats_world.world.app, "stats.view")) == before  # nothing was read


def test_a_supervisor_reads_their_own_commune_only(stats_world, browser_for):
    browser = browser_for("supervisor_a")
    page = browser.text("/stats?period=2025")
    assert "Phường Ba Đình — Năm 2025" in visible_text(page)
    assert re.findall(r'<select id="unit" name="unit">(.*?)</select>', page, re.S)[0].count(
        "<option") == 1
    for unit in ("01", "00008", "26734", "99999"):
        assert browser.get(f"/stats?unit={unit}&period=2025").status_code == 404, unit
        assert browser.get(
            f"/stats/report?unit={unit}&period=2025&format=xlsx").status_code == 404, unit
    assert [e.object_id for e in audit(stats_world.world.app, "stats.export")] == []


@pytest.mark.parametrize("username", ["worker_a", "administrator", "auditor"])
def test_roles_without_statistics_cannot_reach_the_pages(stats_world, browser_for, username):
    browser = browser_for(username)
    assert browser.get("/stats?unit=01&period=2025").status_code == 403
    assert browser.get("/stats/report?unit=01&period=2025&format=xlsx").status_code == 403
    assert browser.get("/stats/report").status_code == 403
    assert "/stats" not in browser.text("/home")
    assert audit(stats_world.world.app, "stats.view") == []


def test_the_province_page_drills_down_to_its_communes(stats_world, browser_for):
    browser = browser_for("statistician")
    page = browser.text("/stats?unit=01&period=2025-Q2&indicator=closed")
    assert 'href="/stats?unit=00004&amp;period=2025-Q2&amp;indicator=closed"' in page
    assert 'href="/stats?unit=00008&amp;period=2025-Q2&amp;indicator=closed"' in page
    commune = browser.text("/stats?unit=00008&period=2025-Q2&indicator=closed")
    assert "Phường Ngọc Hà — Quý II/2025" in visible_text(commune)
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', commune, re.S).group(0)
    assert 'href="/stats?unit=01&amp;period=2025-Q2&amp;indicator=closed"' in crumbs
    assert 'id="detail-title">Kết thúc hồ sơ<' in commune


def test_downloads_in_both_languages_are_files_and_audited_exports(stats_world, browser_for):
    from openpyxl import load_workbook

    browser = browser_for("statistician")
    vi = browser.get("/stats/report?unit=01&period=2025-Q1&format=xlsx&lang=vi")
    assert vi.status_code == 200 and vi.mimetype.endswith("spreadsheetml.sheet")
    assert vi.headers["Content-Disposition"] == \
        'attachment; filename="bao-cao-thong-ke-01-2025-Q1.xlsx"'
    assert vi.headers["Cache-Control"] == "no-store"
    assert load_workbook(io.BytesIO(vi.get_data())).sheetnames[0] == "Thông tin chung"
    en = browser.get("/stats/report?unit=00004&period=2025-Q1&format=csv&lang=en")
    assert en.status_code == 200 and en.mimetype == "text/csv"
    assert en.get_data().decode("utf-8-sig").startswith(
        '"Statistical report on community reintegration support"')
    assert browser.get("/stats/report?unit=01&period=2025&format=pdf").status_code == 422
    entries = audit(stats_world.world.app, "stats.export")
    assert [(e.object_id, e.detail["format"], e.detail["language"]) for e in entries] == [
        ("01", "xlsx", "vi"), ("00004", "csv", "en")]


def test_the_page_reads_in_english_when_asked(stats_world, browser_for):
    browser = browser_for("statistician")
    browser.get("/lang/en")
    text = visible_text(browser.text("/stats?unit=01&period=2025-H1"))
    assert "Thành phố Hà Nội — First half of 2025" in text
    assert "Trafficking victim" in text and "January 2025" in text
    assert "x = protected figure, not published" in text
    assert "Nạn nhân bị mua bán" not in text


def test_home_and_menu_lead_readers_of_statistics_to_the_page(stats_world, browser_for):
    for username in ("statistician", "supervisor_a"):
        home = browser_for(username).text("/home")
        assert 'href="/stats"' in home, username
    dashboard = browser_for("supervisor_a").text("/supervisor/dashboard")
    assert 'href="/stats"' in dashboard


def test_the_dashboard_months_carry_their_year(stats_world, browser_for):
    page = browser_for("supervisor_a").text("/supervisor/dashboard")
    today = vietnam_today()
    first = month_shift(today.replace(day=1), -11)
    years = re.findall(r'class="month-year">(\d{4})<', page)
    assert years[0] == str(first.year)
    assert years == sorted(set(years))  # the first month, then each January
    assert len(years) == (2 if first.year != today.year else 1)
