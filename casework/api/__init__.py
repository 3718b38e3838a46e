"""The JSON API (``/api/v1``): flask-smorest blueprints, one per resource.

The OpenAPI document is served at /api/openapi.json.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from casework.extensions import api, csrf

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT_ENDPOINTS = {"auth.Login"}


def init_app(app: Flask) -> None:
    from casework.access.api import blp as reveals_blp
    from casework.accounts.admin_api import blp as users_blp
    from casework.accounts.api import blp as auth_blp
    from casework.accounts.role_requests_api import blp as role_requests_blp
    from casework.accounts.tokens_api import blp as tokens_blp
    from casework.audit.api import blp as audit_blp
    from casework.cases.api import blp as cases_blp
    from casework.cases.workflow_api import blp as workflow_blp
    from casework.notifications.api import blp as notifications_blp
    from casework.people.api import blp as people_blp
    from casework.rights.api import blp as rights_blp
    from casework.units.api import blp as units_blp

    api.init_app(app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "personal access token"}
    )
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "casework_session"}
    )
    from casework.programme.api import blueprints as programme_blueprints
    from casework.services.blueprints import blueprints as services_blueprints
    from casework.stats.api import blp as stats_blp

    for blueprint in (
        auth_blp,
        units_blp,
        cases_blp,
        workflow_blp,
        people_blp,
        notifications_blp,
        rights_blp,
        tokens_blp,
        users_blp,
        role_requests_blp,
        reveals_blp,
        audit_blp,  # access and accounts
        *services_blueprints(),  # support work and bulk intake
        *programme_blueprints(),  # programme work around the cases
        stats_blp,  # anonymised statistics
    ):
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")

    @app.before_request
    def _csrf_for_sessions() -> None:
        # Token-authenticated API calls carry no ambient credential, so CSRF cannot reach them;
        # cookie sessions must send the token (form field or X-CSRF-Token header).
        if request.method not in STATE_CHANGING or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        # An oversized body is refused from its declared length, before the CSRF check parses
        # the form (werkzeug would spool part of an upload to a temporary file first).
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            from werkzeug.exceptions import RequestEntityTooLarge

            raise RequestEntityTooLarge()
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return
        # Without a logged-in session there is no ambient credential to abuse: let the view
        # answer 401 (API.md) instead of a CSRF 400.
        if request.path.startswith("/api/") and not current_user.is_authenticated:
            return
        csrf.protect()
