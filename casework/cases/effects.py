"""The side effects of workflow events: one handler per name in ``workflows.EFFECTS``.

The engine in ``workflows/`` only moves ``case.stage``; a declaration names what else an event
does (``effects=("record_consent",)``) and this registry does it, inside the request's
transaction. The registry is checked against ``EFFECTS`` when this module is imported: a name
declared without a handler, or a handler for a name nobody declared, stops the application at
start instead of an event silently doing nothing.

A handler may return coded values for the history row (``skip_stage`` records which stage was
skipped); everything else it does is on the case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

import workflows
from casework.cases.models import Case
from casework.errors import Invalid
from casework.units.loader import current_unit_for
from casework.units.models import Unit
from workflows.dates import local_date


@dataclass(frozen=True)
class EffectContext:
    """What a handler may use: the session, the case, the engine's result and the time."""

    session: Session
    case: Case
    result: workflows.TransitionResult
    now: datetime

    @property
    def data(self) -> dict[str, Any]:
        return self.result.data


Handler = Callable[[EffectContext], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}


def effect(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of the effect ``name``.

    :raise LookupError: ``name`` is not declared in ``workflows.EFFECTS``, or has a handler.
    """
    if name not in workflows.EFFECTS:
        raise LookupError(f"effect {name!r} is not declared in workflows.EFFECTS")
    if name in _HANDLERS:
        raise LookupError(f"effect {name!r} has two handlers")

    def register(handler: Handler) -> Handler:
        _HANDLERS[name] = handler
        return handler

    return register


def apply_effects(
    session: Session, case: Case, result: workflows.TransitionResult, now: datetime
) -> dict[str, Any]:
    """Run the effects ``result`` names, in order; returns the coded values they add to the
    history row."""
    context = EffectContext(session=session, case=case, result=result, now=now)
    recorded: dict[str, Any] = {}
    for name in result.effects:
        recorded.update(_HANDLERS[name](context) or {})
    return recorded


def registered() -> frozenset[str]:
    return frozenset(_HANDLERS)


@effect("set_victim_status")
def _set_victim_status(c: EffectContext) -> None:
    c.case.victim_status = c.data["victim_status"]


@effect("record_consent")
def _record_consent(c: EffectContext) -> None:
    c.case.consent_given = True


@effect("set_management_period")
def _set_management_period(c: EffectContext) -> None:
    c.case.rehab_kind = c.data.get("rehab_kind", c.case.rehab_kind)
    c.case.rehab_completion_date = c.data.get(
        "rehab_completion_date", c.case.rehab_completion_date
    )


@effect("record_classification")
def _record_classification(c: EffectContext) -> None:
    c.case.classification = c.data["classification"]  # its history is the event rows


@effect("count_relapse")
def _count_relapse(c: EffectContext) -> None:
    c.case.relapse_count = (c.case.relapse_count or 0) + 1


@effect("skip_stage")
def _skip_stage(c: EffectContext) -> dict[str, Any]:
    return {"skipped_stage": c.result.from_stage}  # the reason is in the encrypted text


@effect("start_transfer")
def _start_transfer(c: EffectContext) -> None:
    c.case.transfer_to_unit = _receiving_unit(c.session, c.case, str(c.data["to_unit"]))


@effect("complete_transfer")
def _complete_transfer(c: EffectContext) -> None:
    c.case.unit = c.case.transfer_to_unit
    c.case.transfer_to_unit = None
    c.case.assigned_worker = None  # the receiving unit's supervisor assigns


@effect("cancel_transfer")
def _cancel_transfer(c: EffectContext) -> None:
    c.case.transfer_to_unit = None


@effect("record_closure_request")
def _record_closure_request(c: EffectContext) -> None:
    c.case.closure_reason = c.data["closure_reason"]


@effect("clear_closure_request")
def _clear_closure_request(c: EffectContext) -> None:
    c.case.closure_reason = None


@effect("close")
def _close(c: EffectContext) -> None:
    c.case.closed_on = local_date(c.now)


@effect("reopen")
def _reopen(c: EffectContext) -> None:
    c.case.closed_on = None
    c.case.closure_reason = None


def _receiving_unit(session: Session, case: Case, code: str) -> Unit:
    """:raise Invalid: ``code`` is not a commune (or neighbourhood), or the case's own unit."""
    unit = current_unit_for(session, code)
    if unit is None or unit.kind not in ("commune", "neighbourhood"):
        raise Invalid(errors={"to_unit": ["Mã xã không hợp lệ / not a commune code."]})
    if unit.id == case.unit_id:
        raise Invalid(errors={"to_unit": ["Hồ sơ đã thuộc xã này / the case is already there."]})
    return unit


def _check_complete() -> None:
    """:raise LookupError: a declared effect has no handler (checked once, at import)."""
    missing = workflows.EFFECTS.keys() - _HANDLERS.keys()
    if missing:
        raise LookupError(f"effects without a handler: {sorted(missing)}")


_check_complete()
