"""Random walks through each workflow, applying results the way the app does:
the case never ends up at an unknown stage, and a side state always knows the
stage to go back to.

Seeded `random.Random` rather than hypothesis: the walks are reproducible by
seed and the suite writes no example database into the project.
"""

from __future__ import annotations

import random

import pytest

from tests.workflows.world import NOW, grants, make_case, valid_data
from workflows.engine import available_events, fire
from workflows.errors import GuardRefused
from workflows.registry import WORKFLOWS, get_workflow

ROLES = grants({"social_worker", "supervisor"})
SEEDS = range(25)
STEPS = 60


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case_type", sorted(WORKFLOWS))
def test_random_walks_keep_the_case_consistent(case_type: str, seed: int) -> None:
    rng = random.Random(f"{case_type}-{seed}")
    workflow = get_workflow(case_type)
    case = make_case(
        case_type,
        stage_before_suspension=None,
        consent_given=False,
        victim_status="under_identification",
        closure_reason=None,
    )
    visited = {case.stage}
    for _ in range(STEPS):
        options = [o for o in available_events(case, ROLES, NOW) if o.allowed]
        assert options, f"stuck at {case.stage}"
        event = rng.choice(options).event
        data = valid_data(workflow, event, case.stage)
        for f in event.fields:
            if f.kind == "choice" and f.name != "to_stage":
                data[f.name] = rng.choice(f.choices)
        if data.get("suspension_reason") == "other":
            data["reason"] = "Lý do khác"
        try:
            result = fire(case, event.name, ROLES, data, NOW)
        except GuardRefused:
            continue  # a rule judged the submitted data; the walk takes another path
        # what casework.cases.operations does with the result
        case.stage_before_suspension = result.return_stage
        if "record_consent" in result.effects:
            case.consent_given = True
        if "set_victim_status" in result.effects:
            case.victim_status = result.data["victim_status"]
        if "record_closure_request" in result.effects:
            case.closure_reason = result.data["closure_reason"]
        if {"clear_closure_request", "reopen"} & set(result.effects):
            case.closure_reason = None

        stage = workflow.stage(case.stage)
        visited.add(stage.name)
        assert stage.name == result.to_stage
        if stage.side:
            assert workflow.stage(case.stage_before_suspension).active
        else:
            assert case.stage_before_suspension is None
    assert len(visited) > 1
