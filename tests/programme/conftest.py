"""Fixtures of the programme tests: the services helpers, reused."""

from tests.services.conftest import case, worker  # noqa: F401
from tests.web.conftest import browser_for  # noqa: F401
