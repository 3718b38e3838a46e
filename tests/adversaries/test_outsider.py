"""Adversary: the outsider (docs/security.md).

Someone on the network with no account. They know the service's routes (the OpenAPI document is
public), have learnt the ids of a victim's case and its records, and try every route with every
method, forged and stolen-looking credentials, and password guessing. They must get nothing but
the login page, the health probe and refusals — no personal data, no stack trace, no hint of
which usernames exist — and nothing they send may be written.
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

import pytest

from tests.access import matrix
from tests.adversaries.world import Victim, open_victim
from tests.conftest import World, make_app

#: What an anonymous caller may receive a 2xx for: nothing about anyone.
PUBLIC = {
    ("GET", "/login"),
    ("GET", "/enrol"),  # the form where a new person types the code handed to them
    ("GET", "/healthz"),
    ("GET", "/api/openapi.json"),
}
INTERNALS = re.compile(r"Traceback|File \"/|sqlalchemy|psycopg|sqlite3|jinja2\.|werkzeug\.", re.I)


def _url(rule: str, victim: Victim) -> str:
    ids = {"case_id": victim.case_id, "item_id": victim.item_id,
           "referral_id": victim.referral_id}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(matrix.FIXED_PARAMS.get(name) or ids.get(name) or victim.case_id)

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", value, rule)


def _anonymous_sweep(world: World, victim: Victim, headers: dict[str, str]) -> list[str]:
    """Every route × every method it takes, with the victim's ids; returns what went wrong."""
    client = world.app.test_client()
    problems = []
    for rule in world.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(rule.rule, victim)
            kwargs: dict[str, Any] = {"headers": headers}
            if method != "GET":
                kwargs["json" if url.startswith("/api/") else "data"] = {}
            response = client.open(url, method=method, **kwargs)
            text = response.get_data(as_text=True)
            where = f"{method} {rule.rule} → {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
            if 200 <= response.status_code < 300 and (method, rule.rule) not in PUBLIC:
                problems.append(f"{where}: answered an anonymous caller")
            if 300 <= response.status_code < 400 and "/login" not in response.location:
                if not rule.rule.startswith("/lang/") and rule.rule != "/":
                    problems.append(f"{where}: sent somewhere else than the login page")
            problems += [f"{where}: {s}" for s in victim.leaks_in(text) if s not in url]
            if INTERNALS.search(text):
                problems.append(f"{where}: shows internals")
    return problems


def test_no_route_gives_an_anonymous_caller_anything(matrix_world):
    victim = open_victim(matrix_world)
    assert not _anonymous_sweep(matrix_world, victim, {})


@pytest.mark.parametrize(
    "credentials",
    [
        {"Authorization": "Bearer cwp_" + secrets.token_urlsafe(32)},
        {"Authorization": "Bearer " + "A" * 5000},
        {"Authorization": "Basic " + base64.b64encode(b"worker_a:x").decode()},
        {"Cookie": "session=" + secrets.token_urlsafe(48)},
        {"Cookie": "session=eyJfaWQiOiJ4In0.forged.signature"},
    ],
    ids=["random-token", "huge-token", "basic-auth", "random-cookie", "forged-cookie"],
)
def test_forged_credentials_are_worth_nothing_anywhere(matrix_world, credentials):
    victim = open_victim(matrix_world)
    assert not _anonymous_sweep(matrix_world, victim, credentials)


def test_guessing_passwords_learns_nothing_and_is_throttled(matrix_world, tmp_path, migrated):
    """Unknown and real usernames answer alike, and one address is cut off after ten tries a
    minute (the default), for the page and the API together."""
    limited = make_app(tmp_path, migrated, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    answers = []
    for n in range(12):
        username = "worker_a" if n % 2 else f"nobody{n}"
        response = client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": f"guess number {n}"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
        answers.append((response.status_code, response.get_json()))
    statuses = [status for status, _ in answers]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert len({str(body) for status, body in answers if status == 401}) == 1
    elsewhere = client.post(
        "/api/v1/auth/login",
        json={"username": "worker_a", "password": "guess again"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert elsewhere.status_code == 401  # the limit is per address; the lockout per account


def test_guessing_enrolment_codes_learns_nothing_and_is_throttled(matrix_world, tmp_path,
                                                                  migrated):
    """An enrolment code sets a password: guessing one must be as slow and as silent as
    guessing a password (tests/accounts/test_enrolment.py has the per-endpoint rules)."""
    limited = make_app(tmp_path, migrated, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    answers = []
    for n in range(12):
        response = client.post(
            "/api/v1/auth/enrolment",
            json={"code": f"ABCD-EFGH-JKLM-{n:04d}", "password": "a long new passphrase"},
            environ_base={"REMOTE_ADDR": "203.0.113.10"},
        )
        answers.append((response.status_code, response.get_json()))
    statuses = [status for status, _ in answers]
    assert 429 in statuses and set(statuses) <= {401, 422, 429}, statuses
    refusals = {str(body) for status, body in answers if status != 429}
    assert len(refusals) == 1, refusals
