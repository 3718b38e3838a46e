"""Roles as named sets of permissions (DESIGN.md "Who uses it").

Kept as data so that a review of who may do what reads one table, and so the authorization
matrix test can be checked against it.
"""

from __future__ import annotations

from types import MappingProxyType

ROLES = ("social_worker", "supervisor", "statistician", "administrator", "auditor")

PERMISSIONS = (
    "case.read",  # see cases of the subtree (identity subject to need-to-know)
    "case.read_identity",  # see identity fields where need-to-know allows
    "case.create",
    "case.update",
    "case.transition",
    "case.assign",
    "case.approve",  # closures, transfers, reopen, forced moves
    "case.break_glass",  # reveal a masked identity by giving a reason (audited)
    "reveal.review",  # see who broke the glass below you, and why
    "note.write",
    "referral.manage",
    "scheme.manage",  # add and close a province's own support schemes (reference data)
    "programme.record",  # record activities, groups and meetings of the programme work
    "programme.review",  # review communes' self-assessments, mark reports received
    "provider.manage",  # register and edit service providers of the subtree (no case content)
    "people.search",
    "report.view",
    "user.manage",
    "role.approve",  # the second person: activates a case-reading role an administrator asked for
    "unit.manage",
    "audit.read",
    "keys.rotate",
    "people.export",  # everything held about a person, for a data-subject request
    "people.erase",  # ask for, or (a second person) approve, the erasure of a person's data
)

_WORKER = frozenset(
    {
        "case.read",
        "case.read_identity",
        "case.create",
        "case.update",
        "case.transition",
        "case.break_glass",
        "note.write",
        "referral.manage",
        "people.search",
        "programme.record",
    }
)

ROLE_PERMISSIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "social_worker": _WORKER,
        "supervisor": _WORKER
        | {
            "case.assign",
            "case.approve",
            "reveal.review",
            "report.view",
            "provider.manage",
            "role.approve",
            "programme.review",
            "people.erase",
            "people.export",
        },
        "statistician": frozenset({"report.view"}),
        # The provider directory is reference data, like units: no person is in it, so the
        # administrator keeping a province's directory up to date needs no case access.
        "administrator": frozenset(
            {"user.manage", "unit.manage", "keys.rotate", "provider.manage", "scheme.manage"}
        ),
        "auditor": frozenset({"audit.read"}),
    }
)

#: Roles that may hold case content at all. Everything else sees no row about a person.
CASE_ROLES = frozenset({"social_worker", "supervisor"})


def permissions_of(roles: set[str] | frozenset[str]) -> frozenset[str]:
    """The union of the permissions of ``roles``."""
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def roles_holding(permission: str) -> tuple[str, ...]:
    """The roles that grant ``permission``, in the order of ``ROLES`` (for documentation and
    pages that say who may do something)."""
    return tuple(role for role in ROLES if permission in ROLE_PERMISSIONS[role])
