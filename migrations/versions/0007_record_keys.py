"""record keys for the cell key method (issue 17)

Each case gets a fixed random record key 0..255 (casework.stats.protection), back-filled here
for existing cases; the statistics summary keeps the cell key next to each count.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file') as batch:
        batch.add_column(sa.Column('record_key', sa.SmallInteger(), nullable=True))
    with op.batch_alter_table('stat_fact') as batch:
        batch.add_column(sa.Column('ckey', sa.Integer(), nullable=False, server_default='0'))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE case_file SET record_key = floor(random() * 256)::int")
    else:
        op.execute("UPDATE case_file SET record_key = abs(random()) % 256")
    with op.batch_alter_table('case_file') as batch:
        batch.alter_column('record_key', existing_type=sa.SmallInteger(), nullable=False)
    with op.batch_alter_table('stat_fact') as batch:
        batch.alter_column('ckey', existing_type=sa.Integer(), nullable=False,
                           server_default=None)
    # The summary's counts have no keys yet: the next refresh rebuilds them.
    op.execute("DELETE FROM stat_report")
    op.execute("DELETE FROM stat_fact")


def downgrade():
    with op.batch_alter_table('stat_fact') as batch:
        batch.drop_column('ckey')
    with op.batch_alter_table('case_file') as batch:
        batch.drop_column('record_key')
