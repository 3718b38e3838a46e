"""Due dates: calendar days for trafficking verification, working days (weekends
and Vietnamese public holidays skipped) for the post-prison address check."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflows.dates import VIETNAM, add_years, is_working_day
from workflows.deadlines import due_date, is_overdue
from workflows.registry import WORKFLOWS, get_workflow


def _at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, 0, tzinfo=VIETNAM)


def test_trafficking_verification_is_due_three_days_after_identification() -> None:
    workflow = get_workflow("trafficking_victim")
    assert due_date(workflow, "identified", _at(2025, 6, 9)) == date(2025, 6, 12)


def test_calendar_days_run_through_weekends_and_holidays() -> None:
    workflow = get_workflow("trafficking_victim")
    # Identified Tuesday 29 April 2025: 30/4 and 1/5 are holidays, still counted.
    assert due_date(workflow, "identified", _at(2025, 4, 29)) == date(2025, 5, 2)


def test_due_date_counts_from_the_date_in_vietnam() -> None:
    workflow = get_workflow("trafficking_victim")
    # 20:00 UTC on the 9th is 03:00 on the 10th in Hà Nội.
    assert due_date(workflow, "identified", datetime(2025, 6, 9, 20, tzinfo=UTC)) == date(
        2025, 6, 13
    )


@pytest.mark.parametrize(
    ("identified", "due"),
    [
        pytest.param(_at(2025, 6, 9), date(2025, 6, 12), id="monday-to-thursday"),
        pytest.param(_at(2025, 6, 6), date(2025, 6, 11), id="friday-to-wednesday"),
        pytest.param(_at(2025, 6, 7), date(2025, 6, 11), id="saturday-to-wednesday"),
        # 30/4, 1/5 and the substitute day off 2/5 are skipped, then the weekend.
        pytest.param(_at(2025, 4, 29), date(2025, 5, 7), id="reunification-and-labour-day"),
        # Tết 2025: 27–31 January off, 1 February a Saturday.
        pytest.param(_at(2025, 1, 24), date(2025, 2, 5), id="tet"),
        # National Day 2025: 1 and 2 September.
        pytest.param(_at(2025, 8, 29), date(2025, 9, 5), id="national-day"),
    ],
)
def test_post_prison_address_check_is_due_in_three_working_days(
    identified: datetime, due: date
) -> None:
    assert due_date(get_workflow("post_prison"), "identified", identified) == due


def test_working_days_skip_weekends_and_public_holidays() -> None:
    assert is_working_day(date(2025, 6, 10))
    assert not is_working_day(date(2025, 6, 7))  # Saturday
    assert not is_working_day(date(2025, 9, 2))  # National Day
    assert not is_working_day(date(2025, 4, 7))  # Hùng Kings' Commemoration


def test_voluntary_outreach_has_no_deadline() -> None:
    workflow = get_workflow("sex_work_exit")
    assert due_date(workflow, "identified", _at(2025, 6, 9)) is None
    assert due_date(workflow, "consented", _at(2025, 6, 9)) is None


def test_other_stages_use_declared_defaults() -> None:
    workflow = get_workflow("post_rehab")
    assert due_date(workflow, "verified", _at(2025, 6, 9)) == date(2025, 6, 16)
    assert due_date(workflow, "counselling", _at(2025, 6, 9)) == date(2025, 7, 9)
    assert due_date(workflow, "follow_up", _at(2025, 6, 9)) is None
    assert due_date(workflow, "closed", _at(2025, 6, 9)) is None


def test_the_due_day_itself_is_still_in_time() -> None:
    workflow = get_workflow("trafficking_victim")
    entered = _at(2025, 6, 9)
    assert not is_overdue(workflow, "identified", entered, _at(2025, 6, 12, 23))
    assert is_overdue(workflow, "identified", entered, _at(2025, 6, 13, 0))
    assert not is_overdue(workflow, "follow_up", entered, _at(2030, 1, 1))


@pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=lambda wf: wf.case_type)
def test_every_stage_has_a_computable_due_date(workflow) -> None:
    for stage in workflow.stages:
        due = due_date(workflow, stage.name, _at(2025, 12, 30))
        assert (due is None) == (stage.due_days is None)
        assert due is None or due > date(2025, 12, 30)


def test_unknown_stage_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        due_date(get_workflow("post_prison"), "consented", _at(2025, 6, 9))


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2023, 3, 1), 1, date(2024, 3, 1)),
        (date(2023, 12, 31), 2, date(2025, 12, 31)),
    ],
)
def test_years_end_on_the_anniversary_or_the_last_day_of_february(
    start: date, years: int, end: date
) -> None:
    assert add_years(start, years) == end
