"""notifications: inbox rows per recipient, delivery attempts and dead letters; user e-mail

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-05 15:30:00

"""
import sqlalchemy as sa
from alembic import op

from casework.access.row_policies import case_table, install_statements, uninstall_statements

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('email_ct', sa.LargeBinary(), nullable=True))
    op.create_table(
        'notification',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('recipient_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=True),
        sa.Column('reference', sa.String(length=32), nullable=True),
        sa.Column('link', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notification_recipient_created', 'notification',
                    ['recipient_id', 'created_at'])
    op.create_index('ix_notification_case_id', 'notification', ['case_id'])
    op.create_table(
        'notification_delivery',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('notification_id', sa.Uuid(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notification_delivery_notification_id', 'notification_delivery',
                    ['notification_id'])
    op.create_index('ix_notification_delivery_status', 'notification_delivery', ['status'])
    if op.get_bind().dialect.name == 'postgresql':
        for statement in install_statements(case_table('notification')):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in uninstall_statements(case_table('notification')):
            op.execute(statement)
    op.drop_table('notification_delivery')
    op.drop_table('notification')
    # Not a batch operation: SQLite 3.35+ and PostgreSQL drop a column in place (a batch copy of
    # user_account would be refused by the tables that refer to it).
    op.execute('ALTER TABLE user_account DROP COLUMN email_ct')
