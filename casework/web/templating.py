"""What every template may use: labels, dates, the caller's roles, the CSRF-only form.

Installed once on the app so the pages never compute a label or format a date themselves.
Functions are Jinja *globals* (not context values) so that imported macros see them too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_login import current_user

from casework.access.roles import permissions_of
from casework.web import labels
from casework.web.validation import readable


def _caller_permissions() -> frozenset[str]:
    if not getattr(current_user, "is_authenticated", False):
        return frozenset()
    return permissions_of(current_user.role_names)


def _action_form() -> Any:
    from casework.web.forms import ActionForm

    return ActionForm()


def install(app: Flask) -> None:
    from casework.programme.vocabulary import label as programme_label

    app.jinja_env.filters["show_date"] = labels.show_date
    app.jinja_env.filters["show_datetime"] = labels.show_datetime
    app.jinja_env.filters["one_language"] = readable
    app.jinja_env.filters["person_field"] = lambda name: labels.label_of(
        labels.PERSON_FIELD_LABELS, name
    )
    app.jinja_env.globals.update(
        action_form=_action_form,
        case_type_label=labels.case_type_label,
        stage_label=labels.stage_label,
        event_label=labels.event_label,
        choice_label=labels.choice_label,
        event_field_label=labels.event_field_label,
        event_value=labels.event_value,
        role_label=lambda code: labels.label_of(labels.ROLE_LABELS, code),
        sex_label=lambda code: labels.label_of(labels.SEX_LABELS, code),
        referral_source_label=lambda code: labels.label_of(labels.REFERRAL_SOURCE_LABELS, code),
        unit_kind_label=lambda code: labels.label_of(labels.UNIT_KIND_LABELS, code),
        person_field_label=lambda name: labels.label_of(labels.PERSON_FIELD_LABELS, name),
        programme_label=programme_label,
    )

    @app.context_processor
    def _per_request() -> dict[str, Any]:
        return {
            "lang": labels.lang(),
            "caller_permissions": _caller_permissions(),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
