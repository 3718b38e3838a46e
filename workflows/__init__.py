"""Case workflows: one declarative state machine per case type, and the engine.

This package never imports `casework`: the web app, the API and the CLI all
call it, and it can be tested without a database.

    from workflows import available_events, fire, get_workflow, due_date

Case attributes the guards read (via getattr, with defaults): stage, case_type,
stage_before_suspension, victim_status, consent_given, rehab_kind,
rehab_completion_date, release_date, sentence_months, record_cleared_on,
closure_reason (the reason stored by the effect record_closure_request).
The engine writes only `case.stage`; see `workflows.engine` for what the app
stores from a `TransitionResult`.
"""

from workflows.deadlines import due_date, is_overdue
from workflows.engine import EventOption, TransitionResult, available_events, fire, machine_for
from workflows.errors import (
    GuardRefused,
    InvalidTransition,
    MissingFields,
    NotPermitted,
    UnknownCaseType,
    UnknownEvent,
    WorkflowError,
)
from workflows.guards import GuardContext
from workflows.model import EFFECTS, PERMISSIONS, Event, Field, Refusal, Stage, Workflow
from workflows.registry import WORKFLOWS, get_workflow

__all__ = [
    "EFFECTS",
    "PERMISSIONS",
    "WORKFLOWS",
    "Event",
    "EventOption",
    "Field",
    "GuardContext",
    "GuardRefused",
    "InvalidTransition",
    "MissingFields",
    "NotPermitted",
    "Refusal",
    "Stage",
    "TransitionResult",
    "UnknownCaseType",
    "UnknownEvent",
    "Workflow",
    "WorkflowError",
    "available_events",
    "due_date",
    "fire",
    "get_workflow",
    "is_overdue",
    "machine_for",
]
