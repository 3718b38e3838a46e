"""A worker on a phone signs in and lands on today's work (issue 19)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_a_worker_on_a_phone_lands_on_today_and_sees_overdue_and_due_work_first(person):
    worker = person(viewport=PHONE)
    page = worker.page
    worker.login("worker_a")
    assert page.url.endswith("/today")
    heading = page.get_by_role("heading", level=1)
    assert "Hôm nay" in heading.inner_text()
    overdue = page.locator("#t-overdue")
    assert overdue.is_visible()
    # The day's first section starts within the first screen of a 360 px phone.
    assert overdue.bounding_box()["y"] < PHONE["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    worker.shot("today-worker")


def test_a_supervisor_lands_on_the_approvals_and_transfers_waiting(person):
    supervisor = person()
    supervisor.login("supervisor_a")
    page = supervisor.page
    assert page.url.endswith("/today")
    assert page.locator("#t-approvals").is_visible()
    assert page.locator("#t-transfers").is_visible()
    supervisor.shot("today-supervisor")
