"""reminders (催学): a person's e-mail address for reminders by mail, and what each periodic job's
run reported (its counts) on the scheduler's run record

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), server_default='', nullable=False))
    with op.batch_alter_table('scheduled_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('scheduled_run', schema=None) as batch_op:
        batch_op.drop_column('result')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('email')
