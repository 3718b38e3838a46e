"""The workflow × event × stage × role table, as a specification.

Every declared event fires for every allowed role from every source stage, is
refused to every other role, and is refused from every other stage — and a
refusal never changes the case's stage.
"""

from __future__ import annotations

import pytest

from casework.access.roles import roles_holding
from tests.workflows.world import NOW, ROLES, all_events, grants, make_case, valid_data
from workflows.engine import fire
from workflows.errors import InvalidTransition, NotPermitted
from workflows.model import Event, Workflow


def _allowed_cases() -> list:
    return [
        pytest.param(wf, event, source, role, id=f"{wf.case_type}-{event.name}-{source}-{role}")
        for wf, event in all_events()
        for source in wf.sources_of(event)
        for role in roles_holding(event.permission)
    ]


def _forbidden_roles() -> list:
    return [
        pytest.param(wf, event, role, id=f"{wf.case_type}-{event.name}-{role}")
        for wf, event in all_events()
        for role in ROLES
        if role not in roles_holding(event.permission)
    ]


def _wrong_stages() -> list:
    return [
        pytest.param(wf, event, stage.name, id=f"{wf.case_type}-{event.name}-{stage.name}")
        for wf, event in all_events()
        for stage in wf.stages
        if stage.name not in wf.sources_of(event)
    ]


def _expected_dest(event: Event, source: str, data: dict, case) -> str:
    return {
        "fixed": event.dest,
        "stay": source,
        "return": case.stage_before_suspension,
        "chosen": data.get("to_stage"),
    }[event.dest_rule]


@pytest.mark.parametrize(("workflow", "event", "source", "role"), _allowed_cases())
def test_event_fires_for_allowed_role_from_each_source(
    workflow: Workflow, event: Event, source: str, role: str
) -> None:
    case = make_case(workflow.case_type, source)
    data = valid_data(workflow, event, source)

    result = fire(case, event.name, grants(role), data, NOW)

    expected = _expected_dest(event, source, data, case)
    assert (result.from_stage, result.to_stage, case.stage) == (source, expected, expected)
    assert result.event is event
    assert result.effects == event.effects
    assert result.forced is event.forced
    assert set(result.data) == {f.name for f in event.fields}


@pytest.mark.parametrize(("workflow", "event", "role"), _forbidden_roles())
def test_event_is_refused_to_every_other_role(workflow: Workflow, event: Event, role: str) -> None:
    source = workflow.sources_of(event)[0]
    case = make_case(workflow.case_type, source)

    with pytest.raises(NotPermitted) as refused:
        fire(case, event.name, grants(role), valid_data(workflow, event, source), NOW)

    assert refused.value.code == "not_permitted"
    assert case.stage == source


@pytest.mark.parametrize(("workflow", "event", "stage"), _wrong_stages())
def test_event_is_refused_from_every_other_stage(
    workflow: Workflow, event: Event, stage: str
) -> None:
    case = make_case(workflow.case_type, stage)

    with pytest.raises(InvalidTransition) as refused:
        fire(case, event.name, grants(ROLES), valid_data(workflow, event, stage), NOW)

    assert refused.value.code == "invalid_transition"
    assert workflow.stage(stage).label_en in refused.value.message_en
    assert case.stage == stage
