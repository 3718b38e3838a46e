"""Delivering notifications as background jobs: RQ on Redis, or in-process by default.

``notify`` writes a ``Delivery`` row per channel that reaches the recipient, in the caller's
transaction; once that transaction commits (``after_commit``), each delivery becomes a job:

- with ``CASEWORK_QUEUE_URL`` (Redis), a job on the ``casework-notifications`` queue of RQ,
  retried with back-off (``CASEWORK_NOTIFY_ATTEMPTS`` attempts in all); a worker started with
  ``flask --app wsgi notifications worker`` runs them;
- without it (the embedded default, ``make run``), right away in this process, with the same
  attempts, so nothing more need run.

Each attempt is counted on the row; after the last failed one the row is left ``dead`` with the
error's kind (never its text, which may quote an address): the dead-letter record
``flask notifications dead`` lists and ``flask notifications retry`` sends again.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.access import row_security
from casework.access.row_security import system_context
from casework.extensions import db
from casework.model_base import utcnow
from casework.notifications import channels
from casework.notifications.messages import render
from casework.notifications.models import Delivery

log = logging.getLogger(__name__)

QUEUE_NAME = "casework-notifications"
_PENDING = "casework.pending_deliveries"
DELIVERY_CONTEXT = "notifications: deliver messages to their recipients' channels"


def schedule(session: Session, delivery_id: uuid.UUID) -> None:
    """Hand ``delivery_id`` to the queue once ``session``'s transaction commits."""
    session.info.setdefault(_PENDING, []).append(str(delivery_id))


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        dispatch(current_app._get_current_object(), pending)
    except Exception:  # a message that cannot be queued stays pending; never fail the commit
        log.exception("could not dispatch %d notification deliveries", len(pending))


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install(session: Any) -> None:
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def queue(app: Flask) -> Any:
    """The RQ queue of ``CASEWORK_QUEUE_URL``."""
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["CASEWORK_QUEUE_URL"]))


def dispatch(app: Flask, delivery_ids: list[str]) -> None:
    """Queue the deliveries (RQ), or attempt them now until sent or dead (in-process)."""
    if app.config.get("CASEWORK_QUEUE_URL"):
        from rq import Retry

        attempts = app.config["CASEWORK_NOTIFY_ATTEMPTS"]
        intervals = [30 * 4**i for i in range(max(attempts - 1, 1))]  # 30 s, 2 min, 8 min, …
        jobs = queue(app)
        for delivery_id in delivery_ids:
            jobs.enqueue(
                "casework.notifications.delivery.run_job",
                delivery_id,
                retry=Retry(max=attempts - 1, interval=intervals) if attempts > 1 else None,
                job_timeout=60,
            )
        return
    session = db.session.session_factory()
    try:
        for delivery_id in delivery_ids:
            while attempt(session, app, delivery_id) == "pending":
                pass
    finally:
        session.close()


def run_job(delivery_id: str) -> str:
    """The RQ job: one attempt; raising makes RQ retry it (until the row is dead)."""
    outcome = attempt(db.session, current_app._get_current_object(), delivery_id)
    if outcome == "pending":
        raise RuntimeError("delivery failed; retried later")
    return outcome


def attempt(session: Session, app: Flask, delivery_id: str) -> str:
    """Try ``delivery_id`` once; commits and returns its state (``sent``, ``pending``, ``dead``,
    or ``gone`` for an unknown or settled row)."""
    from casework.accounts.models import User

    with row_security.using(session, system_context(DELIVERY_CONTEXT)):
        delivery = session.get(Delivery, uuid.UUID(delivery_id))
        if delivery is None or delivery.status != "pending":
            session.rollback()
            return "gone"
        notification = delivery.notification
        recipient = session.get(User, notification.recipient_id)
        channel = channels.by_name(app, delivery.channel)
        delivery.attempts += 1
        delivery.updated_at = utcnow()
        try:
            if channel is None:
                raise LookupError(f"channel {delivery.channel} is not configured")
            address = channel.address_of(recipient) if recipient and recipient.active else None
            if address is None:
                raise LookupError("the recipient has no address on this channel")
            language = recipient.locale or app.config.get("CASEWORK_LOCALE", "vi")
            channel.send(address, render(notification, app.config["CASEWORK_PUBLIC_URL"], language))
        except Exception as error:  # noqa: BLE001 - any failure of a channel is a failed attempt
            delivery.last_error = type(error).__name__[:200]
            if delivery.attempts >= app.config["CASEWORK_NOTIFY_ATTEMPTS"]:
                delivery.status = "dead"
                log.warning(
                    "notification delivery %s dead after %d attempts (%s)",
                    delivery.id,
                    delivery.attempts,
                    delivery.last_error,
                )
        else:
            delivery.status, delivery.last_error = "sent", None
        status = delivery.status
        session.commit()
        return status
