"""row-level security on the tables about people (PostgreSQL only)

The database's own copy of unit scoping: see casework/access/row_policies.py for the settings
the policies read and what each context reaches. SQLite has no row-level security; there the
application's scoping stays the only guard, and this revision changes nothing.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-27 09:00:00

"""
from alembic import op

from casework.access.row_policies import (
    CASE_TABLES,
    DROP_FUNCTIONS,
    FUNCTIONS,
    install_statements,
    uninstall_statements,
)

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for statement in FUNCTIONS:
        op.execute(statement)
    for table in CASE_TABLES:
        if table.since != revision:
            continue  # a later revision creates the table and installs its policies
        for statement in install_statements(table):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in CASE_TABLES:
        if table.since != revision:
            continue
        for statement in uninstall_statements(table):
            op.execute(statement)
    for statement in DROP_FUNCTIONS:
        op.execute(statement)
