"""Checking what is stored: which keys ciphertexts use, and that every one still decrypts.

Used before retiring a key (nothing may still use it), after restoring a backup (the keys
that came with it open it), and by ``flask keys status``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import LargeBinary, func, select
from sqlalchemy.orm import Session

from casework.crypto.blind import blind_index
from casework.crypto.errors import DecryptionError
from casework.crypto.fields import HEADER_BYTES, decrypt_value, is_person_sealed
from casework.crypto.keyring import Keyring
from casework.crypto.tables import EncryptedTable, encrypted_tables

VERIFY_BATCH = 1000


def count_by_key_id(session: Session, models: Iterable[type] | None = None) -> dict[int, int]:
    """How many stored ciphertexts use each key id, counted in SQL (nothing is decrypted)."""
    counts: dict[int, int] = {}
    for table in encrypted_tables(session, models):
        for column in table.columns:
            header = func.substr(column.ciphertext, 1, HEADER_BYTES, type_=LargeBinary)
            query = (
                select(header, func.count()).where(column.ciphertext.is_not(None)).group_by(header)
            )
            for head, count in session.execute(query):
                if is_person_sealed(bytes(head)):
                    continue  # under a person's data key, itself counted in person_data_key
                key_id = int.from_bytes(bytes(head)[1:HEADER_BYTES], "big")
                counts[key_id] = counts.get(key_id, 0) + count
    return dict(sorted(counts.items()))


def verify_all(
    session: Session, keyring: Keyring, models: Iterable[type] | None = None
) -> list[str]:
    """Every problem with stored encrypted values; an empty list means all is well.

    Decrypts every ciphertext and recomputes every blind index (a mismatch means the index key
    changed, e.g. key 1 was dropped from ``CASEWORK_ROOT_KEY``, and searches would miss).
    Problems name table, field and row id, never a value.
    """
    from casework.crypto.person_keys import stored_key_reader

    read_key = stored_key_reader(session, keyring)
    problems: list[str] = []
    for table in encrypted_tables(session, models):
        for rows in table.batches(session, VERIFY_BATCH):
            for row in rows:
                problems.extend(_row_problems(keyring, table, tuple(row), read_key))
    return problems


def _row_problems(
    keyring: Keyring, table: EncryptedTable, row: tuple[Any, ...], read_key: Any = None
) -> list[str]:
    # The row is (id, every ciphertext, then the blind index of each indexed field).
    row_id, blobs = row[0], row[1 : 1 + len(table.columns)]
    indexes = iter(row[1 + len(table.columns) :])
    problems: list[str] = []
    for column, blob in zip(table.columns, blobs, strict=True):
        stored_index = next(indexes) if column.blind_index is not None else None
        if blob is None:
            continue
        spec = column.spec
        where = f"{table.name}.{spec.attr} row {row_id}"
        try:
            if is_person_sealed(bytes(blob)):
                if spec.person != "id" or read_key is None:
                    problems.append(f"{where}: sealed under a person's key it cannot find")
                    continue
                from casework.crypto.person_keys import open_stored

                text = open_stored(read_key, bytes(blob), table.name, spec.attr, row_id)
            else:
                text = decrypt_value(keyring, blob, table.name, spec.attr, row_id)
        except DecryptionError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if column.blind_index is None:
            continue
        normalised = spec.normaliser(text) if spec.normaliser else text
        expected = blind_index(keyring, spec.blind_index_name, normalised) if normalised else None
        if stored_index != expected:
            problems.append(
                f"{where}: blind index does not match the value (was index key "
                f"{keyring.index_key_id} replaced?)"
            )
    return problems
