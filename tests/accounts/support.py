"""Small helpers shared by the account tests: reading rows, moving clocks, bearer clients."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from casework.accounts.models import User, UserSession
from casework.extensions import db
from casework.model_base import utcnow

SESSION_COOKIE = "casework_session"
FAILED = "Tên đăng nhập, mật khẩu hoặc mã OTP không đúng / wrong username, password or code."


def user_row(app: Any, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def set_user(app: Any, username: str, **values: Any) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(**values))
        db.session.commit()


def sessions_of(app: Any, username: str) -> list[UserSession]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(UserSession)
                .join(User)
                .where(User.username == username)
                .order_by(UserSession.created_at)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def age_sessions(app: Any, username: str, **deltas: timedelta) -> None:
    """Move a user's session timestamps into the past (``last_seen_at=…``, ``expires_at=…``)."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        values = {column: utcnow() - delta for column, delta in deltas.items()}
        db.session.execute(
            update(UserSession).where(UserSession.user_id == user_id).values(**values)
        )
        db.session.commit()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def enrol(app: Any, code: str, password: str) -> Any:
    """Redeem an enrolment code through the API, as its holder would (no login)."""
    return app.test_client().post(
        "/api/v1/auth/enrolment", json={"code": code, "password": password}
    )


def decide(supervisor: Any, request_id: str, decision: str = "approve") -> Any:
    """A supervisor's decision on a role request (``supervisor`` is a logged-in ApiClient)."""
    return supervisor.post(
        f"/api/v1/role-requests/{request_id}/decision", json={"decision": decision}
    )
