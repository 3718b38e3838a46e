"""The official administrative units (đơn vị hành chính) and their tree.

A unit's ``path`` is its materialised path: the tree it belongs to, then the codes from the root
down, each followed by ``/`` (``vn2:01/00004/``). "This unit and everything below it" is then one
indexed prefix query (``path LIKE 'vn2:01/%'``), which is how every case query is scoped.

Two official trees live side by side: ``vn3`` (province → district → commune, before the reform of
1 July 2025) and ``vn2`` (province → commune, after it). Codes repeat across the trees (the reform
kept some old commune codes), so a unit is identified by ``(tree, code)``; ``replaced_by`` links an
old commune to the new commune that kept its code.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import db
from casework.model_base import UUIDPrimaryKey

CURRENT_TREE = "vn2"
PRE_REFORM_TREE = "vn3"
REFORM_DATE = date(2025, 7, 1)

UNIT_KINDS = ("province", "district", "commune", "neighbourhood")


class Unit(UUIDPrimaryKey, db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("tree", "code"),
        # varchar_pattern_ops makes LIKE 'prefix%' use the index on PostgreSQL whatever the
        # database collation; SQLite ignores the option.
        Index("ix_unit_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    tree: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    official_type: Mapped[str | None] = mapped_column(String(64))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"))

    parent: Mapped[Unit | None] = relationship(
        remote_side="Unit.id", foreign_keys=[parent_id], lazy="joined", innerjoin=False
    )
    replaced_by: Mapped[Unit | None] = relationship(
        remote_side="Unit.id", foreign_keys=[replaced_by_id]
    )

    def __repr__(self) -> str:
        return f"<Unit {self.tree}:{self.code} {self.name}>"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def contains(self, other: Unit) -> bool:
        """True when ``other`` is this unit or lies below it."""
        return other.path.startswith(self.path)

    def subtree_filter(self, path_column=None):  # noqa: ANN001 - a SQL column expression
        """SQL condition selecting rows whose unit path lies in this unit's subtree."""
        column = Unit.path if path_column is None else path_column
        return column.like(escape_like(self.path) + "%", escape="\\")

    def subtree(self):  # noqa: ANN201 - a Select
        """A query for this unit and every unit below it."""
        return select(Unit).where(self.subtree_filter())

    def ancestors_paths(self) -> list[str]:
        """The paths of this unit and every unit above it, nearest last."""
        return path_ancestors(self.path)

    @staticmethod
    def make_path(tree: str, codes: list[str]) -> str:
        return f"{tree}:" + "".join(code + "/" for code in codes)


def path_ancestors(path: str) -> list[str]:
    """The paths of the unit at ``path`` and of every unit above it, nearest last."""
    tree, _, rest = path.partition(":")
    codes = [c for c in rest.split("/") if c]
    return [Unit.make_path(tree, codes[: i + 1]) for i in range(len(codes))]


def escape_like(value: str) -> str:
    """Escape LIKE wildcards so a path is matched literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


ORGANISATION_KINDS = (
    "womens_union",
    "farmers_union",
    "fatherland_front",
    "peoples_committee",
    "police",
    "border_guard",
    "health_department",
    "social_protection_centre",
    "rehab_centre",
    "prison",
    "ngo",
    "other",
)


class Organisation(UUIDPrimaryKey, db.Model):
    """A body that works on cases or refers people: Women's Union, police, an NGO, …

    Kept as data (not an enum in code) because which body is responsible for which case type
    changed in 2025 and will change again.
    """

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit | None] = relationship()
