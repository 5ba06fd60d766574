"""credit tallies: 培训完成情况's 学时 against the annual requirement, per person-year, unit, post and course

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 12:40:00

The section of 学时 on 培训完成情况 adds up these counters instead of reading ledger lines; they are
kept by app/study/credit_tallies.py in the transaction of every change. The upgrade fills them from
the existing ledger lines and people with the SQL of `credit_state.recount` (`flask study recount`),
frozen here: a migration must not import app code. The downgrade drops the four tables (the ledger
is untouched).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_MEETS = ("(syllabus.annual_tenths > 0 OR syllabus.annual_required_tenths > 0) "
          "AND credit_standing.total >= syllabus.annual_tenths "
          "AND credit_standing.required >= syllabus.annual_required_tenths")
# A ledger line's group: course and quiz credit under ('course', course id), any other line under
# (its source_type, 0); a reversal under the group of the line it cancels.
_GROUPED = """
    SELECT entry.person_id, entry.year, entry.tenths,
           CASE WHEN COALESCE(original.source_type, entry.source_type) = 'course'
                  OR lesson.course_id IS NOT NULL THEN 'course'
                ELSE COALESCE(original.source_type, entry.source_type) END AS source,
           CASE WHEN COALESCE(original.source_type, entry.source_type) = 'course'
                  THEN COALESCE(original.source_id, entry.source_id)
                ELSE COALESCE(lesson.course_id, 0) END AS ref
    FROM credit_entry AS entry
    LEFT OUTER JOIN credit_entry AS original ON original.id = entry.reversal_of_id
    LEFT OUTER JOIN lesson ON COALESCE(original.source_type, entry.source_type) = 'quiz'
                          AND lesson.id = COALESCE(original.source_id, entry.source_id)"""
RECOUNT = (
    """INSERT INTO credit_standing (person_id, year, total, required)
    SELECT person_id, year, sum(tenths), sum(CASE WHEN kind = 'required' THEN tenths ELSE 0 END)
    FROM credit_entry GROUP BY person_id, year""",
    f"""INSERT INTO credit_tally (unit_id, post_id, year, people, tenths, required, met)
    SELECT person.unit_id, COALESCE(person.post_id, 0), credit_standing.year,
           sum(CASE WHEN credit_standing.total > 0 THEN 1 ELSE 0 END), sum(credit_standing.total),
           sum(credit_standing.required), sum(CASE WHEN {_MEETS} THEN 1 ELSE 0 END)
    FROM credit_standing JOIN person ON person.id = credit_standing.person_id
    LEFT OUTER JOIN syllabus ON syllabus.post_id = person.post_id AND syllabus.active
    WHERE person.status = 'active'
    GROUP BY person.unit_id, COALESCE(person.post_id, 0), credit_standing.year
    HAVING sum(CASE WHEN credit_standing.total > 0 THEN 1 ELSE 0 END) != 0 OR sum(credit_standing.total) != 0
        OR sum(credit_standing.required) != 0 OR sum(CASE WHEN {_MEETS} THEN 1 ELSE 0 END) != 0""",
    """INSERT INTO credit_headcount (unit_id, post_id, people)
    SELECT unit_id, COALESCE(post_id, 0), count(*) FROM person WHERE status = 'active'
    GROUP BY unit_id, COALESCE(post_id, 0)""",
    f"""INSERT INTO credit_source_tally (unit_id, year, source, ref, people, tenths)
    SELECT person.unit_id, mine.year, mine.source, mine.ref,
           sum(CASE WHEN mine.tenths > 0 THEN 1 ELSE 0 END), sum(mine.tenths)
    FROM (SELECT grouped.person_id, grouped.year, grouped.source, grouped.ref, sum(grouped.tenths) AS tenths
          FROM ({_GROUPED}) AS grouped
          GROUP BY grouped.person_id, grouped.year, grouped.source, grouped.ref) AS mine
    JOIN person ON person.id = mine.person_id
    WHERE person.status = 'active'
    GROUP BY person.unit_id, mine.year, mine.source, mine.ref
    HAVING sum(CASE WHEN mine.tenths > 0 THEN 1 ELSE 0 END) != 0 OR sum(mine.tenths) != 0""",
)


def _unit_key(table: str):
    return sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f(f'fk_{table}_unit_id_org_unit'),
                                   ondelete='CASCADE')


def upgrade():
    op.create_table(
        'credit_standing',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('required', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_credit_standing_person_id_person'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', 'year', name=op.f('pk_credit_standing')),
    )
    op.create_table(
        'credit_tally',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('tenths', sa.Integer(), nullable=False),
        sa.Column('required', sa.Integer(), nullable=False),
        sa.Column('met', sa.Integer(), nullable=False),
        _unit_key('credit_tally'),
        sa.PrimaryKeyConstraint('unit_id', 'post_id', 'year', name=op.f('pk_credit_tally')),
    )
    op.create_index(op.f('ix_credit_tally_year'), 'credit_tally', ['year'], unique=False)
    op.create_table(
        'credit_headcount',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        _unit_key('credit_headcount'),
        sa.PrimaryKeyConstraint('unit_id', 'post_id', name=op.f('pk_credit_headcount')),
    )
    op.create_table(
        'credit_source_tally',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('ref', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('tenths', sa.Integer(), nullable=False),
        _unit_key('credit_source_tally'),
        sa.PrimaryKeyConstraint('unit_id', 'year', 'source', 'ref', name=op.f('pk_credit_source_tally')),
    )
    op.create_index(op.f('ix_credit_source_tally_year'), 'credit_source_tally', ['year'], unique=False)
    for statement in RECOUNT:
        op.execute(statement)


def downgrade():
    op.drop_index(op.f('ix_credit_source_tally_year'), table_name='credit_source_tally')
    op.drop_table('credit_source_tally')
    op.drop_table('credit_headcount')
    op.drop_index(op.f('ix_credit_tally_year'), table_name='credit_tally')
    op.drop_table('credit_tally')
    op.drop_table('credit_standing')
