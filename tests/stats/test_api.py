"""``/api/v1/stats``: who may see which unit, what leaves the building, and the audit of exports."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.extensions import db
from casework.stats.indicators import iter_cells
from tests.conftest import PASSWORD, World

UUID_RE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)


def add_user(world: World, username: str, role: str, unit: str) -> None:
    from casework.accounts.operations import create_user

    with world.app.app_context():
        create_user(db.session, username, PASSWORD, roles=[role], unit_code=unit)
        db.session.commit()
        db.session.remove()


@pytest.fixture()
def commune_statistician(stats_world):  # noqa: ANN001, ANN201
    add_user(stats_world.world, "stat_ba_dinh", "statistician", "00004")
    return stats_world.world.client_for("stat_ba_dinh")


def test_province_statistician_gets_indicators(stats_world):
    api = stats_world.world.client_for("statistician")
    response = api.get("/api/v1/stats/indicators?unit=01&period=2025-H1")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["unit"]["code"] == "01"
    assert body["period"]["label"] == "2025-H1"
    assert body["k"] == {"default": 5, "trafficking_victim": 11}
    assert {s["id"] for s in body["sections"]} >= {"new_cases", "verified", "support_connected"}
    hidden_cell = next(c for s in body["sections"] for t in s["tables"] for line in t["cells"]
                       for c in line if c.get("hidden"))
    assert hidden_cell["value"] is None


def test_nothing_about_an_individual_leaves(stats_world):
    api = stats_world.world.client_for("statistician")
    text = api.get("/api/v1/stats/indicators?unit=01&period=2025").get_data(as_text=True)
    assert not UUID_RE.search(text)
    assert "HS-" not in text
    for name in ("Nguyễn Thị A", "Trần Văn B", "Lê Văn C"):
        assert name not in text
    csv_text = api.get("/api/v1/stats/report?unit=01&period=2025").get_data().decode("utf-8-sig")
    assert not UUID_RE.search(csv_text) and "HS-" not in csv_text


def test_default_unit_is_the_callers_area(commune_statistician):
    body = commune_statistician.get("/api/v1/stats/indicators?period=2025").get_json()
    assert body["unit"]["code"] == "00004"


@pytest.mark.parametrize("unit", ["00008", "01", "79", "26734", "99999"])
def test_commune_statistician_cannot_reach_another_unit(commune_statistician, unit):
    response = commune_statistician.get(f"/api/v1/stats/indicators?unit={unit}&period=2025")
    assert response.status_code == 404
    unknown = commune_statistician.get("/api/v1/stats/indicators?unit=99999&period=2025")
    assert response.get_json() == unknown.get_json()
    assert commune_statistician.get(
        f"/api/v1/stats/report?unit={unit}&period=2025").status_code == 404


@pytest.mark.parametrize("query", [
    "period=2025&unit_id=00008", "period=2025&path=vn2:01/", "period=2025&unit=00008,00004",
    "period=2025&unit=0000%25", "period=2025&case_id=1",
])
def test_no_parameter_widens_a_commune_statisticians_scope(commune_statistician, query):
    response = commune_statistician.get(f"/api/v1/stats/indicators?{query}")
    assert response.status_code in (404, 422)


def test_the_sibling_commune_never_appears_in_a_commune_report(commune_statistician):
    body = commune_statistician.get("/api/v1/stats/indicators?unit=00004&period=2025").get_json()
    keys = {r["key"] for s in body["sections"] for t in s["tables"] for r in t["rows"]}
    assert not any("00008" in k for k in keys)


def test_commune_supervisor_sees_own_commune_only(stats_world):
    api = stats_world.world.client_for("supervisor_a")
    assert api.get("/api/v1/stats/indicators?unit=00004&period=2025").status_code == 200
    assert api.get("/api/v1/stats/indicators?unit=00008&period=2025").status_code == 404


@pytest.mark.parametrize("username", ["worker_a", "administrator", "auditor"])
def test_roles_without_report_view_are_refused(stats_world, username):
    api = stats_world.world.client_for(username)
    assert api.get("/api/v1/stats/indicators?unit=01&period=2025").status_code == 403


def test_anonymous_is_refused(stats_world):
    client = stats_world.world.app.test_client()
    assert client.get("/api/v1/stats/indicators?unit=01&period=2025").status_code == 401


@pytest.mark.parametrize("period", ["2025-13", "2025-Q5", "H1", "2025-02-30",
                                    "2025-03-01..2025-01-01", ""])
def test_malformed_period_is_422(stats_world, period):
    api = stats_world.world.client_for("statistician")
    response = api.get(f"/api/v1/stats/indicators?unit=01&period={period}")
    assert response.status_code == 422
    assert response.get_json()["code"]


def test_case_type_filter_narrows_columns_not_numbers(stats_world):
    api = stats_world.world.client_for("statistician")
    full = api.get("/api/v1/stats/indicators?unit=01&period=2025").get_json()
    narrow = api.get(
        "/api/v1/stats/indicators?unit=01&period=2025&case_type=trafficking_victim").get_json()
    for s in narrow["sections"]:
        wide = next(w for w in full["sections"] if w["id"] == s["id"])
        index = [c["key"] for c in wide["columns"]]
        for table, wide_table in zip(s["tables"], wide["tables"], strict=True):
            for line, wide_line in zip(table["cells"], wide_table["cells"], strict=True):
                assert line[0] == wide_line[index.index("trafficking_victim")]
                assert line[1] == wide_line[index.index("total")]


def test_report_export_is_a_file_and_audited(stats_world):
    from openpyxl import load_workbook

    api = stats_world.world.client_for("statistician")
    response = api.get("/api/v1/stats/report?unit=01&period=2025-Q1&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()))
    assert "Hồ sơ mới" in book.sheetnames
    assert 'filename="bao-cao-thong-ke-01-2025-Q1.xlsx"' in response.headers["Content-Disposition"]
    response = api.get("/api/v1/stats/report?unit=01&period=2025-Q1")
    assert response.mimetype == "text/csv"
    with stats_world.world.app.app_context():
        entries = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "stats.export")
            .order_by(AuditEvent.seq)).all()
        assert [(e.actor_username, e.object_id, e.detail["format"]) for e in entries] == [
            ("statistician", "01", "xlsx"), ("statistician", "01", "csv")]
        assert entries[0].detail["period"] == "2025-Q1"
        assert entries[0].detail["language"] == "vi"
        db.session.remove()


def test_report_file_in_english_and_no_other_language(stats_world):
    from openpyxl import load_workbook

    api = stats_world.world.client_for("statistician")
    response = api.get("/api/v1/stats/report?unit=01&period=2025-Q1&format=xlsx&lang=en")
    assert response.status_code == 200
    assert 'filename="statistics-report-01-2025-Q1.xlsx"' in response.headers[
        "Content-Disposition"]
    assert load_workbook(io.BytesIO(response.get_data())).sheetnames[:3] == [
        "About", "Summary", "New cases"]
    refused = api.get("/api/v1/stats/report?unit=01&period=2025-Q1&lang=fr")
    assert refused.status_code == 422 and "lang" in refused.get_json()["errors"]


def test_refused_export_writes_no_file(commune_statistician):
    response = commune_statistician.get("/api/v1/stats/report?unit=01&period=2025&format=xlsx")
    assert response.status_code == 404
    assert response.mimetype == "application/json"


def test_configured_thresholds_are_used(stats_world, tmp_path):
    from tests.conftest import make_app

    world = stats_world.world
    app = make_app(tmp_path / "k2", world.app.config["SQLALCHEMY_DATABASE_URI"],
                   environ={"CASEWORK_SUPPRESSION_K": "2",
                            "CASEWORK_SUPPRESSION_K_TRAFFICKING": "3"})
    api = World(app=app).client_for("statistician")
    body = api.get("/api/v1/stats/indicators?unit=01&period=2025").get_json()
    assert body["k"] == {"default": 2, "trafficking_victim": 3}
    default = world.client_for("statistician").get(
        "/api/v1/stats/indicators?unit=01&period=2025").get_json()
    values = [v for *_, v in iter_cells(body)]
    assert values != [v for *_, v in iter_cells(default)]  # another perturbation table
    assert not any(v == 1 for v in values if v is not None)


def test_dashboard_series(stats_world):
    from datetime import UTC, datetime

    from casework.accounts.models import User
    from casework.stats.dashboard import dashboard

    app = stats_world.world.app
    with app.app_context():
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor_province"))
        statistician = db.session.scalar(select(User).where(User.username == "statistician"))
        now = datetime(2025, 8, 15, 3, tzinfo=UTC)
        board = dashboard(db.session, supervisor, "01", now=now)
        assert board["cases_by_stage"]["labels"][0] == "identified"
        assert [s["name"] for s in board["cases_by_stage"]["series"]] == [
            "trafficking_victim", "post_rehab", "sex_work_exit", "post_prison"]
        assert board["new_and_closed"]["labels"][-1] == "2025-08"
        assert len(board["new_and_closed"]["series"][0]["data"]) == 12
        # Open now: A, B, E, F (4) — every count is small, so everything non-zero is hidden.
        for series in board["cases_by_stage"]["series"]:
            assert all(v in (0, None) for v in series["data"])
        # Overdue on 15 August: A (worker_a), E (worker_a), F (worker_a), B (unassigned after
        # the transfer): the supervisor's own staff workload, not anonymised.
        assert board["overdue_by_worker"] == {
            "labels": ["worker_a", "(chưa phân công / unassigned)"],
            "series": [{"name": "overdue", "data": [3, 1]}]}
        assert dashboard(db.session, statistician, "01", now=now)["overdue_by_worker"] is None
        db.session.remove()


def test_indicators_body_is_exactly_the_documented_schema(stats_world):
    """The view sends the report as built (no schema dump): it must still be ReportSchema."""
    from casework.stats.api import ReportSchema

    api = stats_world.world.client_for("statistician")
    response = api.get("/api/v1/stats/indicators?unit=01&period=2025-Q1")
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert ReportSchema().validate(body) == {}
    assert ReportSchema().load(body)["unit"]["code"] == "01"  # unknown keys would raise
