"""needs: indexes for the person ledger's page (a unit's people by staff number; a competency's gaps)

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-03 12:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_unit_staff', ['unit_id', 'staff_no'], unique=False)
    with op.batch_alter_table('need_gap', schema=None) as batch_op:
        batch_op.create_index('ix_need_gap_competency_gap', ['competency_id', 'gap', 'unit_id', 'person_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('need_gap', schema=None) as batch_op:
        batch_op.drop_index('ix_need_gap_competency_gap')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_unit_staff')
