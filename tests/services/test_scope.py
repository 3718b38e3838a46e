"""Another commune's case, and everything hanging on it, is not found on every new endpoint."""

from __future__ import annotations

import pytest

from tests.services.conftest import add_provider, open_case


@pytest.fixture()
def foreign(world):
    """A case of Ba Đình with one record of each kind, seen from Ngọc Hà."""
    api = world.client_for("worker_a")
    case = open_case(api)
    provider = add_provider(world)
    item = api.post(
        f"/api/v1/cases/{case['id']}/support-items", json={"kind": "medical"}
    ).get_json()
    referral = api.post(
        f"/api/v1/cases/{case['id']}/referrals", json={"provider": provider["id"]}
    ).get_json()
    return {"case": case["id"], "item": item["id"], "referral": referral["id"]}


REQUESTS = [
    ("get", "/api/v1/cases/{case}/consents", None),
    ("post", "/api/v1/cases/{case}/consents", {"scope": "processing", "decision": "given"}),
    ("get", "/api/v1/cases/{case}/support-items", None),
    ("post", "/api/v1/cases/{case}/support-items", {"kind": "medical"}),
    ("get", "/api/v1/support-items/{item}", None),
    ("patch", "/api/v1/support-items/{item}", {"status": "referred"}),
    ("get", "/api/v1/cases/{case}/referrals", None),
    ("post", "/api/v1/cases/{case}/referrals", {"service_kind": "medical"}),
    ("get", "/api/v1/referrals/{referral}", None),
    ("patch", "/api/v1/referrals/{referral}", {"status": "accepted"}),
    ("get", "/api/v1/cases/{case}/notes", None),
    ("post", "/api/v1/cases/{case}/notes", {"kind": "home_visit", "content": "x"}),
]


@pytest.mark.parametrize(
    ("method", "url", "body"), REQUESTS, ids=[f"{m} {u}" for m, u, _ in REQUESTS]
)
def test_another_communes_records_are_not_found(world, foreign, method, url, body):
    other = world.client_for("worker_b")
    target = url.format(**foreign)
    response = getattr(other, method)(target, json=body) if body else getattr(other, method)(target)
    assert response.status_code == 404
    unknown = url.format(
        case="00000000-0000-0000-0000-000000000000",
        item="00000000-0000-0000-0000-000000000000",
        referral="00000000-0000-0000-0000-000000000000",
    )
    missing = (
        getattr(other, method)(unknown, json=body) if body else getattr(other, method)(unknown)
    )
    assert missing.get_json() == response.get_json()


@pytest.mark.parametrize(
    ("method", "url", "body"), REQUESTS, ids=[f"{m} {u}" for m, u, _ in REQUESTS]
)
def test_the_province_supervisor_reaches_them(world, foreign, method, url, body):
    supervisor = world.client_for("supervisor_province")
    target = url.format(**foreign)
    response = (
        getattr(supervisor, method)(target, json=body)
        if body
        else getattr(supervisor, method)(target)
    )
    assert response.status_code in (200, 201), response.get_json()
