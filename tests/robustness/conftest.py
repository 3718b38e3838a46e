"""One world for a whole module of hostile requests: built once, with real objects behind every id.

The hostile-input tests send thousands of requests; building the fixture world for each would
cost more than the requests. The world here is the conftest's, plus what the API's paths name
(cases of three types, a provider, a support item, a referral, a note, a consent, an import, a
token, a role assignment) and users whose passwords, sessions or lockouts the tests may spend.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from tests.conftest import (
    PASSWORD,
    ApiClient,
    World,
    build_world,
    case_body,
    make_app,
    register_keys,
    truncate_all,
)

#: Users the hostile tests may spend: wrong passwords lock them, accepted ones change them.
SPENDABLE_USERS = ("hostile_login", "hostile_self", "hostile_target")


@dataclass
class HostileWorld:
    world: World
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def app(self) -> Flask:
        return self.world.app

    def bearer(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def row_counts(self) -> dict[str, int]:
        """Rows per table, in one statement: what a refused request must leave unchanged."""
        with self.app.app_context():
            tables = db.metadata.sorted_tables
            counts = db.session.execute(
                select(*(select(func.count()).select_from(t).scalar_subquery() for t in tables))
            ).one()
            db.session.remove()
        return {table.name: count for table, count in zip(tables, counts, strict=True)}


@pytest.fixture(scope="module")
def hostile_world(
    tmp_path_factory: pytest.TempPathFactory, migrated: str
) -> Iterator[HostileWorld]:
    app = make_app(tmp_path_factory.mktemp("hostile"), migrated)
    truncate_all(app)  # a function-scoped test before may have left its rows on a failure
    register_keys(app)
    hostile = HostileWorld(world=build_world(app))
    _add_spendable_users(hostile)
    _add_tokens(hostile)
    _add_objects(hostile)
    yield hostile
    with app.app_context():
        db.session.remove()
    truncate_all(app)
    with app.app_context():
        db.engine.dispose()  # the per-test disposal ran long before the module's last request


def _add_spendable_users(hostile: HostileWorld) -> None:
    from casework.accounts.operations import create_user

    with hostile.app.app_context():
        for username in SPENDABLE_USERS:
            user = create_user(
                db.session, username, PASSWORD, roles=["social_worker"], unit_code="00004"
            )
            db.session.flush()
            hostile.ids[f"user:{username}"] = str(user.id)
        db.session.commit()
        db.session.remove()


def _add_tokens(hostile: HostileWorld) -> None:
    from casework.accounts.models import User
    from casework.accounts.tokens import create_token

    with hostile.app.app_context():
        for user in db.session.scalars(select(User)):
            token, secret = create_token(db.session, user, "hostile", 30)
            db.session.flush()
            hostile.tokens[user.username] = secret
            hostile.ids[f"token:{user.username}"] = str(token.id)
        db.session.commit()
        db.session.remove()


def _api(hostile: HostileWorld, username: str) -> ApiClient:
    api = ApiClient(hostile.app.test_client())
    api.client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {hostile.tokens[username]}"
    return api


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.get_data(as_text=True)[:500]
    return response.get_json()


def _add_objects(hostile: HostileWorld) -> None:
    """The objects whose ids fill the API's path parameters, made through the API itself."""
    worker, supervisor = _api(hostile, "worker_a"), _api(hostile, "supervisor_a")
    admin = _api(hostile, "administrator")
    ids = hostile.ids
    for case_type in ("post_rehab", "trafficking_victim", "post_prison"):
        body = case_body(case_type=case_type, national_id=f"0011940{len(ids):05d}")
        ids[f"case:{case_type}"] = _created(worker.post("/api/v1/cases", json=body))["id"]
    case = ids["case:post_rehab"]
    provider = _created(
        supervisor.post(
            "/api/v1/providers",
            json={
                "name": "Trường nghề Ba Đình",
                "kind": "vocational_school",
                "unit": "00004",
                "services": ["vocational_training", "psychological"],
            },
        )
    )
    ids["provider"] = provider["id"]
    for scope in ("processing", "sharing_vocational_school"):
        _created(
            worker.post(
                f"/api/v1/cases/{case}/consents", json={"scope": scope, "decision": "given"}
            )
        )
    ids["item"] = _created(
        worker.post(f"/api/v1/cases/{case}/support-items", json={"kind": "psychological"})
    )["id"]
    ids["referral"] = _created(
        worker.post(
            f"/api/v1/cases/{case}/referrals",
            json={
                "provider": ids["provider"],
                "service_kind": "psychological",
                "support_item": ids["item"],
                "shares_personal_data": True,
            },
        )
    )["id"]
    _created(
        worker.post(
            f"/api/v1/cases/{case}/notes", json={"kind": "home_visit", "content": "Thăm nhà."}
        )
    )
    ids["person"] = worker.get(f"/api/v1/cases/{case}").get_json()["person"]["id"]
    ids["group"] = _created(
        worker.post(
            "/api/v1/groups", json={"unit": "00004", "kind": "club", "name": "Câu lạc bộ Ba Đình"}
        )
    )["id"]
    ids["member"] = _created(
        worker.post(f"/api/v1/groups/{ids['group']}/members", json={"contact_name": "Lê Thị Hoa"})
    )["id"]
    upload = worker.client.post(
        "/api/v1/imports",
        data={
            "case_type": "post_rehab",
            "unit": "00004",
            "dry_run": "true",
            "file": (io.BytesIO("Họ và tên,Giới tính\nLê Văn An,nam\n".encode()), "list.csv"),
        },
        content_type="multipart/form-data",
    )
    ids["import"] = _created(upload)["id"]
    target = _created(admin.get(f"/api/v1/users/{ids['user:hostile_target']}"))
    ids["assignment"] = str(target["roles"][0]["id"])
    # A case role waits for a supervisor's approval: its request is a path id, and the pages
    # that decide or withdraw it show their forms only while one waits.
    asked = admin.post(
        f"/api/v1/users/{ids['user:hostile_target']}/roles",
        json={"role": "supervisor", "unit": "00004"},
    )
    assert asked.status_code == 202, asked.get_data(as_text=True)[:500]
    ids["request"] = asked.get_json()["id"]
