"""Every refused action is audited, centrally: a 403, or a 404 on a route about an object.

A 404 on ``/cases/<id>`` is what a worker of another commune gets for a case they may not see,
so it is a denial worth answering for, and recording it here means no view — including those
added later — can forget it. The entry is written after the request's rollback
(``audit_failure``), because the refusal itself changes nothing.
"""

from __future__ import annotations

import uuid

from flask import Flask, Response, request
from flask_login import current_user

from casework.unit_of_work import audit_failure

DENIED = (403, 404)


def _object_of(view_args: dict[str, object]) -> tuple[str | None, str | None]:
    """The object a route is about: its last id-like path parameter (``case_id`` → case)."""
    for name, value in reversed(list(view_args.items())):
        if name.endswith("_id") or isinstance(value, uuid.UUID):
            return name.removesuffix("_id"), str(value)
    return None, None


def audit_denial(response: Response) -> Response:
    if response.status_code not in DENIED or request.endpoint in (None, "static"):
        return response
    if not getattr(current_user, "is_authenticated", False):
        return response
    view_args = request.view_args or {}
    object_type, object_id = _object_of(view_args)
    if response.status_code == 404 and object_id is None:
        return response  # an unknown path, not a refusal
    audit_failure(
        "access.denied",
        actor=current_user._get_current_object(),
        outcome="denied",  # noqa: SLF001
        object_type=object_type,
        object_id=object_id,
        remote_addr=request.remote_addr,
        endpoint=request.endpoint,
        method=request.method,
        status=response.status_code,
    )
    return response


def init_app(app: Flask) -> None:
    # Registered after the unit of work, so it runs before it (Flask runs these in reverse).
    app.after_request(audit_denial)
