"""One commit per request, at the end, or none at all (Indico's request lifecycle).

Handlers never commit. A response below 400 commits the session — the change, its history rows
and its audit entries together; anything else rolls back. Denied or failed actions are still
audited: ``audit_failure()`` keeps the entry aside, and it is written in a transaction of its own
after the rollback.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from casework.audit import trail
from casework.errors import Conflict, error_response
from casework.extensions import db

log = logging.getLogger(__name__)


def audit_failure(action: str, **kwargs: Any) -> None:
    """Audit something that was refused or failed; written even though the request rolls back."""
    g.setdefault("casework_failed_audit", []).append((action, kwargs))


def write_failure_audit() -> None:
    """Write (and commit) the entries ``audit_failure`` kept aside; call after the rollback."""
    entries = g.pop("casework_failed_audit", [])
    if not entries:
        return
    try:
        for action, kwargs in entries:
            trail.record(db.session, action, **kwargs)
        db.session.commit()
    except Exception:  # the refusal stands even if its audit row could not be written
        db.session.rollback()
        log.exception("could not write the audit entry of a refused request")


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit_or_rollback(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            write_failure_audit()
            return response
        try:
            db.session.commit()
        except (StaleDataError, IntegrityError) as exc:
            db.session.rollback()
            log.info("commit refused: %s", type(exc).__name__)
            return error_response(409, "conflict", Conflict().message)
        except OperationalError:
            db.session.rollback()
            log.exception("commit failed")
            return error_response(503, "unavailable", "The database is unavailable.")
        except Exception:
            db.session.rollback()
            log.exception("commit failed")
            return error_response(500, "server_error", "Something went wrong on our side.")
        return response
