"""Support schemes as codes: the packaged schemes and those a province adds, and the rules a
support item naming one must keep (kind, case type, the scheme's amount limit).

The packaged schemes are data (``casework/data/support-schemes.json``), read once; a province
extends them with rows of ``support_scheme`` that apply in its subtree. A support item names a
scheme by its code (``support_item.scheme_code``) so that loans and training are counted per
scheme (``scheme_counts``), under the same small-count suppression as every other figure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from casework.access.row_security import statistics_context, using
from casework.access.scoping import path_condition, scope_paths, unit_in_scope
from casework.audit import trail
from casework.cases.models import Case
from casework.errors import Forbidden, Invalid, NotFound
from casework.programme.models import SupportScheme
from casework.services.models import SupportItem
from casework.stats.periods import Period
from casework.stats.reports import parse_period, resolve_unit, thresholds
from casework.stats.suppression import Constraint, Table, suppress
from casework.units.loader import current_unit_for
from casework.units.models import Unit

#: Adding and editing a province's own schemes (roles.py): reference data, no person in it.
SCHEME_MANAGE = "scheme.manage"
#: Loan statuses that mean money reached the person.
DISBURSED = ("disbursed", "repaying", "repaid")


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    name_en: str | None
    funder: str
    legal_basis: str | None
    kinds: tuple[str, ...]
    case_types: tuple[str, ...] | None
    max_amount_vnd: int | None
    active: bool = True
    unit_path: str | None = None  # None: packaged, applies everywhere
    unit_code: str | None = None

    @property
    def packaged(self) -> bool:
        return self.unit_path is None


@lru_cache(maxsize=1)
def packaged_schemes() -> tuple[Scheme, ...]:
    """The schemes shipped with casework, in file order."""
    text = resources.files("casework.data").joinpath("support-schemes.json").read_text("utf-8")
    return tuple(
        Scheme(
            code=s["code"],
            name=s["name"],
            name_en=s.get("name_en"),
            funder=s["funder"],
            legal_basis=s.get("legal_basis"),
            kinds=tuple(s["kinds"]),
            case_types=tuple(s["case_types"]) if s.get("case_types") else None,
            max_amount_vnd=s.get("max_amount_vnd"),
        )
        for s in json.loads(text)["schemes"]
    )


def _from_row(row: SupportScheme) -> Scheme:
    return Scheme(
        code=row.code,
        name=row.name,
        name_en=row.name_en,
        funder=row.funder,
        legal_basis=row.legal_basis,
        kinds=tuple(row.kinds or ()),
        case_types=tuple(row.case_types) if row.case_types else None,
        max_amount_vnd=row.max_amount_vnd,
        active=row.active,
        unit_path=row.unit.path,
        unit_code=row.unit.code,
    )


def _ancestors_or_self(path: str) -> list[str]:
    tree, _sep, rest = path.partition(":")
    codes = [c for c in rest.split("/") if c]
    return [f"{tree}:" + "".join(c + "/" for c in codes[: i + 1]) for i in range(len(codes))]


def _all_paths(user: Any) -> list[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return []
    return sorted({a.unit.path for a in user.roles})


def list_schemes(session: Session, user: Any) -> list[Scheme]:
    """The packaged schemes and those added at, above or (for a manager) below the caller's
    units. Any signed-in user may read them: they are reference data, no person is in them."""
    paths = _all_paths(user)
    if not paths:
        raise Forbidden()
    reach = {p for path in paths for p in _ancestors_or_self(path)}
    managed = scope_paths(user, SCHEME_MANAGE)
    query = select(SupportScheme).join(Unit, SupportScheme.unit_id == Unit.id)
    rows = session.scalars(
        query.where(Unit.path.in_(reach) | path_condition(Unit.path, managed)).order_by(
            SupportScheme.code
        )
    ).all()
    return [*packaged_schemes(), *(_from_row(r) for r in rows)]


def scheme_for(session: Session, code: str, unit_path: str) -> Scheme | None:
    """The scheme ``code`` as it applies at the unit ``unit_path``, or None."""
    for scheme in packaged_schemes():
        if scheme.code == code:
            return scheme
    row = session.scalar(select(SupportScheme).where(SupportScheme.code == code))
    if row is None or not unit_path.startswith(row.unit.path):
        return None
    return _from_row(row)


def check_support(
    session: Session, case: Case, kind: str, code: str | None, amount: int | None
) -> None:
    """The rules a support item naming a scheme keeps.

    :raise Invalid: (``scheme``) unknown here, inactive, not for this kind or case type;
        (``amount_vnd``) above the scheme's limit.
    """
    if code is None:
        return
    scheme = scheme_for(session, code, case.unit.path)
    if scheme is None:
        raise Invalid(errors={"scheme": [_("No support scheme with this code applies here.")]})
    if not scheme.active:
        raise Invalid(errors={"scheme": [_("This support scheme is closed.")]})
    if kind not in scheme.kinds:
        raise Invalid(errors={"scheme": [_("This scheme does not fund this kind of support.")]})
    if scheme.case_types and case.case_type not in scheme.case_types:
        raise Invalid(errors={"scheme": [_("This scheme is not for this type of case.")]})
    if amount is not None and scheme.max_amount_vnd is not None and amount > scheme.max_amount_vnd:
        limit = f"{scheme.max_amount_vnd:,}".replace(",", ".")
        raise Invalid(
            errors={"amount_vnd": [_("Above this scheme's limit of %(limit)s đ.", limit=limit)]}
        )


def create_scheme(session: Session, actor: Any, data: dict[str, Any]) -> Scheme:
    """Add a province's (or a commune's) own scheme.

    :raise Forbidden: the actor manages schemes nowhere.
    :raise Invalid: unknown unit or outside the actor's subtree; a code already taken.
    """
    if not scope_paths(actor, SCHEME_MANAGE):
        raise Forbidden()
    unit = current_unit_for(session, data["unit"])
    if unit is None:
        raise Invalid(errors={"unit": [_("Unknown unit code.")]})
    if not unit_in_scope(actor, unit, SCHEME_MANAGE):
        raise Invalid(errors={"unit": [_("This unit is outside your area.")]})
    code = data["code"]
    taken = any(s.code == code for s in packaged_schemes()) or session.scalar(
        select(SupportScheme.id).where(SupportScheme.code == code)
    )
    if taken:
        raise Invalid(errors={"code": [_("This code is already taken.")]})
    row = SupportScheme(
        code=code,
        name=data["name"],
        name_en=data.get("name_en"),
        funder=data["funder"],
        legal_basis=data.get("legal_basis"),
        kinds=sorted(set(data["kinds"])),
        case_types=sorted(set(data["case_types"])) if data.get("case_types") else None,
        max_amount_vnd=data.get("max_amount_vnd"),
        unit_id=unit.id,
        unit=unit,
        active=True,
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    trail.record(
        session,
        "scheme.create",
        actor=actor,
        object_type="support_scheme",
        object_id=row.id,
        unit_path=unit.path,
        code=code,
    )
    return _from_row(row)


def update_scheme(session: Session, actor: Any, code: str, data: dict[str, Any]) -> Scheme:
    """Edit (or close, ``active: false``) a scheme the actor manages. Packaged schemes are
    changed by a release, not here.

    :raise NotFound: no added scheme with this code in the actor's subtree.
    """
    row = session.scalar(select(SupportScheme).where(SupportScheme.code == code))
    if row is None or not unit_in_scope(actor, row.unit, SCHEME_MANAGE):
        raise NotFound()
    changed = sorted(k for k, v in data.items() if getattr(row, k) != v)
    for name in changed:
        setattr(row, name, data[name])
    if changed:
        session.flush()
        trail.record(
            session,
            "scheme.update",
            actor=actor,
            object_type="support_scheme",
            object_id=row.id,
            unit_path=row.unit.path,
            code=code,
            fields=changed,
        )
    return _from_row(row)


def scheme_counts(
    session: Session, user: Any, unit_code: str | None, period_text: str
) -> dict[str, Any]:
    """Support items naming a scheme, planned in the period, in the unit's subtree: per scheme
    and kind the items, those completed (or disbursed, for loans) and the amount.

    Counts of 1 to k-1 are hidden with complementary suppression over each scheme's total
    (``casework.stats.suppression``); an amount is published only with its count. The stricter
    trafficking threshold applies to every cell, since a scheme row mixes case types.

    :raise Forbidden, NotFound, Invalid: as ``casework.stats.reports.report_for``.
    """
    unit = resolve_unit(session, user, unit_code)
    period = parse_period(period_text)
    with using(session, statistics_context(unit.path)):
        rows = _count_rows(session, unit, period)
    k = max(thresholds())
    values: dict[Any, int] = {}
    amounts: dict[Any, int] = {}
    constraints = []
    by_scheme: dict[str, list[tuple]] = {}
    for code, kind, items, done, amount in rows:
        for measure, value in (("items", items), ("done", done)):
            values[(code, kind, measure)] = int(value)
        amounts[(code, kind)] = int(amount or 0)
        by_scheme.setdefault(code, []).append(kind)
    for code, kinds in by_scheme.items():
        for measure in ("items", "done"):
            total = (code, "*", measure)
            parts = [(code, kind, measure) for kind in kinds]
            values[total] = sum(values[p] for p in parts)
            constraints.append(Constraint(total, parts))
    result = suppress(Table(values, constraints), k) if values else None
    schemes = []
    for code, kinds in sorted(by_scheme.items()):
        cells = []
        for kind in ["*", *sorted(kinds)]:
            items = result.published((code, kind, "items")) if result else None
            done = result.published((code, kind, "done")) if result else None
            amount = None
            if kind != "*" and items is not None:
                amount = amounts[(code, kind)]
            elif kind == "*" and items is not None and all(
                result.published((code, k2, "items")) is not None for k2 in kinds  # type: ignore[union-attr]
            ):
                amount = sum(amounts[(code, k2)] for k2 in kinds)
            cells.append(
                {"kind": kind, "items": items, "done": done, "amount_vnd": amount}
            )
        schemes.append({"scheme": code, "cells": cells})
    trail.record(
        session,
        "scheme.counts",
        actor=user,
        object_type="unit",
        object_id=unit.id,
        unit_path=unit.path,
        period=period.label,
    )
    return {"unit": unit.code, "period": period.label, "k": k, "schemes": schemes}


def _count_rows(session: Session, unit: Unit, period: Period) -> list[tuple]:
    done = (SupportItem.status == "completed") | SupportItem.loan_status.in_(DISBURSED)
    query = (
        select(
            SupportItem.scheme_code,
            SupportItem.kind,
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(SupportItem.amount_vnd),
        )
        .join(Case, SupportItem.case_id == Case.id)
        .join(Unit, Case.unit_id == Unit.id)
        .where(
            SupportItem.scheme_code.is_not(None),
            path_condition(Unit.path, [unit.path]),
            SupportItem.planned_on >= period.start,
            SupportItem.planned_on <= period.end,
        )
        .group_by(SupportItem.scheme_code, SupportItem.kind)
    )
    return [tuple(r) for r in session.execute(query)]
