"""regrade: one fix per question of an exam (exam_question_adjustment) and the runs applying it
(exam_regrade_job)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_question_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_exam_question_adjustment_created_by_id_person')),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_question_adjustment_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_exam_question_adjustment_question_id_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_question_adjustment')),
    sa.UniqueConstraint('exam_id', 'question_id', name=op.f('uq_exam_question_adjustment_exam_id'))
    )
    with op.batch_alter_table('exam_question_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_question_adjustment_question_id'), ['question_id'], unique=False)

    op.create_table('exam_regrade_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('running_key', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('background', sa.Boolean(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('last_attempt_id', sa.Integer(), nullable=False),
    sa.Column('pass_changes', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_exam_regrade_job_created_by_id_person')),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_regrade_job_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_exam_regrade_job_question_id_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_regrade_job')),
    sa.UniqueConstraint('running_key', name=op.f('uq_exam_regrade_job_running_key'))
    )
    with op.batch_alter_table('exam_regrade_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_regrade_job_exam_id'), ['exam_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exam_regrade_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_regrade_job_exam_id'))

    op.drop_table('exam_regrade_job')
    with op.batch_alter_table('exam_question_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_question_adjustment_question_id'))

    op.drop_table('exam_question_adjustment')
