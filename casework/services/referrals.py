"""Referrals of a case to a provider, in the manner of Primero's: sent → accepted / refused → done.

The sender (or a supervisor of the case) may revoke an open referral. A referral that shares
personal data needs the person's current consent to sharing with that kind of provider; without
it only a supervisor of the case may send it, giving a reason, which is stored encrypted and
audited as ``referral.consent_override``. Providers are not users of the service: the worker
records the provider's answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.identity import is_supervisor_of
from casework.audit import trail
from casework.cases.models import Case
from casework.errors import Forbidden, Invalid
from casework.model_base import utcnow, vietnam_today
from casework.services.access import ensure_open
from casework.services.consent import has_consent
from casework.services.models import Referral, SupportItem
from casework.services.providers import provider_for_referral
from casework.services.support import check_victim_status
from casework.services.vocabulary import REFERRAL_TRANSITIONS, sharing_scope


def list_referrals(session: Session, case: Case) -> list[Referral]:
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.case_id == case.id)
            .order_by(Referral.sent_at, Referral.id)
        )
    )


def _support_item(session: Session, case: Case, item_id: uuid.UUID) -> SupportItem:
    item = session.scalar(
        select(SupportItem).where(SupportItem.id == item_id, SupportItem.case_id == case.id)
    )
    if item is None:
        raise Invalid(errors={"support_item": [_("No support item with this id on this case.")]})
    return item


def send_referral(session: Session, actor: Actor, case: Case, data: dict[str, Any]) -> Referral:
    """Refer the case; check consent when personal data goes with it.

    :raise Conflict: the case is closed.
    :raise Invalid: nothing to refer to, personal data without a named provider, no consent and
        no override, a gated kind for an unconfirmed victim.
    :raise Forbidden: an override asked for by someone who is not a supervisor of the case.
    """
    ensure_open(case)
    provider = (
        provider_for_referral(session, actor, data["provider"]) if data.get("provider") else None
    )
    item = _support_item(session, case, data["support_item"]) if data.get("support_item") else None
    service_kind = data.get("service_kind") or (item.kind if item else None)
    if provider is None and service_kind is None:
        raise Invalid(errors={"provider": [_("Name a provider or a kind of service.")]})
    if service_kind:
        check_victim_status(case, service_kind)
    referral = Referral(
        case_id=case.id,
        provider_id=provider.id if provider else None,
        service_kind=service_kind,
        support_item_id=item.id if item else None,
        status="sent",
        shares_personal_data=bool(data.get("shares_personal_data")),
        sent_by_id=actor.id,
        sent_at=utcnow(),
    )
    referral.provider = provider
    basis = "none"
    if referral.shares_personal_data:
        if provider is None:
            raise Invalid(errors={"provider": [_("Name the provider the personal data goes to.")]})
        consent = has_consent(session, case, sharing_scope(provider.kind))
        if consent is not None:
            referral.consent_id, basis = consent.id, "consent"
        elif data.get("consent_override_reason"):
            if not is_supervisor_of(actor, case):
                raise Forbidden(_("Only a supervisor of this case may share data without consent."))
            referral.consent_override, referral.override_by_id = True, actor.id
            referral.override_reason = data["consent_override_reason"]
            basis = "override"
        else:
            raise Invalid(
                _("The person has not consented to sharing their data with this kind of provider."),
                errors={
                    "shares_personal_data": [
                        _(
                            "Record the person's consent to sharing with %(kind)s first, or ask a "
                            "supervisor to override it with a reason.",
                            kind=provider.kind,
                        )
                    ]
                },
            )
    if data.get("note"):
        referral.note = data["note"]
    session.add(referral)
    if item is not None and item.status == "planned":
        item.status, item.referred_on, item.updated_at = "referred", vietnam_today(), utcnow()
        if provider is not None and item.provider_id is None:
            item.provider_id = provider.id
    session.flush()
    trail.record(
        session,
        "referral.create",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        unit_path=case.unit.path,
        case_id=str(case.id),
        provider_kind=provider.kind if provider else None,
        service_kind=service_kind,
        shares_personal_data=referral.shares_personal_data,
        basis=basis,
    )
    if basis == "override":
        trail.record(
            session,
            "referral.consent_override",
            actor=actor,
            object_type="referral",
            object_id=referral.id,
            unit_path=case.unit.path,
            case_id=str(case.id),
            provider_kind=provider.kind if provider else None,
            fields=["override_reason"],
        )
    return referral


def update_referral(
    session: Session, actor: Actor, referral: Referral, data: dict[str, Any]
) -> list[str]:
    """Record the provider's answer, the end of the service, or the sender's revocation.

    :raise Invalid: a move the table does not allow.
    :raise Forbidden: a revocation by someone other than the sender or a supervisor of the case.
    """
    case = referral.case
    changed: list[str] = []
    status = data.get("status")
    if status is not None and status != referral.status:
        allowed = REFERRAL_TRANSITIONS[referral.status]
        if status not in allowed:
            raise Invalid(
                _("A referral cannot go from %(old)s to %(new)s.", old=referral.status, new=status),
                errors={
                    "status": [
                        _("Allowed next: %(allowed)s.", allowed=", ".join(sorted(allowed)) or "—")
                    ]
                },
            )
        if (
            status == "revoked"
            and referral.sent_by_id != actor.id
            and not is_supervisor_of(actor, case)
        ):
            raise Forbidden(_("Only the sender or a supervisor may revoke a referral."))
        if status == "accepted":
            ensure_open(case)
        now = utcnow()
        referral.status = status
        if status in ("accepted", "refused"):
            referral.responded_at = now
        if status in ("refused", "done", "revoked"):
            referral.closed_at = now
        if status == "revoked":
            referral.revoked_because = "sender"
        changed.append("status")
    if "note" in data and data["note"] != referral.outcome_note:
        referral.outcome_note = data["note"] or None
        changed.append("note")
    if changed:
        session.flush()
        trail.record(
            session,
            "referral.update",
            actor=actor,
            object_type="referral",
            object_id=referral.id,
            unit_path=case.unit.path,
            case_id=str(case.id),
            fields=changed,
            status=referral.status,
        )
        if "status" in changed and referral.status in ("accepted", "refused"):
            from casework.notifications.operations import referral_answered

            referral_answered(session, actor, referral)
    return changed
