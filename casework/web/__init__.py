"""The server-rendered web pages (Vietnamese first)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, render_template

from casework.extensions import db, login_manager


def init_app(app: Flask) -> None:
    from casework.accounts.models import User

    @login_manager.user_loader
    def _load_user(user_id: str) -> Any:
        try:
            user = db.session.get(User, uuid.UUID(user_id))
        except ValueError:
            return None
        return user if user is not None and user.active else None

    @app.get("/")
    def index() -> str:
        return render_template("index.html")
