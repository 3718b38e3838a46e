"""key check values; login rate-limit counters

Revision ID: 0003
Revises: 0002

crypto_key_check: the check value of every root key the database was written with
(casework.crypto.checks), so a worker started with another key refuses to serve. Existing
deployments get theirs from the first `flask --app wsgi casework init` after this upgrade,
which tries each configured key against the data already stored before writing its value.

rate_limit_counter: fixed-window counters of the login rate limits, shared by every worker
when REDIS_URL is unset (casework.rate_limits).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crypto_key_check",
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("check_value", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_crypto_key_check")),
    )
    op.create_table(
        "rate_limit_counter",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counter")),
    )
    with op.batch_alter_table("rate_limit_counter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_limit_counter_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("rate_limit_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counter_expires_at"))
    op.drop_table("rate_limit_counter")
    op.drop_table("crypto_key_check")
