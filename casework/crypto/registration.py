"""Introducing keys to a database: writing their check values, once they are proven to belong.

The commands that bring a key in call ``register_keys``: ``casework init`` (a fresh install, or
the first run after the upgrade that added check values), ``keys generate``, ``keys rotate``
and ``keys register`` (a key added to ``CASEWORK_ROOT_KEY``). Workers never do: they only
compare (``checks``), so a wrong key cannot register itself by arriving first.

A key the database already has a check value for must match it. A key it has none for is
tried against what is already stored before its check value is written, so an existing
deployment upgrading with the wrong key configured is refused instead of enrolled:

- a ciphertext written under the key's id (the first found, table by table) must decrypt;
- when it is the blind-index key, the audit trail must verify under it (the first or the
  newest row; the chain key derives from the index key).

Where nothing is stored under a key, nothing can be read wrongly with it: it is registered as
it is. Keys the calling command has just generated (``fresh``) skip the search.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import LargeBinary, func, select
from sqlalchemy.orm import Session

from casework.crypto.checks import problem_with, stored_check_values, write_check_values
from casework.crypto.errors import DecryptionError, KeyMismatchError
from casework.crypto.fields import HEADER_BYTES, decrypt_value, header_for
from casework.crypto.keyring import Keyring
from casework.crypto.tables import encrypted_tables


def register_keys(session: Session, keyring: Keyring, *, fresh: Collection[int] = ()) -> list[int]:
    """Write the check values of ``keyring``'s keys the database lacks; return their ids.

    Records ``keys.register`` in the audit trail when it writes any. The caller commits.

    :raise KeyMismatchError: when a key differs from its check value, or stored data written
        under its id does not open with it (nothing is written then).
    :raise KeyCheckUnreadableError: when the check values cannot be read.
    """
    from casework.audit import trail  # the trail itself needs a checked keyring

    connection = session.connection()
    stored = stored_check_values(connection)
    problem = problem_with(keyring, stored)
    if isinstance(problem, KeyMismatchError):
        raise problem
    new_ids = [key_id for key_id in keyring.key_ids if key_id not in stored]
    if not new_ids:
        return []
    for key_id in new_ids:
        if key_id not in fresh:
            _prove_against_ciphertext(session, keyring, key_id)
    index_key = keyring.index_key_id
    if index_key in new_ids and index_key not in fresh:
        if trail.signed_with(session, keyring) is False:
            raise KeyMismatchError(
                [index_key], "the audit trail's rows do not verify with it"
            )
    write_check_values(connection, keyring, new_ids)
    trail.record(session, "keys.register", key_ids=new_ids)
    return new_ids


def _prove_against_ciphertext(session: Session, keyring: Keyring, key_id: int) -> None:
    found = _stored_under(session, key_id)
    if found is None:
        return
    table, attr, row_id, blob = found
    try:
        decrypt_value(keyring, blob, table, attr, row_id)
    except DecryptionError:
        raise KeyMismatchError(
            [key_id], f"{table}.{attr} of row {row_id}, written under key {key_id}, does not "
            "decrypt with it"
        ) from None


def _stored_under(session: Session, key_id: int) -> tuple[str, str, Any, bytes] | None:
    """One stored ciphertext written under ``key_id``: (table, field, row id, ciphertext)."""
    header = header_for(key_id)
    for table in encrypted_tables(session):
        for column in table.columns:
            prefix = func.substr(column.ciphertext, 1, HEADER_BYTES, type_=LargeBinary)
            row = session.execute(
                select(table.primary_key, column.ciphertext).where(prefix == header).limit(1)
            ).first()
            if row is not None:
                return table.name, column.spec.attr, row[0], bytes(row[1])
    return None
