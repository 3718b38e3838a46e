"""``/api/v1/cases/{id}/transitions``, ``…/history`` and ``/api/v1/workflows/{case_type}``."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema, fields, validate

import workflows
from casework.access.current import caller
from casework.access.roles import roles_holding
from casework.cases import operations
from casework.cases.models import CASE_TYPES
from casework.cases.presenters import case_view
from casework.cases.schemas import CaseOutSchema
from casework.cases.transitions import case_history, fire, options_for
from casework.errors import NotFound
from casework.extensions import db
from casework.i18n import current_language
from workflows.diagram import to_mermaid

blp = Blueprint("workflow", __name__, url_prefix="", description="Case workflows")


class FieldSpecSchema(Schema):
    name = fields.String()
    kind = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.String())
    label = fields.String()


class EventOptionSchema(Schema):
    event = fields.String()
    label = fields.String()
    to = fields.String(allow_none=True, metadata={"description": "null: decided when fired"})
    allowed = fields.Boolean()
    refusal = fields.String(allow_none=True)
    forced = fields.Boolean()
    fields_ = fields.List(fields.Nested(FieldSpecSchema), data_key="fields")


class TransitionInSchema(Schema):
    """``event`` plus the fields that event asks for (listed by GET …/transitions)."""

    class Meta:
        unknown = INCLUDE  # event fields vary per event; the engine refuses unknown ones

    event = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version = fields.Integer()


class HistorySchema(Schema):
    seq = fields.Integer()
    event = fields.String()
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    actor = fields.String(allow_none=True)
    unit = fields.String()
    at = fields.DateTime()
    data = fields.Dict()
    texts = fields.Dict(allow_none=True, metadata={"description": "free text; null when masked"})
    forced = fields.Boolean()


def field_spec(field: workflows.Field, lang: str) -> dict[str, Any]:
    return {
        "name": field.name,
        "kind": field.kind,
        "required": field.required,
        "choices": list(field.choices),
        "label": field.label(lang),
    }


def option_view(option: workflows.EventOption, lang: str) -> dict[str, Any]:
    event = option.event
    return {
        "event": event.name,
        "label": event.label(lang),
        "to": event.dest if event.dest_rule == "fixed" else None,
        "allowed": option.allowed,
        "refusal": option.refusal.message(lang) if option.refusal else None,
        "forced": event.forced,
        "fields_": [field_spec(f, lang) for f in option.fields],
    }


@blp.route("/cases/<uuid:case_id>/transitions")
class Transitions(MethodView):
    @blp.response(200, EventOptionSchema(many=True))
    def get(self, case_id: Any) -> list[dict[str, Any]]:
        """The events this caller may fire now, with the fields each needs."""
        user = caller()
        case = operations.get_case(db.session, user, case_id)
        return [option_view(o, current_language()) for o in options_for(user, case)]

    @blp.arguments(TransitionInSchema)
    @blp.response(200, CaseOutSchema)
    def post(self, data: dict[str, Any], case_id: Any) -> dict[str, Any]:
        """Fire one event; 422 with the guard's message when a rule refuses."""
        user = caller()
        case = operations.get_case(db.session, user, case_id)
        event = data.pop("event")
        version = operations.requested_version(
            data.pop("version", None), request.headers.get("If-Match")
        )
        fire(db.session, user, case, event, data, version=version)
        return case_view(db.session, user, case)


@blp.route("/cases/<uuid:case_id>/history")
class History(MethodView):
    @blp.response(200, HistorySchema(many=True))
    def get(self, case_id: Any) -> list[dict[str, Any]]:
        """The stage history, oldest first (free text only where identity is visible)."""
        user = caller()
        case = operations.get_case(db.session, user, case_id)
        return case_history(db.session, user, case)


class WorkflowSchema(Schema):
    case_type = fields.String()
    label = fields.String()
    initial = fields.String()
    stages = fields.List(fields.Dict())
    events = fields.List(fields.Dict())
    mermaid = fields.String(metadata={"description": "the diagram, Mermaid stateDiagram"})


@blp.route("/workflows/<string:case_type>")
class WorkflowItem(MethodView):
    @blp.response(200, WorkflowSchema)
    def get(self, case_type: str) -> dict[str, Any]:
        """A case type's state machine, drawn from its declaration."""
        caller()
        if case_type not in CASE_TYPES:
            raise NotFound()
        lang = current_language()
        workflow = workflows.get_workflow(case_type)
        return {
            "case_type": case_type,
            "label": workflow.label(lang),
            "initial": workflow.initial,
            "stages": [
                {
                    "name": s.name,
                    "label": s.label(lang),
                    "due_days": s.due_days,
                    "due_kind": s.due_kind,
                    "optional": s.optional,
                    "side": s.side,
                    "terminal": s.terminal,
                }
                for s in workflow.stages
            ],
            "events": [
                {
                    "name": e.name,
                    "label": e.label(lang),
                    "sources": list(e.sources),
                    "to": e.dest,
                    "dest_rule": e.dest_rule,
                    "permission": e.permission,
                    "roles": list(roles_holding(e.permission)),
                    "guards": list(e.guards),
                    "forced": e.forced,
                    "fields": [field_spec(f, lang) for f in e.fields],
                }
                for e in workflow.events
            ],
            "mermaid": to_mermaid(workflow, lang=lang),
        }
