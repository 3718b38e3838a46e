"""Runs the declared workflows with `transitions`.

One `Machine` per case type, built on first use and cached for the life of the
process: the machine holds no models (`model=None`) and is triggered per case
with `machine.events[name].trigger(case, target=...)`, so a case loaded from the
database keeps its stage — `add_model` would reset it to the initial state.
The machine is stateless between calls and safe to share between requests.

`fire` checks everything (event, stage, role, fields, guards) *before* the
machine moves the case, and puts the stage back if the machine fails anyway:
transitions never rolls back, and the app's transaction only covers the DB.

What the caller (casework.cases.operations) does with a `TransitionResult`,
in one DB transaction:
  1. `case.stage` is already set to `result.to_stage` (unchanged for a "stay"
     event); if `result.changed_stage`, set `case.stage_entered_at = now`;
  2. always store `case.stage_before_suspension = result.return_stage` — the
     stage a resume / transfer decision / returned closure goes back to, set
     when the case enters a side state and cleared (None) when it leaves one;
  3. apply each name in `result.effects` (see `workflows.model.EFFECTS`),
     reading values from `result.data`;
  4. write the history row (from_stage, to_stage, event.name, actor, now,
     data.get("reason"), data, forced) and the audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from transitions import EventData, Machine

from workflows.errors import GuardRefused, InvalidTransition, NotPermitted, UnknownEvent
from workflows.fields import clean_data
from workflows.guards import GuardContext, first_refusal
from workflows.model import CHOSEN_STAGE_FIELD, Event, Field, Refusal, Workflow
from workflows.registry import get_workflow

__all__ = [
    "EventOption",
    "TransitionResult",
    "available_events",
    "fire",
    "machine_for",
]


@dataclass(frozen=True)
class EventOption:
    """An event a person could make now; `refusal` says why it is disabled.

    Only guards that need no submitted data are evaluated here, so an allowed
    option can still be refused by `fire` once the form is filled in.
    """

    event: Event
    allowed: bool
    refusal: Refusal | None
    fields: tuple[Field, ...]

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


@dataclass(frozen=True)
class TransitionResult:
    """What happened, for the app to store; see the module docstring."""

    from_stage: str
    to_stage: str
    event: Event
    data: dict[str, Any]
    effects: tuple[str, ...]
    forced: bool
    return_stage: str | None

    @property
    def changed_stage(self) -> bool:
        return self.from_stage != self.to_stage


def _target_is(dest: str) -> Callable[[EventData], bool]:
    # The engine decides the destination (fixed, returned-to or chosen); the
    # machine only takes the transition that agrees with it.
    def condition(event_data: EventData) -> bool:
        return bool(event_data.kwargs.get("target") == dest)

    return condition


@cache
def machine_for(case_type: str) -> Machine:
    """The machine of `case_type`, built once. :raise UnknownCaseType:"""
    workflow = get_workflow(case_type)
    machine = Machine(
        model=None,
        states=[s.name for s in workflow.stages],
        initial=None,
        auto_transitions=False,  # no to_<stage>() back doors
        send_event=True,
        model_attribute="stage",
        name=case_type,
    )
    for event in workflow.events:
        for source in workflow.sources_of(event):
            if event.dest_rule == "stay":
                machine.add_transition(event.name, source, None)  # internal: stage kept
                continue
            for dest in workflow.possible_dests(event, source):
                machine.add_transition(event.name, source, dest, conditions=[_target_is(dest)])
    return machine


def _labels(events: Collection[Event], lang: str) -> str:
    return ", ".join(e.label(lang) for e in events) or ("không có" if lang == "vi" else "none")


def _invalid(
    workflow: Workflow, event: Event, stage: str | None, permissions: set[str]
) -> InvalidTransition:
    if not workflow.has_stage(stage):
        return InvalidTransition(
            f"Hồ sơ đang ở giai đoạn không xác định '{stage}'.",
            f"The case is at an unknown stage {stage!r}.",
        )
    assert stage is not None
    current = workflow.stage(stage)
    possible = [e for e in workflow.events_from(stage) if e.permission in permissions]
    return InvalidTransition(
        f"Không thể '{event.label('vi')}' khi hồ sơ ở giai đoạn '{current.label('vi')}'. "
        f"Có thể: {_labels(possible, 'vi')}.",
        f"Cannot '{event.label('en')}' while the case is at '{current.label('en')}'. "
        f"Possible: {_labels(possible, 'en')}.",
    )


def _destination(workflow: Workflow, event: Event, case: Any, data: Mapping[str, Any]) -> str:
    if event.dest_rule == "fixed":
        assert event.dest is not None
        return event.dest
    if event.dest_rule == "stay":
        return str(case.stage)
    if event.dest_rule == "chosen":
        return str(data[CHOSEN_STAGE_FIELD])
    left = getattr(case, "stage_before_suspension", None)
    if not (workflow.has_stage(left) and workflow.stage(left).active):
        # Declarations guard return events with has_return_stage; this is the backstop.
        raise InvalidTransition(
            "Không rõ giai đoạn để quay lại.", "The stage to return to is unknown."
        )
    return str(left)


def _return_stage(workflow: Workflow, case: Any, from_stage: str, to_stage: str) -> str | None:
    """The stage a side state goes back to: set on entry, kept inside, cleared on exit."""
    if not workflow.stage(to_stage).side:
        return None
    if workflow.stage(from_stage).side:
        return getattr(case, "stage_before_suspension", None)
    return from_stage


def available_events(
    case: Any, permissions: Collection[str], now: datetime
) -> list[EventOption]:
    """The events a holder of `permissions` may make from the case's stage, each allowed or
    with its refusal.

    :raise UnknownCaseType: when case.case_type has no workflow.
    """
    workflow = get_workflow(case.case_type)
    options: list[EventOption] = []
    for event in workflow.events_from(getattr(case, "stage", None)):
        if event.permission not in permissions:
            continue
        ctx = GuardContext(case=case, data={}, now=now, event=event, workflow=workflow)
        refused = first_refusal(event.guards, ctx, with_data=False)
        refusal = refused[1] if refused else None
        options.append(EventOption(event, refusal is None, refusal, event.fields))
    return options


def fire(
    case: Any,
    event_name: str,
    permissions: Collection[str],
    data: Mapping[str, Any] | None,
    now: datetime,
) -> TransitionResult:
    """Move `case` by `event_name` and say what the app must record.

    Only `case.stage` is changed, and only when nothing is refused.
    :raise UnknownCaseType: case.case_type has no workflow.
    :raise UnknownEvent: the case type has no such event.
    :raise InvalidTransition: the case's stage is not a source of the event.
    :raise NotPermitted: `permissions` lack the one the event needs.
    :raise MissingFields: required fields are missing or values invalid.
    :raise GuardRefused: a rule of the case type refuses; `.refusal` says why.
    """
    workflow = get_workflow(case.case_type)
    granted = set(permissions)
    if not workflow.has_event(event_name):
        raise UnknownEvent(
            f"Loại hồ sơ '{workflow.label('vi')}' không có thao tác '{event_name}'.",
            f"Case type {workflow.case_type!r} has no event {event_name!r}.",
        )
    event = workflow.event(event_name)
    from_stage = getattr(case, "stage", None)
    if from_stage not in workflow.sources_of(event):
        raise _invalid(workflow, event, from_stage, granted)
    assert isinstance(from_stage, str)
    if event.permission not in granted:
        raise NotPermitted(
            f"Vai trò của bạn không được thực hiện '{event.label('vi')}'.",
            f"Your role may not '{event.label('en')}'.",
        )
    cleaned = clean_data(event, data)
    ctx = GuardContext(case=case, data=cleaned, now=now, event=event, workflow=workflow)
    refused = first_refusal(event.guards, ctx)
    if refused is not None:
        raise GuardRefused(refused[1], guard=refused[0])
    to_stage = _destination(workflow, event, case, cleaned)
    return_stage = _return_stage(workflow, case, from_stage, to_stage)

    machine = machine_for(workflow.case_type)
    try:
        moved = machine.events[event.name].trigger(case, target=to_stage)
    except BaseException:
        case.stage = from_stage
        raise
    if not moved or case.stage != to_stage:
        case.stage = from_stage
        # The declaration and the machine disagree: a bug, not a person's mistake.
        raise InvalidTransition(
            "Không thể chuyển giai đoạn.", f"The machine refused {event.name} to {to_stage}."
        )
    return TransitionResult(
        from_stage=from_stage,
        to_stage=to_stage,
        event=event,
        data=cleaned,
        effects=event.effects,
        forced=event.forced,
        return_stage=return_stage,
    )
