"""Language choice: Vietnamese by default, English on request (cookie, then the user's setting)."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from casework.config import LOCALES


def select_locale() -> str:
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in LOCALES:
        return user_locale
    return current_app.config["CASEWORK_LOCALE"]
