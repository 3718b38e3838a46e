"""enrolment codes, role requests (four-eyes on case roles), vouched credentials

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02

An administrator no longer sets passwords: it hands over single-use enrolment codes, and a role
that reads case content waits for a supervisor's approval (issue 16, finding 3).

Existing accounts: a password its holder has changed since an administrator set it is counted as
vouched; an account still on an administrator's temporary password (``password_must_change``)
is not. Such an account that holds a case role is exactly the hole being closed (the
administrator knows that temporary password), so its password is ended and its case roles wait
for a supervisor again, as after a reset: the approving supervisor hands over a code.
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

CASE_ROLES = ("social_worker", "supervisor")


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    # Not a batch operation: on SQLite that would copy user_account into a new table, which the
    # foreign keys pointing at its rows forbid; both databases add a column with a default.
    op.add_column(
        "user_account",
        sa.Column("credential_vouched", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    user_account = sa.table(
        "user_account",
        sa.column("credential_vouched", sa.Boolean()),
        sa.column("password_must_change", sa.Boolean()),
    )
    op.execute(
        user_account.update()
        .where(user_account.c.password_must_change == sa.false())
        .values(credential_vouched=sa.true())
    )

    op.create_table(
        "role_request",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_role_request_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_role_request_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_role_request_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_role_request_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_request")),
    )
    with op.batch_alter_table("role_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_request_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_request_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "uq_role_request_pending",
            ["user_id", "role", "unit_id"],
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )

    _suspend_case_roles_on_temporary_passwords()

    op.create_table(
        "enrolment_code",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vouched", sa.Boolean(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_enrolment_code_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_enrolment_code_issued_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_enrolment_code_code_hash")),
    )
    with op.batch_alter_table("enrolment_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_code_user_id"), ["user_id"], unique=False)


def _suspend_case_roles_on_temporary_passwords():
    bind = op.get_bind()
    users = sa.table(
        "user_account",
        sa.column("id", sa.Uuid()),
        sa.column("password_hash", sa.String()),
        sa.column("password_must_change", sa.Boolean()),
    )
    assignments = sa.table(
        "role_assignment",
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("role", sa.String()),
        sa.column("unit_id", sa.Uuid()),
    )
    requests = sa.table(
        "role_request",
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("role", sa.String()),
        sa.column("unit_id", sa.Uuid()),
        sa.column("cause", sa.String()),
        sa.column("status", sa.String()),
        sa.column("requested_at", sa.DateTime(timezone=True)),
    )
    exposed = bind.execute(
        sa.select(
            assignments.c.id, assignments.c.user_id, assignments.c.role, assignments.c.unit_id
        )
        .join(users, users.c.id == assignments.c.user_id)
        .where(users.c.password_must_change == sa.true(), assignments.c.role.in_(CASE_ROLES))
    ).all()
    if not exposed:
        return
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":  # stored as naive UTC there (casework.model_base)
        now = now.replace(tzinfo=None)
    op.bulk_insert(
        requests,
        [
            {
                "id": uuid.uuid4(),
                "user_id": row.user_id,
                "role": row.role,
                "unit_id": row.unit_id,
                "cause": "reset",
                "status": "pending",
                "requested_at": now,
            }
            for row in exposed
        ],
    )
    bind.execute(assignments.delete().where(assignments.c.id.in_([row.id for row in exposed])))
    bind.execute(
        users.update()
        .where(users.c.id.in_({row.user_id for row in exposed}))
        .values(password_hash="!", password_must_change=False)
    )


def downgrade():
    with op.batch_alter_table("enrolment_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_code_user_id"))
    op.drop_table("enrolment_code")
    with op.batch_alter_table("role_request", schema=None) as batch_op:
        batch_op.drop_index("uq_role_request_pending")
        batch_op.drop_index(batch_op.f("ix_role_request_unit_id"))
        batch_op.drop_index(batch_op.f("ix_role_request_user_id"))
    op.drop_table("role_request")
    # Not a batch operation either (see upgrade); SQLite 3.35+ and PostgreSQL drop a column.
    op.execute("ALTER TABLE user_account DROP COLUMN credential_vouched")
