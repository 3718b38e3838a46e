"""The workflow of a case type as a page can draw it, and a case's own path through it.

Drawn on the server from the declaration (HTML boxes and arrows, no diagram library): it works
offline on an intranet, under a CSP without inline styles, on a 360-px phone, and it can never
drift from the rules because it is read from the same ``Workflow`` the engine runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import workflows
from casework.access.roles import roles_holding
from casework.cases.models import Case, CaseEvent
from casework.web.labels import lang, stage_label
from workflows.model import ANY_ACTIVE, Event, Workflow


@dataclass
class Move:
    event: str
    label: str
    target: str
    roles: tuple[str, ...]
    forced: bool


@dataclass
class StageBox:
    name: str
    label: str
    due_days: int | None
    due_kind: str
    optional: bool
    side: bool
    terminal: bool
    moves: list[Move] = field(default_factory=list)
    current: bool = False


@dataclass
class Diagram:
    case_type: str
    label: str
    main: list[StageBox]
    side: list[StageBox]
    from_any: list[Move]


def _target(workflow: Workflow, event: Event, source: str) -> str:
    if event.dest_rule == "fixed":
        return stage_label(event.dest, workflow.case_type)
    if event.dest_rule == "stay":
        return stage_label(source, workflow.case_type)
    if event.dest_rule == "return":
        return "↩"  # the page explains: back to the stage it left
    return "…"  # chosen by the supervisor


def _move(workflow: Workflow, event: Event, source: str) -> Move:
    return Move(
        event.name,
        event.label(lang()),
        _target(workflow, event, source),
        roles_holding(event.permission),
        event.forced,
    )


def build(case_type: str, current: str | None = None) -> Diagram:
    """The diagram of ``case_type``; ``current`` (a stage) is highlighted.

    :raise workflows.UnknownCaseType: for an unknown type.
    """
    workflow = workflows.get_workflow(case_type)
    boxes: dict[str, StageBox] = {}
    for stage in workflow.stages:
        boxes[stage.name] = StageBox(
            stage.name,
            stage.label(lang()),
            stage.due_days,
            stage.due_kind,
            stage.optional,
            stage.side,
            stage.terminal,
            current=stage.name == current,
        )
    from_any: list[Move] = []
    for event in workflow.events:
        for source in event.sources:
            if source == ANY_ACTIVE:
                from_any.append(_move(workflow, event, source))
            else:
                boxes[source].moves.append(_move(workflow, event, source))
    main = [boxes[s.name] for s in workflow.stages if s.active]
    side = [boxes[s.name] for s in workflow.stages if not s.active]
    return Diagram(case_type, workflow.label(lang()), main, side, from_any)


@dataclass
class TimelineStep:
    name: str
    label: str
    status: str  # done, skipped, current, paused, upcoming
    entered: datetime | None
    left: datetime | None
    due: date | None
    due_days: int | None
    due_kind: str
    optional: bool


def timeline(case: Case, events: list[CaseEvent]) -> list[TimelineStep]:
    """The main line of the case's type, each stage with when it was entered, left and due.

    A stage the case is in now is "current" ("paused" while the case sits in a side state such
    as suspension); a stage left through a skip event is "skipped".
    """
    workflow = workflows.get_workflow(case.case_type)
    entered: dict[str, datetime] = {}
    left: dict[str, datetime] = {}
    skipped: set[str] = set()
    for event in events:
        if event.from_stage and event.from_stage != event.to_stage:
            left[event.from_stage] = event.at
            if event.event.startswith("skip_"):
                skipped.add(event.from_stage)
        if event.to_stage != event.from_stage:
            entered[event.to_stage] = event.at
            left.pop(event.to_stage, None)
            skipped.discard(event.to_stage)
    paused_at = case.stage_before_suspension if workflow.stage(case.stage).side else None
    steps: list[TimelineStep] = []
    for stage in [s for s in workflow.stages if s.active] + [workflow.stage("closed")]:
        name = stage.name
        if name == case.stage:
            status = "current"
        elif name == paused_at:
            status = "paused"
        elif name in skipped:
            status = "skipped"
        elif name in entered and name in left:
            status = "done"
        else:
            status = "upcoming"
        due = None
        if status in ("current", "paused"):
            due = case.due_on if status == "current" else None
        elif name in entered:
            due = workflows.due_date(workflow, name, entered[name])
        steps.append(
            TimelineStep(
                name,
                stage.label(lang()),
                status,
                entered.get(name),
                left.get(name),
                due,
                stage.due_days,
                stage.due_kind,
                stage.optional,
            )
        )
    return steps


def side_status(case: Case) -> dict[str, Any] | None:
    """The side state the case is in (suspended, transfer or closure pending), if any."""
    workflow = workflows.get_workflow(case.case_type)
    stage = workflow.stage(case.stage)
    if not stage.side:
        return None
    return {"name": stage.name, "label": stage.label(lang()), "due": case.due_on}
