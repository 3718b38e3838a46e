"""Access and portability: the export holds exactly what the database holds about the person,
and nothing of anyone else's; need-to-know and scope apply; audited."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseEvent
from casework.extensions import db
from casework.people.models import Person
from casework.services.models import CaseNote, Consent, Referral, SupportItem

MINE = {"full_name": "Hà Thị Riêng", "national_id": "001194055501", "phone": "0912000501"}
THEIRS = {"full_name": "Cao Văn Khác", "national_id": "001090066602", "phone": "0988000602"}


def _fill(api, case_id: str, marker: str) -> None:
    for path, body in (
        ("notes", {"kind": "counselling_psychological", "content": f"Buổi tư vấn {marker}"}),
        ("support-items", {"kind": "medical"}),
        ("referrals", {"service_kind": "essentials", "note": f"giới thiệu {marker}"}),
        ("consents", {"scope": "processing", "decision": "given"}),
    ):
        response = api.post(f"/api/v1/cases/{case_id}/{path}", json=body)
        assert response.status_code == 201, (path, response.get_json())


def test_the_export_holds_exactly_the_persons_rows_and_nothing_of_anyone_else(world, people):
    mine = people.open(**MINE, address="Số 7 ngõ Riêng")
    theirs = people.open(**THEIRS, address="Số 9 ngõ Khác")
    worker = world.client_for("worker_a")
    _fill(worker, mine["id"], "RIÊNG-1")
    _fill(worker, theirs["id"], "KHÁC-2")
    person_id = people.person_id(mine)

    response = world.client_for("supervisor_a").get(f"/api/v1/people/{person_id}/export")
    assert response.status_code == 200, response.get_json()
    export = response.get_json()
    text = json.dumps(export, ensure_ascii=False)

    assert export["person"]["full_name"] == MINE["full_name"]
    assert export["person"]["address"] == "Số 7 ngõ Riêng"
    assert "RIÊNG-1" in text
    for value in (*THEIRS.values(), "Số 9 ngõ Khác", "KHÁC-2", theirs["id"], theirs["reference"]):
        assert value not in text
    assert export["incomplete"] is False

    # Exactly the database's rows for this person: every case and every row hanging on it.
    with world.app.app_context():
        case_ids = list(db.session.scalars(select(Case.id).where(Case.person_id == person_id)))
        assert sorted(c["id"] for c in export["cases"]) == sorted(str(c) for c in case_ids)
        for part, model in (
            ("history", CaseEvent),
            ("notes", CaseNote),
            ("support", SupportItem),
            ("referrals", Referral),
            ("consents", Consent),
        ):
            held = db.session.scalar(
                select(func.count()).select_from(model).where(model.case_id.in_(case_ids))
            )
            assert sum(len(c[part]) for c in export["cases"]) == held, part
        person = db.session.get(Person, person_id)
        for name in ("full_name", "national_id", "phone", "address", "date_of_birth"):
            value = getattr(person, name)
            assert export["person"][name] == (
                value.isoformat() if name == "date_of_birth" else value
            )
        assert not any(k.endswith(("_ct", "_bi")) for k in export["person"])
        actions = list(db.session.scalars(select(AuditEvent.action)))
        db.session.remove()
    assert "person.export" in actions
    # Who viewed or changed the record: the case's creation is there, by its worker.
    assert {"action": "case.create", "by": "worker_a"}.items() <= next(
        e for e in export["access_log"] if e["action"] == "case.create"
    ).items()


def test_scope_and_need_to_know_apply_to_the_export(world, people):
    mine = people.open(**MINE)
    person_id = people.person_id(mine)
    url = f"/api/v1/people/{person_id}/export"
    assert world.client_for("supervisor_b").get(url).status_code == 404  # another commune
    assert world.client_for("worker_a").get(url).status_code == 403  # workers do not export
    assert world.client_for("statistician").get(url).status_code == 403
    assert (
        world.client_for("supervisor_a").get(f"/api/v1/people/{uuid.uuid4()}/export").status_code
        == 404
    )
    assert world.client_for("supervisor_a").get("/api/v1/people/x/export").status_code == 404


def test_the_printable_page_is_in_vietnamese_and_shows_the_persons_data(world, people):
    mine = people.open(**MINE)
    person_id = people.person_id(mine)
    page = world.client_for("supervisor_a").get(f"/people/{person_id}/export")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert MINE["full_name"] in body and mine["reference"] in body
    assert THEIRS["full_name"] not in body
