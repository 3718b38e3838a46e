"""A database failure at any write of a request leaves nothing partial behind."""

from __future__ import annotations

import pytest

from tests.conftest import case_body
from tests.robustness.faults import fingerprint, inject, table_counts

MODES = ["raise", "disconnect"]


def _count_writes(app, request) -> int:
    with inject(app, None) as probe:
        request()
    return probe.writes


@pytest.mark.parametrize("mode", MODES)
def test_opening_a_case_fails_cleanly_at_every_write(world, mode):
    api = world.client_for("worker_a")
    writes = _count_writes(world.app, lambda: api.post("/api/v1/cases", json=case_body()))
    assert writes >= 4  # person, case, history, audit at least
    before = table_counts(world.app)
    for n in range(1, writes + 1):
        with inject(world.app, n, mode) as injector:
            response = api.post("/api/v1/cases", json=case_body(national_id="001194099999"))
        assert injector.fired
        assert response.status_code in (500, 503), (n, response.status_code)
        assert set(response.get_json()) == {"code", "message", "errors"}
        assert table_counts(world.app) == before, f"partial write left after failing write {n}"


@pytest.mark.parametrize("mode", MODES)
def test_firing_a_transition_fails_cleanly_at_every_write(world, mode):
    api = world.client_for("worker_a")
    case = api.post("/api/v1/cases", json=case_body(case_type="sex_work_exit")).get_json()
    url = f"/api/v1/cases/{case['id']}/transitions"
    body = {"event": "suspend", "suspension_reason": "moved"}
    before_counts = table_counts(world.app)
    before_rows = fingerprint(world.app, "case_file", "id, stage, version")
    probe_api = world.client_for("worker_a")
    # Count writes on a twin case so the real one stays untouched.
    twin = probe_api.post(
        "/api/v1/cases", json=case_body(case_type="sex_work_exit", national_id="001194077777")
    ).get_json()
    writes = _count_writes(
        world.app, lambda: probe_api.post(f"/api/v1/cases/{twin['id']}/transitions", json=body)
    )
    assert writes >= 3  # case update, history, audit
    before_counts = table_counts(world.app)
    before_rows = fingerprint(world.app, "case_file", "id, stage, version")
    for n in range(1, writes + 1):
        with inject(world.app, n, mode):
            response = api.post(url, json=body)
        assert response.status_code in (500, 503), (n, response.status_code)
        assert table_counts(world.app) == before_counts
        assert fingerprint(world.app, "case_file", "id, stage, version") == before_rows
    assert api.post(url, json=body).status_code == 200  # and the service recovers
