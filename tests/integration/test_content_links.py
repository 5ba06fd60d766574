"""Competency links and certifications written by `sync_content`: rows, levels, idempotence."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.curriculum.content import load_tree
from app.curriculum.sync import sync_content
from app.extensions import db
from app.models import (
    Certification,
    Competency,
    Course,
    Lesson,
    LessonCompetency,
    Level,
    Post,
    Syllabus,
    SyllabusTarget,
)
from tests.factories import make_curriculum_posts
from tests.sql_budget import count_statements

REAL_ROOT = Path(__file__).resolve().parents[2] / "course_content"
ROAD = "syllabi/fj-road.toml"
LAW_COURSE = "courses/fj-traffic-law/course.toml"


@pytest.fixture
def root(app, tmp_path) -> Path:
    make_curriculum_posts()
    copy = tmp_path / "content"
    shutil.copytree(REAL_ROOT, copy)
    return copy


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _lesson_links() -> set[tuple[str, str, str, Level]]:
    rows = db.session.execute(
        select(Course.slug, Lesson.file, Competency.code, LessonCompetency.level)
        .join(Lesson, Lesson.id == LessonCompetency.lesson_id).join(Course)
        .join(Competency, Competency.id == LessonCompetency.competency_id)).all()
    return set(rows)


def _targets(post_code: str) -> dict[str, Level]:
    rows = db.session.execute(
        select(Competency.code, SyllabusTarget.level).join(SyllabusTarget.competency)
        .join(Syllabus, Syllabus.id == SyllabusTarget.syllabus_id).join(Post)
        .where(Post.code == post_code)).all()
    return dict(rows)


def test_sync_writes_every_lesson_competency_and_syllabus_target_as_rows(root):
    sync_content(root)
    tree = load_tree(root)
    expected = {(course.slug, lesson.file, code, level) for course in tree.courses
                for lesson in course.lessons for code, level in lesson.competencies.items()}
    assert _lesson_links() == expected and len(expected) > 30
    road = next(s for s in tree.syllabi if s.post == "fj-road")
    assert _targets("fj-road") == road.targets
    assert _targets("fj-road")["FJ-LAW"] is Level.INTERMEDIATE
    stored = db.session.scalar(select(func.count()).select_from(SyllabusTarget))
    assert stored == sum(len(s.targets) for s in tree.syllabi)


def test_lessons_teaching_a_competency_at_a_level_are_one_query(root):
    sync_content(root)
    files = set(db.session.scalars(
        select(Lesson.file).join(LessonCompetency).join(LessonCompetency.competency)
        .where(Competency.code == "FJ-LAW", LessonCompetency.level >= Level.INTERMEDIATE)))
    expected = {file for _slug, file, code, level in _lesson_links()
                if code == "FJ-LAW" and level >= Level.INTERMEDIATE}
    assert files == expected and "02-road-rights.md" in files
    assert "01-law-framework.md" not in files  # teaches FJ-LAW at 初级 only


def test_sync_stores_each_certification_exam_by_its_code(root):
    sync_content(root)
    exam = db.session.scalar(select(Certification).where(Certification.code == "fj-law-mid"))
    assert (exam.title, exam.competency.code, exam.level, exam.active) == (
        "道路交通安全法规中级认定考试", "FJ-LAW", Level.INTERMEDIATE, True)
    assert exam.syllabus.post_id == db.session.scalar(select(Post.id).where(Post.code == "fj-road"))
    assert db.session.scalar(select(func.count()).select_from(Certification)) == 16


def test_a_changed_level_updates_its_link_and_a_second_sync_writes_nothing(root):
    sync_content(root)
    _edit(root, LAW_COURSE, '"FJ-LAW" = "中级"', '"FJ-LAW" = "高级"')
    _edit(root, ROAD, '"FJ-DUTY" = "中级"', '"FJ-DUTY" = "高级"')
    _edit(root, ROAD, '"GEN-SEC" = "初级"\n', "")
    before = _lesson_links()
    report = sync_content(root)
    assert (report.lessons.updated, report.syllabi.updated) == (1, 1)
    after = _lesson_links()
    assert before - after == {("fj-traffic-law", "02-road-rights.md", "FJ-LAW", Level.INTERMEDIATE)}
    assert after - before == {("fj-traffic-law", "02-road-rights.md", "FJ-LAW", Level.ADVANCED)}
    targets = _targets("fj-road")
    assert targets["FJ-DUTY"] is Level.ADVANCED and "GEN-SEC" not in targets
    with count_statements() as statements:
        again = sync_content(root)
    assert not again.changed
    writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert [s for s in writes if "audit_entry" not in s] == []


def test_an_exam_gone_from_the_content_is_deactivated_and_returns_with_its_id(root):
    sync_content(root)
    exam_id = db.session.scalar(select(Certification.id).where(Certification.code == "fj-law-mid"))
    _edit(root, ROAD, 'exam = "fj-law-mid"', 'exam = "fj-law-mid-2"')
    sync_content(root)
    old, new = (db.session.scalar(select(Certification).where(Certification.code == code))
                for code in ("fj-law-mid", "fj-law-mid-2"))
    assert (old.id, old.active, new.active) == (exam_id, False, True)
    _edit(root, ROAD, 'exam = "fj-law-mid-2"', 'exam = "fj-law-mid"')
    sync_content(root)
    assert db.session.get(Certification, exam_id).active is True
    assert not sync_content(root).changed


def test_level_meanings_are_stored_by_level_number_and_shown_in_level_order(root):
    sync_content(root)
    law = db.session.scalar(select(Competency).where(Competency.code == "GEN-LAW"))
    assert set(law.levels) <= {"1", "2", "3"} and law.levels
    meanings = law.level_meanings
    assert [level for level, _text in meanings] == sorted(Level(int(key)) for key in law.levels)
    spec = next(c for c in load_tree(root).competencies if c.code == "GEN-LAW")
    assert dict(meanings) == spec.levels and all(isinstance(level, Level) for level in spec.levels)
