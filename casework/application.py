"""The service's Flask class: Flask, without two costs it paid on every request for nothing.

- ``ensure_sync``: Flask asks ``inspect.iscoroutinefunction`` of every view and hook on every
  call (~17 times per API request). Whether a function is a coroutine function does not change,
  so the answer is kept per function.
- The session cookie's signing serializer: Flask builds a new one (key list, signer, salt) at the
  start of every request, cookie or not. It depends only on the secret keys, so it is kept until
  they change.

Together these were ~2 % of a case read's instructions (valgrind, 2026-11-26).
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the serializer built once per set of secret keys."""

    def __init__(self) -> None:
        self._serializer: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._serializer is None or self._serializer[0] != keys:
            self._serializer = (keys, super().get_signing_serializer(app))
        return self._serializer[1]


class CaseworkFlask(Flask):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One interface per app: the cached serializer belongs to this app's keys.
        self.session_interface = CachedSerializerSessionInterface()
        self._coroutine_functions: dict[Any, bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """As Flask's, with the coroutine check remembered per function (bound methods by
        their function: a method view's handler is a new bound method on every request)."""
        key = getattr(func, "__func__", func)
        try:
            is_coroutine = self._coroutine_functions[key]
        except KeyError:
            is_coroutine = self._coroutine_functions[key] = iscoroutinefunction(func)
        return self.async_to_sync(func) if is_coroutine else func
