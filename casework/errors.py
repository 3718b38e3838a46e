"""Domain errors and the one error shape (API.md): JSON for API clients, a page for browsers.

``{"code": "...", "message": "...", "errors": {"field": ["..."]}}`` — never a stack trace, SQL or
key material. 404 is the same body for "does not exist" and "outside your scope".
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of errors with an HTTP status and a message a person can read."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str | None = None, errors: dict[str, list[str]] | None = None):
        super().__init__(message or self.default_message())
        self.message = message or self.default_message()
        self.errors = errors or {}

    def default_message(self) -> str:
        return _("The request could not be processed.")


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def default_message(self) -> str:
        return _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"

    def default_message(self) -> str:
        return _("You are not allowed to do this.")


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"

    def default_message(self) -> str:
        return _("Please log in.")


class Conflict(DomainError):
    status = 409
    code = "conflict"

    def default_message(self) -> str:
        return _("Someone else changed this record first. Reload it and try again.")


class Invalid(DomainError):
    status = 422
    code = "invalid"

    def default_message(self) -> str:
        return _("Some fields are not valid.")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, errors: dict | None = None) -> Response:
    if wants_json():
        response = jsonify({"code": code, "message": message, "errors": errors or {}})
        response.status_code = status
        return response
    page = render_template("error.html", status=status, message=message, errors=errors or {})
    return Response(page, status=status, mimetype="text/html")


def _http_code(exc: HTTPException) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
        422: "invalid",
        429: "too_many_requests",
    }.get(exc.code or 500, "error")


def _messages_of(exc: HTTPException) -> dict[str, Any]:
    """Field errors that flask-smorest/webargs attach to a 422."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or {}
    flat: dict[str, Any] = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            flat.update(location_errors)
    return flat


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.errors)

    from casework.crypto.person_keys import PersonErasedError, PersonKeyErasedError

    @app.errorhandler(PersonErasedError)
    @app.errorhandler(PersonKeyErasedError)
    def _erased(_exc: Exception) -> Response:
        from casework.extensions import db

        db.session.rollback()  # nothing of the request is kept
        return error_response(
            409, "person_erased", _("This person's data was erased: nothing more can be recorded.")
        )

    @app.errorhandler(StaleDataError)
    def _stale(_exc: StaleDataError) -> Response:
        return _domain(Conflict())

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError) -> Response:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return _domain(Invalid(errors=errors))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status == 404:
            message = NotFound().message
        elif status == 422:
            return error_response(422, "invalid", Invalid().message, _messages_of(exc))
        elif status == 429:
            message = _("Too many attempts. Wait a moment and try again.")
        else:
            message = exc.description or exc.name
        response = error_response(status, _http_code(exc), message)
        if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # Logged with its traceback on the server; the client learns nothing about internals.
        log.exception("unhandled error on %s %s", request.method, request.path)
        from casework.extensions import db

        db.session.rollback()  # a failed flush leaves the session unusable until then
        return error_response(500, "server_error", _("Something went wrong on our side."))
