"""The service providers directory: who a commune can refer people to.

A worker sees the providers registered in their units, below them and above them (a provincial
vocational school or the provincial Bank for Social Policies branch serves every commune of the
province). Supervisors and administrators (``provider.manage``) manage the providers of their
own subtree, and see them: an administrator keeps the directory without seeing any case.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.access.scoping import path_condition, scope_paths, unit_in_scope
from casework.audit import trail
from casework.errors import Forbidden, Invalid, NotFound
from casework.model_base import utcnow
from casework.services.access import PROVIDER_MANAGE
from casework.services.models import ServiceProvider
from casework.units.loader import current_unit_for
from casework.units.models import Unit

EDITABLE = ("name", "kind", "contact", "services", "active")


def _ancestor_paths(paths: list[str]) -> set[str]:
    """Every proper ancestor path of ``paths`` (``vn2:01/00004/`` → ``vn2:01/``)."""
    ancestors: set[str] = set()
    for path in paths:
        tree, _, rest = path.partition(":")
        codes = [c for c in rest.split("/") if c]
        for i in range(1, len(codes)):
            ancestors.add(f"{tree}:" + "".join(c + "/" for c in codes[:i]))
    return ancestors


def visible_condition(user: Actor) -> Any:
    """SQL on ``Unit`` (joined to the provider): the provider serves the caller's area, or lies
    where the caller manages the directory."""
    paths = scope_paths(user, "case.read")
    managed = scope_paths(user, PROVIDER_MANAGE)
    if not paths and not managed:
        return false()
    ancestors = _ancestor_paths(paths)
    return or_(
        path_condition(Unit.path, paths),
        Unit.path.in_(ancestors) if ancestors else false(),
        path_condition(Unit.path, managed),
    )


def require_directory_access(user: Actor) -> None:
    """:raise Forbidden: the caller neither works on cases nor manages providers anywhere."""
    if not scope_paths(user, "case.read") and not scope_paths(user, PROVIDER_MANAGE):
        raise Forbidden()


def visible_providers(user: Actor) -> Select:
    """The providers the caller may read and refer to, as a query."""
    return (
        select(ServiceProvider)
        .join(Unit, ServiceProvider.unit_id == Unit.id)
        .where(visible_condition(user))
    )


def get_provider(session: Session, user: Actor, provider_id: Any) -> ServiceProvider:
    """:raise NotFound: unknown, or not serving the caller's area."""
    try:
        key = provider_id if isinstance(provider_id, uuid.UUID) else uuid.UUID(str(provider_id))
    except ValueError:
        raise NotFound() from None
    provider = session.scalar(visible_providers(user).where(ServiceProvider.id == key))
    if provider is None:
        raise NotFound()
    return provider


def provider_for_referral(
    session: Session, user: Actor, provider_id: Any, field: str = "provider"
) -> ServiceProvider:
    """A provider named in a request body: visible and active, or a field error.

    :raise Invalid: unknown, out of the caller's area, or inactive (422 on ``field``).
    """
    try:
        provider = get_provider(session, user, provider_id)
    except NotFound:
        raise Invalid(
            errors={field: [_("No service provider with this id serves your area.")]}
        ) from None
    if not provider.active:
        raise Invalid(errors={field: [_("This service provider is no longer active.")]})
    return provider


def create_provider(session: Session, actor: Actor, data: dict[str, Any]) -> ServiceProvider:
    """Register a provider at a unit of the actor's subtree.

    :raise Forbidden: the actor manages providers nowhere.
    :raise Invalid: unknown unit, or a unit outside the actor's subtree.
    """
    if not scope_paths(actor, PROVIDER_MANAGE):
        raise Forbidden()
    unit = current_unit_for(session, data["unit"])
    if unit is None:
        raise Invalid(errors={"unit": [_("Unknown unit code.")]})
    if not unit_in_scope(actor, unit, PROVIDER_MANAGE):
        raise Invalid(errors={"unit": [_("This unit is outside your area.")]})
    provider = ServiceProvider(
        name=data["name"],
        kind=data["kind"],
        unit_id=unit.id,
        contact=data.get("contact"),
        services=sorted(set(data.get("services", []))),
        active=data.get("active", True),
    )
    provider.unit = unit
    session.add(provider)
    session.flush()
    trail.record(
        session,
        "provider.create",
        actor=actor,
        object_type="service_provider",
        object_id=provider.id,
        unit_path=unit.path,
        kind=provider.kind,
    )
    return provider


def update_provider(
    session: Session, actor: Actor, provider: ServiceProvider, data: dict[str, Any]
) -> list[str]:
    """Edit a provider's details; deactivating keeps it on past referrals but off new ones.

    :raise Forbidden: the provider is not in the actor's subtree to manage.
    """
    if not unit_in_scope(actor, provider.unit, PROVIDER_MANAGE):
        raise Forbidden()
    if "services" in data:
        data = {**data, "services": sorted(set(data["services"]))}
    changed = [name for name in EDITABLE if name in data and getattr(provider, name) != data[name]]
    for name in changed:
        setattr(provider, name, data[name])
    if changed:
        provider.updated_at = utcnow()
        trail.record(
            session,
            "provider.update",
            actor=actor,
            object_type="service_provider",
            object_id=provider.id,
            unit_path=provider.unit.path,
            fields=changed,
        )
    return changed
