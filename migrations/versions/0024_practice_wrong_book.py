"""practice and 错题本: hidden practice exams and blueprints, their sources, the 核对 of a slot, and
the wrong-answer book with its per-attempt marker

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 08:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('blueprint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrong_book_applied', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(), nullable=True))

    op.create_table('practice_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=12), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('timed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_practice_source_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_practice_source_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_source')),
    sa.UniqueConstraint('exam_id', name=op.f('uq_practice_source_exam_id'))
    )
    with op.batch_alter_table('practice_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_source_person_id'), ['person_id'], unique=False)

    op.create_table('wrong_book_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('earned', sa.Integer(), nullable=False),
    sa.Column('possible', sa.Integer(), nullable=False),
    sa.Column('wrong_count', sa.Integer(), nullable=False),
    sa.Column('correct_streak', sa.Integer(), nullable=False),
    sa.Column('first_wrong_at', sa.DateTime(), nullable=False),
    sa.Column('last_wrong_at', sa.DateTime(), nullable=False),
    sa.Column('last_answered_at', sa.DateTime(), nullable=False),
    sa.Column('mastered_at', sa.DateTime(), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempt.id'], name=op.f('fk_wrong_book_entry_attempt_id_exam_attempt'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_wrong_book_entry_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_wrong_book_entry_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_wrong_book_entry_question_version_id_question_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wrong_book_entry')),
    sa.UniqueConstraint('person_id', 'question_id', name=op.f('uq_wrong_book_entry_person_id'))
    )
    with op.batch_alter_table('wrong_book_entry', schema=None) as batch_op:
        batch_op.create_index('ix_wrong_book_entry_person_mastered', ['person_id', 'mastered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wrong_book_entry_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('wrong_book_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wrong_book_entry_question_id'))
        batch_op.drop_index('ix_wrong_book_entry_person_mastered')
    op.drop_table('wrong_book_entry')
    with op.batch_alter_table('practice_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_source_person_id'))
    op.drop_table('practice_source')
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.drop_column('checked_at')
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_column('wrong_book_applied')
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.drop_column('hidden')
    with op.batch_alter_table('blueprint', schema=None) as batch_op:
        batch_op.drop_column('hidden')
