"""the adaptive diagnostic (摸底测试): a person's diagnostic over a hidden exam, and admins'
requirements to take it by a due date

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('diagnostic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('exhausted', sa.JSON(), nullable=False),
    sa.Column('asked', sa.JSON(), nullable=False),
    sa.Column('max_per_competency', sa.Integer(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_diagnostic_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_diagnostic_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_diagnostic_post_id_post'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic')),
    sa.UniqueConstraint('exam_id', name=op.f('uq_diagnostic_exam_id'))
    )
    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_person_id'), ['person_id'], unique=False)

    op.create_table('diagnostic_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_diagnostic_requirement_created_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_diagnostic_requirement_post_id_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_diagnostic_requirement_unit_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_requirement'))
    )
    with op.batch_alter_table('diagnostic_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_requirement_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('diagnostic_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_requirement_unit_id'))
    op.drop_table('diagnostic_requirement')
    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_person_id'))
    op.drop_table('diagnostic')
