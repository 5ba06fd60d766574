"""needs: mastery per person and competency (the estimator's state, its estimate) and the graded
answers behind it (one row per answer and competency)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 08:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('competency_mastery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('ceiling', sa.Integer(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_competency_mastery_competency_id_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_competency_mastery_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_mastery')),
    sa.UniqueConstraint('person_id', 'competency_id', name=op.f('uq_competency_mastery_person_id'))
    )
    with op.batch_alter_table('competency_mastery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_mastery_competency_id'), ['competency_id'], unique=False)

    op.create_table('mastery_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('exam_item_id', sa.Integer(), nullable=True),
    sa.Column('quiz_item_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('earned', sa.Double(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(exam_item_id IS NULL) <> (quiz_item_id IS NULL)', name=op.f('ck_mastery_evidence_one_source')),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_mastery_evidence_competency_id_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exam_item_id'], ['attempt_item.id'], name=op.f('fk_mastery_evidence_exam_item_id_attempt_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_mastery_evidence_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_item_id'], ['quiz_attempt_item.id'], name=op.f('fk_mastery_evidence_quiz_item_id_quiz_attempt_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mastery_evidence')),
    sa.UniqueConstraint('exam_item_id', 'competency_id', name=op.f('uq_mastery_evidence_exam_item_id')),
    sa.UniqueConstraint('quiz_item_id', 'competency_id', name=op.f('uq_mastery_evidence_quiz_item_id'))
    )
    with op.batch_alter_table('mastery_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mastery_evidence_competency_id'), ['competency_id'], unique=False)
        batch_op.create_index('ix_mastery_evidence_person_competency', ['person_id', 'competency_id', 'answered_at'], unique=False)


def downgrade():
    with op.batch_alter_table('mastery_evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_mastery_evidence_person_competency')
        batch_op.drop_index(batch_op.f('ix_mastery_evidence_competency_id'))

    op.drop_table('mastery_evidence')
    with op.batch_alter_table('competency_mastery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_mastery_competency_id'))

    op.drop_table('competency_mastery')
