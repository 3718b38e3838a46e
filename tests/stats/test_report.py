"""The published report: layout, suppression over the whole report, shares, filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.stats import indicators, protection
from casework.stats.indicators import SUPPRESSED, TOTAL
from casework.stats.periods import parse
from casework.stats.suppression import suppress
from casework.units.models import CURRENT_TREE, Unit
from tests.stats.lp_oracle import assert_protected
from tests.stats.test_indicators import raw_for

NOW = datetime(2026, 6, 30, 8, tzinfo=UTC)


def report_for(app, code: str | None, period: str, **kw):  # noqa: ANN001, ANN003, ANN201
    with app.app_context():
        unit = None if code is None else db.session.scalar(
            select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
        report = indicators.build_report(db.session, unit, parse(period), now=NOW, **kw)
        db.session.remove()
    return report


def section(report, sid):  # noqa: ANN001, ANN201
    return next(s for s in report["sections"] if s["id"] == sid)


def grid(report, sid, table="by_unit"):  # noqa: ANN001, ANN201
    s = section(report, sid)
    t = next(t for t in s["tables"] if t["id"] == table)
    cols = [c["key"] for c in s["columns"]]
    return {(r["key"], c): cell["value"] for r, line in zip(t["rows"], t["cells"], strict=True)
            for c, cell in zip(cols, line, strict=True)}


def near(published, true):  # noqa: ANN001, ANN201
    """A published count is within the cell key method's noise of the true one."""
    return abs(published - true) <= protection.MAX_NOISE


def test_layout_and_values_within_the_noise(stats_world):
    report = report_for(stats_world.world.app, "01", "2025", k=1, k_trafficking=1)
    # Only amounts can be withheld; counts are always published (perturbed).
    assert {h["section"] for h in report["hidden"]} == {"loans_granted_amount"}
    assert report["protection"]["method"] == "cell-key"
    assert report["unit"] == {"code": "01", "name": "Thành phố Hà Nội"}
    assert report["period"]["subperiods"] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    new = grid(report, "new_cases")
    assert near(new[("00004", "post_prison")], 2)
    assert near(new[("00004", "total")], 3) and near(new[("00008", "total")], 2)
    assert near(new[("total", "total")], 5)
    trend = grid(report, "new_cases", "by_period")
    for q, true in zip(("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "total"), [3, 1, 1, 0, 5],
                       strict=True):
        assert near(trend[(q, "total")], true)
    assert trend[("2025-Q4", "total")] == 0  # nobody: published as 0
    assert near(grid(report, "new_cases_by_age")[("total", "<18")], 1)
    # One loan's amount is never shown: its published count is under k + D + 1.
    amounts = grid(report, "loans_granted_amount")
    assert amounts[("00004", "trafficking_victim")] is None
    # Shares are taken from the published counts.
    s = section(report, "support_connected")
    assert s["target_share"] == 0.8
    connected = grid(report, "support_connected")
    needed = grid(report, "support_needed")
    cells = {(r["key"], c["key"]): cell
             for r, line in zip(s["tables"][0]["rows"], s["tables"][0]["cells"], strict=True)
             for c, cell in zip(s["columns"], line, strict=True)}
    for key, cell in cells.items():
        if needed[key]:
            assert cell["share"] == round(connected[key] / needed[key], 4)
    assert cells[("00008", "loan")]["share"] is None  # 0 of 0
    stays = section(report, "stage_stays")
    assert [t["id"] for t in stays["tables"]] == ["by_stage"]
    rows = [r["key"] for r in stays["tables"][0]["rows"]]
    assessed = stays["tables"][0]["cells"][rows.index("assessed")]
    assert near(assessed[-1]["value"], 6)
    assert assessed[-1]["median_days"] in (13.0, None)


def test_default_thresholds_publish_no_small_count(stats_world):
    report = report_for(stats_world.world.app, "01", "2025")
    assert report["k"] == {"default": 5, "trafficking_victim": 11}
    for sid, _table, _row, col, value in indicators.iter_cells(report):
        if sid == "loans_granted_amount" or value is None:
            continue
        k = 11 if col == "trafficking_victim" else 5
        assert not 0 < value < k, (sid, col, value)
    assert report["hidden"]
    assert {h["reason"] for h in report["hidden"]} == {SUPPRESSED}
    # The loan amount of one loan is hidden with its count.
    assert grid(report, "loans_granted_amount")[("00004", "trafficking_victim")] is None


@pytest.mark.parametrize(("k", "k_trafficking"), [(5, 11), (2, 3)])
def test_report_table_is_protected_against_an_lp_reader(stats_world, k, k_trafficking):
    raw = raw_for(stats_world.world.app, "01", "2025-H1")
    table = indicators.build_table(raw)
    threshold = indicators.thresholds(k, k_trafficking)
    result = suppress(table, threshold)
    assert result.hidden
    assert_protected(table, result, threshold)


def test_quarter_report_table_of_a_commune_is_protected(stats_world):
    raw = raw_for(stats_world.world.app, "00008", "2025-Q2")
    table = indicators.build_table(raw)
    threshold = indicators.thresholds(2, 2)
    result = suppress(table, threshold)
    assert_protected(table, result, threshold)


def test_hidden_cells_and_published_cells_cover_the_report(stats_world):
    report = report_for(stats_world.world.app, "01", "2025", k=2, k_trafficking=2)
    hidden = {(h["section"], h["table"], h["row"], h["column"]) for h in report["hidden"]}
    for sid, table, row, col, value in indicators.iter_cells(report):
        assert (value is None) == ((sid, table, row, col) in hidden)
    assert hidden  # with k=2 the ones are hidden
    assert all(set(h) == {"section", "table", "row", "column", "reason"} for h in report["hidden"])


def test_a_case_type_filter_only_selects_published_columns(stats_world):
    app = stats_world.world.app
    full = report_for(app, "01", "2025", k=2, k_trafficking=2)
    narrow = report_for(app, "01", "2025", k=2, k_trafficking=2, case_type="post_prison")
    assert {s["id"] for s in narrow["sections"]}.isdisjoint(
        {"new_cases_by_sex", "new_cases_by_age", "support_needed"})
    for s in narrow["sections"]:
        assert [c["key"] for c in s["columns"]] == ["post_prison", "total"]
        for table in s["tables"]:
            wide = grid(full, s["id"], table["id"])
            for key, value in grid(narrow, s["id"], table["id"]).items():
                assert wide[key] == value, (s["id"], key)


def test_unknown_case_type_is_refused(stats_world):
    with pytest.raises(ValueError):
        report_for(stats_world.world.app, "01", "2025", case_type="nobody")


def test_stocks_are_read_on_the_reference_day(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025-Q1")
    assert raw.reference_day == date(2025, 3, 31)
    raw = raw_for(stats_world.world.app, "01", "2025", today=date(2025, 8, 1))
    assert raw.reference_day == date(2025, 8, 1)
    assert raw.value("overdue", TOTAL, TOTAL, TOTAL) == 4
