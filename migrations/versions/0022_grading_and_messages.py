"""grading and messages: claims, marker and comment on exam answers (阅卷), and in-app messages
(one per person and dedupe key)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 07:40:08

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_message_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('person_id', 'dedupe_key', name=op.f('uq_message_person_id'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_person_id_read_at', ['person_id', 'read_at'], unique=False)

    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('marked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('marked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('comment', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_attempt_item_marked_by_id_person'), 'person', ['marked_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_attempt_item_claimed_by_id_person'), 'person', ['claimed_by_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_item_claimed_by_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_attempt_item_marked_by_id_person'), type_='foreignkey')
        batch_op.drop_column('comment')
        batch_op.drop_column('marked_at')
        batch_op.drop_column('marked_by_id')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by_id')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_person_id_read_at')

    op.drop_table('message')
