"""assignment status index: a covering index for the 培训完成情况 counts per unit

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 15:10:00

The overview counts a year's assignments by status for every person of a unit subtree. Without
it SQLite finds a person's assignments through ix_assignment_person_id and then reads each table
row; with (person_id, year) leading and the status columns included it reads the index alone
(EXPLAIN QUERY PLAN: "SEARCH assignment USING COVERING INDEX ... (person_id=? AND year=?)"):
about 18% faster over 100,000 people and 500,000 assignments (bench/RESULTS.md).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_COLUMNS = ["person_id", "year", "course_id", "completed_at", "due_on", "started_at"]


def upgrade():
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_person_year_status", _COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_person_year_status")
