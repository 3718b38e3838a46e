"""Each rule refuses with its own message and lets the move through when it holds.

Rows: (guard, case type, stage, event, case attributes, submitted data) for a
refusal, and the change that makes the same move pass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.workflows.world import NOW, TODAY, grants, make_case, valid_data
from workflows.dates import VIETNAM
from workflows.engine import fire
from workflows.errors import GuardRefused, MissingFields
from workflows.guards import GUARDS, GuardContext, relapse_finding_present
from workflows.registry import WORKFLOWS, get_workflow

TOMORROW = (TODAY + timedelta(days=1)).isoformat()


def _fire(case_type: str, stage: str, event: str, case_attrs: dict, data: dict, now=NOW):
    workflow = get_workflow(case_type)
    case = make_case(case_type, stage, **case_attrs)
    payload = valid_data(workflow, workflow.event(event), stage) | data
    return case, fire(case, event, grants({"supervisor", "social_worker"}), payload, now)


# guard, case type, stage, event, (case attrs, data) refused, (case attrs, data) passing
GUARD_TABLE: list[tuple[str, str, str, str, tuple[dict, dict], tuple[dict, dict]]] = [
    (
        "consent_recorded",
        "trafficking_victim",
        "identified",
        "verify",
        ({"consent_given": False}, {}),
        ({"consent_given": True}, {}),
    ),
    (
        "consent_recorded",
        "sex_work_exit",
        "consented",
        "assess",
        ({"consent_given": False}, {}),
        ({"consent_given": True}, {}),
    ),
    (
        "victim_confirmed_for_support",
        "trafficking_victim",
        "counselling",
        "complete_counselling",
        ({"victim_status": "under_identification"}, {}),
        ({"victim_status": "confirmed"}, {}),
    ),
    (
        "victim_confirmed_for_support",
        "trafficking_victim",
        "job_placement",
        "skip_job_placement",
        ({"victim_status": "under_identification"}, {}),
        ({"victim_status": "confirmed"}, {}),
    ),
    (
        "victim_confirmed_for_support",
        "trafficking_victim",
        "counselling",
        "correct_stage",
        ({"victim_status": "under_identification"}, {"to_stage": "vocational_training"}),
        ({"victim_status": "under_identification"}, {"to_stage": "assessed"}),
    ),
    (
        "victim_not_ruled_out",
        "trafficking_victim",
        "verified",
        "assess",
        ({"victim_status": "not_a_victim"}, {}),
        ({"victim_status": "under_identification"}, {}),
    ),
    (
        "management_period_over",
        "post_rehab",
        "follow_up",
        "request_closure",
        ({"rehab_completion_date": TODAY - timedelta(days=100)}, {}),
        ({"rehab_completion_date": TODAY - timedelta(days=100)}, {"closure_reason": "moved_away"}),
    ),
    (
        "management_period_over",
        "post_rehab",
        "closure_requested",
        "approve_closure",
        (
            {
                "closure_reason": "reintegrated",
                "rehab_completion_date": TODAY - timedelta(days=100),
            },
            {},
        ),
        ({"closure_reason": "deceased", "rehab_completion_date": TODAY - timedelta(days=100)}, {}),
    ),
    (
        "certificate_for_reintegration",
        "post_rehab",
        "follow_up",
        "request_closure",
        ({}, {"completion_certificate": ""}),
        ({}, {"completion_certificate": "document-9"}),
    ),
    (
        "record_cleared",
        "post_prison",
        "follow_up",
        "request_closure",
        ({"release_date": TODAY - timedelta(days=100)}, {}),
        ({"release_date": TODAY - timedelta(days=100), "record_cleared_on": TODAY}, {}),
    ),
    (
        "record_cleared",
        "post_prison",
        "closure_requested",
        "approve_closure",
        ({"closure_reason": "reintegrated", "release_date": None}, {}),
        ({"closure_reason": "reintegrated", "release_date": date(2015, 1, 1)}, {}),
    ),
    (
        "has_return_stage",
        "sex_work_exit",
        "suspended",
        "resume",
        ({"stage_before_suspension": None}, {}),
        ({"stage_before_suspension": "assessed"}, {}),
    ),
    (
        "has_return_stage",
        "post_rehab",
        "transfer_pending",
        "accept_transfer",
        ({"stage_before_suspension": "closure_requested"}, {}),
        ({"stage_before_suspension": "follow_up"}, {}),
    ),
    (
        "dates_not_in_future",
        "post_prison",
        "identified",
        "check_address",
        ({}, {"checked_on": TOMORROW}),
        ({}, {"checked_on": TODAY.isoformat()}),
    ),
    (
        "dates_not_in_future",
        "post_rehab",
        "identified",
        "verify",
        ({}, {"rehab_completion_date": TOMORROW}),
        ({}, {"rehab_completion_date": "2024-12-01"}),
    ),
    (
        "explanation_for_other",
        "trafficking_victim",
        "assessed",
        "suspend",
        ({}, {"suspension_reason": "other", "reason": ""}),
        ({}, {"suspension_reason": "other", "reason": "Đi làm ăn xa"}),
    ),
    (
        "stage_differs",
        "post_prison",
        "job_placement",
        "correct_stage",
        ({}, {"to_stage": "job_placement"}),
        ({}, {"to_stage": "counselling"}),
    ),
]


def _row_id(row: tuple) -> str:
    return f"{row[0]}-{row[1]}-{row[3]}"


@pytest.mark.parametrize("row", GUARD_TABLE, ids=_row_id)
def test_guard_refuses_with_its_own_message(row: tuple) -> None:
    guard, case_type, stage, event, (attrs, data), _ = row

    with pytest.raises(GuardRefused) as refused:
        _fire(case_type, stage, event, attrs, data)

    assert refused.value.guard == guard
    assert refused.value.code == "guard_refused"
    assert refused.value.message_vi == refused.value.refusal.message_vi
    assert refused.value.refusal.message_en


@pytest.mark.parametrize("row", GUARD_TABLE, ids=_row_id)
def test_guard_passes_when_its_condition_holds(row: tuple) -> None:
    _, case_type, stage, event, _, (attrs, data) = row

    _case, result = _fire(case_type, stage, event, attrs, data)

    assert result.event.name == event


# Its fields are required, so fire() answers MissingFields first; the guard is the
# backstop that says why, and is specified directly below.
REACHED_ONLY_DIRECTLY = {"relapse_finding_present"}


def test_every_guard_has_a_row_and_messages_differ() -> None:
    assert {row[0] for row in GUARD_TABLE} == set(GUARDS) - REACHED_ONLY_DIRECTLY
    workflow = get_workflow("post_rehab")
    direct = relapse_finding_present(
        GuardContext(make_case("post_rehab"), {}, NOW, workflow.event("relapse"), workflow)
    )
    assert direct is not None
    messages: dict[str, set[str]] = {direct.message_en: {"relapse_finding_present"}}
    for row in GUARD_TABLE:
        guard, case_type, stage, event, (attrs, data), _ = row
        with pytest.raises(GuardRefused) as refused:
            _fire(case_type, stage, event, attrs, data)
        messages.setdefault(refused.value.refusal.message_en, set()).add(guard)
    assert all(len(guards) == 1 for guards in messages.values()), messages


def test_every_guard_is_used_by_a_declaration() -> None:
    used = {g for wf in WORKFLOWS.values() for e in wf.events for g in e.guards}
    assert used == set(GUARDS)


# --- post-rehab management period: 1 year or 2 years, to the day ------------------

MANAGEMENT = [
    # rehab kind, completion date, last refused day, first allowed day
    ("voluntary", date(2024, 3, 15), date(2025, 3, 14), date(2025, 3, 15)),
    ("substitution", date(2024, 3, 15), date(2025, 3, 14), date(2025, 3, 15)),
    ("minor", date(2024, 3, 15), date(2025, 3, 14), date(2025, 3, 15)),
    ("compulsory", date(2024, 3, 15), date(2026, 3, 14), date(2026, 3, 15)),
    # 29 February has no anniversary in a common year: the period ends on the 28th.
    ("voluntary", date(2024, 2, 29), date(2025, 2, 27), date(2025, 2, 28)),
    ("compulsory", date(2024, 2, 29), date(2026, 2, 27), date(2026, 2, 28)),
    ("compulsory", date(2022, 2, 28), date(2024, 2, 27), date(2024, 2, 28)),
]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=VIETNAM)


@pytest.mark.parametrize(("kind", "completed", "day_before", "on_the_day"), MANAGEMENT)
def test_post_rehab_closes_as_reintegrated_only_when_management_ends(
    kind: str, completed: date, day_before: date, on_the_day: date
) -> None:
    attrs = {"rehab_kind": kind, "rehab_completion_date": completed}

    with pytest.raises(GuardRefused) as refused:
        _fire("post_rehab", "follow_up", "request_closure", attrs, {}, now=_at(day_before))
    assert on_the_day.isoformat() in refused.value.message_en

    _case, result = _fire(
        "post_rehab", "follow_up", "request_closure", attrs, {}, now=_at(on_the_day)
    )
    assert result.to_stage == "closure_requested"


def test_management_period_uses_vietnam_date_not_utc() -> None:
    # 17:30 UTC on the 14th is 00:30 on the 15th in Hà Nội: the period has ended.
    attrs = {"rehab_kind": "voluntary", "rehab_completion_date": date(2024, 3, 15)}
    late_evening_utc = datetime(2025, 3, 14, 17, 30, tzinfo=UTC)
    _case, result = _fire(
        "post_rehab", "follow_up", "request_closure", attrs, {}, now=late_evening_utc
    )
    assert result.to_stage == "closure_requested"


def test_unknown_rehab_kind_cannot_close_as_reintegrated() -> None:
    with pytest.raises(GuardRefused) as refused:
        _fire("post_rehab", "follow_up", "request_closure", {"rehab_kind": None}, {})
    assert "cannot be computed" in refused.value.message_en


# --- post-prison: record cleared 2, 3 or 5 years after release --------------------

CLEARANCE = [
    (60, date(2022, 1, 15)),  # up to 5 years' prison: 2 years
    (61, date(2023, 1, 15)),  # over 5 up to 15: 3 years
    (180, date(2023, 1, 15)),
    (181, date(2025, 1, 15)),  # over 15: 5 years
]


@pytest.mark.parametrize(("months", "cleared"), CLEARANCE)
def test_post_prison_closes_as_reintegrated_once_record_is_cleared(
    months: int, cleared: date
) -> None:
    attrs = {"release_date": date(2020, 1, 15), "sentence_months": months}

    with pytest.raises(GuardRefused) as refused:
        _fire(
            "post_prison",
            "follow_up",
            "request_closure",
            attrs,
            {},
            now=_at(cleared - timedelta(days=1)),
        )
    assert cleared.isoformat() in refused.value.message_en

    _case, result = _fire(
        "post_prison", "follow_up", "request_closure", attrs, {}, now=_at(cleared)
    )
    assert result.to_stage == "closure_requested"


def test_recorded_clearance_date_wins_over_the_computed_one() -> None:
    # Computed: 2022-01-15; the judicial record certificate says later.
    attrs = {
        "release_date": date(2020, 1, 15),
        "sentence_months": 24,
        "record_cleared_on": date(2025, 9, 1),
    }
    with pytest.raises(GuardRefused) as refused:
        _fire("post_prison", "follow_up", "request_closure", attrs, {})
    assert "2025-09-01" in refused.value.message_en


# --- relapse: a positive test alone is not relapse --------------------------------


def test_relapse_without_finding_is_refused_before_any_guard() -> None:
    with pytest.raises(MissingFields) as refused:
        _fire(
            "post_rehab",
            "follow_up",
            "relapse",
            {},
            {"finding_authority": "", "finding_document": None},
        )
    assert set(refused.value.errors) == {"finding_authority", "finding_document"}


@pytest.mark.parametrize(
    "data",
    [
        {"test_result": "positive"},
        {"finding_authority": "   ", "finding_document": "document-1"},
        {"finding_authority": "Công an xã", "finding_document": ""},
    ],
)
def test_relapse_guard_refuses_a_positive_test_alone(data: dict[str, Any]) -> None:
    workflow = get_workflow("post_rehab")
    ctx = GuardContext(
        make_case("post_rehab", "follow_up"), data, NOW, workflow.event("relapse"), workflow
    )

    refusal = relapse_finding_present(ctx)

    assert refusal is not None
    assert "positive test alone" in refusal.message_en


def test_relapse_with_finding_goes_back_to_counselling_counted() -> None:
    case, result = _fire("post_rehab", "job_placement", "relapse", {}, {})
    assert (case.stage, result.effects) == ("counselling", ("count_relapse",))


def test_reoffence_goes_back_to_counselling_counted() -> None:
    case, result = _fire("post_prison", "follow_up", "reoffend", {}, {})
    assert (case.stage, result.effects) == ("counselling", ("count_relapse",))


def test_not_a_victim_can_still_close_as_not_eligible() -> None:
    case, result = _fire(
        "trafficking_victim",
        "verified",
        "request_closure",
        {"victim_status": "not_a_victim"},
        {"closure_reason": "not_eligible"},
    )
    assert result.to_stage == "closure_requested"
    assert result.data["closure_reason"] == "not_eligible"
