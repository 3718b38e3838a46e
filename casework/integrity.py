"""``flask casework verify``: the data is whole — stages match history, audit chain holds,
every ciphertext decrypts (and every blind index matches its value), and no account holds a
case role on a credential an administrator could know."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from casework.accounts.role_requests import unvouched_case_accounts
from casework.audit.checkpoints import Checkpoint, verify_trail
from casework.cases.models import Case, CaseEvent
from casework.crypto import current_keyring
from casework.crypto.rotation import verify_all


def stage_history_mismatches(session: Session) -> list[str]:
    """Cases whose stage is not the target of their last history row."""
    last = (
        select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    event = aliased(CaseEvent)
    rows = session.execute(
        select(Case.reference, Case.stage, event.to_stage)
        .outerjoin(last, last.c.case_id == Case.id)
        .outerjoin(event, (event.case_id == Case.id) & (event.seq == last.c.seq))
        .where((event.to_stage.is_(None)) | (event.to_stage != Case.stage))
    )
    return [f"case {ref}: stage {stage} but history ends at {to}" for ref, stage, to in rows]


def verify_integrity(session: Session, checkpoint: Checkpoint | None = None) -> list[str]:
    """Every integrity problem, in words; the audit trail is checked against ``checkpoint``
    (the latest of the checkpoint file) when there is one."""
    problems = stage_history_mismatches(session)
    problems += verify_trail(session, checkpoint)
    problems += verify_all(session, current_keyring())
    problems += unvouched_case_accounts(session)
    return problems
