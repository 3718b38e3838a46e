"""Helpers for the page tests: a browser-like client that logs in through the login form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, World

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"'
)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """A test client that behaves like a person with a browser: reads a form, then posts it."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def text(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def submit(self, page_url: str, action: str, data: dict[str, Any], **kwargs: Any) -> Any:
        """Post ``data`` to ``action`` with the CSRF token read from ``page_url``."""
        token = csrf_of(self.text(page_url))
        return self.client.post(action, data={"csrf_token": token, **data}, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return self.submit("/login", "/login", {"username": username, "password": password})


@pytest.fixture()
def browser_for(world: World):  # noqa: ANN201 - a factory
    def make(username: str | None = None) -> Browser:
        browser = Browser(world.app.test_client())
        if username:
            response = browser.login(username)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return browser

    return make
