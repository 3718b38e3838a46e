"""commune ratings: yearly self-assessment, review, hotspots

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commune_rating",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("self_result", sa.String(length=16), nullable=False),
        sa.Column("hotspots", sa.JSON(), nullable=False),
        sa.Column("no_social_evils", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewed_result", sa.String(length=16), nullable=True),
        sa.Column("reviewed_hotspots", sa.JSON(), nullable=True),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessed_by_id", sa.Uuid(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_commune_rating_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user_account.id"],
            name=op.f("fk_commune_rating_reviewed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"],
            ["user_account.id"],
            name=op.f("fk_commune_rating_assessed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune_rating")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_commune_rating_unit_id")),
    )
    op.create_index(op.f("ix_commune_rating_unit_id"), "commune_rating", ["unit_id"])


def downgrade():
    op.drop_table("commune_rating")
