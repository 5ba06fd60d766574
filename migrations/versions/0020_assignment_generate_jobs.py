"""assignment generate jobs: the admin's 按培训大纲生成培训任务 runs in the background, one job row per run

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 16:45:15.604784

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment_generate_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('scope_paths', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('running_key', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('people_with_tasks', sa.Integer(), nullable=False),
    sa.Column('last_person_id', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('skipped_people', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_assignment_generate_job_created_by_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_generate_job')),
    sa.UniqueConstraint('running_key', name=op.f('uq_assignment_generate_job_running_key'))
    )
    with op.batch_alter_table('assignment_generate_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_generate_job_created_by_id'), ['created_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('assignment_generate_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_generate_job_created_by_id'))

    op.drop_table('assignment_generate_job')
