"""What every request passes: the encryption-key gate, and the HTTP security headers.

No request is served while the keyring is missing or does not match the database's key check
values (``casework.crypto.checks``): 503, nothing read or written. CSP allows scripts and styles
only from this origin (no inline script), pages cannot be framed, and anything that may carry
personal data is never cached.
"""

from __future__ import annotations

from flask import Flask, Response, request

from casework.crypto import KeyCheckError, KeyUnavailableError, app_guard, require_keyring

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


KEY_PROBLEMS = {
    "unavailable": (
        "encryption_key_unavailable",
        "Khoá mã hoá chưa sẵn sàng; dịch vụ tạm ngừng. / The encryption key is not available "
        "(set CASEWORK_ROOT_KEY or CASEWORK_KEY_FILE); the service is stopped.",
    ),
    "mismatch": (
        "encryption_key_mismatch",
        "Khoá mã hoá không khớp với cơ sở dữ liệu; dịch vụ tạm ngừng. / The encryption key is "
        "not the one this database was written with; the service is stopped.",
    ),
    "unregistered": (
        "encryption_key_unregistered",
        "Cơ sở dữ liệu chưa ghi nhận khoá mã hoá này; dịch vụ tạm ngừng. / The database has no "
        "check value for this encryption key; the service is stopped.",
    ),
    "unchecked": (
        "unavailable",
        "Cơ sở dữ liệu không sẵn sàng. / The database is unavailable.",
    ),
}


def key_problem_response(exc: Exception) -> Response:
    """503 for a request that cannot be served with the keys in hand (the details are logged
    once by the key guard; a client learns only which kind of problem it is)."""
    from casework.errors import error_response

    code, message = KEY_PROBLEMS[exc.status if isinstance(exc, KeyCheckError) else "unavailable"]
    return error_response(503, code, message)


def init_app(app: Flask) -> None:
    from casework.access import denials

    denials.init_app(app)  # every 403, and every 404 on an object, is audited

    @app.before_request
    def _fail_closed_without_the_right_key() -> Response | None:
        # No key, or not the key this database was written with: serve nothing and accept
        # nothing (a failed login would sign an audit row, a new case encrypt personal data,
        # under a key nobody has). /healthz reports the key's status to the load balancer
        # itself and writes nothing, so a node without its secret leaves the rotation.
        if request.endpoint == "health.healthz":
            return None
        try:
            require_keyring(app)
        except (KeyUnavailableError, KeyCheckError) as exc:
            app_guard(app).report(exc)
            return key_problem_response(exc)
        return None

    # A key file that changes while a request runs is checked on the request's next use of it.
    app.register_error_handler(KeyUnavailableError, key_problem_response)
    app.register_error_handler(KeyCheckError, key_problem_response)

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
