"""Firing workflow events on cases: permission, guards, version, stage, history and audit together.

``fire`` is the only way a case changes stage. The engine in ``workflows/`` decides whether the
move is legal and where it leads; this module adds what needs the database: which roles the
actor holds *for this case*, the optimistic version check, the side effects the declaration
names, the history row and the audit entry — all in the caller's session, so the request's
single commit writes them together or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import workflows
from casework.access import row_security
from casework.access.actor import Actor
from casework.access.identity import may_see_identity
from casework.access.roles import permissions_of
from casework.accounts.models import User
from casework.audit import trail
from casework.cases.effects import apply_effects
from casework.cases.models import Case, CaseEvent
from casework.cases.operations import check_version, next_event_seq_sql
from casework.errors import Conflict, DomainError, Forbidden
from casework.i18n import current_language
from casework.model_base import utcnow
from casework.notifications import operations as notifications
from casework.units.models import Unit

#: Field kinds whose values are free text a person typed: stored encrypted, never in ``data``.
FREE_TEXT_KINDS = frozenset({"text", "document"})
#: Events decided by the receiving unit of a transfer, not the unit that holds the case.
RECEIVING_UNIT_EVENTS = frozenset({"accept_transfer", "refuse_transfer"})


class WorkflowRefused(DomainError):
    """A workflow error translated to the API's error shape (status set per kind)."""

    def __init__(self, error: workflows.WorkflowError) -> None:
        lang = current_language()
        errors: dict[str, list[str]] = {}
        if isinstance(error, workflows.MissingFields):
            errors = error.errors_vi if lang == "vi" else error.errors
        super().__init__(error.message(lang), errors)
        self.code = error.code
        self.status = {
            "not_permitted": 403,
            "invalid_transition": 409,
        }.get(error.code, 422)


def roles_for(actor: User, unit: Unit | None) -> set[str]:
    """Roles ``actor`` holds in ``unit`` or above it (a role reaches its subtree)."""
    if unit is None:
        return set()
    return {a.role for a in actor.roles if unit.path.startswith(a.unit.path)}


#: The permissions that move cases: whoever holds none of them acts on no workflow.
CASE_WORK = frozenset(workflows.PERMISSIONS)


def acting_roles(actor: User, case: Case, event_name: str | None = None) -> set[str]:
    """The roles that count for ``actor`` on ``case`` (for this event, when given).

    While a transfer is pending only the receiving unit decides it; the sending unit keeps the
    case read-only until then.
    """
    if case.stage == "transfer_pending":
        if event_name is None or event_name in RECEIVING_UNIT_EVENTS:
            return roles_for(actor, case.transfer_to_unit)
        return set()
    return roles_for(actor, case.unit)


def acting_permissions(
    actor: User, case: Case, event_name: str | None = None
) -> frozenset[str]:
    """What the roles that count for ``actor`` on ``case`` (``acting_roles``) permit."""
    return permissions_of(acting_roles(actor, case, event_name))


def options_for(
    actor: User, case: Case, now: datetime | None = None
) -> list[workflows.EventOption]:
    """Events ``actor`` may make on ``case`` now (allowed, or disabled with the reason)."""
    permissions = acting_permissions(actor, case)
    if not case.is_closed and not permissions & CASE_WORK:
        return []
    return workflows.available_events(case, permissions, now or utcnow())


def _split(event: workflows.Event, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Coded values (kept readable for statistics) and free text (to encrypt)."""
    kinds = {f.name: f.kind for f in event.fields}
    coded: dict[str, Any] = {}
    text: dict[str, str] = {}
    for name, value in data.items():
        if kinds.get(name) in FREE_TEXT_KINDS:
            text[name] = value
        else:
            coded[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return coded, text


def fire(
    session: Session,
    actor: User,
    case: Case,
    event_name: str,
    data: dict[str, Any],
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Fire ``event_name`` on ``case`` as ``actor``; returns the history row written.

    :raise Conflict: ``version`` is stale (or a concurrent change wins at flush).
    :raise WorkflowRefused: unknown event, wrong stage (409), permission lacking (403), missing
        fields or a guard's refusal (422) — messages in the request's language.
    :raise Forbidden: the actor holds no case-moving permission here.
    """
    now = now or utcnow()
    check_version(case, version)
    permissions = acting_permissions(actor, case, event_name)
    if not permissions & CASE_WORK:
        raise Forbidden()
    if case.stage == "transfer_pending" and event_name in RECEIVING_UNIT_EVENTS:
        # The receiving unit decides a case still held by the sending unit (and a refusal
        # leaves it there): the database must let this transaction write that one case.
        row_security.admit_case(session, case.id)
    previous_unit = case.unit
    try:
        result = workflows.fire(case, event_name, permissions, data, now)
    except workflows.WorkflowError as error:
        raise WorkflowRefused(error) from None
    if result.to_stage != result.from_stage:
        case.stage_entered_at = now
        case.due_on = workflows.due_date(workflows.get_workflow(case.case_type), case.stage, now)
    case.stage_before_suspension = result.return_stage
    recorded = apply_effects(session, case, result, now)
    case.updated_at = now
    coded, text = _split(result.event, result.data)
    coded.update(recorded)
    event = CaseEvent(
        case_id=case.id,
        seq=next_event_seq_sql(case),
        event=result.event.name,
        from_stage=result.from_stage,
        to_stage=result.to_stage,
        actor_id=actor.id,
        unit_id=previous_unit.id,
        at=now,
        data=coded,
        forced=result.forced,
    )
    event.reason = json.dumps(text, ensure_ascii=False) if text else None
    session.add(event)
    try:
        session.flush()  # UPDATE … WHERE version = :read — a concurrent change fails here
    except StaleDataError:
        raise Conflict() from None
    trail.record(
        session,
        "case.transition",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_path=previous_unit.path,
        event=result.event.name,
        from_stage=result.from_stage,
        to_stage=result.to_stage,
        forced=result.forced,
        fields=sorted(result.data),
    )
    notifications.case_event(session, actor, case, result.event.name)
    return event


def case_history(session: Session, user: Actor, case: Case) -> list[dict[str, Any]]:
    """The stage history of ``case``, oldest first: free text only where ``user`` sees the
    identity. The API's ``/history`` and the case page both show this; ``row`` is the history
    row itself (the page draws its timeline from it; the API's schema leaves it out)."""
    show_text = may_see_identity(session, user, case)
    rows = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    )
    return [
        {
            "seq": e.seq,
            "event": e.event,
            "from_stage": e.from_stage,
            "to_stage": e.to_stage,
            "actor": e.actor.username if e.actor else None,
            "unit": e.unit.code,
            "at": e.at,
            "data": e.data,
            "texts": event_texts(e) if show_text else None,
            "forced": e.forced,
            "row": e,
        }
        for e in rows
    ]


def event_texts(event: CaseEvent) -> dict[str, str]:
    """The free-text fields of a history row (decrypted)."""
    return json.loads(event.reason) if event.reason else {}
