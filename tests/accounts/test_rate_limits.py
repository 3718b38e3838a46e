"""Rate limits: the login forms are limited per client address, other requests are not checked.

``ViewLimiter`` drops Flask-Limiter's check before every request when no application-wide or
default limit is configured (issue 9: it cost CPU on every call and could find nothing); limits
declared on a view must hold all the same, and a configured default limit must bring it back.
"""

from __future__ import annotations

from flask import Flask

from casework.extensions import ViewLimiter
from tests.conftest import make_app
from tests.web.conftest import Browser


def _bare_app(limiter: ViewLimiter) -> Flask:
    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"

    @app.get("/limited")
    @limiter.limit("2 per minute")
    def limited() -> str:
        return "ok"

    @app.get("/free")
    def free() -> str:
        return "ok"

    limiter.init_app(app)
    return app


def test_a_view_limit_holds_without_the_check_before_every_request() -> None:
    limiter = ViewLimiter(key_func=lambda: "one client")
    app = _bare_app(limiter)
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])  # noqa: SLF001
    client = app.test_client()
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get("/free").status_code for _ in range(10)} == {200}


def test_a_default_limit_keeps_the_check_before_every_request() -> None:
    limiter = ViewLimiter(key_func=lambda: "one client", default_limits=["3 per minute"])
    client = _bare_app(limiter).test_client()
    assert [client.get("/free").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_login_page_is_limited_per_address(world, tmp_path, migrated) -> None:  # noqa: ANN001
    browser = Browser(make_app(tmp_path, migrated, RATELIMIT_ENABLED=True).test_client())
    wrong = {"username": "worker_a", "password": "wrong password!"}

    def attempt(address: str) -> int:
        return browser.submit(
            "/login", "/login", wrong, environ_base={"REMOTE_ADDR": address}
        ).status_code

    statuses = [attempt("10.9.9.9") for _ in range(21)]
    assert statuses[:20] == [401] * 20  # the form again, with the one failure message
    assert statuses[20] == 429
    # Another address is not held back, nor is reading the form.
    assert attempt("10.8.8.8") == 401
    assert browser.get("/login", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
