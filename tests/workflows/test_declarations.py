"""The shape of every declaration: reachable, no traps, the rules DESIGN.md names."""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

from casework.access.roles import roles_holding
from workflows.model import ANY_ACTIVE, Workflow
from workflows.registry import WORKFLOWS

BY_TYPE = pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=lambda wf: wf.case_type)
PACKAGE = Path(__file__).parents[2] / "workflows"


def _successors(workflow: Workflow, stage: str, *, fixed_only: bool) -> set[str]:
    found = set()
    for event in workflow.events_from(stage):
        if fixed_only and event.dest_rule != "fixed":
            continue
        found.update(workflow.possible_dests(event, stage))
    return found


def _reachable(workflow: Workflow, start: str, *, fixed_only: bool) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in _successors(workflow, queue.popleft(), fixed_only=fixed_only) - seen:
            seen.add(nxt)
            queue.append(nxt)
    return seen


def test_the_four_case_types_are_registered() -> None:
    assert set(WORKFLOWS) == {"trafficking_victim", "post_rehab", "sex_work_exit", "post_prison"}


@BY_TYPE
def test_every_stage_is_reachable_from_the_initial_stage(workflow: Workflow) -> None:
    stages = {s.name for s in workflow.stages}
    assert _reachable(workflow, workflow.initial, fixed_only=True) == stages


@BY_TYPE
def test_no_dead_ends_and_every_stage_can_reach_closure(workflow: Workflow) -> None:
    for stage in workflow.stages:
        leaving = _successors(workflow, stage.name, fixed_only=False) - {stage.name}
        assert leaving or stage.terminal, f"{stage.name} is a dead end"
        assert "closed" in _reachable(workflow, stage.name, fixed_only=False)


@BY_TYPE
def test_main_line_runs_from_identified_to_follow_up(workflow: Workflow) -> None:
    names = [s.name for s in workflow.stages]
    assert names[0] == workflow.initial == "identified"
    assert {"assessed", "counselling", "follow_up", "closed"} <= set(names)
    assert [s.name for s in workflow.stages if s.terminal] == ["closed"]
    assert {s.name for s in workflow.stages if s.side} == {
        "suspended",
        "transfer_pending",
        "closure_requested",
    }


@BY_TYPE
def test_optional_stages_can_be_skipped_with_a_reason(workflow: Workflow) -> None:
    for stage in workflow.stages:
        skips = [e for e in workflow.events_from(stage.name) if "skip_stage" in e.effects]
        assert bool(skips) == stage.optional, stage.name
        for skip in skips:
            assert [f.name for f in skip.required_fields] == ["reason"]


REASONED = ("return_closure", "refuse_transfer", "reopen", "correct_stage")


@BY_TYPE
def test_moves_that_undo_or_override_require_a_reason(workflow: Workflow) -> None:
    for name in REASONED:
        assert "reason" in {f.name for f in workflow.event(name).required_fields}
    suspend = workflow.event("suspend")
    assert suspend.field("suspension_reason").choices == (
        "lost_contact",
        "moved",
        "detained",
        "hospitalised",
        "other",
    )
    closure = workflow.event("request_closure").field("closure_reason")
    assert closure.required and closure.choices == (
        "reintegrated",
        "moved_away",
        "declined_support",
        "not_eligible",
        "deceased",
        "duplicate",
    )


SUPERVISOR_ONLY = {
    "accept_transfer",
    "refuse_transfer",
    "approve_closure",
    "return_closure",
    "reopen",
    "correct_stage",
}


@BY_TYPE
def test_roles_are_social_workers_and_supervisors_only(workflow: Workflow) -> None:
    for event in workflow.events:
        roles = roles_holding(event.permission)
        assert set(roles) <= {"social_worker", "supervisor"}
        assert (roles == ("supervisor",)) == (event.name in SUPERVISOR_ONLY), event.name
        assert event.forced == (event.name == "correct_stage")


@BY_TYPE
def test_wildcard_means_active_stages_only(workflow: Workflow) -> None:
    suspend = workflow.event("suspend")
    assert suspend.sources == (ANY_ACTIVE,)
    expanded = set(workflow.sources_of(suspend))
    assert expanded == {s.name for s in workflow.stages if not (s.side or s.terminal)}


@BY_TYPE
def test_every_label_exists_in_both_languages(workflow: Workflow) -> None:
    assert workflow.label_vi and workflow.label_en
    for item in (*workflow.stages, *workflow.events):
        assert item.label_vi and item.label_en and item.label_vi != item.label_en
    for event in workflow.events:
        for f in event.fields:
            assert f.label_vi and f.label_en, (event.name, f.name)


def test_type_specific_rules_are_declared() -> None:
    trafficking = WORKFLOWS["trafficking_victim"]
    assert "consent_recorded" in trafficking.event("verify").guards
    assert trafficking.event("verify").effects == ("set_victim_status",)
    assert trafficking.stage("identified").due_days == 3
    prison = WORKFLOWS["post_prison"]
    assert (prison.stage("identified").due_days, prison.stage("identified").due_kind) == (
        3,
        "working",
    )
    assert prison.event("check_address").dest == "verified"
    assert prison.event("classify").field("classification").choices == ("A", "B", "C", "D")
    rehab = WORKFLOWS["post_rehab"]
    assert {"finding_authority", "finding_document"} <= {
        f.name for f in rehab.event("relapse").required_fields
    }
    assert rehab.event("relapse").dest == prison.event("reoffend").dest == "counselling"
    sex_work = WORKFLOWS["sex_work_exit"]
    assert [s.name for s in sex_work.stages[:3]] == ["identified", "consented", "assessed"]
    assert all(
        f.kind != "text" or "name" not in f.name for e in sex_work.events for f in e.fields
    )  # pseudonymous intake


def test_workflows_package_does_not_import_casework() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "casework" for m in modules), path
