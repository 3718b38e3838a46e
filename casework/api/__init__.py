"""The JSON API (``/api/v1``): flask-smorest blueprints, one per resource; OpenAPI at /api/openapi.json."""

from __future__ import annotations

from flask import Flask, request

from casework.extensions import api, csrf

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT_ENDPOINTS = {"auth.Login"}


def init_app(app: Flask) -> None:
    from casework.accounts.api import blp as auth_blp
    from casework.cases.api import blp as cases_blp
    from casework.cases.workflow_api import blp as workflow_blp
    from casework.people.api import blp as people_blp
    from casework.units.api import blp as units_blp

    api.init_app(app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "personal access token"}
    )
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "casework_session"}
    )
    for blueprint in (auth_blp, units_blp, cases_blp, workflow_blp, people_blp):
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")

    @app.before_request
    def _csrf_for_sessions() -> None:
        # Token-authenticated API calls carry no ambient credential, so CSRF cannot reach them;
        # cookie sessions must send the token (form field or X-CSRF-Token header).
        if request.method not in STATE_CHANGING or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return
        csrf.protect()
