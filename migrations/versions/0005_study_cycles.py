"""study cycles: yearly re-study of courses required each year

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 14:20:00

Existing rows get cycle 0, the "studied once" cycle they were recorded under, so earlier
completions keep counting for the assignments they already completed.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_KEYS = {
    "lesson_progress": (["person_id", "lesson_id"], ["person_id", "lesson_id", "cycle"]),
    "credit_entry": (["person_id", "source_type", "source_id"], ["person_id", "source_type", "source_id", "cycle"]),
}


def upgrade():
    for table in ("lesson_progress", "study_clock", "credit_entry", "assignment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("cycle", sa.Integer(), server_default="0", nullable=False))
    for table, (old, new) in _KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_person_id"), type_="unique")
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_person_id"), new)


def downgrade():
    for table, (old, new) in _KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_person_id"), type_="unique")
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_person_id"), old)
    for table in ("assignment", "credit_entry", "study_clock", "lesson_progress"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("cycle")
