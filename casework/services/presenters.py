"""Records as callers may see them: free text only where need-to-know allows (``show``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casework.cases.presenters import unit_ref
from casework.services.models import CaseNote, Consent, Referral, ServiceProvider, SupportItem


def provider_ref(provider: ServiceProvider | None) -> dict[str, Any] | None:
    if provider is None:
        return None
    return {"id": provider.id, "name": provider.name, "kind": provider.kind}


def provider_view(provider: ServiceProvider) -> dict[str, Any]:
    return {
        **(provider_ref(provider) or {}),
        "unit": unit_ref(provider.unit),
        "contact": provider.contact,
        "services": list(provider.services or []),
        "active": provider.active,
    }


def consent_view(consent: Consent, show: bool) -> dict[str, Any]:
    return {
        "id": consent.id,
        "scope": consent.scope,
        "decision": consent.decision,
        "current": consent.is_current,
        "decided_on": consent.decided_on,
        "recorded_by": consent.recorded_by.username if consent.recorded_by else None,
        "recorded_at": consent.recorded_at,
        "document_reference": consent.document_reference if show else None,
        "masked": not show,
    }


def support_item_view(item: SupportItem, show: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        name: getattr(item, name)
        for name in (
            "id",
            "case_id",
            "kind",
            "status",
            "planned_on",
            "referred_on",
            "started_on",
            "ended_on",
            "amount_vnd",
            "loan_programme",
            "loan_status",
            "course",
            "training_result",
            "kept_3_months",
            "kept_6_months",
        )
    }
    view["scheme"] = item.scheme_code
    view["provider"] = provider_ref(item.provider)
    view["employer_name"] = item.employer_name if show else None
    view["outcome_note"] = item.outcome_note if show else None
    view["masked"] = not show
    return view


def referral_view(referral: Referral, show: bool) -> dict[str, Any]:
    basis = (
        "override" if referral.consent_override else "consent" if referral.consent_id else "none"
    )
    return {
        "id": referral.id,
        "case_id": referral.case_id,
        "provider": provider_ref(referral.provider),
        "service_kind": referral.service_kind,
        "support_item": referral.support_item_id,
        "status": referral.status,
        "shares_personal_data": referral.shares_personal_data,
        "consent_basis": basis,
        "consent_withdrawn": referral.consent_withdrawn_at is not None,
        "revoked_because": referral.revoked_because,
        "sent_by": referral.sent_by.username if referral.sent_by else None,
        "sent_at": referral.sent_at,
        "responded_at": referral.responded_at,
        "closed_at": referral.closed_at,
        "note": referral.note if show else None,
        "outcome_note": referral.outcome_note if show else None,
        "override_reason": referral.override_reason if show else None,
        "masked": not show,
    }


def note_view(note: CaseNote, show: bool, authors: Mapping[Any, str]) -> dict[str, Any]:
    """A note as shown; ``authors`` maps author ids to usernames (``casework.accounts.names``)."""
    return {
        "id": note.id,
        "kind": note.kind,
        "occurred_on": note.occurred_on,
        "next_visit_on": note.next_visit_on,
        "author": authors.get(note.author_id),
        "created_at": note.created_at,
        "content": note.content if show else None,
        "masked": not show,
    }
