"""assignment tallies: 培训完成情况 counters per unit, year, course and due date, and people per unit and year

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:00:00

The overview read every assignment of the subtree on every view (≈ 500,000 rows for 100,000
people). These counters are kept by app/study/tallies.py in the transaction of every change to
assignments; the overview sums them instead. The upgrade fills them from the existing rows with
the SQL of `tallies.recount` (`flask study recount`), frozen here: a migration must not import app
code. The downgrade drops both tables (the assignment rows are untouched).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

RECOUNT = (
    """INSERT INTO assignment_tally (unit_id, year, course_id, due_on, total, done, started)
    SELECT person.unit_id, assignment.year, assignment.course_id, assignment.due_on, count(*),
           count(assignment.completed_at),
           sum(CASE WHEN assignment.started_at IS NOT NULL AND assignment.completed_at IS NULL THEN 1 ELSE 0 END)
    FROM assignment JOIN person ON person.id = assignment.person_id
    GROUP BY person.unit_id, assignment.year, assignment.course_id, assignment.due_on""",
    """INSERT INTO assignment_people_tally (unit_id, year, people)
    SELECT person.unit_id, assignment.year, count(DISTINCT assignment.person_id)
    FROM assignment JOIN person ON person.id = assignment.person_id
    GROUP BY person.unit_id, assignment.year""",
)


def upgrade():
    op.create_table(
        'assignment_tally',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('started', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_assignment_tally_course_id_course'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_assignment_tally_unit_id_org_unit'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unit_id', 'year', 'course_id', 'due_on', name=op.f('pk_assignment_tally')),
    )
    op.create_table(
        'assignment_people_tally',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'],
                                name=op.f('fk_assignment_people_tally_unit_id_org_unit'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unit_id', 'year', name=op.f('pk_assignment_people_tally')),
    )
    for statement in RECOUNT:
        op.execute(statement)


def downgrade():
    op.drop_table('assignment_people_tally')
    op.drop_table('assignment_tally')
