"""When the work of a stage is due, so overdue cases show on lists and in statistics.

Calendar days: trafficking verification within 3 days (Law 53/2024). Working
days (Mon–Fri, Vietnamese public holidays skipped): the post-prison address
check within 3 working days (Decree 49/2020). Other stages use the due days in
their declaration (see `workflows.declarations.common`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from workflows.dates import add_working_days, local_date
from workflows.model import Workflow


def due_date(workflow: Workflow, stage_name: str, entered_at: datetime) -> date | None:
    """The last day to finish `stage_name` when the case entered it at `entered_at`.

    The day of entry is not counted (a report on Monday with 3 days is due
    Thursday). Returns None for a stage without a deadline.
    :raise KeyError: when the workflow has no such stage.
    """
    stage = workflow.stage(stage_name)
    if stage.due_days is None:
        return None
    start = local_date(entered_at)
    if stage.due_kind == "working":
        return add_working_days(start, stage.due_days)
    return start + timedelta(days=stage.due_days)


def is_overdue(workflow: Workflow, stage_name: str, entered_at: datetime, now: datetime) -> bool:
    """True once the due date has passed (the due day itself is still in time)."""
    due = due_date(workflow, stage_name, entered_at)
    return due is not None and local_date(now) > due
