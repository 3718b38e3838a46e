"""The encrypted columns of the database, resolved from the field registry to Core columns.

Rotation and verification work on raw columns through SQLAlchemy Core: they must see exactly
what is stored, not objects cached in a session's identity map.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Row, Select, Table, inspect, select
from sqlalchemy.orm import Session

from casework.crypto.orm import FieldSpec, encrypted_fields


@dataclass(frozen=True)
class EncryptedColumn:
    """One encrypted field with its ciphertext column and optional blind-index column."""

    spec: FieldSpec
    ciphertext: Column[bytes]
    blind_index: Column[int] | None


@dataclass(frozen=True)
class EncryptedTable:
    """A table with its primary key and every encrypted field stored in it."""

    table: Table
    primary_key: Column[object]
    columns: tuple[EncryptedColumn, ...]

    @property
    def name(self) -> str:
        return self.table.name

    def batches(
        self, session: Session, batch_size: int, after: object | None = None
    ) -> Iterator[Sequence[Row[Any]]]:
        """Rows ``(id, ciphertext, ...)`` in id order, ``batch_size`` at a time, after ``after``.

        Keyset pagination: each batch is a fresh, indexed query, so batches can be committed in
        between and rows added meanwhile are not skipped or repeated because of offsets.
        """
        while True:
            rows = session.execute(self.select_rows(after).limit(batch_size)).all()
            if not rows:
                return
            yield rows
            after = rows[-1][0]

    def select_rows(self, after: object | None = None) -> Select[Any]:
        """Id and ciphertexts (then blind indexes) of the rows after ``after``, in id order."""
        query = select(
            self.primary_key,
            *(c.ciphertext for c in self.columns),
            *(c.blind_index for c in self.columns if c.blind_index is not None),
        ).order_by(self.primary_key)
        return query if after is None else query.where(self.primary_key > after)


def encrypted_tables(
    session: Session, models: Iterable[type] | None = None
) -> list[EncryptedTable]:
    """The tables holding encrypted fields of ``models`` (default: every registered model).

    Tables missing from the database are left out: a table that does not exist holds no
    ciphertext, and throwaway test models must not break the real database's tools.
    """
    registry = encrypted_fields()
    chosen = registry if models is None else {m: registry.get(m, []) for m in models}
    existing = inspect(session.connection())
    grouped: dict[Table, tuple[Column[object], dict[str, EncryptedColumn]]] = {}
    for model, specs in chosen.items():
        mapper = inspect(model, raiseerr=False)
        if mapper is None:
            continue  # a plain class using EncryptedField has no table to scan
        table = mapper.local_table
        if not isinstance(table, Table) or not existing.has_table(table.name, schema=table.schema):
            continue
        if len(mapper.primary_key) != 1:
            raise TypeError(f"{model.__name__}: encrypted rows need a single-column primary key")
        _, by_attr = grouped.setdefault(table, (mapper.primary_key[0], {}))
        for spec in specs:
            blind = (
                mapper.attrs[spec.blind_index_attr].columns[0] if spec.blind_index_attr else None
            )
            by_attr[spec.attr] = EncryptedColumn(
                spec=spec,
                ciphertext=mapper.attrs[spec.ciphertext_attr].columns[0],
                blind_index=blind,
            )
    return [
        EncryptedTable(table=table, primary_key=pk, columns=tuple(by_attr.values()))
        for table, (pk, by_attr) in sorted(grouped.items(), key=lambda item: item[0].name)
        if by_attr
    ]
