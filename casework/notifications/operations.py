"""What changes notifications: telling someone (``notify`` and the event hooks the case
operations call), the daily reminder run, a user reading their inbox, setting one's e-mail.

A notification is written in the caller's transaction — with the assignment, transition or
answer that caused it — and its deliveries are queued only once that transaction commits.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from casework.audit import trail
from casework.config import lead_days
from casework.errors import Invalid, NotFound
from casework.model_base import utcnow
from casework.notifications import channels
from casework.notifications.delivery import schedule
from casework.notifications.models import Delivery, Notification

INBOX_SIZE = 50


def notify(session: Session, recipient: Any, kind: str, case: Any) -> Notification:
    """Tell ``recipient`` that ``kind`` happened to ``case``: an inbox row, and a delivery per
    channel that reaches them (sent after the caller's transaction commits)."""
    notification = Notification(
        recipient_id=recipient.id,
        kind=kind,
        case_id=case.id,
        reference=case.reference,
        link=f"/cases/{case.id}",
        created_at=utcnow(),
    )
    session.add(notification)
    if recipient.active:
        for channel in channels.configured(current_app):
            if channel.address_of(recipient):
                delivery = Delivery(notification_id=notification.id, channel=channel.name)
                session.add(delivery)
                schedule(session, delivery.id)
    return notification


def _notify_user_id(
    session: Session, actor: Any, user_id: uuid.UUID | None, kind: str, case: Any
) -> None:
    from casework.accounts.models import User

    if user_id is None or user_id == actor.id:
        return  # nobody is told of what they did themselves
    user = session.get(User, user_id)
    if user is not None:
        notify(session, user, kind, case)


def case_assigned(session: Session, actor: Any, case: Any) -> None:
    """The case's worker was given it by someone else."""
    _notify_user_id(session, actor, case.assigned_worker_id, "assigned", case)


def _supervisors_of(session: Session, unit: Any) -> list[Any]:
    """Active supervisors of ``unit``'s own level, else of the nearest unit above that has any."""
    from casework.accounts.models import RoleAssignment, User
    from casework.units.models import Unit

    rows = session.execute(
        select(User, Unit.path)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Unit, RoleAssignment.unit_id == Unit.id)
        .where(
            User.active,
            RoleAssignment.role == "supervisor",
            Unit.path.in_(unit.ancestors_paths()),
        )
    ).all()
    if not rows:
        return []
    nearest = max(len(path) for _user, path in rows)
    return list({user.id: user for user, path in rows if len(path) == nearest}.values())


def case_event(session: Session, actor: Any, case: Any, event_name: str) -> None:
    """Hook of ``casework.cases.transitions.fire``: who is told of ``event_name`` on ``case``."""
    if event_name == "request_transfer" and case.transfer_to_unit is not None:
        for supervisor in _supervisors_of(session, case.transfer_to_unit):
            if supervisor.id != actor.id:
                notify(session, supervisor, "transfer_requested", case)
    elif event_name == "approve_closure":
        _notify_user_id(session, actor, case.assigned_worker_id, "closure_approved", case)
    elif event_name == "return_closure":
        _notify_user_id(session, actor, case.assigned_worker_id, "closure_returned", case)


def referral_answered(session: Session, actor: Any, referral: Any) -> None:
    """The provider's answer (accepted, refused) was recorded: the sender is told."""
    _notify_user_id(session, actor, referral.sent_by_id, "referral_answered", referral.case)


# --- the daily run -------------------------------------------------------------------------------


def daily_reminders(session: Session, today: date) -> dict[str, int]:
    """Remind each open case's worker of a step due within its lead time (``due_soon``) or past
    due (``overdue``), at most once a day per case and kind. Returns counts per kind."""
    from casework.cases.models import Case

    default, per_stage = lead_days(current_app.config["CASEWORK_REMINDER_LEAD_DAYS"])
    horizon = today + timedelta(days=max([default, *per_stage.values()]))
    cases = session.scalars(
        select(Case).where(
            Case.stage != "closed",
            Case.assigned_worker_id.is_not(None),
            Case.due_on.is_not(None),
            Case.due_on <= horizon,
        )
    ).all()
    since = utcnow() - timedelta(hours=20)
    already = {
        (case_id, kind)
        for case_id, kind in session.execute(
            select(Notification.case_id, Notification.kind).where(
                Notification.created_at >= since,
                Notification.kind.in_(("due_soon", "overdue")),
            )
        )
    }
    from casework.accounts.models import User

    counts = {"due_soon": 0, "overdue": 0}
    for case in cases:
        lead = per_stage.get(case.stage, default)
        if case.due_on < today:
            kind = "overdue"
        elif lead and today < case.due_on <= today + timedelta(days=lead):
            kind = "due_soon"
        else:
            continue
        if (case.id, kind) in already:
            continue
        worker = session.get(User, case.assigned_worker_id)
        if worker is None or not worker.active:
            continue
        notify(session, worker, kind, case)
        counts[kind] += 1
    trail.record(session, "notifications.daily", object_type="notifications", **counts)
    return counts


# --- the inbox -----------------------------------------------------------------------------------


def inbox(session: Session, user: Any, unread_only: bool = False) -> tuple[list[Notification], int]:
    """The user's latest notifications (newest first) and how many are unread."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    items = list(
        session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id).limit(INBOX_SIZE)
        )
    )
    unread = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    )
    return items, int(unread or 0)


def mark_read(session: Session, user: Any, notification_id: uuid.UUID | str) -> Notification:
    """:raise NotFound: no notification of this user has that id (someone else's included)."""
    try:
        key = uuid.UUID(str(notification_id))
    except ValueError:
        raise NotFound() from None
    notification = session.scalar(
        select(Notification).where(Notification.id == key, Notification.recipient_id == user.id)
    )
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        trail.record(
            session,
            "notification.read",
            actor=user,
            object_type="notification",
            object_id=notification.id,
        )
    return notification


def mark_all_read(session: Session, user: Any) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    if count:
        trail.record(
            session, "notification.read_all", actor=user, object_type="notification", count=count
        )
    return count


def set_email(session: Session, actor: Any, user: Any, email: str | None) -> None:
    """Set (or clear, with ``None``) where ``user``'s notifications are e-mailed; stored
    encrypted. Only the user themselves sets it here.

    :raise Invalid: not an e-mail address.
    """
    if email is not None:
        email = email.strip()
        malformed = "@" not in email.strip("@") or any(c.isspace() for c in email)
        if not email or len(email) > 254 or malformed:
            raise Invalid(errors={"email": [_("Not an e-mail address.")]})
    user.email = email or None
    session.flush()
    trail.record(
        session,
        "user.email",
        actor=actor,
        object_type="user",
        object_id=user.id,
        set=email is not None,
    )


def dead_letters(session: Session) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery).where(Delivery.status == "dead").order_by(Delivery.updated_at)
        )
    )


def retry_dead(session: Session) -> int:
    """Put every dead delivery back to pending (its attempts reset) and queue it again."""
    rows = dead_letters(session)
    for delivery in rows:
        delivery.status, delivery.attempts, delivery.updated_at = "pending", 0, utcnow()
        schedule(session, delivery.id)
    if rows:
        trail.record(session, "notifications.retry", object_type="notifications", count=len(rows))
    return len(rows)
