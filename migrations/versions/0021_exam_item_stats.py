"""exam item stats: per exam and question version the measured facility (with its graded answers),
and when each exam's item statistics were stored

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 17:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_item_stat',
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('facility', sa.Double(), nullable=False),
    sa.Column('discrimination', sa.Double(), nullable=True),
    sa.Column('point_biserial', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_item_stat_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_exam_item_stat_question_version_id_question_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exam_id', 'question_version_id', name=op.f('pk_exam_item_stat'))
    )
    with op.batch_alter_table('exam_item_stat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_item_stat_question_version_id'), ['question_version_id'], unique=False)

    op.create_table('exam_analysis',
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('score_total', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_analysis_exam_id_exam'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exam_id', name=op.f('pk_exam_analysis'))
    )


def downgrade():
    op.drop_table('exam_analysis')
    with op.batch_alter_table('exam_item_stat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_item_stat_question_version_id'))

    op.drop_table('exam_item_stat')
