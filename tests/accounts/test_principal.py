"""The caller of a request: one query finds the bearer, the user and their roles, every time.

Nothing about the caller is remembered between requests: a role taken away or an account
disabled counts from the very next request. Reading a case builds no ``User`` object for the
caller, yet services that need the user's row still get it, and writes reach it.
"""

from __future__ import annotations

from sqlalchemy import delete, inspect, select

from casework.accounts.models import RoleAssignment, User
from casework.accounts.principal import Principal
from casework.extensions import db
from tests.accounts.support import bearer
from tests.conftest import case_body, recorded_statements


def _token(world, username: str) -> str:
    api = world.client_for(username)
    response = api.post("/api/v1/tokens", json={"name": "t", "expires_in_days": 5})
    assert response.status_code == 201
    return response.get_json()["token"]


def test_reading_a_case_resolves_the_caller_in_one_query(world):
    api = world.client_for("worker_a")
    case_id = api.post("/api/v1/cases", json=case_body()).get_json()["id"]
    secret = _token(world, "worker_a")
    client = world.app.test_client()

    with recorded_statements(world.app) as statements:
        response = client.get(f"/api/v1/cases/{case_id}", headers=bearer(secret))
    assert response.status_code == 200
    assert response.get_json()["assigned_to"] == "worker_a"
    touching_users = [s for s in statements if "user_account" in s]
    assert len(touching_users) == 1  # the bearer query; no User (or role) loaded afterwards
    assert "role_assignment" in touching_users[0] and "api_token" in touching_users[0]


def test_a_role_taken_away_counts_from_the_next_request(world):
    api = world.client_for("worker_a")
    case_id = api.post("/api/v1/cases", json=case_body()).get_json()["id"]
    assert api.get(f"/api/v1/cases/{case_id}").status_code == 200
    with world.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "worker_a"))
        db.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user_id))
        db.session.commit()
    assert api.get(f"/api/v1/cases/{case_id}").status_code == 404


def test_a_disabled_account_is_anonymous_at_once_with_a_token(world):
    secret = _token(world, "worker_a")
    client = world.app.test_client()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    with world.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "worker_a"))
        user.active = False
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_supervisor_sees_the_assigned_workers_name(world):
    case_id = world.client_for("worker_a").post("/api/v1/cases", json=case_body()).get_json()["id"]
    view = world.client_for("supervisor_a").get(f"/api/v1/cases/{case_id}").get_json()
    assert view["assigned_to"] == "worker_a"


def test_the_principal_reads_and_writes_through_to_the_user_row(world):
    from casework.accounts.principal import parse_grants, principal_columns

    with world.app.app_context():
        row = db.session.execute(
            select(*principal_columns()).where(User.username == "supervisor_a")
        ).one()
        grants = parse_grants(
            [["supervisor", str(world.units["00004"]), "00004", "X", "commune", "vn2:01/00004/"]]
        )
        principal = Principal(db.session, dict(row._mapping), grants)
        assert principal.role_names == {"supervisor"}
        # Not an ORM instance, and asking does not load the row (error handlers ask).
        assert inspect(principal, raiseerr=False) is None
        assert principal._record is None
        assert principal.roles[0].unit.path == "vn2:01/00004/"
        assert principal.is_authenticated and principal.get_id() == str(principal.id)
        # Not carried by the principal: read from the row, loaded on first use.
        assert principal.unit.code == "00004"
        principal.locale = "en"
        principal.failed_logins = 3
        db.session.commit()
        stored = db.session.scalar(select(User).where(User.username == "supervisor_a"))
        assert (stored.locale, stored.failed_logins) == ("en", 3)
        assert principal.locale == "en"
