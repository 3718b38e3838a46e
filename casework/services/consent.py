"""Consent records: what a person agreed to, when, and what their withdrawal stops.

Scopes: ``processing`` (their case being worked on), ``sharing_<provider kind>`` (personal data
going to a vocational school, an employer, a clinic…) and ``statistics``. Each decision is a new
row; the latest per scope is marked ``is_current``, and history is never edited. Law 91/2025
makes consent explicit and never a default: no scope is ever assumed given.

What withdrawal does, at once, in the transaction that records it:

- ``sharing_<kind>``: no new referral sharing personal data with that kind of provider is
  accepted (``has_consent`` is false; only a supervisor's audited override remains). Open
  referrals that share data with that kind stop too: one still ``sent`` is revoked (nothing more
  goes out; ``revoked_because = "consent_withdrawn"``); one already ``accepted`` is flagged
  (``consent_withdrawn_at``) so the worker tells the provider to stop using the data.
- ``processing``: the case's coded ``consent_given`` becomes false, which the workflow guards read
  (no verification without consent). The case itself is not closed automatically: for
  post-rehab and post-prison cases management is a legal duty, not a matter of consent, and for
  a voluntary type the worker closes it with the reason ``declined_support``.
- ``statistics``: see below.

Statistics. The mandated periodic reports (monthly, 6-monthly, yearly counts and indicators)
keep counting the person. Those figures are anonymised aggregates with small cells suppressed,
so they are no longer personal data; producing them is a reporting duty the law gives the state
body, which Law 91/2025 allows without consent; and removing people who withdraw — often the ones
who disengaged — from the denominators would overstate the seeds' "≥80% connected" targets.
What withdrawal does take the person out of, from the day it is recorded, is every statistical
extract that is optional or finer than those reports: research or donor datasets, person-level
(even de-identified) extracts, ad-hoc breakdowns. ``statistics_withdrawn()`` is the SQL condition
the stats package filters such extracts with. Reports already produced are not changed:
withdrawal is not retroactive.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.audit import trail
from casework.cases.models import Case
from casework.errors import Conflict, Invalid
from casework.model_base import utcnow, vietnam_today
from casework.services.models import Consent, Referral, ServiceProvider
from casework.services.vocabulary import REFERRAL_OPEN, SHARING_PREFIX


def has_consent(session: Session, case: Case, scope: str) -> Consent | None:
    """The current consent *given* for ``scope`` on ``case``, or None (never given, withdrawn)."""
    return session.scalar(
        select(Consent).where(
            Consent.case_id == case.id,
            Consent.scope == scope,
            Consent.is_current.is_(True),
            Consent.decision == "given",
        )
    )


def statistics_withdrawn() -> Any:
    """SQL condition on ``Case``: the person's current ``statistics`` consent is withdrawn.

    Use ``~statistics_withdrawn()`` to keep them out of optional and person-level extracts; the
    mandated aggregate reports do not filter on it (module docstring).
    """
    return exists().where(
        Consent.case_id == Case.id,
        Consent.scope == "statistics",
        Consent.is_current.is_(True),
        Consent.decision == "withdrawn",
    )


def case_history(session: Session, case: Case) -> list[Consent]:
    """Every consent decision of the case, oldest first."""
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.case_id == case.id)
            .order_by(Consent.recorded_at, Consent.id)
        )
    )


def record_consent(
    session: Session, actor: Actor, case: Case, data: dict[str, Any]
) -> tuple[Consent, list[Referral]]:
    """Record a decision; a withdrawal takes effect at once (module docstring).

    Returns the new record and the open referrals its withdrawal stopped.

    :raise Conflict: consent given on a closed case (withdrawal is always possible).
    :raise Invalid: a decision dated in the future.
    """
    decision, scope = data["decision"], data["scope"]
    if decision == "given" and case.is_closed:
        raise Conflict(_("This case is closed; ask a supervisor to reopen it first."))
    decided_on = data.get("decided_on") or vietnam_today()
    if decided_on > vietnam_today():
        raise Invalid(errors={"decided_on": [_("The date cannot be in the future.")]})
    session.execute(
        update(Consent)
        .where(Consent.case_id == case.id, Consent.scope == scope, Consent.is_current.is_(True))
        .values(is_current=False)
        .execution_options(synchronize_session="fetch")
    )
    consent = Consent(
        case_id=case.id,
        scope=scope,
        decision=decision,
        is_current=True,
        decided_on=decided_on,
        recorded_by_id=actor.id,
        recorded_at=utcnow(),
    )
    if data.get("document_reference"):
        consent.document_reference = data["document_reference"]
    session.add(consent)
    if scope == "processing" and case.consent_given != (decision == "given"):
        case.consent_given = decision == "given"
        case.updated_at = utcnow()
    session.flush()
    trail.record(
        session,
        "consent.record",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_path=case.unit.path,
        scope=scope,
        decision=decision,
        fields=["document_reference"] if data.get("document_reference") else [],
    )
    stopped: list[Referral] = []
    if decision == "withdrawn" and scope.startswith(SHARING_PREFIX):
        stopped = _stop_sharing(session, actor, case, scope.removeprefix(SHARING_PREFIX))
    return consent, stopped


def _stop_sharing(session: Session, actor: Actor, case: Case, provider_kind: str) -> list[Referral]:
    """Revoke unsent-to-work referrals and flag accepted ones that share data with the kind."""
    now = utcnow()
    referrals = list(
        session.scalars(
            select(Referral)
            .join(ServiceProvider, Referral.provider_id == ServiceProvider.id)
            .where(
                and_(
                    Referral.case_id == case.id,
                    Referral.shares_personal_data.is_(True),
                    Referral.status.in_(REFERRAL_OPEN),
                    ServiceProvider.kind == provider_kind,
                )
            )
        )
    )
    for referral in referrals:
        referral.consent_withdrawn_at = now
        if referral.status == "sent":
            referral.status, referral.revoked_because, referral.closed_at = (
                "revoked",
                "consent_withdrawn",
                now,
            )
        trail.record(
            session,
            "referral.sharing_stopped",
            actor=actor,
            object_type="referral",
            object_id=referral.id,
            unit_path=case.unit.path,
            status=referral.status,
        )
    return referrals
