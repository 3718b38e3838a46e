"""The statistics summary answers exactly as the history does, and keeps nothing about a person.

Reports over the whole country read ``stat_fact`` (counts per unit subtree and month) rather
than grouping the history on each request. These tests hold the summary to the live queries on
the fixture world of ``conftest.py``: same counts, amounts and medians for every period kind
and for the country, a province and a commune (which has a "directly" row), and the same
published report through the API.
"""

from __future__ import annotations

import re
import statistics
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from casework.cases.models import Case
from casework.extensions import db
from casework.stats import indicators, summary
from casework.stats.models import StatFact, StatReport
from casework.stats.periods import parse
from casework.units.models import CURRENT_TREE, Unit

TODAY = date(2026, 1, 15)
UUID_RE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
PERIODS = ("2025-01", "2025-04", "2025-Q1", "2025-Q2", "2025-H1", "2025-H2", "2025", "2024",
           "2024-12-01..2025-05-31", "2024-10-01..2026-03-31")


def _unit(code: str | None) -> Unit | None:
    if code is None:
        return None
    return db.session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))


def _nonzero(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if v}


def _facts() -> set[tuple]:
    return set(db.session.execute(select(
        StatFact.unit_path, StatFact.parent_path, StatFact.month, StatFact.measure, StatFact.col,
        StatFact.days, StatFact.n, StatFact.amount)).all())


@pytest.mark.parametrize("code", [None, "01", "00004", "00008"])
def test_summary_gives_the_counts_of_the_history(stats_world, code):
    with stats_world.world.app.app_context():
        summary.refresh(db.session)
        unit = _unit(code)
        for text_period in PERIODS:
            period = parse(text_period)
            live = indicators.compute(db.session, unit, period, today=TODAY)
            kept = summary.raw_from_summary(db.session, unit, period, TODAY)
            assert kept is not None, text_period
            assert _nonzero(kept.counts) == _nonzero(live.counts), text_period
            assert _nonzero(kept.amounts) == _nonzero(live.amounts), text_period
            assert kept.medians == live.medians, text_period
            assert kept.reference_day == live.reference_day


def test_the_fixture_world_is_not_empty_in_the_summary(stats_world):
    """Guards the comparison above against passing on two empty results."""
    with stats_world.world.app.app_context():
        summary.refresh(db.session)
        raw = summary.raw_from_summary(db.session, _unit("01"), parse("2025"), TODAY)
        assert raw.value("new_cases", indicators.TOTAL, indicators.TOTAL, indicators.TOTAL) == 5
        assert raw.value("closed", indicators.TOTAL, indicators.TOTAL, indicators.TOTAL) == 2
        assert raw.value("loans_granted", indicators.TOTAL, indicators.TOTAL,
                         indicators.TOTAL) == 1
        assert raw.medians  # stays were read from the histogram


def test_part_months_and_an_unrefreshed_database_are_computed_live(stats_world):
    with stats_world.world.app.app_context():
        assert summary.raw_from_summary(db.session, None, parse("2025"), TODAY) is None
        summary.refresh(db.session)
        assert summary.raw_from_summary(db.session, None, parse("2025-01-05..2025-03-31"),
                                        TODAY) is None
        assert summary.raw_from_summary(db.session, None, parse("2025-01-01..2025-03-31"),
                                        TODAY) is not None


def test_a_refresh_from_a_month_equals_a_full_refresh(stats_world):
    from casework.accounts.models import User
    from casework.cases.transitions import fire

    with stats_world.world.app.app_context():
        summary.refresh(db.session)
        full = _facts()
        summary.refresh(db.session, since=date(2025, 4, 17))
        assert _facts() == full
        # New history in August: a refresh from August picks it up like a full one.
        case = db.session.get(Case, stats_world.cases["F"])
        worker = db.session.scalar(select(User).where(User.username == "worker_a"))
        fire(db.session, worker, case, "check_address", {"checked_on": "2025-08-05"},
             now=datetime(2025, 8, 5, 3, tzinfo=UTC))
        summary.refresh(db.session, since=date(2025, 8, 1))
        partial = _facts()
        summary.refresh(db.session)
        assert _facts() == partial != full


def test_the_summary_holds_counts_only(stats_world):
    with stats_world.world.app.app_context():
        summary.refresh(db.session)
        db.session.commit()
        columns = {c["name"] for c in inspect(db.engine).get_columns("stat_fact")}
        assert columns == {"unit_path", "parent_path", "month", "measure", "col", "days", "n",
                           "amount", "ckey"}
        references = set(db.session.scalars(select(Case.reference)))
        rows = db.session.execute(text("SELECT * FROM stat_fact")).all()
        assert rows
        for row in rows:
            for value in row:
                assert not UUID_RE.search(str(value))
                assert str(value) not in references


def test_the_api_publishes_the_same_report_from_the_summary_and_keeps_it(stats_world):
    world = stats_world.world
    api = world.client_for("statistician")
    url = "/api/v1/stats/indicators?unit=01&period=2025-H1"
    live = api.get(url).get_json()
    with world.app.app_context():
        summary.refresh(db.session)
        db.session.commit()
    first = api.get(url).get_json()
    assert first["sections"] == live["sections"]
    assert first["hidden"] == live["hidden"]
    assert any("statistics summary refreshed" in note for note in first["notes"])
    again = api.get(url).get_json()
    assert again == first  # the kept report: same cells, same hidden pattern, same time
    with world.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(StatReport)) == 1
        summary.refresh(db.session)
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(StatReport)) == 0
    narrowed = api.get(url + "&case_type=post_prison").get_json()
    assert [s["id"] for s in narrowed["sections"]] != [s["id"] for s in first["sections"]]


def test_a_kept_report_is_not_served_outside_the_callers_scope(stats_world):
    from tests.stats.test_api import add_user

    world = stats_world.world
    with world.app.app_context():
        summary.refresh(db.session)
        db.session.commit()
    assert world.client_for("statistician").get(
        "/api/v1/stats/indicators?unit=00008&period=2025").status_code == 200
    add_user(world, "stat_ba_dinh", "statistician", "00004")
    sibling = world.client_for("stat_ba_dinh")
    assert sibling.get("/api/v1/stats/indicators?unit=00008&period=2025").status_code == 404


def test_refresh_and_status_commands(stats_world):
    runner = stats_world.world.app.test_cli_runner()
    never = runner.invoke(args=["stats", "status"])
    assert never.exit_code == 0 and "never refreshed" in never.output
    done = runner.invoke(args=["stats", "refresh", "--quiet"])
    assert done.exit_code == 0, done.output
    assert re.search(r"refreshed \(all months\): [\d,]+ rows", done.output)
    status = runner.invoke(args=["stats", "status"])
    assert "last refresh" in status.output and "summary rows" in status.output
    recent = runner.invoke(args=["stats", "refresh", "--since", "2025-06", "--quiet"])
    assert recent.exit_code == 0 and "from 2025-06" in recent.output
    bad = runner.invoke(args=["stats", "refresh", "--since", "June"])
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output
    bad_period = runner.invoke(args=["stats", "refresh", "--warm", "2025-13"])
    assert bad_period.exit_code == 1 and "--warm" in bad_period.output


def test_refresh_can_build_the_reports_ahead(stats_world):
    world = stats_world.world
    runner = world.app.test_cli_runner()
    done = runner.invoke(args=["stats", "refresh", "--quiet", "--warm", "2025-03"])
    assert done.exit_code == 0, done.output
    built = int(re.search(r"reports kept: (\d+)", done.output)[1])
    with world.app.app_context():
        provinces = db.session.scalar(select(db.func.count()).select_from(Unit).where(
            Unit.tree == CURRENT_TREE, Unit.parent_id.is_(None), Unit.valid_to.is_(None)))
        kept = {(r.unit_code, r.period) for r in db.session.scalars(select(StatReport))}
    assert built == provinces + 1 == len(kept)
    assert ("01", "2025-03") in kept and ("VN", "2025-03") in kept
    # The API answers with the kept report (its generation time is the refresh's).
    body = world.client_for("statistician").get(
        "/api/v1/stats/indicators?unit=01&period=2025-03").get_json()
    with world.app.app_context():
        kept_body = db.session.get(StatReport, (summary.latest_refresh(db.session).id, "01",
                                                "2025-03", "k=5;k_trafficking=11;case_type="))
        assert body["generated_at"] == kept_body.body["generated_at"]


def test_ancestors_of_a_path():
    assert summary.ancestors("vn2:01/00004/") == ("vn2:", "vn2:01/", "vn2:01/00004/")
    assert summary.parent_of("vn2:01/") == "vn2:"
    assert summary.parent_of("vn2:") == ""


@given(st.dictionaries(st.integers(0, 400), st.integers(1, 50), min_size=1, max_size=30))
def test_weighted_median_is_the_median(counts):
    values = [v for v, n in counts.items() for _ in range(n)]
    assert indicators.weighted_median(counts) == statistics.median(values)


def test_moves_between_provinces_count_at_every_level_they_cross(stats_world):
    """A transfer from Ba Đình (Hà Nội) to Sài Gòn (HCM): out of 01 and in to 79 nationally,
    out of 00004 in Hà Nội's report, and in the "directly" rows of the two communes."""
    from casework.accounts.models import User
    from casework.accounts.operations import create_user
    from casework.cases.transitions import fire
    from tests.conftest import PASSWORD

    with stats_world.world.app.app_context():
        create_user(db.session, "supervisor_hcm", PASSWORD, roles=["supervisor"],
                    unit_code="26734")
        case = db.session.get(Case, stats_world.cases["F"])
        users = {u.username: u for u in db.session.scalars(select(User))}
        fire(db.session, users["worker_a"], case, "request_transfer", {"to_unit": "26734"},
             now=datetime(2025, 8, 1, 3, tzinfo=UTC))
        fire(db.session, users["supervisor_hcm"], case, "accept_transfer", {},
             now=datetime(2025, 8, 3, 3, tzinfo=UTC))
        summary.refresh(db.session)
        year = parse("2025")
        for code in (None, "01", "79", "00004", "26734"):
            unit = _unit(code)
            live = indicators.compute(db.session, unit, year, today=TODAY)
            kept = summary.raw_from_summary(db.session, unit, year, TODAY)
            assert _nonzero(kept.counts) == _nonzero(live.counts), code
        national = summary.raw_from_summary(db.session, None, year, TODAY)
        assert national.counts[("transferred_out", "01", 2, "post_prison")] == 1
        assert national.counts[("transferred_in", "79", 2, "post_prison")] == 1
        commune = summary.raw_from_summary(db.session, _unit("26734"), year, TODAY)
        assert commune.counts[("transferred_in", "26734*", 2, "post_prison")] == 1
