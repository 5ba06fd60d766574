"""Migration 0012 adds the 培训完成情况 counters, filled from the existing assignments exactly as
`flask study recount` fills them; downgrading drops them and keeps the assignments."""

from datetime import date

from flask_migrate import downgrade
from sqlalchemy import inspect

from app.extensions import db
from app.study import tallies
from tests.integration.test_compliance_tallies import expected_tables, stored_tables
from tests.integration.test_migrations import _rows, _upgrade_over_rows

_PEOPLE_AND_COURSES = [
    "INSERT INTO org_unit (id, name, kind, path, depth, sort_order) VALUES (1, '支队', '', '/1/', 0, 0),"
    " (2, '一大队', '', '/1/2/', 1, 0), (3, '二大队', '', '/1/3/', 1, 0)",
    "INSERT INTO person (id, staff_no, name, phone, unit_id, status, must_change_password, login_enabled, created_at)"
    " VALUES (1, 'T1', '甲', '', 2, 'active', false, true, '2026-01-01 00:00:00'),"
    " (2, 'T2', '乙', '', 2, 'left', false, true, '2026-01-01 00:00:00'),"
    " (3, 'T3', '丙', '', 3, 'active', false, true, '2026-01-01 00:00:00')",
    "INSERT INTO course (id, slug, title, workforces, kind, credit_tenths, summary, source, active, content_hash,"
    " updated_at) VALUES (1, 'c1', '课程一', '[]', 'required', 10, '', 'content', true, '', '2026-01-01 00:00:00'),"
    " (2, 'c2', '课程二', '[]', 'required', 10, '', 'content', true, '', '2026-01-01 00:00:00')",
]
_ASSIGNMENTS = [
    "INSERT INTO assignment (id, person_id, course_id, year, due_on, started_at, completed_at, origin, cycle,"
    " created_at) VALUES"
    " (1, 1, 1, 2026, '2026-06-30', '2026-02-01 00:00:00', '2026-03-01 00:00:00', 'syllabus', 0, '2026-01-01'),"
    " (2, 1, 2, 2026, '2026-06-30', '2026-02-01 00:00:00', NULL, 'syllabus', 0, '2026-01-01'),"
    " (3, 2, 1, 2026, '2026-06-30', NULL, NULL, 'syllabus', 0, '2026-01-01'),"
    " (4, 2, 2, 2027, '2027-03-31', NULL, NULL, 'admin', 2027, '2026-01-01'),"
    " (5, 3, 1, 2026, '2026-12-31', '2026-04-01 00:00:00', NULL, 'syllabus', 0, '2026-01-01')",
]


def test_0012_counts_the_existing_assignments_as_a_recount_would_and_its_downgrade_drops_the_counters(app):
    directory = _upgrade_over_rows(app, before="0011", rows=_PEOPLE_AND_COURSES + _ASSIGNMENTS,
                                   to="0012")
    migrated = stored_tables()
    assert migrated == expected_tables()
    assert migrated[0][2, 2026, 1, date(2026, 6, 30)] == (2, 1, 0)  # one done, one never started
    assert migrated[0][2, 2026, 2, date(2026, 6, 30)] == (1, 0, 1)  # started, not done
    assert migrated[1] == {(2, 2026): 2, (2, 2027): 1, (3, 2026): 1}
    assert tallies.recount() == 5 and stored_tables() == migrated
    db.session.rollback()  # end the session's (write) transaction before Alembic's
    downgrade(directory=directory, revision="0011")
    assert not {"assignment_tally", "assignment_people_tally"} & set(inspect(db.engine).get_table_names())
    assert _rows("SELECT count(*) FROM assignment")[0][0] == 5

