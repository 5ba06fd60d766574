"""Migrations: one head, and upgrading an empty database gives exactly the models' schema."""

import json
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db


def test_migrations_have_a_single_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def _drop_everything() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrading_an_empty_database_matches_the_models(app):
    _drop_everything()
    assert inspect(db.engine).get_table_names() == []
    upgrade(directory=os.path.join(app.root_path, "..", "migrations"))
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    assert "alembic_version" in inspect(db.engine).get_table_names()


_ROWS_BEFORE_0005 = [
    "INSERT INTO org_unit (id, name, kind, path, depth, sort_order) VALUES (1, '一大队', '', '/1/', 0, 0)",
    "INSERT INTO person (id, staff_no, name, phone, unit_id, status, must_change_password, login_enabled, created_at)"
    " VALUES (1, 'T1', '学员', '', 1, 'active', false, true, '2026-01-01 00:00:00')",
    "INSERT INTO course (id, slug, title, workforces, kind, credit_tenths, summary, source, active, content_hash,"
    " updated_at) VALUES (1, 'c', '课程', '[]', '必修', 10, '', 'content', true, '', '2026-01-01 00:00:00')",
    "INSERT INTO lesson (id, course_id, position, file, title, body, min_minutes, competencies, quiz, active,"
    " content_hash) VALUES (1, 1, 1, '01.md', '第一课', '', 1, '[]', '[]', true, '')",
    "INSERT INTO lesson_progress (id, person_id, lesson_id, seconds, quiz_passed, completed_at)"
    " VALUES (1, 1, 1, 60, false, '2026-02-01 00:00:00')",
    "INSERT INTO credit_entry (id, person_id, year, kind, tenths, source_type, source_id, note, created_at)"
    " VALUES (1, 1, 2026, '必修', 10, 'course', 1, '课程', '2026-02-01 00:00:00')",
    "INSERT INTO assignment (id, person_id, course_id, year, due_on, origin, created_at, completed_at)"
    " VALUES (1, 1, 1, 2026, '2026-12-31', 'syllabus', '2026-01-01 00:00:00', '2026-02-01 00:00:00')",
]


def _upgrade_over_rows(app, *, before: str, rows: list[str], to: str = "head") -> str:
    """Migrate an empty database to `before`, insert `rows` there, then upgrade to `to`."""
    directory = os.path.join(app.root_path, "..", "migrations")
    _drop_everything()
    upgrade(directory=directory, revision=before)
    with db.engine.begin() as conn:
        for statement in rows:
            conn.execute(text(statement))
    upgrade(directory=directory, revision=to)
    return directory


def test_upgrading_to_study_cycles_keeps_existing_study_records_in_cycle_zero(app):
    _upgrade_over_rows(app, before="0004", rows=_ROWS_BEFORE_0005)
    with db.engine.connect() as conn:
        cycles = [conn.execute(text(f"SELECT id, cycle FROM {table}")).all()  # noqa: S608 - fixed names
                  for table in ("lesson_progress", "credit_entry", "assignment")]
        assert cycles == [[(1, 0)], [(1, 0)], [(1, 0)]]
        assert conn.execute(text("SELECT seconds FROM lesson_progress")).scalar() == 60
        # The same course may now be credited again in a yearly cycle, but not twice in one.
        insert = text("INSERT INTO credit_entry (id, person_id, year, kind, tenths, source_type, source_id,"
                      " cycle, note, created_at) VALUES (:id, 1, 2027, '必修', 10, 'course', 1, 2027, '',"
                      " '2027-02-01')")
        conn.execute(insert, {"id": 2})
        with pytest.raises(IntegrityError):
            conn.execute(insert, {"id": 3})


_ROWS_BEFORE_0006 = [
    "INSERT INTO workforce (id, code, name) VALUES (1, 'fj', '辅警')",
    "INSERT INTO post (id, workforce_id, code, name, description) VALUES (1, 1, 'fj-road', '路面执勤', '')",
    "INSERT INTO competency (id, code, name, workforces, description, levels, position, content_hash)"
    " VALUES (1, 'GEN', '通用素质', '[]', '', '{}', 0, '')",
    "INSERT INTO syllabus (id, post_id, title, annual_tenths, annual_required_tenths, targets, required,"
    " electives, certify, content_hash) VALUES (1, 1, '大纲', 0, 0, '{}', '[]', '[]', '[]', '')",
]


def _columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_existing_competencies_and_syllabi_become_active_and_downgrades_undo_0006_and_0005(app):
    directory = _upgrade_over_rows(app, before="0005", rows=_ROWS_BEFORE_0006, to="0006")
    with db.engine.connect() as conn:
        flags = [conn.execute(text(f"SELECT active FROM {table}")).scalar()  # noqa: S608 - fixed names
                 for table in ("competency", "syllabus")]
    assert flags == [True, True]
    downgrade(directory=directory, revision="0004")
    assert "active" not in _columns("competency") | _columns("syllabus")
    assert "cycle" not in _columns("lesson_progress") | _columns("credit_entry") | _columns("assignment")


INDEX_0007 = "ix_assignment_person_year_status"


def _indexes() -> dict[str, list[str]]:
    return {index["name"]: index["column_names"] for index in inspect(db.engine).get_indexes("assignment")}


def test_upgrading_to_0007_indexes_existing_assignments_and_downgrading_drops_the_index(app):
    directory = _upgrade_over_rows(app, before="0006", rows=_ROWS_BEFORE_0005, to="0007")
    assert _indexes()[INDEX_0007] == ["person_id", "year", "course_id", "completed_at", "due_on", "started_at"]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 1
    downgrade(directory=directory, revision="0006")
    assert INDEX_0007 not in _indexes()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 1


def test_a_batch_migration_on_sqlite_keeps_the_rows_that_cascade_from_the_rebuilt_table(app):
    """0006's downgrade rebuilds `competency` on SQLite; its question links must survive."""
    rows = _ROWS_BEFORE_0006 + [
        "INSERT INTO question_category (id, name, path) VALUES (1, '通用', '/1/')",
        "INSERT INTO question (id, category_id, qtype, status, needs_review, review_reason, current_number,"
        " data, fingerprint, stem_text, legal_basis, tags, created_at, updated_at) VALUES (1, 1, 'truefalse',"
        " 'ready', false, '', 1, '{}', 'f', '题', '', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        "INSERT INTO question_competency (question_id, competency_id) VALUES (1, 1)",
    ]
    directory = _upgrade_over_rows(app, before="0005", rows=rows, to="0006")
    downgrade(directory=directory, revision="0005")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT question_id, competency_id FROM question_competency")).all() == [(1, 1)]
        if db.engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforced again afterwards



_ROWS_BEFORE_0009 = _ROWS_BEFORE_0005 + [
    "INSERT INTO workforce (id, code, name) VALUES (1, 'fj', '辅警')",
    "INSERT INTO post (id, workforce_id, code, name, description) VALUES (1, 1, 'fj-road', '路面执勤', '')",
    "INSERT INTO competency (id, code, name, workforces, description, levels, position, content_hash)"
    " VALUES (1, 'FJ-LAW', '法规', '[]', '', '{\"高级\": \"会教\", \"初级\": \"会说\"}', 0, ''),"
    " (2, 'GEN-SEC', '保密', '[]', '', '{}', 1, '')",
    "UPDATE lesson SET competencies = '{\"FJ-LAW\": \"中级\", \"GONE\": \"初级\"}' WHERE id = 1",
    "INSERT INTO syllabus (id, post_id, title, annual_tenths, annual_required_tenths, targets, required,"
    " electives, certify, content_hash) VALUES (1, 1, '大纲', 0, 0,"
    " '{\"FJ-LAW\": \"高级\", \"GEN-SEC\": \"初级\"}', '[]', '[]',"
    " '[{\"competency\": \"FJ-LAW\", \"level\": \"中级\", \"exam\": \"道路交通安全法规中级认定考试\"}]', '')",
    "INSERT INTO training_class (id, title, description, unit_id, competencies, credit_tenths, kind, status,"
    " created_at) VALUES (1, '班', '', 1, '[\"GEN-SEC\", \"FJ-LAW\"]', 10, '必修', '草稿', '2026-01-01')",
    "INSERT INTO class_session (id, class_id, starts_at, ends_at, place, trainer, code)"
    " VALUES (1, 1, '2026-03-01 01:00:00', '2026-03-01 02:00:00', '', '', '123456')",
    "INSERT INTO question_category (id, name, path) VALUES (1, '题库', '/1/')",
    "INSERT INTO question (id, category_id, qtype, status, needs_review, review_reason, current_number, data,"
    " fingerprint, stem_text, legal_basis, tags, created_at, updated_at) VALUES"
    " (1, 1, 'truefalse', 'ready', false, '', 1, '{}', 'f1', '题', '', ',甲,乙,', '2026-01-01', '2026-01-01'),"
    " (2, 1, 'truefalse', 'ready', false, '', 1, '{}', 'f2', '题', '', '', '2026-01-01', '2026-01-01')",
    "INSERT INTO question_version (id, question_id, number, data, note, created_at)"
    " VALUES (1, 1, 1, '{}', '', '2026-01-01')",
    "INSERT INTO question_competency (question_id, competency_id) VALUES (1, 1)",
]


def _json(value):
    """Return a JSON column's value as read back (PostgreSQL parses it, SQLite gives the text)."""
    return json.loads(value) if isinstance(value, str) else value


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql)).all()]


def test_upgrading_to_0009_turns_links_into_rows_and_downgrading_turns_them_back(app):
    directory = _upgrade_over_rows(app, before="0007", rows=_ROWS_BEFORE_0009, to="0009")
    assert _rows("SELECT lesson_id, competency_id, level FROM lesson_competency") == [(1, 1, 2)]
    assert sorted(_rows("SELECT syllabus_id, competency_id, level FROM syllabus_target")) == [(1, 1, 3), (1, 2, 1)]
    assert _rows("SELECT code, title, syllabus_id, competency_id, level FROM certification") == [
        ("fj-law-mid", "道路交通安全法规中级认定考试", 1, 1, 2)]
    assert sorted(_rows("SELECT class_id, competency_id FROM class_competency")) == [(1, 1), (1, 2)]
    assert sorted(_rows("SELECT question_id, tag FROM question_tag")) == [(1, "乙"), (1, "甲")]
    assert _json(_rows("SELECT levels FROM competency WHERE id = 1")[0][0]) == {"1": "会说", "3": "会教"}
    assert "competencies" not in _columns("lesson") | _columns("training_class")
    assert not {"targets", "certify"} & _columns("syllabus") and "tags" not in _columns("question")
    # Nothing that cascades from the changed tables is lost (SQLite must not rebuild them).
    counts = [_rows(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 - fixed names
              for table in ("lesson_progress", "class_session", "question_version", "question_competency")]
    assert counts == [1, 1, 1, 1]

    downgrade(directory=directory, revision="0007")
    assert not {"lesson_competency", "certification", "question_tag"} & set(inspect(db.engine).get_table_names())
    with db.engine.connect() as conn:
        lesson = conn.execute(text("SELECT competencies FROM lesson")).scalar()
        syllabus = conn.execute(text("SELECT targets, certify FROM syllabus")).one()
        klass = conn.execute(text("SELECT competencies FROM training_class")).scalar()
        tags = conn.execute(text("SELECT tags FROM question ORDER BY id")).scalars().all()
    assert _json(lesson) == {"FJ-LAW": "中级"}
    assert _json(syllabus[0]) == {"FJ-LAW": "高级", "GEN-SEC": "初级"}
    assert _json(syllabus[1]) == [{"competency": "FJ-LAW", "level": "中级", "exam": "道路交通安全法规中级认定考试"}]
    assert _json(klass) == ["FJ-LAW", "GEN-SEC"] and tags == [",乙,甲,", ""]
    assert _rows("SELECT count(*) FROM question_version")[0][0] == 1
    assert _json(_rows("SELECT levels FROM competency WHERE id = 1")[0][0]) == {"初级": "会说", "高级": "会教"}


_ROWS_BEFORE_0008 = _ROWS_BEFORE_0005[:3] + [
    "INSERT INTO course (id, slug, title, workforces, kind, credit_tenths, summary, source, active, content_hash,"
    " updated_at) VALUES (2, 'e', '选修课', '[]', '选修', 10, '', 'web', true, '', '2026-01-01 00:00:00')",
    "INSERT INTO credit_entry (id, person_id, year, kind, tenths, source_type, source_id, cycle, note, created_at)"
    " VALUES (1, 1, 2026, '必修', 10, 'course', 1, 0, '', '2026-02-01 00:00:00'),"
    " (2, 1, 2026, '选修', 5, 'offline', 1, 0, '', '2026-02-01 00:00:00')",
    "INSERT INTO training_class (id, title, description, unit_id, competencies, credit_tenths, kind, status,"
    " created_at) VALUES (1, '班一', '', 1, '[]', 10, '必修', '草稿', '2026-01-01 00:00:00'),"
    " (2, '班二', '', 1, '[]', 10, '选修', '已发布', '2026-01-01 00:00:00'),"
    " (3, '班三', '', 1, '[]', 10, '选修', '已结束', '2026-01-01 00:00:00')",
    "INSERT INTO question_category (id, name, path) VALUES (1, '题库', '/1/')",
    "INSERT INTO bank_import (id, created_by_id, created_at, filename, fmt, category_id, questions, issues, status)"
    " VALUES (1, 1, '2026-01-01 00:00:00', 'a.xlsx', 'xlsx', 1, '[]', '[]', 'parsing:40'),"
    " (2, 1, '2026-01-01 00:00:00', 'b.xlsx', 'xlsx', 1, '[]', '[]', 'previewed')",
]


def test_upgrading_to_0008_turns_stored_labels_into_codes_and_moves_progress_out_of_the_status(app):
    directory = _upgrade_over_rows(app, before="0007", rows=_ROWS_BEFORE_0008, to="0008")
    assert _rows("SELECT id, kind FROM course ORDER BY id") == [(1, "required"), (2, "elective")]
    assert _rows("SELECT id, kind FROM credit_entry ORDER BY id") == [(1, "required"), (2, "elective")]
    assert _rows("SELECT id, kind, status FROM training_class ORDER BY id") == [
        (1, "required", "draft"), (2, "elective", "published"), (3, "elective", "closed")]
    assert _rows("SELECT id, status, progress_done, progress_total FROM bank_import ORDER BY id") == [
        (1, "parsing", 40, 100), (2, "previewed", 0, 0)]
    downgrade(directory=directory, revision="0007")
    assert _rows("SELECT kind FROM credit_entry ORDER BY id") == [("必修",), ("选修",)]
    assert _rows("SELECT kind, status FROM training_class ORDER BY id") == [
        ("必修", "草稿"), ("选修", "已发布"), ("选修", "已结束")]
    assert _rows("SELECT id, status FROM bank_import ORDER BY id") == [(1, "parsing:40"), (2, "previewed")]
    assert "progress_done" not in _columns("bank_import")


_ROWS_BEFORE_0010 = [
    "INSERT INTO course (id, slug, title, workforces, kind, credit_tenths, summary, source, active, content_hash,"
    " updated_at) VALUES (1, 'c', '课程', '[]', '必修', 10, '', 'content', true, '', '2026-01-01 00:00:00')",
    "INSERT INTO lesson (id, course_id, position, file, title, body, min_minutes, quiz, active, content_hash)"
    " VALUES (1, 1, 1, '01.md', '第一课', '', 1, '[\"Q-1\", \"Q-X\"]', true, ''),"
    " (2, 1, 2, '02.md', '第二课', '', 1, '[]', true, '')",
    "INSERT INTO question_category (id, name, path) VALUES (1, '题库', '/1/')",
    "INSERT INTO question (id, category_id, external_id, qtype, status, needs_review, review_reason, current_number,"
    " data, fingerprint, stem_text, legal_basis, created_at, updated_at) VALUES (7, 1, 'Q-1', 'single',"
    " 'ready', false, '', 1, '{}', 'f', '题干', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
]


def test_upgrading_to_0010_stores_existing_lesson_quizzes_resolved_and_downgrading_drops_the_tables(app):
    directory = _upgrade_over_rows(app, before="0009", rows=_ROWS_BEFORE_0010, to="0010")
    with db.engine.connect() as conn:
        entries = conn.execute(text("SELECT lesson_id, position, external_id, question_id FROM lesson_quiz_question"
                                    " ORDER BY lesson_id, position")).all()
    assert entries == [(1, 0, "Q-1", 7), (1, 1, "Q-X", None)]
    downgrade(directory=directory, revision="0009")
    assert not {"lesson_quiz_question", "quiz_attempt", "quiz_attempt_item"} & set(inspect(db.engine).get_table_names())
