"""The caller of the current request, for views: authenticated or a 401."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from casework.errors import Unauthorized


def caller() -> Any:
    """The authenticated, active user of this request.

    :raise Unauthorized: nobody is logged in (or the account was disabled).
    """
    user = current_user._get_current_object()  # noqa: SLF001 - a plain object for the services
    if not getattr(user, "is_authenticated", False) or not user.active:
        raise Unauthorized()
    return user
