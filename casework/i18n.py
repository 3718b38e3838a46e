"""Language choice: Vietnamese by default, English on request (query, cookie, user's setting).

Outside a request (CLI, imports run from a command) the configured default applies.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

from casework.config import LOCALES


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["CASEWORK_LOCALE"]
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    user_locale = _loaded_locale(current_user._get_current_object()) if current_user else None
    if user_locale in LOCALES:
        return user_locale
    return current_app.config["CASEWORK_LOCALE"]


def _loaded_locale(user: object) -> str | None:
    """The user's language if already loaded — never a query: this runs inside error handlers,
    possibly after a failed flush, when touching the database would raise again."""
    try:
        state = inspect(user)
    except NoInspectionAvailable:
        return getattr(user, "locale", None)
    return state.dict.get("locale")


def current_language() -> str:
    """'vi' or 'en': the language messages of this request are written in."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "vi"
