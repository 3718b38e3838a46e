"""Errors the engine raises. Each carries a stable `code` for the API's JSON
error shape and a message in Vietnamese and English for people."""

from __future__ import annotations

from workflows.model import Refusal


class WorkflowError(Exception):
    """Base of every refusal to move a case; nothing has changed when raised."""

    code = "workflow_error"

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en


class UnknownCaseType(WorkflowError):
    code = "unknown_case_type"


class UnknownEvent(WorkflowError):
    code = "unknown_event"


class InvalidTransition(WorkflowError):
    """The case's stage is not a source of the event (or the stage is unknown)."""

    code = "invalid_transition"


class NotPermitted(WorkflowError):
    """The person lacks the permission this move needs (their roles do not grant it)."""

    code = "not_permitted"


class MissingFields(WorkflowError):
    """Submitted fields are missing or invalid.

    `errors` (English) and `errors_vi` map a field name to its messages, the
    shape marshmallow uses, so the API can answer both the same way.
    """

    code = "missing_fields"

    def __init__(self, errors: dict[str, list[str]], errors_vi: dict[str, list[str]]) -> None:
        super().__init__(
            "Thông tin chưa đầy đủ hoặc chưa hợp lệ: " + ", ".join(sorted(errors_vi)),
            "Missing or invalid fields: " + ", ".join(sorted(errors)),
        )
        self.errors = errors
        self.errors_vi = errors_vi


class GuardRefused(WorkflowError):
    """A rule of the case type refused the move; `refusal` says why."""

    code = "guard_refused"

    def __init__(self, refusal: Refusal, guard: str) -> None:
        super().__init__(refusal.message_vi, refusal.message_en)
        self.refusal = refusal
        self.guard = guard
