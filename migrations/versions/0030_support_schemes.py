"""support schemes as codes: a province's own schemes, and the scheme a support item names

Revision ID: 0030
Revises: 0006
Create Date: 2026-12-05

The packaged schemes are data shipped with the code (casework/data/support-schemes.json);
this table holds those a province adds. ``support_item.scheme_code`` names either.
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "support_scheme",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("funder", sa.String(length=32), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=True),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("case_types", sa.JSON(), nullable=True),
        sa.Column("max_amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_support_scheme_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_support_scheme_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_scheme")),
        sa.UniqueConstraint("code", name=op.f("uq_support_scheme_code")),
    )
    op.create_index(
        op.f("ix_support_scheme_unit_id"), "support_scheme", ["unit_id"], unique=False
    )
    # Not a batch operation (SQLite would copy support_item, which referrals point at).
    op.add_column("support_item", sa.Column("scheme_code", sa.String(length=40), nullable=True))
    op.create_index(
        op.f("ix_support_item_scheme_code"), "support_item", ["scheme_code"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_support_item_scheme_code"), table_name="support_item")
    with op.batch_alter_table("support_item") as batch_op:
        batch_op.drop_column("scheme_code")
    op.drop_index(op.f("ix_support_scheme_unit_id"), table_name="support_scheme")
    op.drop_table("support_scheme")
