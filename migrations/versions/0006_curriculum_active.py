"""curriculum active flags: competencies and syllabi removed from the content are deactivated

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 14:30:00

Existing rows become active, as they were all in effect before; the next content sync
deactivates the ones that are no longer in course_content/.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_TABLES = ("competency", "syllabus")


def upgrade():
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("active")
