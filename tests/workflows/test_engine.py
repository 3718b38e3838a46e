"""How the engine behaves for the app: what it returns, what it refuses, what it
leaves untouched, and that machines are built once and never bind a case."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from transitions import Machine

import workflows.engine as engine
from tests.workflows.world import NOW, ROLES, grants, make_case, valid_data
from workflows.engine import available_events, fire, machine_for
from workflows.errors import (
    GuardRefused,
    InvalidTransition,
    MissingFields,
    NotPermitted,
    UnknownCaseType,
    UnknownEvent,
    WorkflowError,
)
from workflows.registry import WORKFLOWS, get_workflow

WORKER = grants("social_worker")
SUPERVISOR = grants("supervisor")


def _apply(case: SimpleNamespace, result) -> None:
    """What casework.cases.operations stores besides the stage."""
    case.stage_before_suspension = result.return_stage


def _step(case, event: str, roles: set[str], **data: Any):
    workflow = get_workflow(case.case_type)
    payload = valid_data(workflow, workflow.event(event), case.stage) | data
    result = fire(case, event, roles, payload, NOW)
    _apply(case, result)
    return result


# --- side states return to the stage they left -------------------------------------


def test_suspend_and_resume_return_to_the_stage_left() -> None:
    case = make_case("post_rehab", "vocational_training", stage_before_suspension=None)

    suspended = _step(case, "suspend", WORKER, suspension_reason="hospitalised")
    assert (case.stage, suspended.return_stage) == ("suspended", "vocational_training")

    resumed = _step(case, "resume", WORKER)
    assert (case.stage, resumed.return_stage) == ("vocational_training", None)
    assert case.stage_before_suspension is None


@pytest.mark.parametrize(
    ("decision", "effect"),
    [("accept_transfer", "complete_transfer"), ("refuse_transfer", "cancel_transfer")],
)
def test_transfer_decision_returns_to_the_stage_left(decision: str, effect: str) -> None:
    case = make_case("trafficking_victim", "job_placement", stage_before_suspension=None)

    requested = _step(case, "request_transfer", WORKER, to_unit="unit-commune-b")
    assert requested.effects == ("start_transfer",)
    assert requested.data["to_unit"] == "unit-commune-b"

    decided = _step(case, decision, SUPERVISOR)
    assert (case.stage, decided.effects) == ("job_placement", (effect,))


def test_returned_closure_goes_back_and_approved_closure_closes() -> None:
    case = make_case("sex_work_exit", "follow_up", stage_before_suspension=None)
    _step(case, "request_closure", WORKER, closure_reason="moved_away")
    returned = _step(case, "return_closure", SUPERVISOR, reason="Chưa xác minh nơi ở mới")
    assert (case.stage, returned.effects) == ("follow_up", ("clear_closure_request",))

    _step(case, "request_closure", WORKER, closure_reason="moved_away")
    closed = _step(case, "approve_closure", SUPERVISOR)
    assert (case.stage, closed.effects, closed.return_stage) == ("closed", ("close",), None)

    reopened = _step(case, "reopen", SUPERVISOR, reason="Quay lại địa phương")
    assert (case.stage, reopened.effects) == ("counselling", ("reopen",))


def test_social_worker_cannot_approve_a_closure() -> None:
    case = make_case("post_prison", "closure_requested", closure_reason="deceased")
    with pytest.raises(NotPermitted):
        fire(case, "approve_closure", WORKER, {}, NOW)
    assert "approve_closure" not in {o.event.name for o in available_events(case, WORKER, NOW)}


def test_skip_records_the_skipped_stage_and_reason() -> None:
    case = make_case("post_prison", "vocational_training")
    result = _step(case, "skip_vocational_training", WORKER, reason="Đã có tay nghề")
    assert (result.from_stage, result.to_stage) == ("vocational_training", "job_placement")
    assert result.effects == ("skip_stage",)
    assert result.data["reason"] == "Đã có tay nghề"


def test_classification_keeps_the_stage() -> None:
    case = make_case("post_prison", "follow_up")
    result = _step(case, "classify", WORKER, classification="C")
    assert (case.stage, result.changed_stage) == ("follow_up", False)
    assert result.data == {"classification": "C", "note": "Đã trao đổi với gia đình."}


def test_supervisor_correction_is_forced() -> None:
    case = make_case("trafficking_victim", "vocational_training")
    result = _step(case, "correct_stage", SUPERVISOR, to_stage="counselling", reason="Nhập nhầm")
    assert (case.stage, result.forced) == ("counselling", True)


# --- refusals ---------------------------------------------------------------------


def _refusals() -> list:
    return [
        pytest.param(
            "post_rehab",
            "counselling",
            "fly_away",
            grants(ROLES),
            {},
            UnknownEvent,
            "unknown_event",
            id="unknown-event",
        ),
        pytest.param(
            "post_rehab",
            "counselling",
            "approve_closure",
            grants(ROLES),
            {},
            InvalidTransition,
            "invalid_transition",
            id="wrong-stage",
        ),
        pytest.param(
            "post_rehab",
            "closed",
            "reopen",
            WORKER,
            {"reason": "x"},
            NotPermitted,
            "not_permitted",
            id="wrong-role",
        ),
        pytest.param(
            "post_rehab",
            "counselling",
            "suspend",
            WORKER,
            {},
            MissingFields,
            "missing_fields",
            id="missing-field",
        ),
        pytest.param(
            "trafficking_victim",
            "counselling",
            "complete_counselling",
            WORKER,
            {},
            GuardRefused,
            "guard_refused",
            id="guard",
        ),
    ]


@pytest.mark.parametrize(
    ("case_type", "stage", "event", "roles", "data", "error", "code"), _refusals()
)
def test_fire_leaves_the_stage_unchanged_when_it_refuses(
    case_type: str, stage: str, event: str, roles, data: dict, error: type, code: str
) -> None:
    case = make_case(case_type, stage, victim_status="under_identification")
    before = vars(case).copy()

    with pytest.raises(error) as refused:
        fire(case, event, roles, data, NOW)

    assert isinstance(refused.value, WorkflowError)
    assert refused.value.code == code
    assert refused.value.message_vi and refused.value.message_en
    assert vars(case) == before


class _ExplodingEvent:
    def trigger(self, case: Any, **kwargs: Any) -> bool:
        case.stage = kwargs["target"]
        raise RuntimeError("callback failed half-way")


class _SilentEvent:
    def trigger(self, case: Any, **kwargs: Any) -> bool:
        return False


@pytest.mark.parametrize(
    ("fake", "error"), [(_ExplodingEvent, RuntimeError), (_SilentEvent, InvalidTransition)]
)
def test_fire_puts_the_stage_back_when_the_machine_fails(
    monkeypatch: pytest.MonkeyPatch, fake: type, error: type
) -> None:
    fake_machine = SimpleNamespace(events={"start_counselling": fake()})
    monkeypatch.setattr(engine, "machine_for", lambda case_type: fake_machine)
    case = make_case("post_prison", "assessed")

    with pytest.raises(error):
        fire(case, "start_counselling", WORKER, {}, NOW)

    assert case.stage == "assessed"


def test_invalid_transition_says_where_the_case_is_and_what_is_possible() -> None:
    case = make_case("post_prison", "identified")
    with pytest.raises(InvalidTransition) as refused:
        fire(case, "start_counselling", WORKER, {}, NOW)
    assert "Release notice received" in refused.value.message_en
    assert "Check address" in refused.value.message_en
    assert "Xác minh nơi cư trú" in refused.value.message_vi


def test_unknown_stage_and_unknown_case_type_are_refused() -> None:
    with pytest.raises(InvalidTransition):
        fire(make_case("post_prison", "limbo"), "classify", WORKER, {"classification": "A"}, NOW)
    with pytest.raises(UnknownCaseType):
        fire(make_case("shoplifter"), "verify", WORKER, {}, NOW)


# --- fields -------------------------------------------------------------------------


def test_fields_are_cleaned_dates_parsed_and_unknown_keys_dropped() -> None:
    case = make_case("post_rehab", "identified")
    result = fire(
        case,
        "verify",
        WORKER,
        {
            "rehab_kind": "compulsory",
            "rehab_completion_date": "2024-11-30",
            "completion_document": "",
            "csrf_token": "abc",
        },
        NOW,
    )
    assert result.data == {"rehab_kind": "compulsory", "rehab_completion_date": date(2024, 11, 30)}
    assert result.effects == ("set_management_period",)


def test_invalid_fields_are_reported_per_field_in_both_languages() -> None:
    case = make_case("post_rehab", "identified")
    with pytest.raises(MissingFields) as refused:
        fire(
            case,
            "verify",
            WORKER,
            {"rehab_kind": "prayer", "rehab_completion_date": "30/11/2024"},
            NOW,
        )
    assert set(refused.value.errors) == {"rehab_kind", "rehab_completion_date"}
    assert set(refused.value.errors_vi) == set(refused.value.errors)
    assert "voluntary" in refused.value.errors["rehab_kind"][0]


def test_missing_required_field_is_reported() -> None:
    case = make_case("trafficking_victim", "closed")
    with pytest.raises(MissingFields) as refused:
        fire(case, "reopen", SUPERVISOR, {"reason": "   "}, NOW)
    assert refused.value.errors == {"reason": ["This field is required."]}


# --- available events ----------------------------------------------------------------


def test_available_events_show_disabled_events_with_the_reason() -> None:
    case = make_case("trafficking_victim", "identified", consent_given=False)
    options = {o.event.name: o for o in available_events(case, WORKER, NOW)}

    assert not options["verify"].allowed
    assert options["verify"].refusal is not None
    assert "consent" in options["verify"].refusal.message_en
    assert options["record_consent"].allowed
    assert [f.name for f in options["verify"].required_fields] == ["victim_status"]
    assert "correct_stage" not in options  # supervisors only


def test_available_events_do_not_judge_data_not_yet_submitted() -> None:
    case = make_case("post_rehab", "follow_up")
    options = {o.event.name: o for o in available_events(case, WORKER, NOW)}
    assert options["relapse"].allowed


@pytest.mark.parametrize("role", ["statistician", "administrator", "auditor"])
def test_roles_without_case_content_may_make_no_move(role: str) -> None:
    for workflow in WORKFLOWS.values():
        for stage in workflow.stages:
            case = make_case(workflow.case_type, stage.name)
            assert available_events(case, grants(role), NOW) == []


def test_resume_without_a_known_stage_is_shown_disabled() -> None:
    case = make_case("post_prison", "suspended", stage_before_suspension=None)
    (resume,) = [o for o in available_events(case, WORKER, NOW) if o.event.name == "resume"]
    assert resume.refusal is not None and not resume.allowed


# --- the machines -------------------------------------------------------------------


def test_machine_is_built_once_per_case_type(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []

    class CountingMachine(Machine):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(kwargs["name"])
            super().__init__(*args, **kwargs)

    machine_for.cache_clear()
    monkeypatch.setattr(engine, "Machine", CountingMachine)
    try:
        for _ in range(3):
            for case_type in WORKFLOWS:
                case = make_case(case_type, "counselling")
                fire(case, "suspend", WORKER, {"suspension_reason": "moved"}, NOW)
                assert machine_for(case_type) is machine_for(case_type)
    finally:
        machine_for.cache_clear()
    assert sorted(built) == sorted(WORKFLOWS)


def test_machines_never_bind_or_reset_a_case() -> None:
    case = make_case("sex_work_exit", "job_placement")
    fire(case, "skip_job_placement", WORKER, {"reason": "Tự kinh doanh"}, NOW)
    machine = machine_for("sex_work_exit")
    assert machine.models == []
    assert not hasattr(case, "trigger") and not hasattr(case, "to_closed")
    assert case.stage == "loan_referral"
