"""Notifications: who is told of what, the inbox, e-mail through a real SMTP server, the
Zalo/SMS adapter through a fake, retries and dead letters, and the RQ queue on Redis."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.notifications import channels
from casework.notifications.models import Delivery, Notification
from tests.conftest import case_body

QUEUE_URL = os.environ.get("CASEWORK_TEST_QUEUE_URL", "redis://127.0.0.1:6379/5")


def open_case(api: Any, **body: Any) -> dict[str, Any]:
    response = api.post("/api/v1/cases", json={**case_body(**body.pop("person", {})), **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def inbox(api: Any) -> dict[str, Any]:
    response = api.get("/api/v1/notifications")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def set_email(api: Any, email: str | None) -> None:
    response = api.put("/api/v1/notifications/email", json={"email": email})
    assert response.status_code == 200, response.get_json()


def run_daily(app: Any, today: date) -> str:
    result = app.test_cli_runner().invoke(
        args=["notifications", "daily", "--today", today.isoformat()]
    )
    assert result.exit_code == 0, result.output
    return result.output


class FakeGateway:
    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_times = fail_times

    def __call__(self, address: str, text: str) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("gateway down")
        self.sent.append((address, text))


@pytest.fixture()
def zalo(app: Any):
    gateway = FakeGateway()
    channel = channels.ZaloSmsChannel(gateway, directory=lambda user: f"zalo:{user.username}")
    channels.register(app, channel)
    yield gateway
    channels.unregister(app, channel)


def test_a_worker_is_told_of_a_case_assigned_to_them(world: Any) -> None:
    supervisor = world.client_for("supervisor_a")
    case = open_case(supervisor, assigned_to="worker_a")
    worker = world.client_for("worker_a")
    box = inbox(worker)
    assert box["unread"] == 1
    [item] = box["items"]
    assert item["kind"] == "assigned"
    assert item["reference"] == case["reference"]
    assert item["link"] == f"/cases/{case['id']}"
    assert "Hoa" not in item["title"] and case["reference"] in item["title"]
    assert inbox(world.client_for("worker_a2"))["items"] == []
    assert inbox(supervisor)["items"] == []  # nobody is told of what they did themselves


def test_a_worker_opening_their_own_case_is_not_notified(world: Any) -> None:
    worker = world.client_for("worker_a")
    open_case(worker)
    assert inbox(worker)["items"] == []


def test_marking_read_one_and_all(world: Any) -> None:
    supervisor = world.client_for("supervisor_a")
    open_case(supervisor, assigned_to="worker_a")
    open_case(supervisor, assigned_to="worker_a", person={"national_id": "001194099999",
                                                          "phone": "0912000111"})
    worker = world.client_for("worker_a")
    first, _second = inbox(worker)["items"]
    response = worker.post(f"/api/v1/notifications/{first['id']}/read")
    assert response.status_code == 200 and response.get_json()["read_at"]
    assert inbox(worker)["unread"] == 1
    assert worker.post("/api/v1/notifications/read-all").get_json() == {"marked": 1}
    assert inbox(worker)["unread"] == 0


def test_nobody_reads_or_marks_someone_elses_notification(world: Any) -> None:
    open_case(world.client_for("supervisor_a"), assigned_to="worker_a")
    [item] = inbox(world.client_for("worker_a"))["items"]
    other = world.client_for("worker_a2")
    assert other.post(f"/api/v1/notifications/{item['id']}/read").status_code == 404
    assert other.post("/api/v1/notifications/not-a-uuid/read").status_code == 404
    assert inbox(world.client_for("worker_a"))["items"][0]["read_at"] is None


def test_the_receiving_units_supervisor_is_told_of_a_transfer_request(world: Any) -> None:
    worker = world.client_for("worker_a")
    case = open_case(worker)
    response = worker.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={"event": "request_transfer", "to_unit": "00008", "reason": "chuyển nhà"},
    )
    assert response.status_code == 200, response.get_json()
    [item] = inbox(world.client_for("supervisor_b"))["items"]
    assert item["kind"] == "transfer_requested" and item["reference"] == case["reference"]
    assert inbox(world.client_for("supervisor_a"))["items"] == []


def test_an_e_mail_address_is_stored_encrypted(world: Any, app: Any) -> None:
    from casework.accounts.models import User

    worker = world.client_for("worker_a")
    set_email(worker, "hoa.worker@example.vn")
    refused = worker.put("/api/v1/notifications/email", json={"email": "no at sign"})
    assert refused.status_code == 422
    with app.app_context():
        raw = db.session.execute(
            select(User.__table__.c.email_ct).where(User.username == "worker_a")
        ).scalar_one()
        assert raw and b"example.vn" not in raw
        user = db.session.scalar(select(User).where(User.username == "worker_a"))
        assert user.email == "hoa.worker@example.vn"


def test_a_reminder_for_a_due_trafficking_verification_arrives_by_e_mail(
    world: Any, app: Any, smtp_server: Any
) -> None:
    worker = world.client_for("worker_a")
    set_email(worker, "worker.a@example.vn")
    case = open_case(worker, case_type="trafficking_victim")
    assert case["stage"] == "identified"  # three days to verify
    due = date.fromisoformat(case["due_on"])
    assert run_daily(app, due - timedelta(days=3)).startswith(
        f"reminders for {(due - timedelta(days=3)).isoformat()}: 0 due soon"
    )
    assert smtp_server.messages == []
    output = run_daily(app, due - timedelta(days=1))
    assert "1 due soon" in output
    [mail] = smtp_server.messages
    assert mail["X-Envelope-To"] == "worker.a@example.vn"
    assert case["reference"] in mail["Subject"]
    body = mail.get_content()
    assert f"https://casework.example.vn/cases/{case['id']}" in body
    for personal in ("Nguyễn", "Hoa", "001194012345", "0912345678"):
        assert personal not in body and personal not in mail["Subject"]
    run_daily(app, due - timedelta(days=1))  # the same day again: no second reminder
    assert len(smtp_server.messages) == 1
    run_daily(app, due + timedelta(days=1))
    assert len(smtp_server.messages) == 2 and "quá hạn" in smtp_server.messages[1]["Subject"]
    kinds = [n["kind"] for n in inbox(worker)["items"]]
    assert sorted(kinds) == ["due_soon", "overdue"]
    with app.app_context():
        assert {d.status for d in db.session.scalars(select(Delivery))} == {"sent"}


def test_the_lead_time_is_configurable_per_stage(world: Any, app: Any) -> None:
    app.config["CASEWORK_REMINDER_LEAD_DAYS"] = "1,identified=2"
    worker = world.client_for("worker_a")
    case = open_case(worker, case_type="trafficking_victim")
    due = date.fromisoformat(case["due_on"])
    assert "1 due soon" in run_daily(app, due - timedelta(days=2))


def test_a_user_without_an_address_gets_the_inbox_only(
    world: Any, app: Any, smtp_server: Any
) -> None:
    open_case(world.client_for("supervisor_a"), assigned_to="worker_a")
    assert len(inbox(world.client_for("worker_a"))["items"]) == 1
    assert smtp_server.messages == []
    with app.app_context():
        assert db.session.scalars(select(Delivery)).all() == []


def test_the_zalo_sms_adapter_sends_reference_and_link_only(world: Any, zalo: Any) -> None:
    case = open_case(world.client_for("supervisor_a"), assigned_to="worker_a")
    [(address, text)] = zalo.sent
    assert address == "zalo:worker_a"
    assert case["reference"] in text and f"/cases/{case['id']}" in text and "Hoa" not in text


def test_a_failing_channel_is_retried_then_dead_lettered(world: Any, app: Any, zalo: Any) -> None:
    zalo.fail_times = 99
    open_case(world.client_for("supervisor_a"), assigned_to="worker_a")
    with app.app_context():
        [delivery] = db.session.scalars(select(Delivery)).all()
        assert delivery.status == "dead"
        assert delivery.attempts == app.config["CASEWORK_NOTIFY_ATTEMPTS"]
        assert delivery.last_error == "ConnectionError"
    result = app.test_cli_runner().invoke(args=["notifications", "dead"])
    assert "1 dead deliveries" in result.output and "zalo:" not in result.output
    zalo.fail_times = 0
    result = app.test_cli_runner().invoke(args=["notifications", "retry"])
    assert "1 deliveries queued again" in result.output
    assert len(zalo.sent) == 1
    with app.app_context():
        assert db.session.scalars(select(Delivery.status)).all() == ["sent"]


def test_a_transient_failure_is_retried_until_sent(world: Any, app: Any, zalo: Any) -> None:
    zalo.fail_times = 2
    open_case(world.client_for("supervisor_a"), assigned_to="worker_a")
    with app.app_context():
        [delivery] = db.session.scalars(select(Delivery)).all()
        assert (delivery.status, delivery.attempts) == ("sent", 3)


@pytest.fixture()
def redis_queue(app: Any):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(QUEUE_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {QUEUE_URL}")
    connection.flushdb()
    app.config["CASEWORK_QUEUE_URL"] = QUEUE_URL
    yield connection
    connection.flushdb()


def test_with_a_queue_deliveries_wait_for_the_worker(
    world: Any, app: Any, zalo: Any, redis_queue: Any
) -> None:
    case = open_case(world.client_for("supervisor_a"), assigned_to="worker_a")
    assert zalo.sent == []  # queued on Redis, not sent by the request
    with app.app_context():
        assert db.session.scalars(select(Delivery.status)).all() == ["pending"]
    result = app.test_cli_runner().invoke(args=["notifications", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert len(zalo.sent) == 1 and case["reference"] in zalo.sent[0][1]
    with app.app_context():
        assert db.session.scalars(select(Delivery.status)).all() == ["sent"]
        assert db.session.scalars(select(Notification.kind)).all() == ["assigned"]


def test_the_worker_refuses_to_start_without_a_queue(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["notifications", "worker", "--burst"])
    assert result.exit_code == 1 and "CASEWORK_QUEUE_URL" in result.output
