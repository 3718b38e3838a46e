"""erasure by crypto-shredding: person erasure columns, legal hold, erasure requests (issue 20)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 15:30:00

"""

import sqlalchemy as sa
from alembic import op

from casework.access.row_policies import CASE_TABLES, install_statements, uninstall_statements

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_TABLE = next(t for t in CASE_TABLES if t.name == "erasure_request")


def upgrade():
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("erasure_reason", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "erasure_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_erasure_request_person_id", "erasure_request", ["person_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in install_statements(_TABLE):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in uninstall_statements(_TABLE):
            op.execute(statement)
    op.drop_index("ix_erasure_request_person_id", "erasure_request")
    op.drop_table("erasure_request")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("legal_hold")
        batch.drop_column("erasure_reason")
        batch.drop_column("erased_at")
