"""Loading the official unit lists (both published formats) into the unit tree.

The load is one transaction and idempotent: units are matched on ``(tree, code)``, a second load
of the same file changes nothing, and a malformed file (wrong shape, duplicate codes, a child
whose parent is missing) raises ``UnitFileError`` before anything is written.
After either tree is loaded, each pre-reform commune whose code the post-reform list kept is linked
to its successor through ``replaced_by``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.units.models import CURRENT_TREE, PRE_REFORM_TREE, REFORM_DATE, Unit

PACKAGED_UNITS = (
    Path(__file__).resolve().parent.parent / "data" / "vn-units-2025-07-01-two-level.json"
)
_COMMUNE_TYPES = ("Thị trấn", "Đặc khu", "Phường", "Xã")
_PROVINCE_TYPES = ("Thành phố", "Tỉnh")


class UnitFileError(Exception):
    """The file is not a units list we understand; the message says where and why."""


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    kind: str
    official_type: str | None
    parent_code: str | None


@dataclass
class LoadReport:
    tree: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}s" for kind, n in self.counts.items())
        return (
            f"{self.tree}: {kinds}; {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.linked} pre-reform communes linked"
        )


def _type_prefix(full_name: str, known: tuple[str, ...]) -> str | None:
    return next((t for t in known if full_name.startswith(t + " ")), None)


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UnitFileError(f"{where}: missing or empty '{key}'")
    return value.strip()


def _list(item: dict[str, Any], key: str, where: str) -> list[Any]:
    value = item.get(key)
    if not isinstance(value, list):
        raise UnitFileError(f"{where}: '{key}' must be a list")
    return value


def parse_three_level(data: dict[str, Any]) -> list[UnitRecord]:
    """Records of the pre-reform file (province → district → commune)."""
    records: list[UnitRecord] = []
    for i, province in enumerate(_list(data, "data", "file")):
        where = f"data[{i}]"
        if not isinstance(province, dict):
            raise UnitFileError(f"{where}: expected an object")
        pcode = _text(province, "level1_id", where)
        records.append(
            UnitRecord(
                pcode, _text(province, "name", where), "province", province.get("type"), None
            )
        )
        for j, district in enumerate(_list(province, "level2s", where)):
            dwhere = f"{where}.level2s[{j}]"
            dcode = _text(district, "level2_id", dwhere)
            records.append(
                UnitRecord(
                    dcode, _text(district, "name", dwhere), "district", district.get("type"), pcode
                )
            )
            for k, commune in enumerate(_list(district, "level3s", dwhere)):
                cwhere = f"{dwhere}.level3s[{k}]"
                records.append(
                    UnitRecord(
                        _text(commune, "level3_id", cwhere),
                        _text(commune, "name", cwhere),
                        "commune",
                        commune.get("type"),
                        dcode,
                    )
                )
    return records


def parse_two_level(data: list[Any]) -> list[UnitRecord]:
    """Records of the post-reform file (province → commune)."""
    records: list[UnitRecord] = []
    for i, province in enumerate(data):
        where = f"[{i}]"
        if not isinstance(province, dict):
            raise UnitFileError(f"{where}: expected an object")
        pcode = _text(province, "Code", where)
        pname = _text(province, "FullName", where)
        records.append(
            UnitRecord(pcode, pname, "province", _type_prefix(pname, _PROVINCE_TYPES), None)
        )
        for j, ward in enumerate(_list(province, "Wards", where)):
            wwhere = f"{where}.Wards[{j}]"
            parent = _text(ward, "ProvinceCode", wwhere)
            if parent != pcode:
                raise UnitFileError(
                    f"{wwhere}: ProvinceCode {parent} does not match its province {pcode}"
                )
            wname = _text(ward, "FullName", wwhere)
            records.append(
                UnitRecord(
                    _text(ward, "Code", wwhere),
                    wname,
                    "commune",
                    _type_prefix(wname, _COMMUNE_TYPES),
                    pcode,
                )
            )
    return records


def parse(data: Any) -> tuple[str, list[UnitRecord]]:
    """Recognise the format and return (tree, records), checked for consistency.

    :raise UnitFileError: unknown shape, duplicate codes, or a parent that is not in the file.
    """
    if isinstance(data, dict) and "data" in data:
        tree, records = PRE_REFORM_TREE, parse_three_level(data)
    elif isinstance(data, list):
        tree, records = CURRENT_TREE, parse_two_level(data)
    else:
        raise UnitFileError(
            'not a units file: expected {"data": [...]} (three-level) or a list (two-level)'
        )
    if not records:
        raise UnitFileError("the file lists no units")
    seen: set[str] = set()
    for record in records:
        if record.code in seen:
            raise UnitFileError(f"duplicate unit code {record.code} ({record.name})")
        seen.add(record.code)
    for record in records:
        if record.parent_code is not None and record.parent_code not in seen:
            raise UnitFileError(
                f"unit {record.code} names parent {record.parent_code}, not in file"
            )
    return tree, records


def read_file(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise UnitFileError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UnitFileError(f"{path}: not valid UTF-8 JSON ({exc})") from None


def load_units(session: Session, data: Any) -> LoadReport:
    """Upsert the units in ``data`` (either format) and link the trees. Does not commit."""
    tree, records = parse(data)
    report = LoadReport(tree=tree)
    valid_from, valid_to = (
        (REFORM_DATE, None) if tree == CURRENT_TREE else (None, REFORM_DATE - timedelta(days=1))
    )
    existing = {u.code: u for u in session.scalars(select(Unit).where(Unit.tree == tree))}
    by_code: dict[str, Unit] = {}
    for record in records:  # parents come before their children in both formats
        parent = by_code.get(record.parent_code) if record.parent_code else None
        path = (parent.path if parent else f"{tree}:") + record.code + "/"
        wanted = {
            "name": record.name,
            "kind": record.kind,
            "official_type": record.official_type,
            "parent_id": parent.id if parent else None,
            "path": path,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        unit = existing.get(record.code)
        if unit is None:
            unit = Unit(tree=tree, code=record.code, **wanted)
            session.add(unit)
            report.created += 1
        elif any(getattr(unit, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(unit, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
        by_code[record.code] = unit
        report.counts[record.kind] = report.counts.get(record.kind, 0) + 1
    session.flush()
    report.linked = link_trees(session)
    return report


def link_trees(session: Session) -> int:
    """Point each pre-reform commune at the post-reform commune that kept its code.

    Returns how many links were added or changed.
    """
    current = {
        u.code: u.id
        for u in session.scalars(
            select(Unit).where(Unit.tree == CURRENT_TREE, Unit.kind == "commune")
        )
    }
    changed = 0
    for old in session.scalars(
        select(Unit).where(Unit.tree == PRE_REFORM_TREE, Unit.kind == "commune")
    ):
        successor = current.get(old.code)
        if successor is not None and old.replaced_by_id != successor:
            old.replaced_by_id = successor
            changed += 1
    session.flush()
    return changed


def current_unit_for(session: Session, code: str, on: date | None = None) -> Unit | None:
    """The current-tree unit a code designates, following a pre-reform code to its successor."""
    unit = session.scalar(select(Unit).where(Unit.tree == CURRENT_TREE, Unit.code == code))
    if unit is not None:
        return unit
    old = session.scalar(select(Unit).where(Unit.tree == PRE_REFORM_TREE, Unit.code == code))
    return old.replaced_by if old is not None else None
