"""Migrations are the schema's source of truth: they must agree with the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from casework.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrading_suspends_case_roles_held_on_an_administrators_temporary_password(
    world, owner_app
):
    """Before 0004 an administrator set temporary passwords, and knows the ones still in use:
    such an account's case roles wait for a supervisor again, and that password ends."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select, update

    from casework.accounts.models import RoleRequest, User
    from casework.integrity import verify_integrity
    from tests.conftest import PASSWORD, ApiClient, _grant_app_role

    with world.app.app_context():
        db.session.execute(
            update(User).where(User.username == "worker_a").values(password_must_change=True)
        )
        db.session.execute(
            update(User).where(User.username == "worker_b").values(credential_vouched=False)
        )
        db.session.commit()
        assert verify_integrity(db.session) == [
            "user worker_b: holds a case role on a credential not vouched for"
        ]
        db.session.remove()
        # Migrations run as the tables' owner, then the service's role is granted again.
        with owner_app.app_context():
            downgrade(revision="0002")
            upgrade()
            db.session.remove()
        _grant_app_role(owner_app.config["SQLALCHEMY_DATABASE_URI"])
        worker_a = db.session.scalar(select(User).where(User.username == "worker_a"))
        assert worker_a.role_names == set() and worker_a.awaiting_enrolment
        [waiting] = db.session.scalars(select(RoleRequest)).all()
        assert (waiting.user_id, waiting.role, waiting.cause) == (
            worker_a.id,
            "social_worker",
            "reset",
        )
        vouched = dict(db.session.execute(select(User.username, User.credential_vouched)).all())
        assert vouched["worker_b"] is True and vouched["worker_a"] is False
        assert verify_integrity(db.session) == []
    assert ApiClient(world.app.test_client()).login("worker_a", PASSWORD).status_code == 401
