"""groups (clubs, peer and self-help groups, teams), their members and meetings

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05

group_member refers to case_file: row-level security scopes it by the group's unit (PostgreSQL).
"""

import sqlalchemy as sa
from alembic import op

from casework.access.row_policies import case_table, install_statements, uninstall_statements

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme_group",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_programme_group_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_programme_group_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_group")),
    )
    op.create_index(op.f("ix_programme_group_unit_id"), "programme_group", ["unit_id"])
    op.create_table(
        "group_member",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("contact_name_ct", sa.LargeBinary(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["programme_group.id"],
            name=op.f("fk_group_member_group_id_programme_group"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_group_member_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_group_member_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_group_member_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_member")),
    )
    op.create_index(op.f("ix_group_member_group_id"), "group_member", ["group_id"])
    op.create_index(op.f("ix_group_member_unit_id"), "group_member", ["unit_id"])
    op.create_index(op.f("ix_group_member_case_id"), "group_member", ["case_id"])
    op.create_table(
        "group_meeting",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("members_present", sa.Integer(), nullable=False),
        sa.Column("others_present", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["programme_group.id"],
            name=op.f("fk_group_meeting_group_id_programme_group"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_group_meeting_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_meeting")),
    )
    op.create_index(op.f("ix_group_meeting_group_id"), "group_meeting", ["group_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in install_statements(case_table("group_member")):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in uninstall_statements(case_table("group_member")):
            op.execute(statement)
    op.drop_table("group_meeting")
    op.drop_table("group_member")
    op.drop_table("programme_group")
