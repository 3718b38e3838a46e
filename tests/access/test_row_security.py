"""Row-level security on PostgreSQL: the database scopes rows about people by itself.

The adversary here is the application's own mistake — an endpoint that forgets the scoping
helper. A test route runs deliberately unscoped SQL inside a real request (login, caller
resolution, the request's single commit) and the database must still answer only with what the
caller's units may see. On SQLite, which has no row-level security, the application's scoping
stays the only guard (the last test says so).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from casework.access import row_security
from casework.access.database_roles import connection_problems
from casework.access.row_policies import CASE_TABLES, CaseTable
from casework.access.row_security import NOBODY, system_context
from casework.cases.models import Case
from casework.extensions import db
from tests.conftest import World, case_body, owner_url

postgresql_only = pytest.mark.skipif(
    not __import__("os").environ.get("CASEWORK_TEST_DATABASE_URL"),
    reason="row-level security is PostgreSQL's; SQLite keeps the application's scoping only",
)

COMMUNE_A, COMMUNE_B, HCM = "00004", "00008", "26734"


@pytest.fixture()
def app(own_app: Flask) -> Flask:
    """This module adds a route to the application: one of its own, not the shared one."""
    return own_app


@pytest.fixture()
def raw(world: World) -> World:
    """A route that runs the SQL it is given inside a request, as its caller, unscoped."""

    def run() -> Any:
        params = {k: v for k, v in request.args.items() if k != "sql"}
        try:
            result = db.session.execute(text(request.args["sql"]), params)
        except DBAPIError as exc:
            db.session.rollback()
            return jsonify(error=str(exc.orig).splitlines()[0]), 422
        rows = [[str(value) for value in row] for row in result] if result.returns_rows else []
        return jsonify(rows=rows, rowcount=result.rowcount)

    world.app.add_url_rule("/__test__/sql", "test_raw_sql", run)
    return world


def sql(client: Any, statement: str, **params: Any) -> Any:
    response = client.get("/__test__/sql", query_string={"sql": statement, **params})
    return response.get_json()


def ids(client: Any, statement: str, **params: Any) -> set[str]:
    body = sql(client, statement, **params)
    assert "rows" in body, body
    return {row[0] for row in body["rows"]}


def _open(world: World, username: str, unit: str, national_id: str) -> str:
    api = world.client_for(username)
    response = api.post(
        "/api/v1/cases",
        json=case_body(unit=unit, national_id=national_id, phone=f"09{national_id[-8:]}"),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _hang_records_on(world: World, case_id: str, username: str) -> None:
    """One row of every table that hangs on a case, written directly (the harness context)."""
    from casework.access.models import IdentityReveal
    from casework.accounts.models import User
    from casework.notifications.models import Notification
    from casework.programme.models import GroupMember, ProgrammeGroup
    from casework.rights.models import ErasureRequest
    from casework.services.models import CaseImport, CaseNote, Consent, Referral, SupportItem

    with world.app.app_context():
        key = uuid.UUID(case_id)
        case = db.session.get(Case, key)
        user = db.session.scalar(db.select(User).where(User.username == username))
        today = date(2026, 3, 2)
        db.session.add_all(
            [
                CaseNote(case_id=key, kind="home_visit", occurred_on=today, content="thăm nhà"),
                SupportItem(case_id=key, kind="vocational_training", planned_on=today),
                Consent(case_id=key, scope="data_sharing", decision="given", decided_on=today),
                Referral(case_id=key, service_kind="vocational_training"),
                IdentityReveal(
                    user_id=user.id, case_id=key, reason="cần xác minh danh tính",
                    expires_at=datetime.now(UTC) + timedelta(hours=8),
                ),
                CaseImport(case_type="post_rehab", unit_id=case.unit_id, created_by_id=user.id),
                # Per recipient: each commune's worker is told of their own commune's case.
                Notification(
                    recipient_id=user.id, kind="assigned", case_id=key,
                    reference=case.reference, link=f"/cases/{key}",
                ),
                ErasureRequest(person_id=case.person_id, reason="other", requested_by_id=user.id),
            ]
        )
        group = ProgrammeGroup(unit_id=case.unit_id, kind="club", name="CLB", active=True)
        db.session.add(group)
        db.session.flush()
        db.session.add(GroupMember(group_id=group.id, unit_id=case.unit_id, case_id=key,
                                   role="member", joined_on=today))
        db.session.commit()
        db.session.remove()


@pytest.fixture()
def communes(raw: World) -> dict[str, str]:
    """A case with a record in every table in each of three communes (two in Hà Nội)."""
    opened = {
        COMMUNE_A: _open(raw, "worker_a", COMMUNE_A, "001094000001"),
        COMMUNE_B: _open(raw, "worker_b", COMMUNE_B, "001094000002"),
        HCM: _open(raw, "worker_hcm", HCM, "079094000003"),
    }
    for code, username in ((COMMUNE_A, "worker_a"), (COMMUNE_B, "worker_b"), (HCM, "worker_hcm")):
        _hang_records_on(raw, opened[code], username)
    return opened


def _owning_unit_sql(table: CaseTable) -> str:
    """SQL: each row of ``table`` with the unit of the case it reaches (read as the system)."""
    if table.reach == "case":
        return "SELECT id, unit_id FROM case_file"
    if table.reach == "person":
        return "SELECT p.id, c.unit_id FROM person p JOIN case_file c ON c.person_id = p.id"
    if table.reach == "recipient":
        return (
            f"SELECT t.id, c.unit_id FROM {table.name} t JOIN case_file c ON c.id = t.case_id"
        )
    if table.reach == "via_person":
        return (
            f"SELECT t.id, c.unit_id FROM {table.name} t "
            f"JOIN case_file c ON c.person_id = t.{table.column}"
        )
    if table.reach == "via_case":
        return (
            f"SELECT t.id, c.unit_id FROM {table.name} t "
            f"JOIN case_file c ON c.id = t.{table.column}"
        )
    return f"SELECT id, {table.column} FROM {table.name}"


def _rows_by_unit(world: World, table: CaseTable) -> dict[str, set[str]]:
    by_unit: dict[str, set[str]] = {}
    with world.app.app_context():
        for row_id, unit_id in db.session.execute(text(_owning_unit_sql(table))):
            by_unit.setdefault(str(unit_id), set()).add(str(row_id))
        db.session.remove()
    return by_unit


# --- what a commune worker's request sees ------------------------------------------------------


@postgresql_only
def test_an_unscoped_select_in_a_commune_workers_request_returns_only_that_commune(
    raw, communes
):
    everything = ids(raw.client_for("supervisor_province"), "SELECT id FROM case_file")
    worker = raw.client_for("worker_a")
    assert ids(worker, "SELECT id FROM case_file") == {communes[COMMUNE_A]}
    assert len(sql(worker, "SELECT * FROM case_file")["rows"]) == 1
    # The province's supervisor sees both Hà Nội communes and not Hồ Chí Minh City's.
    assert everything == {communes[COMMUNE_A], communes[COMMUNE_B]}


@postgresql_only
@pytest.mark.parametrize("table", CASE_TABLES, ids=lambda t: t.name)
def test_every_table_about_people_shows_a_commune_worker_only_their_communes_rows(
    raw, communes, table
):
    by_unit = _rows_by_unit(raw, table)
    own = by_unit.get(str(raw.units[COMMUNE_A]), set())
    elsewhere = set().union(*(rows for unit, rows in by_unit.items()
                              if unit != str(raw.units[COMMUNE_A])))
    assert own and elsewhere, f"the fixture must put rows of {table.name} in several communes"
    seen = ids(raw.client_for("worker_a"), f"SELECT id FROM {table.name}")
    assert seen == own


@postgresql_only
def test_a_neighbours_rows_are_invisible_even_by_their_ids(raw, communes):
    worker = raw.client_for("worker_a")
    neighbour = communes[COMMUNE_B]
    assert ids(worker, "SELECT id FROM case_file WHERE id = :id", id=neighbour) == set()
    assert ids(worker, "SELECT id FROM case_event WHERE case_id = :id", id=neighbour) == set()
    assert ids(
        worker,
        "SELECT p.id FROM person p JOIN case_file c ON c.person_id = p.id WHERE c.id = :id",
        id=neighbour,
    ) == set()
    # …and the API answers 404, as for an id that does not exist.
    assert worker.get(f"/api/v1/cases/{neighbour}").status_code == 404


@postgresql_only
def test_an_insert_of_a_case_into_another_commune_is_refused(raw, communes):
    worker = raw.client_for("worker_a")
    columns = [c.name for c in Case.__table__.columns if c.name not in ("id", "reference")]
    copied = ", ".join(c if c not in ("unit_id", "recorded_unit_id") else ":unit" for c in columns)
    insert = (
        f"INSERT INTO case_file (id, reference, {', '.join(columns)}) "
        f"SELECT CAST(:new_id AS uuid), :reference, {copied} FROM case_file WHERE id = :source"
    )
    into_neighbour = sql(worker, insert, new_id=str(uuid.uuid4()), reference="HS-X-1",
                         unit=str(raw.units[COMMUNE_B]), source=communes[COMMUNE_A])
    assert "row-level security" in into_neighbour.get("error", ""), into_neighbour
    # The same statement into the worker's own commune is accepted: only the unit was wrong.
    at_home = sql(worker, insert, new_id=str(uuid.uuid4()), reference="HS-X-2",
                  unit=str(raw.units[COMMUNE_A]), source=communes[COMMUNE_A])
    assert at_home == {"rows": [], "rowcount": 1}


@postgresql_only
def test_a_worker_can_neither_move_a_case_away_nor_touch_a_neighbours(raw, communes):
    worker = raw.client_for("worker_a")
    moved = sql(worker, "UPDATE case_file SET unit_id = :unit WHERE id = :id",
                unit=str(raw.units[COMMUNE_B]), id=communes[COMMUNE_A])
    assert "row-level security" in moved.get("error", ""), moved
    touched = sql(worker, "UPDATE case_file SET stage = 'closed' WHERE id = :id",
                  id=communes[COMMUNE_B])
    assert touched == {"rows": [], "rowcount": 0}
    history = sql(
        worker,
        "INSERT INTO case_event (id, case_id, seq, event, to_stage, unit_id, at, data, forced) "
        "VALUES (CAST(:id AS uuid), CAST(:case AS uuid), 99, 'correct_stage', 'closed', "
        "CAST(:unit AS uuid), now(), '{}', true)",
        id=str(uuid.uuid4()), case=communes[COMMUNE_B], unit=str(raw.units[COMMUNE_B]),
    )
    assert "row-level security" in history.get("error", ""), history
    deleted = sql(worker, "DELETE FROM case_note WHERE case_id = :id", id=communes[COMMUNE_B])
    assert deleted == {"rows": [], "rowcount": 0}


@postgresql_only
@pytest.mark.parametrize("username", [None, "administrator", "auditor", "statistician"])
def test_callers_without_a_case_role_see_no_row_about_a_person(raw, communes, username):
    client = raw.client_for(username) if username else raw.app.test_client()
    for table in CASE_TABLES:
        assert ids(client, f"SELECT id FROM {table.name}") == set(), table.name


@postgresql_only
def test_without_a_context_nothing_is_visible_and_the_setting_ends_with_its_transaction(
    raw, communes
):
    raw.client_for("worker_a").get("/__test__/sql", query_string={"sql": "SELECT 1"})
    with raw.app.app_context():
        row_security.set_default_outside_requests(raw.app, NOBODY)
        try:
            # A pooled connection, maybe the one the worker's request just used.
            leftover = db.session.execute(
                text("SELECT current_setting('casework.context', true), "
                     "current_setting('casework.unit_paths', true)")
            ).one()
            assert not leftover[0] and not leftover[1]
            assert db.session.scalar(text("SELECT count(*) FROM case_file")) == 0
            assert db.session.scalar(text("SELECT count(*) FROM person")) == 0
            with row_security.using(db.session, system_context("a test counting everything")):
                assert db.session.scalar(text("SELECT count(*) FROM case_file")) == 3
            assert db.session.scalar(text("SELECT count(*) FROM case_file")) == 0
        finally:
            db.session.remove()
            row_security.set_default_outside_requests(
                raw.app, system_context("test harness: restored")
            )


@postgresql_only
def test_a_command_that_declares_no_context_sees_nothing(raw, communes):
    import click

    from casework.cli import CommandGroup

    group = CommandGroup("rls-probe")

    @group.command("count")
    def count() -> None:
        click.echo(db.session.scalar(text("SELECT count(*) FROM case_file")))

    @group.command("count-all", database=system_context("a test counting everything"))
    def count_all() -> None:
        click.echo(db.session.scalar(text("SELECT count(*) FROM case_file")))

    raw.app.cli.add_command(group)
    runner = raw.app.test_cli_runner()
    assert runner.invoke(args=["rls-probe", "count"]).output.strip() == "0"
    assert runner.invoke(args=["rls-probe", "count-all"]).output.strip() == "3"


@postgresql_only
def test_the_statistics_refresh_counts_every_case_though_a_statistician_sees_no_row(
    raw, communes
):
    statistician = raw.client_for("statistician")
    assert ids(statistician, "SELECT id FROM case_file") == set()
    result = raw.app.test_cli_runner().invoke(args=["stats", "refresh", "--quiet"])
    assert result.exit_code == 0, result.output
    with raw.app.app_context():
        opened = dict(
            db.session.execute(
                text("SELECT unit_path, sum(n) FROM stat_fact WHERE measure = 'new_cases' "
                     "AND col = 'post_rehab' GROUP BY unit_path")
            ).all()
        )
        db.session.remove()
    assert opened["vn2:01/"] == 2 and opened["vn2:79/"] == 1
    assert opened["vn2:01/00004/"] == 1 and opened["vn2:01/00008/"] == 1
    # The statistician's report is computed in the statistics context: it answers.
    report = statistician.get("/api/v1/stats/indicators?unit=01&period=2026")
    assert report.status_code == 200, report.get_json()


@postgresql_only
def test_a_refused_transfer_goes_back_to_the_sending_commune_out_of_the_receivers_sight(
    raw, communes
):
    case_id = communes[COMMUNE_A]
    sender, receiver = raw.client_for("worker_a"), raw.client_for("supervisor_b")
    asked = sender.post(f"/api/v1/cases/{case_id}/transitions",
                        json={"event": "request_transfer", "to_unit": COMMUNE_B})
    assert asked.status_code == 200, asked.get_json()
    # Offered to commune B: its supervisor sees the case, and only that one of commune A's.
    assert ids(receiver, "SELECT id FROM case_file") == {case_id, communes[COMMUNE_B]}
    refused = receiver.post(f"/api/v1/cases/{case_id}/transitions",
                            json={"event": "refuse_transfer", "reason": "không đủ điều kiện"})
    assert refused.status_code == 200, refused.get_json()
    assert ids(receiver, "SELECT id FROM case_file") == {communes[COMMUNE_B]}
    assert case_id in ids(sender, "SELECT id FROM case_file")
    assert ids(sender, "SELECT event FROM case_event WHERE case_id = :id", id=case_id) >= {
        "request_transfer", "refuse_transfer"}


@postgresql_only
def test_an_identity_lookup_admits_only_its_buckets_and_only_for_the_lookup(raw, communes):
    from casework.accounts.models import User
    from casework.people.models import Person

    with raw.app.app_context():
        theirs = db.session.scalar(
            db.select(Person).join(Case, Case.person_id == Person.id)
            .where(Case.id == uuid.UUID(communes[COMMUNE_B]))
        )
        bucket = theirs.national_id_bi
        worker = db.session.scalar(db.select(User).where(User.username == "worker_a"))
        db.session.remove()
        with raw.app.test_request_context():
            row_security.bind_caller(db.session, worker)
            count = "SELECT count(*) FROM case_file"
            assert db.session.scalar(text(count)) == 1
            notes = "SELECT count(*) FROM case_note"
            assert db.session.scalar(text(notes)) == 1
            with row_security.identity_lookup(db.session, [bucket], []):
                assert db.session.scalar(text(count)) == 2
                # The candidates only: nothing that hangs on a case, the neighbour's notes
                # least of all, is read while a lookup is open.
                assert db.session.scalar(text(notes)) == 0
            assert db.session.scalar(text(count)) == 1
            assert db.session.scalar(text(notes)) == 1
            db.session.remove()
    # Through the API: the duplicate elsewhere is counted, never described.
    duplicate = raw.client_for("worker_a").post(
        "/api/v1/cases", json=case_body(national_id="001094000002", full_name="Lê Thị Hạnh")
    )
    assert duplicate.status_code == 201, duplicate.get_json()
    assert communes[COMMUNE_B] not in str(duplicate.get_json())


# --- the policies themselves and the roles -----------------------------------------------------


def test_every_table_referring_to_a_case_or_a_person_is_declared(app):
    declared = {t.name for t in CASE_TABLES}
    referring = {
        table.name
        for table in db.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name in ("case_file", "person")
    }
    assert referring - declared == set()


@postgresql_only
def test_row_level_security_is_forced_with_four_policies_on_every_declared_table(app):
    with app.app_context():
        for table in CASE_TABLES:
            forced = db.session.execute(
                text("SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                     "WHERE relname = :t"), {"t": table.name}
            ).one()
            assert tuple(forced) == (True, True), table.name
            policies = db.session.scalar(
                text("SELECT count(*) FROM pg_policies WHERE tablename = :t"), {"t": table.name}
            )
            assert policies == 4, table.name
        db.session.remove()


@postgresql_only
def test_the_service_role_is_bound_by_row_level_security_and_the_owner_is_not(app, owner_app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection_problems(connection) == []
        with pytest.raises(DBAPIError, match="permission denied"):
            connection.execute(text("UPDATE audit_event SET action = 'x'"))
    with owner_app.app_context(), db.engine.connect() as connection:
        assert any("superuser" in p for p in connection_problems(connection))


@postgresql_only
def test_grants_prints_the_statements_and_refuses_a_role_that_bypasses_them(owner_app):
    runner = owner_app.test_cli_runner()
    printed = runner.invoke(args=["casework", "grants", "--role", "casework_app"])
    assert printed.exit_code == 0
    assert "NOBYPASSRLS" in printed.output
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON audit_event" in printed.output
    refused = runner.invoke(args=["casework", "grants", "--role", "postgres", "--apply"])
    assert refused.exit_code == 1 and "BYPASSRLS" in refused.output
    missing = runner.invoke(args=["casework", "grants", "--role", "nobody_here", "--apply"])
    assert missing.exit_code == 1 and "no role nobody_here" in missing.output


def test_sqlite_keeps_the_application_scoping_only(raw, communes):
    if raw.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL enforces row-level security (the tests above)")
    # No row-level security: an unscoped query sees every commune, which is why every query
    # of the application goes through the scoping helper (tests/access/test_matrix.py).
    assert len(ids(raw.client_for("worker_a"), "SELECT id FROM case_file")) == 3
    assert owner_url(raw.app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")


@postgresql_only
def test_a_notification_is_read_by_its_recipient_only_even_in_the_same_commune(raw, communes):
    mine = ids(raw.client_for("worker_a"), "SELECT id FROM notification")
    assert len(mine) == 1
    for colleague in ("worker_a2", "supervisor_a", "supervisor_province"):
        assert ids(raw.client_for(colleague), "SELECT id FROM notification") == set()
