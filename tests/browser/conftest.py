"""Playwright on Debian's chromium against the app served from a real server thread.

No browser is downloaded: the tests use the system's ``chromium`` (installed by apt in CI) and
skip, saying why, when there is none. The server runs the test app on 127.0.0.1 with a free
port; the test itself holds no database session while the browser works (SQLite's write lock).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, World

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


#: Where each role's journeys begin (they land on /today after signing in, which links there).
JOURNEY_STARTS = {
    "worker": "/cases",
    "supervisor": "/supervisor/dashboard",
    "administrator": "/admin/users",
}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium); browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture()
def live_server(world: World) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, world.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


class Person:
    """A person at a browser: their own context (cookies), one page, a base URL."""

    def __init__(self, chromium: Any, base: str, viewport: dict[str, int] = DESKTOP) -> None:
        self.context = chromium.new_context(viewport=viewport, locale="vi-VN")
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        # Console errors are CSP violations or script errors; a 404 page the test asked for
        # (or a refused login, 401) is expected and logged by the browser as a failed resource.
        self.page.on(
            "console",
            lambda m: (
                m.type == "error"
                and "Failed to load resource" not in m.text
                and self.errors.append(m.text)
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_load_state()

    def shot(self, name: str, phone_too: bool = True) -> None:
        """Screenshots of the current page at desktop and phone width."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        self.page.set_viewport_size(DESKTOP)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
        if phone_too:
            self.page.set_viewport_size(PHONE)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        self.page.set_viewport_size(size)

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def person(chromium: Any, live_server: str) -> Iterator[Any]:
    people: list[Person] = []

    def make(
        username: str | None = None, viewport: dict[str, int] = DESKTOP, start: str | None = None
    ) -> Person:
        """Someone signed in (they land on /today), then at ``start``: by default the page
        their role's journeys begin from."""
        someone = Person(chromium, live_server, viewport)
        people.append(someone)
        if username:
            someone.login(username)
            start = start or next(
                (page for prefix, page in JOURNEY_STARTS.items() if username.startswith(prefix)),
                None,
            )
            if start:
                someone.go(start)
        return someone

    yield make
    for someone in people:
        assert not someone.errors, f"browser console errors (CSP?): {someone.errors}"
        someone.close()
