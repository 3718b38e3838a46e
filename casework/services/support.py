"""Support plan items: planned → referred → in progress → completed / declined / not possible.

Moves are checked against ``SUPPORT_TRANSITIONS`` (a table, so a review reads one place); loan
statuses against ``LOAN_TRANSITIONS``. Law 53/2024 Art 37: schooling, vocational training, the
initial allowance and loans go only to a person confirmed as a victim of trafficking, so such an
item can neither be planned nor moved on while the victim status is anything else.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.audit import trail
from casework.cases.models import Case
from casework.errors import Invalid
from casework.model_base import utcnow, vietnam_today
from casework.programme.schemes import check_support
from casework.services.access import ensure_open
from casework.services.models import SupportItem
from casework.services.providers import provider_for_referral
from casework.services.vocabulary import (
    CONFIRMED_VICTIM_ONLY,
    LOAN_TRANSITIONS,
    MONEY_KINDS,
    SUPPORT_TRANSITIONS,
)

#: Detail fields and the support kinds they belong to.
DETAIL_KINDS: dict[str, frozenset[str]] = {
    "loan_programme": frozenset({"loan"}),
    "loan_status": frozenset({"loan"}),
    "course": frozenset({"vocational_training", "schooling"}),
    "training_result": frozenset({"vocational_training"}),
    "employer_name": frozenset({"job_placement"}),
    "kept_3_months": frozenset({"job_placement"}),
    "kept_6_months": frozenset({"job_placement"}),
    "amount_vnd": MONEY_KINDS,
}
PLAIN_FIELDS = (
    "amount_vnd",
    "loan_programme",
    "course",
    "training_result",
    "kept_3_months",
    "kept_6_months",
    "started_on",
    "ended_on",
)
ENCRYPTED_FIELDS = ("employer_name", "outcome_note")
#: The date a status move stamps, when the body does not give one.
STATUS_DATE = {
    "referred": "referred_on",
    "in_progress": "started_on",
    "completed": "ended_on",
    "declined": "ended_on",
    "not_possible": "ended_on",
}


def check_victim_status(case: Case, kind: str) -> None:
    """:raise Invalid: the kind needs a confirmed victim and this one is not (yet)."""
    if (
        case.case_type == "trafficking_victim"
        and kind in CONFIRMED_VICTIM_ONLY
        and case.victim_status != "confirmed"
    ):
        raise Invalid(
            _(
                "Schooling, vocational training, the initial allowance and loans are only for a "
                "person confirmed as a victim of trafficking (Law 53/2024 Art 37)."
            ),
            errors={"kind": [_("Only once the person is confirmed as a victim.")]},
        )


def _check_details(kind: str, data: dict[str, Any]) -> None:
    errors = {
        name: [_("This field does not apply to this kind of support.")]
        for name, kinds in DETAIL_KINDS.items()
        if data.get(name) is not None and kind not in kinds
    }
    if errors:
        raise Invalid(errors=errors)


def _check_dates(item: SupportItem) -> None:
    if item.started_on and item.ended_on and item.ended_on < item.started_on:
        raise Invalid(errors={"ended_on": [_("The end date is before the start date.")]})
    today = vietnam_today()
    for name in ("referred_on", "started_on", "ended_on"):
        value = getattr(item, name)
        if value and value > today:
            raise Invalid(errors={name: [_("The date cannot be in the future.")]})
    if item.kept_6_months and item.kept_3_months is False:
        raise Invalid(errors={"kept_6_months": [_("Not kept after 3 months, so not after 6.")]})
    if (item.kept_3_months is not None or item.kept_6_months is not None) and not item.started_on:
        raise Invalid(errors={"started_on": [_("Give the date the job started first.")]})


def list_items(session: Session, case: Case) -> list[SupportItem]:
    return list(
        session.scalars(
            select(SupportItem)
            .where(SupportItem.case_id == case.id)
            .order_by(SupportItem.planned_on, SupportItem.created_at, SupportItem.id)
        )
    )


def create_item(session: Session, actor: Actor, case: Case, data: dict[str, Any]) -> SupportItem:
    """Add a planned item to the case's support plan.

    :raise Conflict: the case is closed.
    :raise Invalid: gated kind for an unconfirmed victim, details of another kind, a provider
        that does not serve the caller's area, impossible dates.
    """
    ensure_open(case)
    kind = data["kind"]
    check_victim_status(case, kind)
    _check_details(kind, data)
    item = SupportItem(
        case_id=case.id,
        kind=kind,
        status="planned",
        planned_on=data.get("planned_on") or vietnam_today(),
        created_by_id=actor.id,
    )
    if data.get("provider"):
        item.provider = provider_for_referral(session, actor, data["provider"])
        item.provider_id = item.provider.id
    for name in PLAIN_FIELDS:
        if data.get(name) is not None:
            setattr(item, name, data[name])
    if data.get("loan_status") is not None:
        if data["loan_status"] != "applied":
            raise Invalid(errors={"loan_status": [_("A new loan starts as applied.")]})
        item.loan_status = "applied"
    for name in ENCRYPTED_FIELDS:
        if data.get(name):
            setattr(item, name, data[name])
    item.scheme_code = data.get("scheme")
    check_support(session, case, kind, item.scheme_code, item.amount_vnd)
    _check_dates(item)
    session.add(item)
    session.flush()
    trail.record(
        session,
        "support_item.create",
        actor=actor,
        object_type="support_item",
        object_id=item.id,
        unit_path=case.unit.path,
        case_id=str(case.id),
        kind=kind,
        fields=sorted(k for k, v in data.items() if v is not None),
    )
    return item


def update_item(
    session: Session, actor: Actor, item: SupportItem, data: dict[str, Any]
) -> list[str]:
    """Move an item on and/or record its details and outcome.

    :raise Invalid: an illegal status or loan-status move, gated kind, details of another kind.
    :raise Conflict: the case is closed.
    """
    case = item.case
    ensure_open(case)
    _check_details(item.kind, data)
    changed: list[str] = []
    status = data.get("status")
    if status is not None and status != item.status:
        if status not in SUPPORT_TRANSITIONS[item.status]:
            raise Invalid(
                _("A support item cannot go from %(old)s to %(new)s.", old=item.status, new=status),
                errors={
                    "status": [
                        _(
                            "Allowed next: %(allowed)s.",
                            allowed=", ".join(sorted(SUPPORT_TRANSITIONS[item.status])) or "—",
                        )
                    ]
                },
            )
        if status in ("referred", "in_progress", "completed"):
            check_victim_status(case, item.kind)
        item.status = status
        changed.append("status")
        stamp = STATUS_DATE[status]
        if data.get(stamp) is None and getattr(item, stamp) is None:
            setattr(item, stamp, vietnam_today())
            changed.append(stamp)
    loan_status = data.get("loan_status")
    if loan_status is not None and loan_status != item.loan_status:
        allowed = LOAN_TRANSITIONS[item.loan_status] if item.loan_status else frozenset({"applied"})
        if loan_status not in allowed:
            raise Invalid(
                errors={
                    "loan_status": [
                        _(
                            "A loan cannot go from %(old)s to %(new)s.",
                            old=item.loan_status or "—",
                            new=loan_status,
                        )
                    ]
                }
            )
        item.loan_status = loan_status
        changed.append("loan_status")
    if "provider" in data:
        provider = (
            provider_for_referral(session, actor, data["provider"]) if data["provider"] else None
        )
        if item.provider_id != (provider.id if provider else None):
            item.provider, item.provider_id = provider, provider.id if provider else None
            changed.append("provider")
    for name in (*PLAIN_FIELDS, "referred_on"):
        if name in data and name != "loan_status" and getattr(item, name) != data[name]:
            setattr(item, name, data[name])
            changed.append(name)
    for name in ENCRYPTED_FIELDS:
        if name in data and getattr(item, name) != data[name]:
            setattr(item, name, data[name] or None)
            changed.append(name)
    if "scheme" in data and data["scheme"] != item.scheme_code:
        item.scheme_code = data["scheme"]
        changed.append("scheme")
    if "scheme" in changed or "amount_vnd" in changed:
        check_support(session, case, item.kind, item.scheme_code, item.amount_vnd)
    _check_dates(item)
    if changed:
        item.updated_at = utcnow()
        session.flush()
        trail.record(
            session,
            "support_item.update",
            actor=actor,
            object_type="support_item",
            object_id=item.id,
            unit_path=case.unit.path,
            case_id=str(case.id),
            fields=sorted(set(changed)),
            status=item.status,
        )
    return sorted(set(changed))
