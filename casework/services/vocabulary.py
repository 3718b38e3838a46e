"""The coded values of support work, kept as data so reports, schemas and guards share them.

The support kinds follow Law 53/2024 Art 37 (support for trafficking victims) and DESIGN.md, so
one support plan vocabulary serves all four case types; the seeds' "≥80% of people needing a
service connected to it" is computed over these kinds.
"""

from __future__ import annotations

from types import MappingProxyType

PROVIDER_KINDS = (
    "vocational_school",
    "employer",
    "social_policy_bank",
    "health_centre",
    "hiv_methadone_clinic",
    "legal_aid",
    "shelter",
    "ngo",
    "peer_group",
    "other",
)

SUPPORT_KINDS = (
    "essentials",
    "medical",
    "interpreting",
    "legal_information",
    "legal_aid",
    "travel",
    "psychological",
    "schooling",
    "vocational_training",
    "job_placement",
    "initial_allowance",
    "loan",
    "housing",
    "identity_papers",
)

#: Law 53/2024 Art 37: only a confirmed victim of trafficking receives these.
CONFIRMED_VICTIM_ONLY = frozenset({"schooling", "vocational_training", "initial_allowance", "loan"})

#: Kinds where money moves, so ``amount_vnd`` means something (a course's fee is paid by the
#: vocational scheme that funds it, within the scheme's limit).
MONEY_KINDS = frozenset(
    {"initial_allowance", "loan", "essentials", "travel", "housing", "vocational_training"}
)

SUPPORT_STATUSES = ("planned", "referred", "in_progress", "completed", "declined", "not_possible")
SUPPORT_TRANSITIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "planned": frozenset({"referred", "in_progress", "declined", "not_possible"}),
        "referred": frozenset({"in_progress", "declined", "not_possible"}),
        "in_progress": frozenset({"completed", "declined", "not_possible"}),
        "completed": frozenset(),
        "declined": frozenset(),
        "not_possible": frozenset(),
    }
)
SUPPORT_FINAL = frozenset({"completed", "declined", "not_possible"})

LOAN_STATUSES = ("applied", "approved", "rejected", "disbursed", "repaying", "repaid")
LOAN_TRANSITIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "applied": frozenset({"approved", "rejected"}),
        "approved": frozenset({"disbursed", "rejected"}),
        "rejected": frozenset(),
        "disbursed": frozenset({"repaying", "repaid"}),
        "repaying": frozenset({"repaid"}),
        "repaid": frozenset(),
    }
)
TRAINING_RESULTS = ("completed", "dropped_out")

REFERRAL_STATUSES = ("sent", "accepted", "refused", "done", "revoked")
REFERRAL_TRANSITIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "sent": frozenset({"accepted", "refused", "revoked"}),
        "accepted": frozenset({"done", "revoked"}),
        "refused": frozenset(),
        "done": frozenset(),
        "revoked": frozenset(),
    }
)
REFERRAL_OPEN = frozenset({"sent", "accepted"})

SHARING_PREFIX = "sharing_"
CONSENT_SCOPES = ("processing", "statistics", *(SHARING_PREFIX + k for k in PROVIDER_KINDS))
CONSENT_DECISIONS = ("given", "withdrawn")

NOTE_KINDS = (
    "counselling_psychological",
    "counselling_legal",
    "counselling_health",
    "home_visit",
    "phone_call",
    "other",
)


def sharing_scope(provider_kind: str) -> str:
    """The consent scope that covers sharing personal data with a kind of provider."""
    return SHARING_PREFIX + provider_kind
