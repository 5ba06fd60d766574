"""Migration 0030 adds the 学时 counters, filled from the existing ledger lines and people exactly as
`flask study recount` fills them; downgrading drops them and keeps the ledger."""

from flask_migrate import downgrade
from sqlalchemy import inspect, select

from app.extensions import db
from app.study import credit_state
from tests.integration.test_migrations import _rows, _upgrade_over_rows

_ROWS = [
    "INSERT INTO org_unit (id, name, kind, path, depth, sort_order) VALUES (1, '支队', '', '/1/', 0, 0),"
    " (2, '一大队', '', '/1/2/', 1, 0), (3, '二大队', '', '/1/3/', 1, 0)",
    "INSERT INTO workforce (id, code, name) VALUES (1, 'fj', '辅警')",
    "INSERT INTO post (id, workforce_id, code, name, description) VALUES (1, 1, 'p1', '路面执勤', ''),"
    " (2, 1, 'p2', '窗口服务', '')",
    "INSERT INTO syllabus (id, post_id, title, annual_tenths, annual_required_tenths, required, electives, active,"
    " content_hash) VALUES (1, 1, '大纲一', 60, 30, '[]', '[]', true, ''), (2, 2, '大纲二', 40, 0, '[]', '[]', true, '')",
    "INSERT INTO person (id, staff_no, name, phone, email, unit_id, post_id, status, must_change_password,"
    " login_enabled, created_at) VALUES (1, 'T1', '甲', '', '', 2, 1, 'active', false, true, '2026-01-01 00:00:00'),"
    " (2, 'T2', '乙', '', '', 2, 1, 'left', false, true, '2026-01-01 00:00:00'),"
    " (3, 'T3', '丙', '', '', 3, 2, 'active', false, true, '2026-01-01 00:00:00'),"
    " (4, 'T4', '丁', '', '', 3, NULL, 'active', false, true, '2026-01-01 00:00:00')",
    "INSERT INTO course (id, slug, title, workforces, kind, credit_tenths, summary, source, active, content_hash,"
    " updated_at) VALUES (1, 'c1', '课程一', '[]', 'required', 10, '', 'content', true, '', '2026-01-01 00:00:00')",
    "INSERT INTO lesson (id, course_id, position, file, title, body, min_minutes, quiz, active, content_hash)"
    " VALUES (1, 1, 1, '01.md', '第一课', '', 5, '[]', true, '')",
    "INSERT INTO credit_entry (id, person_id, year, kind, tenths, source_type, source_id, cycle, reversal_of_id,"
    " note, created_at) VALUES"
    " (1, 1, 2026, 'required', 40, 'course', 1, 0, NULL, '', '2026-02-01 00:00:00'),"
    " (2, 1, 2026, 'required', 20, 'quiz', 1, 0, NULL, '', '2026-02-01 00:00:00'),"
    " (3, 1, 2026, 'elective', 30, 'offline', 7, 0, NULL, '', '2026-02-01 00:00:00'),"
    " (4, 1, 2026, 'elective', -30, 'reversal', 3, 0, 3, '', '2026-02-02 00:00:00'),"
    " (5, 2, 2026, 'required', 80, 'course', 1, 0, NULL, '', '2026-02-01 00:00:00'),"
    " (6, 3, 2026, 'elective', 45, 'carry_over', 2025, 0, NULL, '', '2026-01-01 00:00:00'),"
    " (7, 4, 2025, 'elective', 10, 'offline', 8, 0, NULL, '', '2025-05-01 00:00:00')",
]


def snapshot():
    return {model.__tablename__: sorted(tuple(row) for row in db.session.execute(select(*model.__table__.c)))
            for model in credit_state.TABLES}


def test_0030_counts_the_existing_ledger_as_a_recount_would_and_its_downgrade_drops_the_counters(app):
    directory = _upgrade_over_rows(app, before="0029", rows=_ROWS, to="0030")
    migrated = snapshot()
    assert migrated["credit_tally"] == [(2, 1, 2026, 1, 60, 60, 1), (3, 0, 2025, 1, 10, 0, 0),
                                        (3, 2, 2026, 1, 45, 0, 1)]
    assert migrated["credit_headcount"] == [(2, 1, 1), (3, 0, 1), (3, 2, 1)]
    assert migrated["credit_source_tally"] == [(2, 2026, "course", 1, 1, 60),  # course + quiz; offline reversed
        (3, 2025, "offline", 0, 1, 10), (3, 2026, "carry_over", 0, 1, 45)]
    assert credit_state.recount() == 7 and snapshot() == migrated
    db.session.rollback()  # end the session's (write) transaction before Alembic's
    downgrade(directory=directory, revision="0029")
    assert not {model.__tablename__ for model in credit_state.TABLES} & set(inspect(db.engine).get_table_names())
    assert _rows("SELECT count(*) FROM credit_entry")[0][0] == 7
