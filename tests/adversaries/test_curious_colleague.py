"""The curious colleague: a worker of the same commune, not assigned to a trafficking case, who
knows a person's national ID and phone and wants to find out whether that person is a victim.

Need-to-know masks the case from them (name, ID, phone… hidden); what they must not be able to do
is connect the identifiers they know to it. So every lookup path — the people search by ID and by
phone, the caseload's ``q=`` (API and page), the duplicate warning of an intake (API, form and the
new case's page) and an import's dry run (API, its CSV report and its page) — is played against
the hidden case in their own commune and, with the same steps, against a trafficking case in
another province; each answer must be the same, byte for byte, once the values that differ
legitimately (what they typed, the ids and references of what they themselves created, CSRF
tokens, clock readings) are put in placeholders. The supervisor above the case sees each probe.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.extensions import db
from casework.people.disclosure import LOOKUP_PATHS, PROBE_ACTION
from tests.conftest import PASSWORD, World, case_body
from tests.web.conftest import Browser, csrf_of

NAME, BIRTH = "Trần Thị Mai", "1998-05-02"
COLLEAGUE = "worker_a2"
PROBES = "/api/v1/reveals?kind=probe&per_page=100"


@dataclass
class Target:
    """A trafficking victim's case and the identifiers the colleague knows of the person."""

    national_id: str
    phone: str
    case_id: str = ""
    reference: str = ""


def _open(world: World, username: str, unit: str, target: Target, case_type: str) -> None:
    body = case_body(
        case_type,
        unit=unit,
        full_name=NAME,
        date_of_birth=BIRTH,
        national_id=target.national_id,
        phone=target.phone,
    )
    response = world.client_for(username).post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.get_json()
    target.case_id, target.reference = response.get_json()["id"], response.get_json()["reference"]


@pytest.fixture()
def here(world: World) -> Target:
    """A trafficking case in the colleague's own commune, assigned to worker_a."""
    target = Target(national_id="001198012345", phone="0912000111")
    _open(world, "worker_a", "00004", target, "trafficking_victim")
    return target


@pytest.fixture()
def elsewhere(world: World) -> Target:
    """A trafficking case in another province (Hồ Chí Minh City)."""
    target = Target(national_id="079198054321", phone="0933000222")
    _open(world, "worker_hcm", "26734", target, "trafficking_victim")
    return target


def browser(world: World, username: str) -> Browser:
    page = Browser(world.app.test_client())
    response = page.submit("/login", "/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return page


def import_file(target: Target) -> bytes:
    """A rehab centre's discharge list: the person, and someone nobody has a case of."""
    rows = [
        ["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Số điện thoại"],
        [NAME, "Nữ", "02/05/1998", target.national_id, target.phone],
        ["Lê Văn Cường", "Nam", "01/12/1985", "", ""],
    ]
    return "\n".join(",".join(row) for row in rows).encode("utf-8-sig")


def every_lookup(world: World, target: Target) -> dict[str, str]:
    """The colleague tries every lookup path with the target's ID and phone; the raw answers.

    The intakes come last (they open cases, which later lookups would find).
    """
    api = world.client_for(COLLEAGUE)
    page = browser(world, COLLEAGUE)
    answers: dict[str, str] = {}

    def keep(name: str, response: Any, *headers: str) -> Any:
        answers[name] = "\n".join(
            [str(response.status_code)]
            + [f"{h}: {response.headers.get(h)}" for h in headers]
            + [response.get_data(as_text=True)]
        )
        return response

    for field, value in (("national_id", target.national_id), ("phone", target.phone)):
        keep(f"people search by {field}", api.get(f"/api/v1/people/search?{field}={value}"))
        keep(f"GET /cases?q= {field}", api.get(f"/api/v1/cases?q={value}"), "X-Pagination")
        keep(f"caseload page q= {field}", page.get(f"/cases?assigned=all&q={value}"))

    form = {"case_type": "post_rehab", "unit": "00004", "dry_run": "true"}
    checked = api.post(
        "/api/v1/imports",
        data={**form, "file": (io.BytesIO(import_file(target)), "danh-sach.csv")},
        content_type="multipart/form-data",
    )
    keep("import dry run", checked)
    import_id = checked.get_json()["id"]
    keep("import report CSV", api.get(f"/api/v1/imports/{import_id}/report?format=csv"))
    token = csrf_of(page.text("/imports"))
    posted = page.client.post(
        "/imports",
        data={
            **form,
            "csrf_token": token,
            "file": (io.BytesIO(import_file(target)), "danh-sach.csv"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
    keep("import page", page.get(posted.headers["Location"]))

    person = {"full_name": NAME, "sex": "female", "date_of_birth": BIRTH}
    intake = {**person, "national_id": target.national_id, "phone": target.phone}
    keep("intake API", api.post("/api/v1/cases", json={**form_case(), "person": intake}))
    opened = page.submit("/cases/new", "/cases/new", {**form_case(), **intake})
    assert opened.status_code == 302, opened.get_data(as_text=True)[:2000]
    keep("intake form, then the new case's page", page.get(opened.headers["Location"]))
    return answers


def form_case() -> dict[str, str]:
    return {"case_type": "post_rehab", "unit": "00004"}


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REFERENCE = re.compile(r"HS-\d{4}-[A-Z0-9]{8}")
CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
CLOCK = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?|\d\d/\d\d/\d{4} \d\d:\d\d")


def normalised(text: str, target: Target) -> str:
    """``text`` with what legitimately differs between the two runs put in placeholders.

    Ids and references are numbered in order of appearance, so the structure of an answer (how
    many cases it names, and which twice) still has to match.
    """
    text = text.replace(target.national_id, "<national-id>").replace(target.phone, "<phone>")
    text = CSRF.sub(r"\1<csrf>", text)
    text = CLOCK.sub("<clock>", text)
    for pattern, name in ((UUID, "id"), (REFERENCE, "reference")):
        text = _numbered(pattern, name, text)
    return text


def _numbered(pattern: re.Pattern[str], name: str, text: str) -> str:
    """Each distinct match of ``pattern`` replaced by ``<name-N>``, N in order of appearance."""
    seen: dict[str, str] = {}
    return pattern.sub(lambda m: seen.setdefault(m.group(0), f"<{name}-{len(seen)}>"), text)


def test_every_lookup_of_a_hidden_case_answers_as_for_a_case_in_another_province(
    world, here, elsewhere
):
    seen_here = every_lookup(world, here)
    seen_elsewhere = every_lookup(world, elsewhere)

    for path, answer in seen_here.items():
        # Nothing of the hidden case, in any answer: not its id, reference or worker.
        assert here.case_id not in answer and here.reference not in answer, path
        assert re.search(r"\bworker_a\b", answer) is None, path
    for path in seen_here:
        assert normalised(seen_here[path], here) == normalised(seen_elsewhere[path], elsewhere), (
            path
        )
    # …and the answers do say that something exists (the same words for both).
    assert json.loads(seen_here["people search by national_id"].split("\n", 1)[1]) == {
        "matches": [],
        "elsewhere": True,
        "message": "Có thể người này đã có hồ sơ mà bạn không được xem; hãy hỏi cán bộ phụ trách.",
    }
    assert '"total": 0' in seen_here["GET /cases?q= phone"]
    assert "duplicate" in seen_here["import report CSV"] and "yes" in seen_here["import report CSV"]
    assert "hãy hỏi cán bộ phụ trách" in seen_here["intake form, then the new case's page"]

    # The supervisor of the commune is told of each lookup, by every path, with no value typed.
    probes = world.client_for("supervisor_a").get(PROBES).get_json()
    assert {p["case_id"] for p in probes} == {here.case_id}
    assert {p["via"] for p in probes} == LOOKUP_PATHS
    assert {p["username"] for p in probes} == {COLLEAGUE}
    assert all(p["case_reference"] == here.reference and p["unit"] == "00004" for p in probes)
    searches = [p for p in probes if p["via"] == "people_search"]
    assert sorted(p["matched_on"] for p in searches) == [["national_id"], ["phone"]]
    review = browser(world, "supervisor_a").text("/supervisor/reveals")
    assert here.reference in review and "Tra cứu người" in review and COLLEAGUE in review
    # The probes of the case in another province are for that province's supervisors.
    province = world.client_for("supervisor_province").get(PROBES).get_json()
    assert {p["case_id"] for p in province} == {here.case_id}
    with world.app.app_context():
        entries = db.session.scalars(select(AuditEvent)).all()
        elsewhere_probes = [
            e for e in entries if e.action == PROBE_ACTION and e.object_id == elsewhere.case_id
        ]
        assert {e.detail["via"] for e in elsewhere_probes} == LOOKUP_PATHS
        written = json.dumps([[e.detail, e.object_id, e.unit_path] for e in entries])
        for target in (here, elsewhere):
            assert target.national_id not in written and target.phone not in written
        db.session.remove()


def search(world: World, username: str, **by: str) -> dict[str, Any]:
    (field, value), = by.items()
    response = world.client_for(username).get(f"/api/v1/people/search?{field}={value}")
    assert response.status_code == 200
    return response.get_json()


def probes_of(world: World, case_id: str) -> list[dict[str, Any]]:
    listed = world.client_for("supervisor_province").get(f"/api/v1/reveals?case_id={case_id}")
    return [entry for entry in listed.get_json() if entry["kind"] == "probe"]


def test_the_assigned_worker_and_the_supervisors_still_find_the_case(world, here):
    for username in ("worker_a", "supervisor_a", "supervisor_province"):
        for field in ("national_id", "phone"):
            found = search(world, username, **{field: getattr(here, field)})
            assert [m["reference"] for m in found["matches"]] == [here.reference], username
            assert found["elsewhere"] is False and found["message"] is None
        listed = world.client_for(username).get(f"/api/v1/cases?q={here.national_id}")
        assert [c["id"] for c in listed.get_json()] == [here.case_id]
    assert probes_of(world, here.case_id) == []  # they may see it: nothing to report


def test_a_case_type_without_need_to_know_is_found_in_the_commune_as_before(world):
    target = Target(national_id="001090012345", phone="0900000001")
    _open(world, "worker_a", "00004", target, "post_rehab")
    found = search(world, COLLEAGUE, national_id=target.national_id)
    assert [m["reference"] for m in found["matches"]] == [target.reference]
    assert found["elsewhere"] is False
    assert found["matches"][0]["full_name"] == NAME
    duplicates = (
        world.client_for(COLLEAGUE)
        .post("/api/v1/cases", json=case_body(national_id=target.national_id, phone="0900000009"))
        .get_json()["duplicates"]
    )
    assert [(d["reference"], d["matched_on"]) for d in duplicates] == [
        (target.reference, ["national_id"])
    ]
    assert probes_of(world, target.case_id) == []


def test_after_breaking_the_glass_the_colleague_finds_the_case(world, here):
    reason = {"reason": "Chị Mai gọi đường dây nóng, cần liên hệ lại ngay hôm nay"}
    colleague = world.client_for(COLLEAGUE)
    assert colleague.post(f"/api/v1/cases/{here.case_id}/reveal", json=reason).status_code == 201
    found = search(world, COLLEAGUE, phone=here.phone)
    assert [m["reference"] for m in found["matches"]] == [here.reference]
    review = [(e["kind"], e["username"]) for e in probes_of(world, here.case_id)]
    assert review == []  # a reveal, then a lookup of what is now shown: no probe


def test_a_person_with_a_visible_and_a_hidden_case_shows_only_the_visible_one(world, here):
    """The same person also has a post-rehab case in the commune: that one is described, the
    trafficking case only mentioned, as if it were in another province."""
    visible = Target(national_id=here.national_id, phone=here.phone)
    _open(world, "worker_a", "00004", visible, "post_rehab")
    found = search(world, COLLEAGUE, national_id=here.national_id)
    assert [m["reference"] for m in found["matches"]] == [visible.reference]
    assert found["elsewhere"] is True
    assert [p["via"] for p in probes_of(world, here.case_id)] == ["people_search"]


def test_the_review_lists_reveals_and_probes_newest_first(world, here):
    colleague = world.client_for(COLLEAGUE)
    colleague.get(f"/api/v1/people/search?phone={here.phone}")
    reason = {"reason": "Chị Mai gọi đường dây nóng, cần liên hệ lại ngay hôm nay"}
    colleague.post(f"/api/v1/cases/{here.case_id}/reveal", json=reason)
    supervisor = world.client_for("supervisor_a")
    listed = supervisor.get("/api/v1/reveals").get_json()
    assert [(e["kind"], e["username"]) for e in listed] == [
        ("reveal", COLLEAGUE),
        ("probe", COLLEAGUE),
    ]
    reveal, probe = listed
    assert reveal["reason"] == reason["reason"] and reveal["via"] is None
    assert (probe["reason"], probe["expires_at"], probe["via"], probe["matched_on"]) == (
        None,
        None,
        "people_search",
        ["phone"],
    )
    paged = supervisor.get("/api/v1/reveals?per_page=1&page=2")
    assert [e["kind"] for e in paged.get_json()] == ["probe"]
    assert '"total": 2' in paged.headers["X-Pagination"]
    assert [e["kind"] for e in supervisor.get("/api/v1/reveals?kind=reveal").get_json()] == [
        "reveal"
    ]
    assert supervisor.get(f"/api/v1/reveals?username={COLLEAGUE}").get_json() == listed
    assert supervisor.get("/api/v1/reveals?username=worker_b").get_json() == []
    assert world.client_for("supervisor_b").get("/api/v1/reveals").get_json() == []
    assert colleague.get("/api/v1/reveals").status_code == 403
    page = browser(world, "supervisor_a").text("/supervisor/reveals?kind=probe")
    assert "Tra cứu người" in page and "Số điện thoại" in page and reason["reason"] not in page


def test_the_review_page_pages_through_with_its_filters(world, here, monkeypatch):
    from casework.web import supervisor

    monkeypatch.setattr(supervisor, "REVIEW_PER_PAGE", 1)
    colleague = world.client_for(COLLEAGUE)
    for field in ("national_id", "phone"):
        colleague.get(f"/api/v1/people/search?{field}={getattr(here, field)}")
    reviewer = browser(world, "supervisor_a")
    first = reviewer.text(f"/supervisor/reveals?username={COLLEAGUE}")
    assert "Trang 1 / 2" in first and "2 mục" in first
    assert f'href="/supervisor/reveals?username={COLLEAGUE}&amp;page=2" rel="next"' in first
    second = reviewer.text(f"/supervisor/reveals?username={COLLEAGUE}&page=2")
    assert "Trang 2 / 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert ("Số CCCD" in first) != ("Số CCCD" in second)  # newest first, one probe a page


def test_a_new_lookup_path_must_be_named(world, here):
    from casework.people.operations import find_people

    with world.app.test_request_context(), pytest.raises(ValueError, match="LOOKUP_PATHS"):
        find_people(db.session, None, via="somewhere_new", national_id=here.national_id)
