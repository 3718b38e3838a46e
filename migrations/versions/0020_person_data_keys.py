"""per-person data keys (envelope encryption, issue 20)

Each person's data key, wrapped under the root keyring (casework/crypto/person_keys.py), with
row-level security on PostgreSQL (reach "via_person" in casework/access/row_policies.py).
Existing values stay readable; `flask --app wsgi keys migrate-person-keys` reseals them.

Revision ID: 0020
Revises: 0006
Create Date: 2026-12-05 15:00:00

"""
import sqlalchemy as sa
from alembic import op

from casework.access.row_policies import CASE_TABLES, install_statements, uninstall_statements

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = "0033"
branch_labels = None
depends_on = None

_TABLE = next(t for t in CASE_TABLES if t.name == 'person_data_key')


def upgrade():
    op.create_table(
        'person_data_key',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('key_ct', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    if op.get_bind().dialect.name == 'postgresql':
        for statement in install_statements(_TABLE):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in uninstall_statements(_TABLE):
            op.execute(statement)
    op.drop_table('person_data_key')
