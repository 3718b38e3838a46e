"""Two people acting on the same case at the same moment: one wins, the other is told (409)."""

from __future__ import annotations

import threading

from tests.conftest import case_body


def _race(requests) -> list:
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, request):
        barrier.wait()
        results[i] = request()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_double_submitted_transition_applies_once(world):
    first, second = world.client_for("worker_a"), world.client_for("worker_a")
    case = first.post("/api/v1/cases", json=case_body(case_type="sex_work_exit")).get_json()
    url = f"/api/v1/cases/{case['id']}/transitions"
    body = {"event": "suspend", "suspension_reason": "moved", "version": case["version"]}
    responses = _race([lambda: first.post(url, json=body), lambda: second.post(url, json=body)])
    assert sorted(r.status_code for r in responses) == [200, 409]
    history = first.get(f"/api/v1/cases/{case['id']}/history").get_json()
    assert [h["event"] for h in history] == ["open", "suspend"]


def test_two_editors_one_conflict_no_lost_update(world):
    worker, colleague = world.client_for("worker_a"), world.client_for("supervisor_a")
    case = worker.post("/api/v1/cases", json=case_body()).get_json()
    url = f"/api/v1/cases/{case['id']}"
    responses = _race(
        [
            lambda: worker.patch(url, json={"version": 1, "person": {"address": "Số 1 Hàng Bông"}}),
            lambda: colleague.patch(
                url, json={"version": 1, "person": {"address": "Số 9 Hàng Gai"}}
            ),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).get_json()
    stored = worker.get(url).get_json()
    assert stored["version"] == 2
    assert stored["person"]["address"] == winner["person"]["address"]
