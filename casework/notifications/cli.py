"""``flask --app wsgi notifications …``: the daily reminder run, the queue worker, dead letters."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app

from casework.access.row_security import system_context
from casework.cli import CommandGroup, fail
from casework.extensions import db
from casework.model_base import vietnam_today
from casework.notifications import operations
from casework.notifications.delivery import DELIVERY_CONTEXT, QUEUE_NAME

notifications_cli = CommandGroup("notifications", help="Reminders and notification delivery.")


@notifications_cli.command(
    "daily",
    database=system_context("notifications daily: reminds every unit's workers of due steps"),
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="run as of this date")
def daily_command(today: date | None) -> None:
    """Remind workers of steps due within their lead time or overdue (run once a day, e.g.
    from cron at 07:00 Vietnam time)."""
    day = today.date() if today else vietnam_today()
    counts = operations.daily_reminders(db.session, day)
    db.session.commit()
    click.echo(f"reminders for {day.isoformat()}: {counts['due_soon']} due soon, "
               f"{counts['overdue']} overdue")


@notifications_cli.command("worker", database=system_context(DELIVERY_CONTEXT))
@click.option("--burst", is_flag=True, help="run the queued jobs, then stop")
def worker_command(burst: bool) -> None:
    """Run notification delivery jobs from CASEWORK_QUEUE_URL (RQ on Redis)."""
    if not current_app.config.get("CASEWORK_QUEUE_URL"):
        fail("CASEWORK_QUEUE_URL is not set: deliveries run in-process, no worker is needed")
    from rq import SimpleWorker

    from casework.notifications.delivery import queue

    jobs = queue(current_app)
    # SimpleWorker: jobs run in this process, inside its application context and database
    # context (a forked work horse would share the parent's database connections).
    worker = SimpleWorker([jobs], connection=jobs.connection, name=None)
    click.echo(f"notifications worker on queue {QUEUE_NAME}")
    worker.work(burst=burst, with_scheduler=True)


@notifications_cli.command(
    "dead", database=system_context("notifications dead: lists dead-lettered deliveries")
)
def dead_command() -> None:
    """List deliveries that failed every attempt (no address or text is shown)."""
    rows = operations.dead_letters(db.session)
    for delivery in rows:
        click.echo(
            f"{delivery.id} {delivery.channel} attempts={delivery.attempts} "
            f"error={delivery.last_error} at={delivery.updated_at.isoformat()}"
        )
    click.echo(f"{len(rows)} dead deliveries")


@notifications_cli.command(
    "retry", database=system_context("notifications retry: queues dead deliveries again")
)
def retry_command() -> None:
    """Queue every dead delivery again (after fixing the SMTP server, an address…)."""
    count = operations.retry_dead(db.session)
    db.session.commit()
    click.echo(f"{count} deliveries queued again")
