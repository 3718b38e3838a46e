"""Encrypted attributes on SQLAlchemy models: model code reads ``person.full_name``.

``EncryptedField`` is a plain Python descriptor sitting next to the mapped ciphertext column
(``full_name_ct``). Setting it encrypts with the active key, bound to the table, the field name
and ``instance.id``; reading it decrypts. The database, the session and SQLAlchemy only ever see
ciphertext, so nothing (flush, logging of SQL parameters, a failed INSERT) can leak plaintext.

The associated data uses the descriptor's own name (``full_name``), not the ciphertext
column's, so renaming storage does not matter and the value's meaning is what is bound.

Every field registers itself (``encrypted_fields()``), so rotation, verification and backup
checks cover every encrypted column without a list anyone must remember to update.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, overload

from sqlalchemy import ColumnElement, false
from sqlalchemy import inspect as sa_inspect

from casework.crypto.blind import blind_index
from casework.crypto.context import current_keyring
from casework.crypto.errors import CryptoError, DecryptionError
from casework.crypto.fields import (
    decrypt_value,
    encrypt_value,
    is_person_sealed,
    open_for_person,
    seal_for_person,
)
from casework.crypto.keyring import Keyring

FieldKind = Literal["text", "date"]
Normaliser = Callable[[str], str]

_Cache = dict[str, tuple[bytes, Any]]  # {field name: (ciphertext, value)}

# Plaintext caches live beside the instances, keyed by id() and dropped when the instance dies:
# not in the instance __dict__, where pickling (a cache, a session dump) would carry plaintext.
_caches: dict[int, _Cache] = {}


def _cache_of(instance: object) -> _Cache:
    key = id(instance)
    cache = _caches.get(key)
    if cache is None:
        cache = _caches[key] = {}
        weakref.finalize(instance, _caches.pop, key, None)
    return cache


@dataclass(frozen=True)
class FieldSpec:
    """One encrypted field of one model, as rotation and verification need it."""

    model: type
    attr: str
    ciphertext_attr: str
    blind_index_attr: str | None
    normaliser: Normaliser | None
    kind: FieldKind
    #: The attribute holding the id of the person the value is about (``"id"`` on ``person``):
    #: such values are sealed under that person's data key (``person_keys``).
    person: str | None = None

    @property
    def table(self) -> str:
        """The table name bound into the associated data."""
        return str(self.model.__tablename__)  # type: ignore[attr-defined]

    @property
    def blind_index_name(self) -> str:
        """The name the blind-index key is derived for: ``table.attr``."""
        return f"{self.table}.{self.attr}"


_registry: dict[type, list[FieldSpec]] = {}


def encrypted_fields() -> dict[type, list[FieldSpec]]:
    """Every encrypted field of every model class defined so far, by model."""
    return {model: list(specs) for model, specs in _registry.items()}


def forget_model(model: type) -> None:
    """Drop ``model`` from the registry (for tests that build throwaway models)."""
    _registry.pop(model, None)


class EncryptedField:
    """A model attribute stored encrypted in ``ciphertext_attr`` (a LargeBinary column).

    ``kind="date"`` stores a ``datetime.date`` as its ISO string. With ``blind_index`` (the
    name of an integer column), setting the field also stores the blind index of the value,
    passed through ``normaliser`` first.

    Declare it on the mapped model class itself, not on a mixin: the registry records the
    class it is declared on, and rotation finds the table through that class.
    """

    def __init__(
        self,
        ciphertext_attr: str,
        *,
        kind: FieldKind = "text",
        blind_index: str | None = None,
        normaliser: Normaliser | None = None,
        person: str | None = None,
    ) -> None:
        if kind not in ("text", "date"):
            raise ValueError(f"unknown encrypted field kind {kind!r}")
        if normaliser is not None and blind_index is None:
            raise ValueError("a normaliser only makes sense with a blind_index column")
        self.ciphertext_attr = ciphertext_attr
        self.kind: FieldKind = kind
        self.blind_index_attr = blind_index
        self.normaliser = normaliser
        self.person = person
        self.name = ""
        self.spec: FieldSpec | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.spec = FieldSpec(
            model=owner,
            attr=name,
            ciphertext_attr=self.ciphertext_attr,
            blind_index_attr=self.blind_index_attr,
            normaliser=self.normaliser,
            kind=self.kind,
            person=self.person,
        )
        _registry.setdefault(owner, []).append(self.spec)

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> EncryptedField: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> Any: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        """The decrypted value (``str``, ``date`` or ``None``); the descriptor on the class.

        :raise DecryptionError: when the stored value does not decrypt.
        :raise KeyUnavailableError: when no keyring is available.
        """
        if instance is None:
            return self
        blob = getattr(instance, self.ciphertext_attr)
        if blob is None:
            return None
        blob = bytes(blob)
        cache = _cache_of(instance)
        cached = cache.get(self.name)
        # Keyed by the ciphertext: after a refresh, a rotation or a raw UPDATE it decrypts again.
        if cached is not None and cached[0] == blob:
            return cached[1]
        if is_person_sealed(blob):
            text = self._open_for_person(instance, blob)
        else:
            text = decrypt_value(
                current_keyring(), blob, _table_of(instance), self.name, _row_id_of(instance)
            )
        value = date.fromisoformat(text) if self.kind == "date" else text
        cache[self.name] = (blob, value)
        return value

    def __set__(self, instance: object, value: str | date | None) -> None:
        """Encrypt ``value`` into the ciphertext column (and its blind index).

        Setting the value the field already holds writes nothing, so saving an unchanged form
        does not dirty the row.

        :raise TypeError: when the value does not suit the field kind.
        :raise CryptoError: when the instance has no id yet.
        :raise KeyUnavailableError: when no keyring is available.
        """
        cache = _cache_of(instance)
        if value is None:
            setattr(instance, self.ciphertext_attr, None)
            if self.blind_index_attr is not None:
                setattr(instance, self.blind_index_attr, None)
            cache.pop(self.name, None)
            return
        text = self._to_text(value)
        if self._holds(instance, value):
            return
        keyring = current_keyring()
        if self.person is not None:
            blob = self._seal_for_person(instance, text)
        else:
            blob = encrypt_value(
                keyring, text, _table_of(instance), self.name, _row_id_of(instance)
            )
        setattr(instance, self.ciphertext_attr, blob)
        if self.blind_index_attr is not None:
            setattr(instance, self.blind_index_attr, self._index(keyring, instance, text))
        cache[self.name] = (blob, value)

    def _person_id(self, instance: object) -> uuid.UUID:
        assert self.person is not None
        person_id = getattr(instance, self.person, None)
        if person_id is None:
            raise CryptoError(
                f"{type(instance).__name__}.{self.name} is sealed under a person's data key: "
                f"set {self.person} first"
            )
        return person_id  # type: ignore[no-any-return]

    def _seal_for_person(self, instance: object, text: str) -> bytes:
        from casework.crypto import person_keys

        if getattr(instance, "erased_at", None) is not None:
            raise person_keys.PersonErasedError(
                "this person's data was erased: nothing more is written about them"
            )
        session = person_keys.session_for(instance)
        person_id = self._person_id(instance)
        # A person not yet in the database has no stored key: no query to look for one (an
        # import of a thousand people must not cost a thousand lookups).
        state = sa_inspect(instance)
        new_person = person_id == _row_id_of(instance) and (state.transient or state.pending)
        key = person_keys.data_key(session, person_id, create=True, new_person=new_person)
        if key is None:  # the person's key was destroyed: an erased person
            raise person_keys.PersonErasedError(
                "this person's data was erased: nothing more is written about them"
            )
        return seal_for_person(key, text, _table_of(instance), self.name, _row_id_of(instance))

    def _open_for_person(self, instance: object, blob: bytes) -> str:
        from casework.crypto import person_keys

        table, row_id = _table_of(instance), _row_id_of(instance)
        if self.person is None:
            raise DecryptionError(
                "sealed under a person's data key, but the field names no person",
                table=table,
                column=self.name,
                row_id=row_id,
            )
        session = person_keys.session_for(instance)
        current_keyring()  # the key guard stands in front of data keys too
        key = person_keys.data_key(session, self._person_id(instance))
        if key is None:
            raise person_keys.PersonKeyErasedError(
                "the person's data key is gone (erased)",
                table=table,
                column=self.name,
                row_id=row_id,
            )
        return open_for_person(key, blob, table, self.name, row_id)

    def _to_text(self, value: str | date) -> str:
        if self.kind == "date":
            # datetime is a date subclass; its ISO form would smuggle a time into the field.
            if not isinstance(value, date) or isinstance(value, datetime):
                raise TypeError(f"{self.name} takes a datetime.date, not {type(value).__name__}")
            return value.isoformat()
        if not isinstance(value, str):
            raise TypeError(f"{self.name} takes a str, not {type(value).__name__}")
        return value

    def _holds(self, instance: object, value: str | date) -> bool:
        if getattr(instance, self.ciphertext_attr) is None:
            return False
        if self.blind_index_attr is not None and getattr(instance, self.blind_index_attr) is None:
            return False  # index column added after the data: recompute it
        try:
            return bool(self.__get__(instance) == value)
        except DecryptionError:
            return False  # an unreadable old value may always be overwritten

    def _index(self, keyring: Keyring, instance: object, text: str) -> int | None:
        normalised = self.normaliser(text) if self.normaliser else text
        if not normalised:
            return None  # "N/A" must not put everyone without an ID in one bucket
        return blind_index(keyring, f"{_table_of(instance)}.{self.name}", normalised)

    def blind_index_of(self, value: str) -> int | None:
        """The blind-index value a search for ``value`` looks for (``None``: matches nothing)."""
        if self.blind_index_attr is None or self.spec is None:
            raise CryptoError(f"{self.name} has no blind index")
        normalised = self.normaliser(value) if self.normaliser else value
        if not normalised:
            return None
        return blind_index(current_keyring(), self.spec.blind_index_name, normalised)

    def candidates(self, value: str) -> ColumnElement[bool]:
        """A WHERE clause selecting rows that may hold ``value`` (filter them with ``matches``).

        :raise CryptoError: when the field has no blind index.
        """
        index = self.blind_index_of(value)
        if index is None:
            return false()
        assert self.spec is not None and self.blind_index_attr is not None
        column: Any = getattr(self.spec.model, self.blind_index_attr)
        return column == index  # type: ignore[no-any-return]

    def matches(self, instance: object, value: str) -> bool:
        """Whether ``instance`` really holds ``value`` (drops blind-index false positives)."""
        stored = self.__get__(instance)
        if stored is None:
            return False
        if self.normaliser is None:
            return bool(stored == value)
        return self.normaliser(str(stored)) == self.normaliser(value)

    def __repr__(self) -> str:
        owner = self.spec.model.__name__ if self.spec else "?"
        return f"<EncryptedField {owner}.{self.name} in {self.ciphertext_attr}>"


def _table_of(instance: object) -> str:
    return str(type(instance).__tablename__)  # type: ignore[attr-defined]


def _row_id_of(instance: object) -> uuid.UUID:
    row_id = getattr(instance, "id", None)
    if row_id is None:
        raise CryptoError(
            f"{type(instance).__name__} has no id yet: encrypted fields are bound to the row id, "
            "so set id (UUIDPrimaryKey does it in __init__) before any encrypted field"
        )
    return row_id  # type: ignore[no-any-return]
