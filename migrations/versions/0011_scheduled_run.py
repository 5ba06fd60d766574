"""scheduled run: one row per periodic job and due time, so one process runs each due job

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00

The in-process scheduler of the embedded mode claims a due job by inserting (job, due_at); the
unique key makes a second gunicorn worker's insert a no-op. A new table: no rows to convert.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduled_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=50), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_run')),
        sa.UniqueConstraint('job', 'due_at', name=op.f('uq_scheduled_run_job')),
    )


def downgrade():
    op.drop_table('scheduled_run')
