"""Who acts: what a ``User`` row and a request's ``Principal`` share, as a typing protocol.

Operations, scoping and presenters take either: the API and pages pass the request's
``Principal`` (read in one query, see ``casework.accounts.principal``), the CLI, the demo and
the tests a ``User``. Both answer the same questions: who (``id``, ``username``), where
(``unit_id``, ``unit``), and with which roles in which units (``roles``, ``role_names``) —
from which ``casework.access.scoping`` derives the permissions. This module imports nothing of
the application, so any layer may name the type.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol, runtime_checkable


class UnitLike(Protocol):
    """What scope checks read of a unit."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def code(self) -> str: ...

    @property
    def path(self) -> str: ...


class RoleGrant(Protocol):
    """A role held in a unit (``RoleAssignment`` or ``Grant``)."""

    @property
    def role(self) -> str: ...

    @property
    def unit_id(self) -> uuid.UUID: ...

    @property
    def unit(self) -> UnitLike: ...


@runtime_checkable
class Actor(Protocol):
    """The person an operation acts for: a ``User`` or a ``Principal``."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def username(self) -> str: ...

    @property
    def unit_id(self) -> uuid.UUID: ...

    @property
    def unit(self) -> UnitLike: ...

    @property
    def roles(self) -> Iterable[RoleGrant]: ...

    @property
    def role_names(self) -> set[str]: ...
