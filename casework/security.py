"""HTTP security headers on every response.

CSP allows scripts and styles only from this origin (no inline script), pages cannot be framed,
and anything that may carry personal data is never cached.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    from casework.access import denials

    denials.init_app(app)  # every 403, and every 404 on an object, is audited

    @app.before_request
    def _fail_closed_without_key() -> Response | None:
        # No key, no service: never serve (or accept) personal data unencrypted. /healthz says
        # why to the load balancer, so a node without its secret is taken out of rotation.
        from casework.crypto import keyring_available
        from casework.errors import error_response

        if keyring_available(app):
            return None
        return error_response(
            503,
            "encryption_key_unavailable",
            "Khoá mã hoá chưa sẵn sàng; dịch vụ tạm ngừng. / The encryption key is not "
            "available (set CASEWORK_ROOT_KEY or CASEWORK_KEY_FILE); the service is stopped.",
        )

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        if not request.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
