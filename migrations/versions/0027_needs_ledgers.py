"""needs: the 三本台账's rows per person and target (need_gap) and their sums per unit, post and
competency (need_tally); formal exams' counted results per person (exam_outcome) and their sums
(exam_outcome_tally), for 培训完成情况; all filled by `flask needs recount`

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('need_gap',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('gap', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_need_gap_competency_id_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_need_gap_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_need_gap_post_id_post')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_need_gap_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('person_id', 'competency_id', name=op.f('pk_need_gap'))
    )
    with op.batch_alter_table('need_gap', schema=None) as batch_op:
        batch_op.create_index('ix_need_gap_competency_unit', ['competency_id', 'unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_gap_unit_id'), ['unit_id'], unique=False)

    op.create_table('need_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('below', sa.Integer(), nullable=False),
    sa.Column('unknown', sa.Integer(), nullable=False),
    sa.Column('gap_sum', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_need_tally_competency_id_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_need_tally_post_id_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_need_tally_unit_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_tally')),
    sa.UniqueConstraint('unit_id', 'post_id', 'competency_id', name=op.f('uq_need_tally_unit_id'))
    )
    with op.batch_alter_table('need_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_tally_unit_id'), ['unit_id'], unique=False)

    op.create_table('exam_outcome',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_outcome_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_exam_outcome_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_exam_outcome_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('person_id', 'exam_id', name=op.f('pk_exam_outcome'))
    )
    with op.batch_alter_table('exam_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_outcome_exam_id'), ['exam_id'], unique=False)

    op.create_table('exam_outcome_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_outcome_tally_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_exam_outcome_tally_unit_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_outcome_tally')),
    sa.UniqueConstraint('unit_id', 'post_id', 'exam_id', name=op.f('uq_exam_outcome_tally_unit_id'))
    )
    with op.batch_alter_table('exam_outcome_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_outcome_tally_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_outcome_tally_year'), ['year'], unique=False)


def downgrade():
    op.drop_table('exam_outcome_tally')
    op.drop_table('exam_outcome')
    op.drop_table('need_tally')
    op.drop_table('need_gap')
