"""The support work of a case on its page: plan, sessions and visits, referrals, consent.

Read through the services package's own listing functions and presenters, so free text is
masked exactly as the API masks it (need-to-know). The forms that add and move these records
post to ``casework.web.support_forms``, which calls the same operations as the API; this module
only says which forms the caller gets and fills their choices.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.identity import is_supervisor_of
from casework.access.scoping import unit_in_scope
from casework.accounts.names import usernames
from casework.cases.models import Case
from casework.services import consent, notes, referrals, support
from casework.services.access import may_read_text
from casework.services.models import ServiceProvider
from casework.services.presenters import (
    consent_view,
    note_view,
    referral_view,
    support_item_view,
)
from casework.services.providers import visible_providers
from casework.services.support import DETAIL_KINDS
from casework.services.vocabulary import (
    CONSENT_SCOPES,
    LOAN_STATUSES,
    LOAN_TRANSITIONS,
    NOTE_KINDS,
    REFERRAL_TRANSITIONS,
    SUPPORT_KINDS,
    SUPPORT_TRANSITIONS,
)

SUPPORT_KIND_LABELS = {
    "essentials": _l("Essential needs"),
    "medical": _l("Medical care"),
    "interpreting": _l("Interpreting"),
    "legal_information": _l("Legal information"),
    "legal_aid": _l("Legal aid"),
    "travel": _l("Travel"),
    "psychological": _l("Psychological support"),
    "schooling": _l("Schooling"),
    "vocational_training": _l("Vocational training"),
    "job_placement": _l("Job placement"),
    "initial_allowance": _l("Initial hardship allowance"),
    "loan": _l("Loan"),
    "housing": _l("Housing"),
    "identity_papers": _l("Identity papers"),
}
STATUS_LABELS = {
    "planned": _l("planned"),
    "referred": _l("referred"),
    "in_progress": _l("in progress"),
    "completed": _l("completed"),
    "declined": _l("declined"),
    "not_possible": _l("not possible"),
    "sent": _l("sent"),
    "accepted": _l("accepted"),
    "refused": _l("refused"),
    "done": _l("done"),
    "revoked": _l("revoked"),
    "given": _l("given"),
    "withdrawn": _l("withdrawn"),
}
NOTE_KIND_LABELS = {
    "counselling_psychological": _l("Psychological counselling"),
    "counselling_legal": _l("Legal counselling"),
    "counselling_health": _l("Health counselling"),
    "home_visit": _l("Home visit"),
    "phone_call": _l("Phone call"),
    "other": _l("Other"),
}
PROVIDER_KIND_LABELS = {
    "vocational_school": _l("vocational school"),
    "employer": _l("employer"),
    "social_policy_bank": _l("Bank for Social Policies"),
    "health_centre": _l("health centre"),
    "hiv_methadone_clinic": _l("HIV / methadone clinic"),
    "legal_aid": _l("legal aid centre"),
    "shelter": _l("shelter"),
    "ngo": _l("non-governmental organisation"),
    "peer_group": _l("peer group"),
    "other": _l("other provider"),
}
LOAN_STATUS_LABELS = {
    "applied": _l("applied"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "disbursed": _l("disbursed"),
    "repaying": _l("repaying"),
    "repaid": _l("repaid"),
}
TRAINING_RESULT_LABELS = {"completed": _l("completed the course"), "dropped_out": _l("dropped out")}
#: What the button that records a referral's next status says.
REFERRAL_ACTION_LABELS = {
    "accepted": _l("The provider accepted"),
    "refused": _l("The provider refused"),
    "done": _l("Service delivered"),
    "revoked": _l("Revoke the referral"),
}


def label(table: dict[str, Any], code: str | None) -> str:
    return "—" if code is None else str(table.get(code, code))


def consent_scope_label(scope: str) -> str:
    if scope == "processing":
        return str(_l("Processing of personal data"))
    if scope == "statistics":
        return str(_l("Use in statistics"))
    kind = scope.removeprefix("sharing_")
    return str(_l("Sharing with: %(kind)s", kind=label(PROVIDER_KIND_LABELS, kind)))


#: Plan items a referral may still serve.
OPEN_ITEM_STATUSES = ("planned", "referred", "in_progress")


def applies(field: str, kind: str) -> bool:
    """Whether a detail field (loan, training, job, amount) belongs to a kind of support."""
    return kind in DETAIL_KINDS.get(field, frozenset())


def kinds_of(field: str) -> str:
    """The support kinds a detail field belongs to, space-separated (for the page's script)."""
    return " ".join(sorted(DETAIL_KINDS.get(field, frozenset())))


def _may(user: Actor, case: Case) -> dict[str, bool]:
    """Which forms to offer; the operations check again (and the case being closed too)."""
    is_open = not case.is_closed
    return {
        "support": is_open and unit_in_scope(user, case.unit, "case.update"),
        "notes": is_open and unit_in_scope(user, case.unit, "note.write"),
        "send_referral": is_open and unit_in_scope(user, case.unit, "referral.manage"),
        "update_referral": unit_in_scope(user, case.unit, "referral.manage"),
        "consent": unit_in_scope(user, case.unit, "case.update"),
        "override": is_supervisor_of(user, case),
    }


def _choices(session: Session, user: Actor) -> dict[str, Any]:
    providers = session.scalars(
        visible_providers(user)
        .where(ServiceProvider.active.is_(True))
        .order_by(ServiceProvider.name, ServiceProvider.id)
    ).all()
    return {
        "support_kinds": [(k, str(SUPPORT_KIND_LABELS[k])) for k in SUPPORT_KINDS],
        "note_kinds": [(k, str(NOTE_KIND_LABELS[k])) for k in NOTE_KINDS],
        "consent_scopes": [(s, consent_scope_label(s)) for s in CONSENT_SCOPES],
        "providers": [
            (str(p.id), f"{p.name} ({label(PROVIDER_KIND_LABELS, p.kind)})") for p in providers
        ],
    }


def next_statuses(item_view: dict[str, Any]) -> list[str]:
    return sorted(SUPPORT_TRANSITIONS[item_view["status"]])


def next_loan_statuses(item_view: dict[str, Any]) -> list[tuple[str, str]]:
    """The loan statuses an item may move to, as (code, label) choices."""
    current = item_view["loan_status"]
    moves = LOAN_TRANSITIONS[current] if current else frozenset({"applied"})
    return [(s, str(LOAN_STATUS_LABELS[s])) for s in LOAN_STATUSES if s in moves]


def next_referral_statuses(referral: dict[str, Any]) -> list[str]:
    order = ("accepted", "refused", "done", "revoked")
    return [s for s in order if s in REFERRAL_TRANSITIONS[referral["status"]]]


def _notes(session: Session, case: Case, show: bool) -> list[dict[str, Any]]:
    rows = notes.list_notes(session, case)
    authors = usernames(session, {n.author_id for n in rows})
    return [note_view(n, show, authors) for n in rows]


def for_case(session: Session, user: Actor, case: Case) -> dict[str, Any]:
    """Everything recorded about the support of ``case``, as ``user`` may see it, and the
    forms ``user`` may use on it."""
    show = may_read_text(session, user, case)
    may = _may(user, case)
    items = [support_item_view(i, show) for i in support.list_items(session, case)]
    return {
        "support": items,
        "open_items": [
            (
                str(i["id"]),
                f"{label(SUPPORT_KIND_LABELS, i['kind'])} ({label(STATUS_LABELS, i['status'])})",
            )
            for i in items
            if i["status"] in OPEN_ITEM_STATUSES
        ],
        "notes": _notes(session, case, show),
        "referrals": [referral_view(r, show) for r in referrals.list_referrals(session, case)],
        "consents": [consent_view(c, show) for c in consent.case_history(session, case)],
        "labels": {
            "support": SUPPORT_KIND_LABELS,
            "status": STATUS_LABELS,
            "note": NOTE_KIND_LABELS,
            "loan": LOAN_STATUS_LABELS,
            "training": TRAINING_RESULT_LABELS,
            "referral_action": REFERRAL_ACTION_LABELS,
            "provider_kind": PROVIDER_KIND_LABELS,
        },
        "label": label,
        "consent_scope_label": consent_scope_label,
        "may": may,
        "choices": _choices(session, user) if any(may.values()) else {},
        "applies": applies,
        "kinds_of": kinds_of,
        "next_statuses": next_statuses,
        "next_loan_statuses": next_loan_statuses,
        "next_referral_statuses": next_referral_statuses,
        "show_text": show,
    }
