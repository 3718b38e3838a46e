"""Every indicator on the small world of ``conftest``, against values counted by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.stats import indicators
from casework.stats.indicators import TOTAL
from casework.stats.periods import parse
from casework.units.models import CURRENT_TREE, Unit

T, PR, SW, PP = "trafficking_victim", "post_rehab", "sex_work_exit", "post_prison"
BD, NH = "00004", "00008"
TODAY = date(2026, 6, 30)

# Year 2025, Hà Nội: every non-zero cell of the unit grid (row, column) -> count.
YEAR_2025 = {
    "new_cases": {(BD, T): 1, (BD, PP): 2, (NH, PR): 1, (NH, SW): 1},
    "new_cases_by_sex": {(BD, "female"): 1, (BD, "male"): 2, (NH, "male"): 1,
                         (NH, "female"): 1},
    "new_cases_by_age": {(BD, "<18"): 1, (BD, "30-44"): 1, (BD, "45+"): 1, (NH, "18-29"): 1,
                         (NH, "unknown"): 1},
    "verified": {(BD, T): 2, (BD, PP): 1, (NH, PR): 1},
    "verified_in_time": {(BD, T): 2, (NH, PR): 1},
    "verified_late": {(BD, PP): 1},
    "assessed": {(BD, T): 1, (BD, PP): 1, (NH, PR): 1, (NH, SW): 1},
    "counselling_started": {(BD, T): 1, (NH, PR): 1, (NH, PP): 1},
    "counselling_sessions": {(BD, T): 1, (NH, PR): 2},
    "training_started": {(BD, T): 1},
    "training_completed": {(BD, T): 1},
    "job_found": {(BD, T): 1},
    "jobs_started": {(BD, T): 1},
    "jobs_kept_3m": {(BD, T): 1},
    "jobs_kept_6m": {},
    "loans_referred": {(BD, T): 1},
    "loans_granted": {(BD, T): 1},
    "loans_not_granted": {},
    "closed": {(NH, PR): 1, (NH, SW): 1},
    "closed_reintegrated": {(NH, PR): 1},
    "closed_moved_away": {},
    "closed_declined_support": {(NH, SW): 1},
    "closed_not_eligible": {},
    "closed_deceased": {},
    "closed_duplicate": {},
    "relapsed": {(NH, PR): 1, (NH, PP): 1},
    "suspended": {(BD, PP): 1},
    "suspended_lost_contact": {(BD, PP): 1},
    "suspended_other": {},
    "transferred_in": {(NH, PP): 1},
    "transferred_out": {(BD, PP): 1},
    "support_needed": {(BD, "vocational_training"): 1, (BD, "job_placement"): 1,
                       (BD, "loan"): 1, (NH, "identity_papers"): 1, (NH, "psychological"): 1},
    "support_connected": {(BD, "vocational_training"): 1, (BD, "job_placement"): 1,
                          (BD, "loan"): 1, (NH, "identity_papers"): 1},
    "support_not_connected": {(NH, "psychological"): 1},
    "overdue": {(BD, T): 2, (BD, PP): 1, (NH, PP): 1},
    "stage_stays": {
        ("identified", T): 2, ("identified", PP): 1, ("identified", PR): 1,
        ("identified", SW): 1, ("verified", T): 1, ("verified", PP): 1, ("verified", PR): 1,
        ("consented", SW): 1, ("assessed", T): 1, ("assessed", PP): 3, ("assessed", PR): 1,
        ("assessed", SW): 1, ("counselling", T): 1, ("counselling", PR): 1,
        ("schooling", T): 1, ("vocational_training", T): 1, ("job_placement", T): 1,
        ("suspended", PP): 1, ("transfer_pending", PP): 1, ("closure_requested", PR): 1,
        ("closure_requested", SW): 1,
    },
}


def raw_for(app, code: str | None, period: str, today: date = TODAY) -> indicators.Raw:  # noqa: ANN001
    with app.app_context():
        unit = None if code is None else db.session.scalar(
            select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
        raw = indicators.compute(db.session, unit, parse(period), today=today)
        db.session.remove()
    return raw


def nonzero(raw: indicators.Raw, measure: str) -> dict[tuple[str, str], int]:
    """The non-zero (row, column) cells of a measure over the whole period."""
    out: dict[tuple[str, str], int] = {}
    for (m, row, _b, col), n in raw.counts.items():
        if m == measure and n:
            out[(row, col)] = out.get((row, col), 0) + n
    return out


@pytest.mark.parametrize("measure", sorted(YEAR_2025))
def test_every_indicator_of_2025_matches_the_hand_count(stats_world, measure):
    raw = raw_for(stats_world.world.app, "01", "2025")
    assert nonzero(raw, measure) == YEAR_2025[measure]


def test_every_measure_is_checked_by_hand():
    assert set(YEAR_2025) == {m.id for m in indicators.MEASURES}


def test_loan_amount_is_summed_where_granted(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025")
    assert {k: v for k, v in raw.amounts.items() if v} == {
        (indicators.AMOUNT_MEASURE, BD, 1, T): 30_000_000}  # second quarter


def test_median_days_per_stage(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025")
    m = raw.medians
    assert m[("identified", TOTAL)] == 2.0  # 1, 1, 2, 3, 6
    assert m[("identified", T)] == 2.5  # A 2, E 3
    assert m[("assessed", TOTAL)] == 13.0  # 2, 4, 5, 21, 26, 89
    assert m[("assessed", PP)] == 21.0  # 21 (to suspension), 4 (to transfer), 26 (to counselling)
    assert m[("counselling", PR)] == 110.0
    assert m[("vocational_training", T)] == 64.0
    assert m[("suspended", PP)] == 19.0


def test_year_is_given_per_quarter(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025")
    assert [raw.value("new_cases", TOTAL, q, TOTAL) for q in range(4)] == [3, 1, 1, 0]
    assert [raw.value("closed", TOTAL, q, TOTAL) for q in range(4)] == [0, 1, 1, 0]
    assert [raw.value("jobs_kept_3m", TOTAL, q, TOTAL) for q in range(4)] == [0, 0, 1, 0]
    # C's relapse at 18:00 UTC on 31 March is 1 April in Vietnam.
    assert [raw.value("relapsed", TOTAL, q, TOTAL) for q in range(4)] == [0, 2, 0, 0]


def test_month(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025-01")
    assert raw.buckets == 1
    assert nonzero(raw, "new_cases") == {(BD, T): 1, (BD, PP): 1}
    assert nonzero(raw, "verified_in_time") == {(BD, T): 2}  # A, and E opened in December
    assert nonzero(raw, "verified_late") == {(BD, PP): 1}
    assert nonzero(raw, "assessed") == {(BD, T): 1, (BD, PP): 1}
    assert nonzero(raw, "counselling_sessions") == {(BD, T): 1}
    assert nonzero(raw, "stage_stays") == {("identified", T): 2, ("identified", PP): 1,
                                           ("verified", T): 1, ("verified", PP): 1,
                                           ("assessed", T): 1}  # A: 10 → 15 January
    assert nonzero(raw, "relapsed") == {}


def test_month_boundary_follows_the_vietnamese_day(stats_world):
    app = stats_world.world.app
    assert nonzero(raw_for(app, "01", "2025-03"), "relapsed") == {}
    assert nonzero(raw_for(app, "01", "2025-04"), "relapsed") == {(NH, PR): 1}


def test_quarter_by_month(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025-Q1")
    assert [p.label for p in raw.period.subperiods] == ["2025-01", "2025-02", "2025-03"]
    assert [raw.value("new_cases", TOTAL, b, TOTAL) for b in range(3)] == [2, 1, 0]
    assert [raw.value("verified", TOTAL, b, TOTAL) for b in range(3)] == [3, 1, 0]
    assert [raw.value("suspended", TOTAL, b, TOTAL) for b in range(3)] == [0, 1, 0]
    assert [raw.value("transferred_out", TOTAL, b, TOTAL) for b in range(3)] == [0, 0, 1]
    assert raw.value("relapsed", TOTAL, TOTAL, TOTAL) == 0
    # Overdue on 31 March, read from the current stage: only E (verified since 2 January).
    assert nonzero(raw, "overdue") == {(BD, T): 1}


def test_half_year_by_month(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025-H1")
    assert [raw.value("new_cases", TOTAL, b, TOTAL) for b in range(6)] == [2, 1, 0, 1, 0, 0]
    assert [raw.value("relapsed", TOTAL, b, TOTAL) for b in range(6)] == [0, 0, 0, 1, 1, 0]
    assert [raw.value("closed", TOTAL, b, TOTAL) for b in range(6)] == [0, 0, 0, 0, 0, 1]


def test_range_by_clipped_month(stats_world):
    raw = raw_for(stats_world.world.app, "01", "2025-01-05..2025-02-04")
    assert [p.label for p in raw.period.subperiods] == ["2025-01-05..2025-01-31",
                                                        "2025-02-01..2025-02-04"]
    assert [raw.value("new_cases", TOTAL, b, TOTAL) for b in range(2)] == [2, 1]
    assert nonzero(raw, "verified_in_time") == {(BD, T): 1, (NH, PR): 1}  # not E (2 January)
    assert nonzero(raw, "verified_late") == {(BD, PP): 1}


def test_commune_report_has_one_row_for_the_commune_itself(stats_world):
    raw = raw_for(stats_world.world.app, BD, "2025")
    assert [r.key for r in raw.scope.rows] == [BD + "*"]
    assert nonzero(raw, "new_cases") == {(BD + "*", T): 1, (BD + "*", PP): 2}
    assert nonzero(raw, "transferred_out") == {(BD + "*", PP): 1}
    assert nonzero(raw, "transferred_in") == {}


def test_national_report_rows_are_provinces(stats_world):
    raw = raw_for(stats_world.world.app, None, "2025")
    assert [r.key for r in raw.scope.rows] == ["01", "79"]
    assert nonzero(raw, "new_cases") == {("01", T): 1, ("01", PP): 2, ("01", PR): 1,
                                         ("01", SW): 1}
    # The transfer stayed inside Hà Nội: not a move between rows of the national report.
    assert nonzero(raw, "transferred_in") == {}


def test_other_provinces_see_nothing_of_ha_noi(stats_world):
    raw = raw_for(stats_world.world.app, "79", "2025")
    assert not any(raw.counts.values())


def test_no_row_is_decrypted_while_computing(stats_world, monkeypatch):
    import casework.crypto.orm as orm

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("statistics must not touch the keyring")

    monkeypatch.setattr(orm, "current_keyring", refuse)
    app = stats_world.world.app
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == "01"))
        report = indicators.build_report(db.session, unit, parse("2025"))
        db.session.remove()
    assert report["sections"]
