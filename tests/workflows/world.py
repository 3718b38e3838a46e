"""The small world the workflow specifications share: a frozen clock, cases that
satisfy every rule unless a test says otherwise, and data that fills every field."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from casework.access.roles import ROLES as ALL_ROLES
from casework.access.roles import permissions_of
from workflows.dates import VIETNAM
from workflows.model import Event, Workflow
from workflows.registry import WORKFLOWS

NOW = datetime(2025, 6, 10, 9, 30, tzinfo=VIETNAM)  # a Tuesday, no holiday near
TODAY = NOW.date()
ROLES = ALL_ROLES


def grants(roles: str | set[str] | tuple[str, ...]) -> frozenset[str]:
    """What the engine is given: the permissions ``roles`` hold (the application's role table).
    The specifications below speak of roles, as the people who use the service do."""
    return permissions_of({roles} if isinstance(roles, str) else set(roles))


def make_case(case_type: str, stage: str = "identified", **overrides: Any) -> SimpleNamespace:
    """A case of `case_type` at `stage` that passes every guard by default."""
    attributes: dict[str, Any] = {
        "case_type": case_type,
        "stage": stage,
        "stage_before_suspension": "counselling",
        "victim_status": "confirmed",
        "consent_given": True,
        "rehab_kind": "voluntary",
        "rehab_completion_date": date(2023, 1, 15),
        "release_date": date(2020, 1, 15),
        "sentence_months": 24,
        "record_cleared_on": None,
        "classification": None,
        "closure_reason": None,
        "relapse_count": 0,
        "stage_entered_at": NOW - timedelta(days=1),
        "opened_at": NOW - timedelta(days=30),
    }
    attributes.update(overrides)
    return SimpleNamespace(**attributes)


_PREFERRED_CHOICES = {"victim_status": "confirmed", "closure_reason": "reintegrated"}


def valid_data(workflow: Workflow, event: Event, source: str) -> dict[str, Any]:
    """Values for every field of `event` (optional ones too) that its rules accept."""
    data: dict[str, Any] = {}
    for f in event.fields:
        if f.name == "to_stage":
            data[f.name] = next(s for s in f.choices if s != source)
        elif f.kind == "choice":
            data[f.name] = _PREFERRED_CHOICES.get(f.name, f.choices[0])
        elif f.kind == "date":
            data[f.name] = (TODAY - timedelta(days=1)).isoformat()
        elif f.kind == "int":
            data[f.name] = "3"
        elif f.kind == "text":
            data[f.name] = "  Đã trao đổi với gia đình.  "
        else:  # unit, user, document: identifiers the app resolves
            data[f.name] = f"{f.kind}-0001"
    return data


def all_events() -> list[tuple[Workflow, Event]]:
    return [(wf, e) for wf in WORKFLOWS.values() for e in wf.events]
