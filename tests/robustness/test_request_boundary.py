"""The request boundary (casework.input_guard): the reproductions of issue 16, finding 5.

Each of these answered 500 before the boundary refused them: a lone surrogate (``"\\ud800"``)
in any JSON string (the unauthenticated login's too), JSON nested 100,000 levels deep, and a
25-digit ``page`` on the caseload page. Now each is a 4xx naming the field, and nothing is
written — not even the audit row a failed login leaves.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from casework.extensions import db
from casework.input_guard import MAX_JSON_DEPTH, nesting_exceeds
from tests.conftest import PASSWORD, case_body
from tests.web.conftest import Browser

LONE_SURROGATE = "Hoa \ud800"
DEEP = "[" * 100_000 + "]" * 100_000


def _rows(app: Any) -> dict[str, int]:
    with app.app_context():
        counts = {
            table.name: db.session.execute(db.select(db.func.count()).select_from(table)).scalar()
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts


def _post_json(client: Any, url: str, text: str | bytes, **headers: str) -> Any:
    """Send a body exactly as given: the test client's own JSON encoder cannot carry a lone
    surrogate (it refuses to encode one), an attacker's can."""
    data = text.encode() if isinstance(text, str) else text
    return client.post(url, data=data, content_type="application/json", headers=headers)


def test_a_lone_surrogate_in_the_login_is_refused_naming_it_and_writes_nothing(world):
    client = world.app.test_client()
    before = _rows(world.app)
    for field in ("username", "password"):
        body = {"username": "worker_a", "password": PASSWORD, field: LONE_SURROGATE}
        response = _post_json(client, "/api/v1/auth/login", json.dumps(body))
        assert response.status_code == 422
        assert list(response.get_json()["errors"]) == [f"body.{field}"]
    assert _rows(world.app) == before  # not even the audit row of a failed login


@pytest.mark.parametrize(
    ("username", "url", "body", "field"),
    [
        ("worker_a", "/api/v1/cases", case_body(full_name=LONE_SURROGATE), "body.person.full_name"),
        (
            "worker_a",
            "/api/v1/cases",
            {**case_body(), "referral_note": "\udc00"},
            "body.referral_note",
        ),
        (
            "worker_a",
            "/api/v1/cases/{case}/notes",
            {"kind": "home_visit", "content": "\ud83d"},
            "body.content",
        ),
        ("worker_a2", "/api/v1/cases/{case}/reveal", {"reason": LONE_SURROGATE * 4}, "body.reason"),
        (
            "supervisor_a",
            "/api/v1/providers",
            {"name": LONE_SURROGATE, "kind": "ngo", "unit": "00004"},
            "body.name",
        ),
        (
            "administrator",
            "/api/v1/users",
            {
                "username": "moi",
                "display_name": LONE_SURROGATE,
                "unit": "00004",
                "roles": ["social_worker"],
            },
            "body.display_name",
        ),
        ("worker_a", "/api/v1/tokens", {"name": LONE_SURROGATE, "expires_in_days": 5}, "body.name"),
        ("worker_a", "/api/v1/cases", {**case_body(), LONE_SURROGATE: "x"}, "body.Hoa \\ud800"),
    ],
    ids=["person", "case", "note", "reason", "provider", "user", "token", "key"],
)
def test_a_lone_surrogate_in_any_json_string_is_refused_naming_it(
    world, username, url, body, field
):
    worker = world.client_for("worker_a")
    case = worker.post("/api/v1/cases", json=case_body("trafficking_victim")).get_json()["id"]
    client = world.client_for(username)
    before = _rows(world.app)
    response = _post_json(
        client.client, url.format(case=case), json.dumps(body), **{"X-CSRF-Token": client.csrf}
    )
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [field]
    assert _rows(world.app) == before


def test_json_nested_100000_levels_deep_is_refused_before_it_is_parsed(world):
    worker = world.client_for("worker_a")
    for client, url, headers in (
        (world.app.test_client(), "/api/v1/auth/login", {}),  # no caller needed to send it
        (worker.client, "/api/v1/cases", {"X-CSRF-Token": worker.csrf}),
    ):
        for body in (DEEP, '{"person": ' + DEEP + "}", "{" * 50_000):
            response = _post_json(client, url, body, **headers)
            assert response.status_code == 422
            assert list(response.get_json()["errors"]) == ["body"]


def test_a_25_digit_page_is_refused_on_the_caseload_page_and_in_the_api(world):
    worker = world.client_for("worker_a")
    page = "1234567890123456789012345"
    response = worker.get(f"/cases?page={page}", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["page"]
    assert worker.get(f"/cases?page={page}").status_code == 422  # the page a browser gets
    api = worker.get(f"/api/v1/cases?page={page}")
    assert api.status_code == 422 and list(api.get_json()["errors"]) == ["page"]
    # Within 64 bits but beyond any list: (page - 1) × 25 would overflow PostgreSQL's OFFSET.
    assert worker.get("/cases?page=1000000000000000000").status_code == 422
    assert worker.get("/cases?page=2").status_code == 200


def test_numbers_beyond_64_bits_or_not_finite_are_refused_naming_the_field(world):
    worker = world.client_for("worker_a")
    base = json.dumps(
        {**case_body("post_prison"), "release_date": "2025-01-10", "sentence_months": "@"}
    )
    for number in (
        "9223372036854775808",
        "-9223372036854775809",
        "1" + "0" * 5000,
        "1e400",
        "NaN",
        "Infinity",
    ):
        response = _post_json(
            worker.client,
            "/api/v1/cases",
            base.replace('"@"', number),
            **{"X-CSRF-Token": worker.csrf},
        )
        assert response.status_code == 422, number
        assert list(response.get_json()["errors"]) == ["body.sentence_months"], number
    # The largest 64-bit integer passes the boundary; the field's own range refuses it.
    response = _post_json(
        worker.client,
        "/api/v1/cases",
        base.replace('"@"', "9223372036854775807"),
        **{"X-CSRF-Token": worker.csrf},
    )
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["sentence_months"]


def test_bytes_that_are_not_utf8_are_refused_wherever_they_are_sent(world):
    worker = world.client_for("worker_a")
    body = json.dumps(case_body(full_name="@")).encode().replace(b'"@"', b'"L\xea V\xe3n"')
    response = _post_json(worker.client, "/api/v1/cases", body, **{"X-CSRF-Token": worker.csrf})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["body.person.full_name"]
    malformed = _post_json(
        worker.client, "/api/v1/cases", b"{\xff", **{"X-CSRF-Token": worker.csrf}
    )
    assert malformed.status_code == 400
    assert list(malformed.get_json()["errors"]) == ["body"]
    query = worker.get("/api/v1/cases?q=L%EA%20V%E3n")  # Latin-1, not UTF-8
    assert query.status_code == 422 and list(query.get_json()["errors"]) == ["q"]
    form = world.app.test_client().post(
        "/login",
        data=b"username=worker_a%ED%A0%80&password=x",
        content_type="application/x-www-form-urlencoded",
        headers={"Accept": "application/json"},
    )
    assert form.status_code == 422 and list(form.get_json()["errors"]) == ["username"]


def test_a_refused_form_field_is_shown_on_an_error_page_without_the_character(world):
    client = world.app.test_client()
    response = client.post(
        "/login",
        data=b"user%00name=a&password=%FF",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "user\\0name" in page and "\x00" not in page


def test_rtl_overrides_are_text_stored_as_given_and_shown_escaped(world):
    """Bidi controls are legal text (a note may quote anything); pages escape what they show.
    A username takes letters, digits and . _ - only, so none can read backwards in a list."""
    worker = world.client_for("worker_a")
    tricky = "Lê \u202eamh\u202c <b>Hoa</b> \u2067x\u2069"
    case = worker.post("/api/v1/cases", json=case_body(full_name=tricky)).get_json()
    assert case["person"]["full_name"] == tricky
    note = worker.post(
        f"/api/v1/cases/{case['id']}/notes", json={"kind": "home_visit", "content": tricky}
    )
    assert note.status_code == 201 and note.get_json()["content"] == tricky
    page = worker.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "Lê \u202eamh\u202c &lt;b&gt;Hoa&lt;/b&gt;" in page and "<b>Hoa</b>" not in page
    admin = world.client_for("administrator")
    refused = admin.post(
        "/api/v1/users",
        json={"username": "admin\u202etxt", "unit": "00004", "roles": ["social_worker"]},
    )
    assert refused.status_code == 422 and "username" in refused.get_json()["errors"]


def test_a_body_larger_than_the_limit_is_413_in_the_error_shape(world):
    worker = world.client_for("worker_a")
    world.app.config["MAX_CONTENT_LENGTH"] = 4096
    response = worker.post("/api/v1/cases", json=case_body(address="x" * 5000))
    assert response.status_code == 413
    assert response.get_json()["code"] == "too_large"


def test_a_version_typed_as_a_unicode_digit_on_a_page_is_no_server_error(world):
    worker = world.client_for("worker_a")
    case = worker.post("/api/v1/cases", json=case_body()).get_json()
    browser = Browser(world.app.test_client())
    assert browser.login("worker_a").status_code == 302
    for version, status in (("\u00b2", 422), ("9" * 25, 409)):  # no number; not the one read
        response = browser.submit(
            f"/cases/{case['id']}/edit",
            f"/cases/{case['id']}/edit",
            {"version": version, "full_name": "Lê Hoa"},
        )
        assert response.status_code == status, version


@pytest.mark.parametrize(
    ("text", "deeper"),
    [
        ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, False),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), True),
        ('{"a": "' + "[" * 100 + '"}', False),  # brackets inside a string are text
        ('["\\"' + "[" * 100 + '"]', False),  # behind an escaped quote too
        ("[{}]" * 1000, False),  # many brackets, none deep
        ("[" * 100_000, True),  # never closed: still refused, not handed to a parser
        ('{"a": [{"b": [' * 9 + "]}]}" * 9, True),  # objects and lists count alike
    ],
    ids=["at-limit", "beyond", "in-string", "escaped-quote", "wide", "unclosed", "mixed"],
)
def test_nesting_is_measured_from_the_bytes(text, deeper):
    assert nesting_exceeds(text.encode(), MAX_JSON_DEPTH) is deeper


def test_a_workflow_number_field_takes_ascii_digits_only():
    from workflows.errors import MissingFields
    from workflows.fields import clean_data
    from workflows.model import Event, Field

    event = Event(
        name="e",
        label_vi="e",
        label_en="e",
        sources=("a",),
        dest="b",
        permission="case.transition",
        fields=(Field(name="n", kind="int"),),
    )
    assert clean_data(event, {"n": " 42 "}) == {"n": 42}
    for bad in ("\u00b2", "\u0663", "9" * 19, "4_2"):
        with pytest.raises(MissingFields):
            clean_data(event, {"n": bad})
